"""Physical floors (DESIGN.md §8), measured with the bare libraries in the caller's run.

- sqlite_insert_floor: one INSERT in its own transaction (BEGIN IMMEDIATE … COMMIT),
  journal_mode=WAL, synchronous=FULL, into a table already holding N rows (a UUID
  primary key and a unique code, like the dossiers table's two main indexes);
- reportlab_page_floor: one A4 page with a TrueType font (the bundled Liberation Serif,
  subset-embedded), a few Vietnamese lines and a Code 128 barcode, to PDF bytes;
- barcode_png_floor: a python-barcode Code 128 PNG (ImageWriter, bars only) to bytes;
- sqlite_code_lookup_floor: SELECT of one row by an indexed code with bare sqlite3.
"""

from __future__ import annotations

import io
import json
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from _common import OUT_DIR, time_calls

VI_LINES = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "Bộ phận Một cửa UBND xã Mỹ Hòa Hưng tiếp nhận hồ sơ của: Ông/Bà Nguyễn Thị Tuyết",
    "Số điện thoại: 0912 345 678   Email: —",
    "Nội dung yêu cầu giải quyết: Chứng thực bản sao từ bản chính giấy tờ, văn bản",
    "Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 28 tháng 11 năm 2026",
    "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 30 tháng 11 năm 2026",
)
SAMPLE_CODE = "000.20.25.H01-261128-0001"


def _floor_db(rows: int) -> Path:
    """A bare table with `rows` rows (cached in bench/out/)."""
    path = OUT_DIR / f"floor-{rows}.db"
    meta = path.with_name(path.name + ".json")
    if path.exists() and meta.exists() and json.loads(meta.read_text()).get("rows") == rows:
        return path
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(
        "CREATE TABLE t (id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, "
        "received_at TEXT NOT NULL)"
    )
    rng = random.Random(1)
    conn.execute("BEGIN")
    batch = []
    for i in range(rows):
        batch.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128))),
                f"000.20.25.H01-{i // 2000:06d}-{i % 2000 + 1:04d}",
                "Nguyễn Thị Lan",
                "2026-11-27 02:00:00.000000",
            )
        )
        if len(batch) == 50_000:
            conn.executemany("INSERT INTO t VALUES (?,?,?,?)", batch)
            batch.clear()
    conn.executemany("INSERT INTO t VALUES (?,?,?,?)", batch)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    meta.write_text(json.dumps({"rows": rows}))
    return path


def sqlite_insert_floor(rows: int, n: int = 200) -> list[float]:
    """ms per INSERT committed in its own fsync'd WAL transaction, table of `rows` rows."""
    one, conn = sqlite_inserter(rows)
    out = time_calls(one, n, warmup=10)
    conn.close()
    return out


def sqlite_inserter(rows: int) -> tuple[Callable[[], None], sqlite3.Connection]:
    """The floor's one fsync'd INSERT as a call, for benches that interleave it with their
    own steps (close the connection after)."""
    path = _floor_db(rows)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    counter = [0]
    stamp = os.getpid()

    def one() -> None:
        counter[0] += 1
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO t VALUES (?,?,?,?)",
            (
                str(uuid.uuid4()),
                f"floor-{stamp}-{time.time_ns()}-{counter[0]}",
                "Trần Văn Nam",
                "2026-11-28 02:00:00.000000",
            ),
        )
        conn.execute("COMMIT")

    return one, conn


def sqlite_code_lookup_floor(db: Path, codes: list[str], n: int = 500) -> list[float]:
    """ms per `SELECT * FROM dossiers WHERE code = ?` with bare sqlite3 on the bench DB."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rng = random.Random(7)
    picks = [rng.choice(codes) for _ in range(n + 10)]
    it = iter(picks)

    def one() -> None:
        conn.execute("SELECT * FROM dossiers WHERE code = ?", (next(it),)).fetchone()

    out = time_calls(one, n, warmup=10)
    conn.close()
    return out


_font_ready = False


def _register_floor_font() -> str:
    global _font_ready
    name = "FloorSerif"
    if not _font_ready:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        from counter_app.printing.fonts import font_path

        pdfmetrics.registerFont(TTFont(name, str(font_path())))
        _font_ready = True
    return name


def reportlab_page(code: str = SAMPLE_CODE) -> bytes:
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    font = _register_floor_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=True, initialFontName=font)
    y = A4[1] - 25 * mm
    for i, line in enumerate(VI_LINES):
        c.setFont(font, 13 if i < 3 else 12)
        c.drawString(30 * mm, y, line)
        y -= 8 * mm
    Code128(code, barWidth=0.33 * mm, barHeight=12 * mm, humanReadable=False).drawOn(
        c, 60 * mm, y - 14 * mm
    )
    c.showPage()
    c.save()
    return buf.getvalue()


def reportlab_page_floor(n: int = 200) -> list[float]:
    """ms per one-page A4 PDF with a TTF font and a Code 128 barcode (font registered once)."""
    _register_floor_font()
    return time_calls(reportlab_page, n, warmup=5)


def barcode_png(code: str = SAMPLE_CODE) -> bytes:
    from barcode import Code128
    from barcode.writer import ImageWriter

    buf = io.BytesIO()
    # bars only: the label draws its own text lines (as labels.py does), so no writer text
    Code128(code, writer=ImageWriter()).write(buf, options={"write_text": False})
    return buf.getvalue()


def barcode_png_floor(n: int = 200) -> list[float]:
    """ms per python-barcode Code 128 PNG (ImageWriter defaults, write_text=False)."""
    return time_calls(barcode_png, n, warmup=5)

"""The register (Sổ theo dõi hồ sơ) for 1,000 rows: read the month and render the PDF.

    uv run python bench/bench_register.py               # 1,000 dossiers, median of 5 runs
    uv run python bench/bench_register.py --rows 200 --runs 3

A SQLite database filled by the app's own services (`init --demo`, then `intake.register`
of `--rows` dossiers over December 2026, a quarter of them handed over and half of those
returned, so the event columns are filled) is built once in bench/out/. Each run is what
`counter-app register --from 2026-12-01 --to 2026-12-31 -o OUT.pdf` does after start-up:
services/register.register_book (query + events) and printing/register.render_register.
Budget (DESIGN.md §8): the register for 1,000 rows < 2 s. Floors in the same run: the bare
SELECT of the same columns by sqlite3, and a bare reportlab canvas writing the same cell
texts with drawString (no wrapping, no table) on as many landscape pages.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import OUT_DIR, Row, fmt_ms, isolate_env, machine_line, print_rows, save_rows

BUDGET_S = 2.0
VN = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = date(2026, 12, 1), date(2026, 12, 31)


def build(path: Path, rows: int) -> None:
    """The month's dossiers, through the services (as the counter would have saved them)."""
    from counter_app.app import build_context
    from counter_app.services import actions, intake
    from counter_app.services.setup import init_database

    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.db")
    tmp.unlink(missing_ok=True)
    ctx = build_context(db=str(tmp))
    fixed = datetime(2026, 12, 31, 16, 0, tzinfo=VN).astimezone(UTC)
    ctx.clock = lambda: fixed
    init_database(ctx, demo=True)
    days = [START + timedelta(days=i) for i in range(30)]
    days = [d for d in days if d.weekday() < 5]
    reqs = []
    for i in range(rows):
        day = days[i % len(days)]
        at = datetime(day.year, day.month, day.day, 8, 0, tzinfo=VN) + timedelta(minutes=i % 400)
        reqs.append(
            intake.parse_intake(
                {
                    "procedure": ("1.004873", "2.000815", "1.001193")[i % 3],
                    "applicant": {
                        "name": ("Nguyễn Thị Bích Ngọc", "Trần Văn An", "Lê Minh Châu")[i % 3],
                        "phone": "0912345678",
                        "address": f"Số {i} Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang",
                    },
                    "received_at": at.isoformat(),
                }
            )
        )
    views = intake.register(ctx, reqs, "canbo1")
    for n, v in enumerate(views[: rows // 4]):
        at = v.received_at + timedelta(hours=1)
        actions.act(ctx, v.code, "handover", "canbo1", at=at, to="Phòng Tư pháp - Hộ tịch")
        if n % 2 == 0:
            actions.act(ctx, v.code, "receive-back", "canbo1", at=at + timedelta(hours=1))
    ctx.uow.engine.dispose()
    tmp.rename(path)


def floors(path: Path, texts: list[list[str]], pages: int) -> tuple[float, float]:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    from counter_app.printing import fonts

    t0 = time.perf_counter()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "SELECT d.id, d.code, d.register_book, d.register_no, d.sets, d.applicant_name,"
            " d.applicant_address, d.applicant_phone, d.received_at, d.due_at, d.status,"
            " p.name FROM dossiers d JOIN procedures p ON p.id = d.procedure_id"
            " WHERE d.received_at >= ? ORDER BY d.register_book, d.register_no",
            ("2026-11-30",),
        ).fetchall()
    sql = time.perf_counter() - t0
    fonts.register_fonts()
    t0 = time.perf_counter()
    c = Canvas(io.BytesIO(), pagesize=landscape(A4), initialFontName=fonts.REGULAR)
    per_page = max(1, len(texts) // max(1, pages))
    for i, row in enumerate(texts):
        if i and i % per_page == 0:
            c.showPage()
        c.setFont(fonts.REGULAR, 8.5)
        for j, cell in enumerate(row):
            c.drawString(20 + j * 60, 560 - (i % per_page) * 50, cell[:40])
    c.showPage()
    c.save()
    return sql, time.perf_counter() - t0


def run(args: argparse.Namespace) -> list[Row]:
    isolate_env()
    from counter_app.app import build_context
    from counter_app.printing.register import render_register
    from counter_app.services.register import register_book

    path = OUT_DIR / f"register-{args.rows}.db"
    t0 = time.perf_counter()
    build(path, args.rows)
    print(f"database {path} ready in {time.perf_counter() - t0:.1f} s", flush=True)
    ctx = build_context(db=str(path))
    gather, render, total = [], [], []
    pdf = b""
    rows = 0
    for _ in range(args.runs + 1):  # the first run is a warm-up (font load, statement cache)
        t0 = time.perf_counter()
        book = register_book(ctx, START, END)
        t1 = time.perf_counter()
        pdf = render_register(book)
        t2 = time.perf_counter()
        gather.append(t1 - t0)
        render.append(t2 - t1)
        total.append(t2 - t0)
        rows = sum(len(s.rows) for s in book.sections)
    gather, render, total = gather[1:], render[1:], total[1:]
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    texts = [
        [str(r.number), r.code, r.procedure, r.applicant, r.address, r.phone, r.lead_agency]
        for s in book.sections
        for r in s.rows
    ]
    f_sql, f_pdf = floors(path, texts, pages)
    med = statistics.median
    out = [
        Row(
            what=f"register: gather {rows:,} rows (query + events)",
            measured=fmt_ms(med(gather) * 1e3),
            floor=f"{fmt_ms(f_sql * 1e3)} bare SELECT",
            ratio=f"{med(gather) / f_sql:.1f}×",
            budget="—",
            verdict="info",
        ),
        Row(
            what=f"register: render {pages} landscape pages",
            measured=fmt_ms(med(render) * 1e3),
            floor=f"{fmt_ms(f_pdf * 1e3)} bare drawString",
            ratio=f"{med(render) / f_pdf:.1f}×",
            budget="—",
            verdict="info",
        ),
        Row(
            what=f"**register for {rows:,} rows** (median of {args.runs})",
            measured=fmt_ms(med(total) * 1e3),
            floor=fmt_ms((f_sql + f_pdf) * 1e3),
            ratio=f"{med(total) / (f_sql + f_pdf):.1f}×",
            budget=f"< {BUDGET_S:g} s",
            verdict="pass" if med(total) < BUDGET_S else "MISS",
            note=f"PDF {len(pdf):,} B; runs {', '.join(f'{x:.2f}' for x in total)} s",
        ),
    ]
    print(f"\nmachine: {machine_line()}")
    print_rows("register", out)
    ctx.uow.engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--results", type=Path, default=None)
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

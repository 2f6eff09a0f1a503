"""`counter-app register --from D --to D -o OUT.pdf`: the register (Sổ theo dõi hồ sơ) read
back as text: the official columns, the numbers the receipts cite, the book, the form number
of the set in force, "Trang x/y", dates as Decree 30/2020 writes them; and its refusals."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import assert_one_vietnamese_line, intake_payload
from pinned_clock import TestClock
from pypdf import PdfReader

from counter_app.printing.register import REGISTER_COLUMNS


def pages(pdf: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages]


def intake_many(cli: Any, write_json: Any, items: list[dict[str, Any]]) -> list[str]:
    res = cli("--json", "intake", write_json(items), "--clerk", "canbo1")
    assert res.rc == 0, res.err
    return [str(x["code"]) for x in json.loads(res.out)]


def act(cli: Any, code: str, *args: str) -> None:
    res = cli("dossier", code, *args, "--by", "canbo1")
    assert res.rc == 0, res.err


def show(cli: Any, code: str) -> dict[str, Any]:
    res = cli("--json", "show", code)
    assert res.rc == 0, res.err
    return dict(json.loads(res.out))


@pytest.fixture
def states(demo_db: Path, cli: Any, write_json: Any, clock: TestClock) -> list[str]:
    """Four dossiers today: returned, handed over, refused, just received."""
    codes = intake_many(
        cli,
        write_json,
        [
            intake_payload(applicant={"name": name, "phone": "0912345678", "address": addr})
            for name, addr in (
                ("Lê Thị Thu Hà", "Ấp Mỹ Long, xã Mỹ Hòa Hưng"),
                ("Phạm Văn Bình", "Số 3 Nguyễn Huệ"),
                ("Đỗ Minh Châu", ""),
                ("Võ Thị Diệu", "Tổ 5, ấp Mỹ Thạnh"),
            )
        ],
    )
    clock.advance(hours=1)
    act(cli, codes[0], "handover", "--to", "Phòng Tư pháp")
    act(cli, codes[1], "handover", "--to", "Phòng Kinh tế")
    clock.advance(hours=2)
    act(cli, codes[0], "receive-back")
    act(cli, codes[0], "result-ready")
    act(cli, codes[0], "return")
    act(cli, codes[2], "refuse", "--reason", "Không thuộc thẩm quyền")
    return codes


def test_register_prints_the_columns_and_the_numbers_the_receipts_cite(
    cli: Any, states: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "so.pdf"
    res = cli("register", "--from", "2026-12-01", "--to", "2026-12-31", "-o", out)
    assert res.rc == 0, res.err
    text = " ".join(pages(out))
    assert "Mẫu số 07" in text and "Thông tư số 03/2025/TT-VPCP" in text
    assert "SỔ THEO DÕI HỒ SƠ" in text
    # the 2025 heading, as Mẫu 01's: the UBND above its centre, no parent body (no districts)
    head = text[: text.index("Mẫu số")]
    assert "UBND XÃ MỸ HÒA HƯNG TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ MỸ HÒA HƯNG" in head
    assert "UBND TỈNH" not in head
    assert "Quyển số: 01/2026" in text
    assert "Từ ngày 01 tháng 12 năm 2026 đến ngày 31 tháng 12 năm 2026" in text
    for heading, _, _ in REGISTER_COLUMNS:  # every official column, headed
        words = heading.split()
        assert all(w in text for w in words), heading
    numbers = []
    for code in states:
        v = show(cli, code)
        assert v["register_book"] == "01/2026"
        numbers.append(v["register_no"])
        agency, _, rest = code.partition("-")
        # STT and the code's two lines, as the receipt's "Số thứ tự" cites it
        assert re.search(rf"\b{v['register_no']} {re.escape(agency)}- {re.escape(rest)}", text)
    # ordered by number, never by the order the events came in
    where = [text.index(c.partition("-")[2]) for c in states]
    assert where == sorted(where) and numbers == sorted(numbers)
    first_row = text[where[0] : where[1]]
    assert "Phòng Tư pháp" in first_row  # the lead agency, from the hand-over event
    assert "Phòng Kinh tế" in text
    assert "Từ chối tiếp nhận" in text
    assert "09:00 02/12/2026" in text and "12:00 02/12/2026" in text  # received, returned
    assert "Trang 1/1" in text


def test_a_long_register_numbers_its_pages(
    demo_db: Path, cli: Any, write_json: Any, tmp_path: Path
) -> None:
    intake_many(cli, write_json, [intake_payload() for _ in range(30)])
    out = tmp_path / "so.pdf"
    assert cli("register", "--from", "2026-12-02", "--to", "2026-12-02", "-o", out).rc == 0
    texts = pages(out)
    assert len(texts) >= 2
    for n, t in enumerate(texts, start=1):
        assert f"Trang {n}/{len(texts)}" in t
        assert "STT" in t and "Mã hồ sơ" in t  # the heading row repeats on every page


def test_the_2018_set_prints_mau_06(
    demo_db: Path, cli: Any, write_json: Any, tmp_path: Path
) -> None:
    (code,) = intake_many(
        cli, write_json, [intake_payload(received_at="2025-06-03T09:15:00+07:00")]
    )
    out = tmp_path / "so-2025.pdf"
    assert cli("register", "--from", "2025-06-01", "--to", "2025-06-30", "-o", out).rc == 0
    text = " ".join(pages(out))
    assert "Mẫu số 06" in text and "01/2018/TT-VPCP" in text
    head = text[: text.index("Mẫu số")]
    assert "UBND TỈNH AN GIANG UBND XÃ MỸ HÒA HƯNG" in head and "TRUNG TÂM" not in head
    assert "Quyển số: 01/2025" in text and code.partition("-")[2] in text
    assert "Từ ngày 01 tháng 6 năm 2025 đến ngày 30 tháng 6 năm 2025" in text


def test_an_empty_range_prints_a_page_saying_so(demo_db: Path, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    res = cli("register", "--from", "2026-01-05", "--to", "2026-01-09", "-o", out)
    assert res.rc == 0, res.err
    text = " ".join(pages(out))
    assert "Không có hồ sơ nào" in text and "Trang 1/1" in text
    assert "Từ ngày 05 tháng 01 năm 2026 đến ngày 09 tháng 01 năm 2026" in text


@pytest.mark.parametrize(
    ("start", "end", "name"),
    [
        ("2026-12-10", "2026-12-01", "so.pdf"),  # --from after --to
        ("2026-12-01", "2026-12-10", "so.txt"),  # not a PDF
        ("2026-12-01", "2026-12-10", "so.PDF.db"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    demo_db: Path, cli: Any, tmp_path: Path, start: str, end: str, name: str
) -> None:
    out = tmp_path / name
    res = cli("register", "--from", start, "--to", end, "-o", out)
    assert res.rc != 0
    assert_one_vietnamese_line(res.err, strip=(str(out),))
    assert not out.exists()


def test_never_overwrites_a_database(demo_db: Path, cli: Any, tmp_path: Path) -> None:
    """Not the open database (whatever its name), nor any other SQLite file."""
    db = tmp_path / "counter.pdf"
    assert cli("init", "--demo", db=db).rc == 0
    before = db.read_bytes()
    res = cli("register", "--from", "2026-12-01", "--to", "2026-12-02", "-o", db, db=db)
    assert res.rc == 1
    assert_one_vietnamese_line(res.err, strip=(str(db),))
    assert db.read_bytes() == before
    other = tmp_path / "copy.pdf"
    shutil.copy(demo_db, other)
    copied = other.read_bytes()
    res = cli("register", "--from", "2026-12-01", "--to", "2026-12-02", "-o", other)
    # against its own bytes: demo_db's main file may change meanwhile (this command's close
    # checkpoints whatever `init --demo` left in its -wal)
    assert res.rc == 1 and other.read_bytes() == copied

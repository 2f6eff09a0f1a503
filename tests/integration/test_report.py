"""`counter-app report` over a hand-made October (DOMAIN.md §6, DESIGN.md §4).

Every dossier is taken with a past `received_at` and acted on with `--at`, so the figures
do not depend on the day the test runs (the clock is pinned to 02/12/2026; the demo's own
sample dossiers are from late November and fall outside October)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import assert_one_vietnamese_line, at_local, intake_payload
from pypdf import PdfReader

OCT = ("--from", "2026-10-01", "--to", "2026-10-31")


def ok(res: Any) -> Any:
    assert res.rc == 0, res.err
    return json.loads(res.out)


@pytest.fixture
def october(demo_db, cli, write_json) -> dict[str, str]:
    """Ten dossiers, each with its story; returns their codes by letter."""

    def take(day: date, channel: str = "counter") -> str:
        payload = intake_payload(received_at=at_local(day), receive_channel=channel)
        return ok(cli("--json", "intake", write_json(payload), "--clerk", "canbo1"))[0]["code"]

    def act(code: str, action: str, day: date, hh: int = 10, *flags: str) -> None:
        res = cli("dossier", code, action, "--by", "canbo1", "--at", at_local(day, hh), *flags)
        assert res.rc == 0, res.err

    mon = date(2026, 10, 12)  # due Thursday 15/10 (3 working days)
    codes = {k: take(mon) for k in "ABCDEF"}
    codes["G"] = take(mon, "online")
    codes["H"] = take(date(2026, 10, 30), "postal")  # due Wednesday 04/11
    codes["I"] = take(date(2026, 9, 30))  # due Monday 05/10
    codes["J"] = take(date(2026, 11, 2))  # after the period
    act(codes["A"], "result-ready", date(2026, 10, 14))  # early
    act(codes["A"], "return", date(2026, 10, 14), 11, "--tracking", "EE123456789VN")
    act(codes["B"], "result-ready", date(2026, 10, 15), 16)  # on the due day, late hour
    act(codes["B"], "return", date(2026, 10, 16))
    act(codes["C"], "result-ready", date(2026, 10, 16))  # late
    act(
        codes["D"],
        "apologize",
        date(2026, 10, 14),
        10,
        "--reason",
        "Chờ xác minh",
        "--new-due",
        "2026-10-21",
    )
    act(codes["D"], "result-ready", date(2026, 10, 20))  # before the new date: still late
    act(codes["E"], "refuse", date(2026, 10, 13), 10, "--reason", "Không đủ điều kiện")
    act(codes["F"], "withdraw", date(2026, 10, 13))
    act(codes["I"], "result-ready", date(2026, 10, 2))  # carried over from September, early
    return codes


EXPECTED = {
    "carried_over": 1,  # I
    "received": 8,  # A–H
    "received_direct": 6,
    "received_online": 1,  # G
    "received_postal": 1,  # H
    "resolved": 5,  # A, B, C, D, I
    "resolved_early": 2,  # A, I
    "resolved_on_time": 1,  # B
    "resolved_late": 2,  # C, D
    "resolved_late_apologized": 1,  # D
    "in_progress": 2,  # G, H
    "in_progress_overdue": 1,  # G (due 15/10); H is due 04/11
    "refused": 1,
    "withdrawn": 1,
    "stopped": 0,
    "returned": 2,  # A, B
    "returned_postal": 1,  # A
    "on_time_rate": 0.6,
    # no rating in the month: the unit's three levels, none counted (domain/ratings.py)
    "ratings": {"rat_hai_long": 0, "hai_long": 0, "khong_hai_long": 0},
    "digitised": 0,  # issue 15: no document digitised in this month
}


def test_the_hand_counted_month(october, cli) -> None:
    data = ok(cli("--json", "report", *OCT))
    assert (data["from"], data["to"], data["unit"]) == ("2026-10-01", "2026-10-31", "000.20.25.H01")
    assert set(data) == {"from", "to", "unit", "totals", "by_sector", "by_procedure", "by_commune"}
    assert data["totals"] == EXPECTED
    (proc,) = data["by_procedure"]
    assert proc["procedure"] == "1.004873" and proc["name"] and proc["sector"]
    assert {k: proc[k] for k in EXPECTED} == EXPECTED
    (sector,) = data["by_sector"]
    assert sector["sector"] == proc["sector"] and sector["resolved"] == 5
    # November: J new; G, H and the demo's dossiers carried or new; nothing of October again
    nov = ok(cli("--json", "report", "--from", "2026-11-01", "--to", "2026-11-30"))["totals"]
    assert nov["carried_over"] == 2 and nov["resolved"] == 0


def test_json_csv_and_pdf_files(october, cli, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    stdout = ok(cli("--json", "report", *OCT, "-o", out))
    assert json.loads(out.read_text(encoding="utf-8")) == stdout

    out = tmp_path / "r.csv"
    assert cli("report", *OCT, "-o", out).rc == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["pham_vi"] for r in rows] == ["tong", "linh_vuc", "thu_tuc", "xa_phuong"]
    assert rows[0]["resolved_late"] == "2" and rows[0]["on_time_rate"] == "0.6"
    assert rows[2]["ma"] == "1.004873" and rows[2]["ten"] == stdout["by_procedure"][0]["name"]

    out = tmp_path / "r.pdf"
    res = cli("report", *OCT, "-o", out)
    assert res.rc == 0 and "Đã ghi" in res.out
    reader = PdfReader(out)
    text = " ".join(p.extract_text() for p in reader.pages)
    for needle in ("BÁO CÁO TÌNH HÌNH", "01/10/2026", "31/10/2026", "Theo thủ tục", "60,0 %"):
        assert needle in text
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("--from", "2026-10-31", "--to", "2026-10-01"), "r.pdf"),  # start after end
        (OCT, "r.xlsx"),  # unknown extension
        (OCT, "counter.db"),  # the database (by extension too)
        (OCT, "copy.pdf"),  # a SQLite file named .pdf
        (OCT, "notes.csv"),  # someone else's file
        (OCT, "other.json"),
    ],
)
def test_bad_input_writes_nothing(demo_db, cli, tmp_path: Path, args: Any, name: str) -> None:
    target = tmp_path / name
    if name == "copy.pdf":
        target.write_bytes(demo_db.read_bytes())
    elif name == "notes.csv":
        target.write_text("tên,số\nAn,1\n", encoding="utf-8")
    elif name == "other.json":
        target.write_text('[{"procedure": "1.004873"}]', encoding="utf-8")
    before = target.read_bytes() if target.exists() else None
    res = cli("report", *args, "-o", target)
    assert res.rc != 0 and res.out == ""
    assert_one_vietnamese_line(res.err, strip=(str(target),))
    assert (target.read_bytes() if target.exists() else None) == before


def test_the_open_database_is_refused(demo_db, cli) -> None:
    before = demo_db.read_bytes()
    res = cli("report", *OCT, "-o", demo_db)
    assert res.rc != 0
    assert_one_vietnamese_line(res.err, strip=(str(demo_db),))
    assert demo_db.read_bytes() == before


def test_our_own_output_is_overwritten(demo_db, cli, tmp_path: Path) -> None:
    for name in ("r.pdf", "r.csv", "r.json"):
        assert cli("report", *OCT, "-o", tmp_path / name).rc == 0
        assert cli("report", *OCT, "-o", tmp_path / name).rc == 0

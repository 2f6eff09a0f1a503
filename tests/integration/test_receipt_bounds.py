"""Issue 12 item 2: a back-dated receipt time with the wrong century must not block a real day.

The code shows yymmdd, so the per-day code counter is keyed by exactly that; a receipt
before the unit's earliest day (default 1 January 2018) is refused with one clear line; a
receipt more than 30 days back is taken, audited as a late entry and listed at the day close.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from pinned_clock import VN

from counter_app.db import engine as engine_mod
from counter_app.db.engine import open_database, sqlite_url


def _rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, args).fetchall()


def _intake(cli, write_json, itest, received_at: str | None = None) -> Any:
    over = {"received_at": received_at} if received_at else {}
    return cli("--json", "intake", write_json(itest.payload(**over)), "--clerk", "canbo1")


def test_wrong_century_is_refused_and_the_real_day_still_takes_dossiers(
    demo_db, cli, write_json, itest, clock
) -> None:
    res = _intake(cli, write_json, itest, "1926-12-03T09:00:00+07:00")
    assert res.rc == 1, res.out
    line = itest.assert_one_vietnamese_line(res.err)
    assert "03/12/1926" in line and "01/01/2018" in line
    clock.set(datetime(2026, 12, 3, 9, tzinfo=VN))
    res = _intake(cli, write_json, itest)
    assert res.rc == 0, res.err
    assert json.loads(res.out)[0]["code"].endswith("-261203-0001")


@pytest.mark.parametrize("when", ["0001-01-01T09:00:00", "1900-06-01T09:00:00", "2017-12-31"])
def test_years_before_the_earliest_receipt_are_refused(
    demo_db, cli, write_json, itest, db_snapshot, when
) -> None:
    before = db_snapshot(demo_db)
    res = _intake(cli, write_json, itest, when)
    assert res.rc == 1
    assert "01/01/2018" in itest.assert_one_vietnamese_line(res.err)
    assert db_snapshot(demo_db) == before


def test_the_code_counter_is_keyed_by_the_codes_yymmdd(demo_db, cli, write_json, itest) -> None:
    res = _intake(cli, write_json, itest, "2026-11-26T09:00:00+07:00")
    assert res.rc == 0, res.err
    assert json.loads(res.out)[0]["code"].endswith("-261126-0001")
    periods = _rows(demo_db, "SELECT period, last FROM sequence_counters WHERE kind = 'dossier'")
    assert ("261126", 1) in periods
    assert all(len(p) == 6 for p, _ in periods)


def test_the_earliest_receipt_is_a_unit_setting(demo_db, cli, write_json, itest) -> None:
    res = cli("--json", "unit", "set", "--earliest-receipt", "2026-01-01", "--clock-skew-h", "6")
    assert res.rc == 0, res.err
    assert json.loads(res.out) == {"earliest_receipt": "2026-01-01", "clock_skew_h": 6}
    res = _intake(cli, write_json, itest, "2025-12-31T09:00:00+07:00")
    assert res.rc == 1
    assert "01/01/2026" in itest.assert_one_vietnamese_line(res.err)
    assert _intake(cli, write_json, itest, "2026-01-02T09:00:00+07:00").rc == 0
    # bad values are refused before anything changes
    for args in (("--earliest-receipt", "1999-12-31"), ("--earliest-receipt", "2027-01-01")):
        res = cli("unit", "set", *args)
        assert res.rc == 1
        itest.assert_one_vietnamese_line(res.err)
    res = cli("unit", "set", "--clock-skew-h", "0")
    assert res.rc == 1
    res = cli("--json", "unit", "set", "--name", "UBND XÃ A")
    assert json.loads(res.out)["name"] == "UBND XÃ A"
    assert _rows(demo_db, "SELECT earliest_receipt, clock_skew_h FROM units") == [("2026-01-01", 6)]
    shown = cli("--json", "unit", "show")
    assert json.loads(shown.out)["earliest_receipt"] == "2026-01-01"
    assert "Ngày tiếp nhận sớm nhất: 01/01/2026" in cli("unit", "show").out


def test_a_receipt_more_than_30_days_back_is_a_late_entry(demo_db, cli, write_json, itest) -> None:
    old = _intake(cli, write_json, itest, "2026-10-01T09:00:00+07:00")
    assert old.rc == 0, old.err
    late_code = json.loads(old.out)[0]["code"]
    recent = _intake(cli, write_json, itest, "2026-11-20T09:00:00+07:00")
    assert recent.rc == 0, recent.err
    audited = _rows(
        demo_db,
        "SELECT json_extract(detail, '$.code') FROM audit_log WHERE action = 'intake_late_entry'",
    )
    assert audited == [(late_code,)]
    res = cli("--json", "close-day", "--supervisor", "giamsat", "--preview")
    assert res.rc == 0, res.err
    late = [a for a in json.loads(res.out)["anomalies"] if a["kind"] == "late_entry"]
    assert late == [{"kind": "late_entry", "ref": late_code, "detail": {"received": "01/10/2026"}}]
    res = cli("close-day", "--supervisor", "giamsat", "--preview")
    assert f"Hồ sơ {late_code}: nhập hôm nay với ngày tiếp nhận 01/10/2026" in res.out


def test_migration_0011_rekeys_code_counters_keeping_the_highest(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    eng = open_database(sqlite_url(path), migrate_schema=False)
    try:
        command.upgrade(engine_mod._alembic_config(eng), "0010")
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute(
                "INSERT INTO units (id, agency_id, name, parent_name, place_name, "
                "address, phone, cutoff, office_open, office_close, seq_start, seq_end) "
                "VALUES ('u', '000.20.25.H01', 'A', 'B', 'C', '', '', '15:00', "
                "'07:30', '17:00', 1, 99999)"
            )
            conn.executemany(
                "INSERT INTO sequence_counters (unit_id, kind, period, last) VALUES (?, ?, ?, ?)",
                [
                    ("u", "dossier", "2026-12-03", 4),
                    ("u", "dossier", "1926-12-03", 9),
                    ("u", "dossier-r0", "2026-12-01", 90003),
                    ("u", "register", "2026", 13),
                    ("u", "outbox", "-", 40),
                ],
            )
        command.upgrade(engine_mod._alembic_config(eng), "head")
    finally:
        eng.dispose()
    assert sorted(_rows(path, "SELECT kind, period, last FROM sequence_counters")) == [
        ("dossier", "261203", 9),
        ("dossier-r0", "261201", 90003),
        ("outbox", "-", 40),
        ("register", "2026", 13),
    ]
    assert _rows(path, "SELECT earliest_receipt, clock_skew_h FROM units") == [
        (date(2018, 1, 1).isoformat(), 24)
    ]

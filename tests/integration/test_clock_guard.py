"""Issue 12 item 4: a counter whose clock is far off refuses to take dossiers, and says why.

Refused while now is before the newest record already written (the clock was stepped back)
by more than a few minutes, or while the offset from central's clock measured at the last
sync is beyond the unit's limit (`unit set --clock-skew-h`, default 24 h).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest


def _intake(cli, write_json, itest) -> object:
    return cli("--json", "intake", write_json(itest.payload()), "--clerk", "canbo1")


def _set_offset(path: Path, seconds: float) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "INSERT INTO app_meta (key, value) VALUES ('sync.clock_offset_s', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (f"{seconds:.1f}",),
        )


@pytest.mark.parametrize("back", [timedelta(hours=1), timedelta(days=400)])
def test_a_clock_stepped_back_refuses_intake(
    demo_db, cli, write_json, itest, clock, db_snapshot, back
) -> None:
    assert _intake(cli, write_json, itest).rc == 0
    clock.set(clock() - back)
    before = db_snapshot(demo_db)
    res = _intake(cli, write_json, itest)
    assert res.rc == 1
    line = itest.assert_one_vietnamese_line(res.err)
    assert "đồng hồ" in line.lower() and "chỉnh lại ngày giờ" in line
    assert db_snapshot(demo_db) == before
    # a few minutes back (two PCs' clocks a little apart, an NTP correction) is fine
    clock.set(clock() + back - timedelta(minutes=5))
    assert _intake(cli, write_json, itest).rc == 0


def test_a_clock_far_from_centrals_at_the_last_sync_refuses_intake(
    demo_db, cli, write_json, itest
) -> None:
    _set_offset(demo_db, -400 * 86400)
    res = _intake(cli, write_json, itest)
    assert res.rc == 1
    line = itest.assert_one_vietnamese_line(res.err)
    assert "trung tâm" in line and "9600.0 giờ" in line and "24 giờ" in line
    _set_offset(demo_db, 3 * 3600)  # within the default 24 h
    res = _intake(cli, write_json, itest)
    assert res.rc == 0, res.err
    res = cli("--json", "unit", "set", "--clock-skew-h", "2")
    assert json.loads(res.out)["clock_skew_h"] == 2
    res = _intake(cli, write_json, itest)
    assert res.rc == 1
    assert "cho phép 2 giờ" in itest.assert_one_vietnamese_line(res.err)

"""A dossier's history comes back in the order it was written, not in the order of the PC's
clock (migration 0017: each event's step, given in its write transaction)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from alembic import command
from pinned_clock import at

from counter_app.db import engine as engine_mod
from counter_app.db.engine import open_database, sqlite_url


def ok(res: Any) -> Any:
    assert res.rc == 0, res.err
    return json.loads(res.out)


def steps(db: Path, code: str) -> list[tuple[int, str]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT e.step, e.kind FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id "
            "WHERE d.code = ? ORDER BY e.step",
            (code,),
        ).fetchall()


def test_a_clock_stepped_back_a_minute_keeps_the_history_in_order(
    demo_db, cli, write_json, itest, clock
) -> None:
    """The clock guard lets a counter work a few minutes behind the newest record (an NTP
    correction, two counters' clocks apart on one database). A second hand-over written with
    the clock a minute back used to come back before the receive-back it followed, so the
    next receive-back named no agency and `show` listed the steps out of order."""
    code = ok(cli("--json", "intake", write_json(itest.payload()), "--clerk", "canbo1"))[0]["code"]

    def act(moment: Any, action: str, *flags: str) -> dict[str, Any]:
        clock.set(moment)
        return ok(cli("--json", "dossier", code, action, "--by", "canbo1", *flags))

    act(at(9, 5), "handover", "--to", "Phòng Tư pháp")
    act(at(9, 10), "receive-back", "--result", "Đã thẩm định")
    act(at(9, 9), "handover", "--to", "UBND xã")  # the clock stepped back a minute
    back = act(at(9, 9, 30), "receive-back", "--result", "Đã ký")
    assert back["event"]["data"] == {"from": "UBND xã", "result": "Đã ký"}

    kinds = ["received", "handed_over", "received_back", "handed_over", "received_back"]
    assert [e["kind"] for e in ok(cli("--json", "show", code))["events"]] == kinds
    assert steps(demo_db, code) == list(enumerate(kinds, start=1))


def test_migration_0017_numbers_each_history_in_the_order_it_was_shown(
    demo_db, cli, write_json, itest, clock
) -> None:
    """Rows written before 0017 get steps 1, 2, … per dossier in the order the app read them
    until then (recorded_at, then id); a dossier's steps are unique."""
    codes = [
        ok(cli("--json", "intake", write_json(itest.payload()), "--clerk", "canbo1"))[0]["code"]
        for _ in range(2)
    ]
    clock.set(at(9, 5))
    ok(cli("--json", "dossier", codes[0], "handover", "--to", "Phòng Tư pháp", "--by", "canbo1"))
    clock.set(at(9, 10))
    ok(cli("--json", "dossier", codes[0], "receive-back", "--result", "x", "--by", "canbo1"))
    eng = open_database(sqlite_url(demo_db), migrate_schema=False)
    try:
        command.downgrade(engine_mod._alembic_config(eng), "0016")
        with closing(sqlite3.connect(demo_db)) as conn, conn:
            cols = [r[1] for r in conn.execute("PRAGMA table_info(dossier_events)")]
            assert "step" not in cols
        command.upgrade(engine_mod._alembic_config(eng), "head")
    finally:
        eng.dispose()
    assert steps(demo_db, codes[0]) == [(1, "received"), (2, "handed_over"), (3, "received_back")]
    assert steps(demo_db, codes[1]) == [(1, "received")]
    with closing(sqlite3.connect(demo_db)) as conn:
        assert conn.execute("SELECT count(*) FROM dossier_events WHERE step < 1").fetchone() == (0,)
        index = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_dossier_events_dossier_step'"
        ).fetchone()
    assert index is not None and "UNIQUE" in index[0]
    # the app goes on from the numbered history
    clock.set(at(9, 15))
    ok(cli("--json", "dossier", codes[0], "result-ready", "--by", "canbo1"))
    assert steps(demo_db, codes[0])[-1] == (4, "result_ready")

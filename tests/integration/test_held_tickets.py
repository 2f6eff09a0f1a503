"""Held tickets (issue 11 §4): `ticket hold` parks a ticket, `ticket held` lists today's,
`ticket resume NUMBER --counter N` calls one back, shown on the board as a call."""

from __future__ import annotations

import json

from cli_helpers import assert_one_vietnamese_line


def ok(res):
    assert res.rc == 0, res.err
    return json.loads(res.out)


def test_hold_list_and_resume(cli, demo_db, db_snapshot, make_context, clock) -> None:
    from counter_app.services import queue

    for _ in range(3):
        ok(cli("--json", "ticket", "issue", "--service", "HT"))
        clock.advance(minutes=1)  # each process starts at the pinned instant: keep them apart
    assert ok(cli("--json", "ticket", "call-next", "--counter", "1"))["number"] == "1001"
    assert ok(cli("--json", "ticket", "hold", "--counter", "1"))["status"] == "held"
    clock.advance(minutes=1)
    assert ok(cli("--json", "ticket", "call-next", "--counter", "2"))["number"] == "1002"
    assert ok(cli("--json", "ticket", "hold", "--counter", "2"))["status"] == "held"
    held = ok(cli("--json", "ticket", "held"))
    assert [(h["number"], h["service"], h["counter"]) for h in held] == [
        ("1001", "HT", 1),
        ("1002", "HT", 2),
    ]
    assert "Số 1001" in cli("ticket", "held").out
    # call-next never takes a held ticket
    clock.advance(minutes=1)
    assert ok(cli("--json", "ticket", "call-next", "--counter", "1"))["number"] == "1003"
    clock.advance(minutes=5)
    back = ok(cli("--json", "ticket", "resume", "1002", "--counter", "1"))
    assert back == {"number": "1002", "service": "HT", "counter": 1, "status": "called"}
    ctx = make_context(demo_db)
    # 1003, being served at counter 1, was finished first; 1002 is now counter 1's ticket
    assert queue.current(ctx, 1).number == "1002"
    call = queue.recent_calls(ctx)[0]
    assert (call.number, call.counter, call.recall) == ("1002", 1, True)
    assert [h["number"] for h in ok(cli("--json", "ticket", "held"))] == ["1001"]
    # refusals: a number not held, a counter serving nothing; nothing changes
    before = db_snapshot(demo_db)
    for args in (("resume", "1002", "--counter", "1"), ("resume", "1001", "--counter", "9")):
        res = cli("ticket", *args)
        assert res.rc == 1
        assert_one_vietnamese_line(res.err)
    assert "không có số 1002 đang được giữ" in cli("ticket", "resume", "1002", "--counter", "1").err
    assert db_snapshot(demo_db) == before
    assert cli("ticket", "resume", "--counter", "1").rc == 2


def test_no_held_tickets(cli, demo_db) -> None:
    assert ok(cli("--json", "ticket", "held")) == []
    assert cli("ticket", "held").out.strip() == "Không có số nào đang được giữ."

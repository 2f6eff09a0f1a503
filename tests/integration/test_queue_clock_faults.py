"""Issue 12, queue items: the calling order does not follow the wall clock (item 5), and the
day ends explicitly at midnight (item 6). Real SQLite files, the pinned test clock."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from pinned_clock import PINNED_DAY, VN, TestClock

from counter_app.domain.errors import ValidationError
from counter_app.services import dayclose, queue

NEXT_DAY = PINNED_DAY + timedelta(days=1)


def at(hh: int, mm: int = 0, day: date = PINNED_DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), VN)


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def qctx(demo_db: Path, make_context: Callable[..., Any], clock: TestClock) -> Any:
    """A demo unit (HT: counters 1, 2; CT: 1, 2, 3; DD, KD: 3) on the test clock."""
    ctx = make_context(demo_db)
    ctx.clock = clock
    return ctx


def call_all(ctx: Any, counter: int) -> list[str]:
    out = []
    while (t := queue.call_next(ctx, counter)) is not None:
        out.append(t.number)
    return out


def test_the_board_shows_the_latest_call_first_when_the_clock_stepped_back(
    qctx: Any, clock: TestClock
) -> None:
    for _ in range(2):
        queue.issue(qctx, "HT")
    assert queue.call_next(qctx, 1).number == "1001"
    clock.advance(minutes=-30)  # the PC clock set back between two calls
    assert queue.call_next(qctx, 2).number == "1002"
    # the board: the call made last on top, whatever time the clock gave it
    assert [c.number for c in queue.recent_calls(qctx)][:2] == ["1002", "1001"]


# --- item 5: FIFO by the queue sequence, never by issued_at -----------------------------------


def test_clock_stepping_back_does_not_let_a_newcomer_jump_the_queue(
    qctx: Any, clock: TestClock
) -> None:
    assert queue.issue(qctx, "HT").number == "1001"
    clock.advance(minutes=1)
    assert queue.issue(qctx, "HT").number == "1002"
    clock.advance(minutes=-45)  # the PC clock is set back (a bad NTP step, a CMOS battery)
    late = queue.issue(qctx, "HT")
    assert late.number == "1003"
    assert late.ahead == 2  # the two already waiting are ahead of it
    assert queue.issue(qctx, "HT", priority="elderly").ahead == 0  # priority still first
    assert [s.waiting for s in queue.list_services(qctx) if s.code == "HT"] == [4]
    assert call_all(qctx, 1) == ["1004", "1001", "1002", "1003"]


def test_a_transferred_ticket_keeps_its_place_among_other_services_tickets(
    qctx: Any, clock: TestClock, demo_db: Path
) -> None:
    queue.issue(qctx, "HT")  # 1001, queue sequence 1
    clock.advance(minutes=1)
    queue.issue(qctx, "CT")  # 2001, 2
    clock.advance(minutes=-30)
    queue.issue(qctx, "CT")  # 2002, 3: issued "earlier" by the clock, but after the others
    assert queue.call_next(qctx, 2).number == "1001"  # type: ignore[union-attr]
    queue.transfer(qctx, 2, to_service="CT")
    assert call_all(qctx, 3) == ["1001", "2001", "2002"]
    assert rows(demo_db, "SELECT display, queue_seq FROM tickets ORDER BY queue_seq") == [
        ("1001", 1),
        ("2001", 2),
        ("2002", 3),
    ]


def test_migration_numbers_existing_tickets_in_their_old_order(
    qctx: Any, clock: TestClock, demo_db: Path
) -> None:
    """0012 gives tickets issued before it the order they had (issue time, then number) and
    sets the day's queue counter past them, so the next ticket queues behind them."""
    from alembic import command

    from counter_app.db.engine import _alembic_config

    for code in ("HT", "CT", "HT"):
        queue.issue(qctx, code)
        clock.advance(minutes=1)
    qctx.uow.engine.dispose()
    eng = qctx.uow.engine
    command.downgrade(_alembic_config(eng), "0010")
    with closing(sqlite3.connect(demo_db)) as conn, conn:
        # the old order: issue time; a clock step back had made 1002 the earliest
        conn.execute("UPDATE tickets SET issued_at = '2026-12-02 01:00:00' WHERE display='1002'")
    command.upgrade(_alembic_config(eng), "head")
    eng.dispose()
    assert rows(demo_db, "SELECT display, queue_seq FROM tickets ORDER BY queue_seq") == [
        ("1002", 1),
        ("1001", 2),
        ("2001", 3),
    ]
    assert queue.issue(qctx, "HT").ahead == 2  # 1002 and 1001 (HT); 2001 is CT
    assert call_all(qctx, 1) == ["1002", "1001", "2001", "1003"]


# --- item 6: midnight ends the day's queue explicitly -----------------------------------------


def leave_the_queue_open_at_midnight(ctx: Any, clock: TestClock) -> None:
    """16:00: 1001 called to counter 1, 1002 held at counter 2, 1003 and 2001 waiting."""
    clock.set(at(16))
    for code in ("HT", "HT", "HT", "CT"):
        queue.issue(ctx, code)
    queue.call_next(ctx, 1)
    queue.call_next(ctx, 2)
    queue.hold(ctx, 2)
    clock.set(at(23, 59))


def ticket_states(db: Path) -> dict[str, str]:
    return dict(rows(db, "SELECT display, status FROM tickets ORDER BY display"))


def test_midnight_closes_the_waiting_and_lets_the_counter_finish(
    qctx: Any, clock: TestClock, demo_db: Path
) -> None:
    leave_the_queue_open_at_midnight(qctx, clock)
    assert queue.current(qctx, 1).number == "1001"  # type: ignore[union-attr]
    clock.set(at(0, 1, day=NEXT_DAY))
    # Reads change nothing; the counter's ticket called before midnight is still its own.
    assert queue.current(qctx, 1).number == "1001"  # type: ignore[union-attr]
    assert ticket_states(demo_db)["1003"] == "waiting"
    # The first queue write of the new day ends the earlier day's queue, in its transaction.
    assert queue.call_next(qctx, 3) is None  # 2001 (CT) is not called on the next day
    assert ticket_states(demo_db) == {
        "1001": "called",
        "1002": "not_served",
        "1003": "not_served",
        "2001": "not_served",
    }
    ended = rows(
        demo_db,
        "SELECT t.display, e.status, e.at, e.data FROM ticket_events e"
        " JOIN tickets t ON t.id = e.ticket_id WHERE e.kind = 'day_ended' ORDER BY t.display",
    )
    assert [(d, st) for d, st, _, _ in ended] == [
        ("1002", "not_served"),
        ("1003", "not_served"),
        ("2001", "not_served"),
    ]
    assert {json.loads(data)["was"] for *_, data in ended} == {"held", "waiting"}
    outbox = [
        json.loads(p)
        for (p,) in rows(demo_db, "SELECT payload FROM outbox WHERE kind = 'ticket_event'")
    ]
    assert sorted(p["number"] for p in outbox if p["kind"] == "day_ended") == [
        "1002",
        "1003",
        "2001",
    ]
    # No queue step may put the earlier day's ticket back in a queue; it can be finished.
    for refused in (
        lambda: queue.hold(qctx, 1),
        lambda: queue.transfer(qctx, 1, to_service="CT"),
    ):
        with pytest.raises(ValidationError) as exc:
            refused()
        assert exc.value.code == "ticket_from_earlier_day"
    done = queue.finish(qctx, 1)
    assert (done.number, done.status) == ("1001", "done")
    assert ticket_states(demo_db)["1001"] == "done"
    # Its real service time, called at 16:00 and finished at 00:01, is in the day's figures.
    s = dayclose.close_day(qctx, "giamsat", PINNED_DAY)
    assert s.totals["tickets_served"] == 1 and s.totals["not_served"] == 3
    assert s.totals["avg_service_s"] == 8 * 3600 + 60
    assert [a for a in s.anomalies if a["kind"] == "ticket_unfinished"] == []


def test_the_close_of_a_day_that_is_over_ends_its_queue_itself(
    qctx: Any, clock: TestClock, demo_db: Path
) -> None:
    """No queue action yet on the new day: the close of the earlier day ends its queue (its
    preview already counts them), and an earlier day already closed does not block the day end."""
    leave_the_queue_open_at_midnight(qctx, clock)
    before = dayclose.day_summary(qctx, PINNED_DAY)
    assert before.totals["not_served"] == 0  # the day is not over yet
    assert [a["ref"] for a in before.anomalies if a["kind"] == "ticket_unfinished"] == [
        "1001",
        "1002",
    ]
    clock.set(at(0, 1, day=NEXT_DAY))
    preview = dayclose.day_summary(qctx, PINNED_DAY)
    assert preview.totals["not_served"] == 3
    assert [a["ref"] for a in preview.anomalies if a["kind"] == "ticket_unfinished"] == ["1001"]
    closed = dayclose.close_day(qctx, "giamsat", PINNED_DAY)
    assert (closed.totals, closed.anomalies) == (preview.totals, preview.anomalies)
    assert list(ticket_states(demo_db).values()).count("not_served") == 3
    # The day end's events are dated now, on the open day: the closed day does not refuse them.
    assert queue.skip(qctx, 1).status == "no_show"


def test_midnight_through_the_command_line(cli: Any, demo_db: Path, clock: TestClock) -> None:
    def ok(*args: str) -> Any:
        res = cli(*args, "--json")
        assert res.rc == 0, res.err
        return json.loads(res.out)

    clock.set(at(16))
    for _ in range(3):
        ok("ticket", "issue", "--service", "HT")
    assert ok("ticket", "call-next", "--counter", "1")["number"] == "1001"
    clock.set(at(23, 59))
    assert ok("ticket", "call-next", "--counter", "2")["number"] == "1002"
    clock.set(at(0, 1, day=NEXT_DAY))
    # 1003, left waiting, is not called on the new day: the day end closed it.
    assert ok("ticket", "call-next", "--counter", "2") == {"number": None}
    assert ticket_states(demo_db) == {"1001": "called", "1002": "done", "1003": "not_served"}
    res = cli("ticket", "hold", "--counter", "1")
    assert res.rc == 1 and "1001" in res.err and "02/12/2026" in res.err
    assert ok("ticket", "finish", "--counter", "1")["status"] == "done"
    day = ok("close-day", "--supervisor", "giamsat", "--date", PINNED_DAY.isoformat())
    assert day["totals"]["tickets_served"] == 2 and day["totals"]["not_served"] == 1
    # 1001 and 1002. The CLI's pinned clock (COUNTER_APP_NOW) advances with the process's
    # monotonic clock, so each command adds its own run time: a second or two on a busy machine.
    assert abs(day["totals"]["avg_service_s"] - (8 * 3600 + 60 + 120) // 2) <= 3


def test_a_day_closed_before_midnight_does_not_block_its_day_end(
    qctx: Any, clock: TestClock, demo_db: Path
) -> None:
    """Closed at 23:59 with people still waiting: at 00:01 the first queue action ends that
    closed day's queue with events dated now, on the open day (no "Ngày … đã khóa sổ")."""
    leave_the_queue_open_at_midnight(qctx, clock)
    closed = dayclose.close_day(qctx, "giamsat", PINNED_DAY)
    assert closed.totals["not_served"] == 0  # the day was not over when it was closed
    with pytest.raises(ValidationError) as exc:
        queue.call_next(qctx, 3)
    assert exc.value.code == "day_closed"
    clock.set(at(0, 1, day=NEXT_DAY))
    assert queue.call_next(qctx, 3) is None
    assert list(ticket_states(demo_db).values()).count("not_served") == 3
    outbox = [
        json.loads(p)
        for (p,) in rows(demo_db, "SELECT payload FROM outbox WHERE kind = 'ticket_event'")
    ]
    ended = [(p["day"], p["at"]) for p in outbox if p["kind"] == "day_ended"]
    # the ticket's day, and the moment it ended: on the next (open) day
    assert ended == [("2026-12-02", "2026-12-03T00:01:00+07:00")] * 3
    assert queue.finish(qctx, 1).status == "done"

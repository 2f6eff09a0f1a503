"""Issue 12, queue items: the calling order does not follow the wall clock (item 5), and the
day ends explicitly at midnight (item 6). Real SQLite files, the pinned test clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from pinned_clock import TestClock

from counter_app.services import queue


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

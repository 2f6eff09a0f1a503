"""Issue 12 items 5 and 6 on PostgreSQL: the queue sequence orders the calls whatever the
clock says, and the day end closes yesterday's waiting tickets in the first write of a day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from counter_app.db.models import Ticket, TicketEvent
from counter_app.services import dayclose, queue
from counter_app.services.setup import init_database

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 11, 26)


def set_clock(ctx: Any, moment: datetime) -> None:
    fixed = moment.astimezone(UTC)
    ctx.clock = lambda: fixed


def test_clock_step_back_and_midnight_on_postgres(
    pg_url: str, pg_context: Callable[..., Any]
) -> None:
    ctx = pg_context(pg_url, now=datetime.combine(DAY, time(16), VN))
    init_database(ctx, demo=True)
    for code in ("HT", "HT", "HT"):
        queue.issue(ctx, code)
    set_clock(ctx, datetime.combine(DAY, time(15), VN))  # the clock steps back an hour
    queue.issue(ctx, "HT")  # 1004: last in the queue all the same
    assert queue.call_next(ctx, 1).number == "1001"  # type: ignore[union-attr]
    set_clock(ctx, datetime.combine(DAY + timedelta(days=1), time(0, 1), VN))
    assert queue.call_next(ctx, 2) is None  # the day end: 1002-1004 not served
    with ctx.uow.read() as s:
        states = dict(s.execute(select(Ticket.display, Ticket.status)).all())
        ended = s.scalar(select(TicketEvent.id).where(TicketEvent.kind == "day_ended").limit(1))
    assert states == {
        "1001": "called",
        "1002": "not_served",
        "1003": "not_served",
        "1004": "not_served",
    }
    assert ended is not None
    assert queue.finish(ctx, 1).status == "done"
    closed = dayclose.close_day(ctx, "giamsat", DAY)
    assert closed.totals["tickets_served"] == 1 and closed.totals["not_served"] == 3


def test_migration_0012_numbers_existing_tickets_on_postgres(
    pg_url: str, pg_context: Callable[..., Any]
) -> None:
    from alembic import command

    from counter_app.db.engine import _alembic_config

    ctx = pg_context(pg_url, now=datetime.combine(DAY, time(9), VN))
    init_database(ctx, demo=True)
    for code in ("HT", "CT", "HT"):
        queue.issue(ctx, code)
    cfg = _alembic_config(ctx.uow.engine)
    command.downgrade(cfg, "0010")
    command.upgrade(cfg, "head")
    with ctx.uow.read() as s:
        got = s.execute(select(Ticket.display, Ticket.queue_seq).order_by(Ticket.queue_seq)).all()
    assert [tuple(r) for r in got] == [("1001", 1), ("2001", 2), ("1002", 3)]
    assert queue.issue(ctx, "CT").number == "2002"
    assert [queue.call_next(ctx, 1).number for _ in range(4)] == [  # type: ignore[union-attr]
        "1001",
        "2001",
        "1002",
        "2002",
    ]

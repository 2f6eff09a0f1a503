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

"""The day close against a real PostgreSQL: a close made offline reaches central with the next
sync and `central status` shows the unit's last closed day (central.closed_days, c0005); on
an office database (PostgreSQL as the local database) two supervisors closing at once make
exactly one close."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select
from sync_support import NINE, UNIT_A, UNIT_B, VN, FaultyTransport, assert_in_step, take_dossiers

from counter_app.db.models import DayClose, OutboxEvent
from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.services import dayclose
from counter_app.services.setup import init_database
from counter_app.services.sync import Syncer
from counter_app.sync import central


def _at(day: date, hh: int) -> datetime:
    return datetime.combine(day, time(hh), VN)


def test_a_close_made_offline_reaches_central(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(UNIT_A)
    take_dossiers(ctx, 3)
    day = NINE.date()
    offline = Syncer(ctx, FaultyTransport(transports(unit_urls[UNIT_A]), plan=["drop_before"]))
    with pytest.raises(CounterAppError):
        offline.run_once()  # the link is down: the close goes on without it
    five = _at(day, 17)
    ctx.clock = lambda: five
    first = dayclose.close_day(ctx, "giamsat", day - timedelta(days=1))
    closed = dayclose.close_day(ctx, "giamsat")
    assert closed.closed is not None and first.closed is not None
    rows = {r["unit"]: r for r in central.status(central_url)}
    assert rows[UNIT_A]["closed_through"] is None  # nothing sent yet

    Syncer(ctx, transports(unit_urls[UNIT_A])).run_once()
    assert_in_step(ctx, central_url, UNIT_A)
    rows = {r["unit"]: r for r in central.status(central_url)}
    assert rows[UNIT_A]["closed_through"] == day.isoformat()
    assert rows[UNIT_B]["closed_through"] is None
    assert {"unit", "dossiers", "events", "contiguous_seq", "gaps", "rejected"} <= set(rows[UNIT_A])
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        got = c.execute(
            "SELECT day, closed_by, hash, prev_hash FROM central.closed_days "
            "WHERE unit_id = %s ORDER BY day",
            (UNIT_A,),
        ).fetchall()
    assert got == [
        (first.day.isoformat(), "giamsat", first.closed.hash, "0" * 64),
        (day.isoformat(), "giamsat", closed.closed.hash, first.closed.hash),
    ]


def test_central_init_again_keeps_the_view_for_the_administrator_only(
    central_url: str, unit_urls: dict[str, str]
) -> None:
    central.init_central(central_url)  # SECURE_SQL runs again over the new view
    url = unit_urls[UNIT_A].replace("+psycopg", "") + "?sslmode=disable"
    with (
        psycopg.connect(url, autocommit=True) as c,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        c.execute("SELECT * FROM central.closed_days").fetchall()


def test_two_supervisors_close_an_office_database_once(pg_url: str, pg_context: Any) -> None:
    five = _at(NINE.date(), 17)
    c1, c2 = pg_context(pg_url, now=five), pg_context(pg_url, now=five)
    init_database(c1, demo=True, agency=UNIT_A)
    take_dossiers(c1, 2)
    start = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(i: int, ctx: Any) -> None:
        start.wait()
        try:
            results[i] = dayclose.close_day(ctx, "giamsat")
        except ValidationError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate((c1, c2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(lost) == 1 and lost[0].code == "close_day_already", results
    assert dayclose.check_close_chain(c1) is None
    with c1.uow.read() as s:
        assert s.scalar(select(func.count()).select_from(DayClose)) == 1
        n = s.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.kind == "day_closed")
        )
        assert n == 1

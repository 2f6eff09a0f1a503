"""Citizens' ratings on PostgreSQL: recorded on a local PostgreSQL (one per ticket even when
screens race), pushed as `rating` events, kept by central (c0006) in central.ratings and
counted by the province report per unit and in total, equal to the units' own reports."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sync_support import NINE, take_dossiers
from sync_support import UNIT_A as A
from sync_support import UNIT_B as B

from counter_app.db.models import Dossier, Rating
from counter_app.domain.errors import ValidationError
from counter_app.services import queue, ratings
from counter_app.services.records import emit
from counter_app.services.report import unit_report
from counter_app.services.setup import init_database
from counter_app.services.sync import Syncer
from counter_app.services.units import local_unit
from counter_app.sync import central
from counter_app.sync.central_report import province_report

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def serve(ctx: Any, counter: int = 1, user: str = "canbo1") -> str:
    """A ticket issued, called and finished: its number."""
    t = queue.issue(ctx, "HT")
    queue.call_next(ctx, counter, user=user)
    queue.finish(ctx, counter, user=user)
    return t.number


def first_code(ctx: Any) -> str:
    with ctx.uow.read() as s:
        return str(s.scalar(select(Dossier.code).order_by(Dossier.code).limit(1)))


def admin(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url.replace("+psycopg", ""), autocommit=True)


def test_ratings_reach_the_province_report(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    a, b = counter(A), counter(B, name="c2")
    ratings.set_settings(b, scale=5)
    for level in (3, 3, 1):
        ratings.record(a, level, ticket_number=serve(a), source="keypad")
    take_dossiers(a, 2)
    ratings.record(a, 2, dossier_code=first_code(a), source="screen")
    for level in (5, 4):
        ratings.record(b, level, ticket_number=serve(b), source="screen")
    for ctx, unit in ((a, A), (b, B)):
        assert Syncer(ctx, transports(unit_urls[unit])).run_once().waiting == 0

    with admin(central_url) as c:
        rows = c.execute(
            "SELECT unit_id, level_key, count(*) FROM central.ratings GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
    assert rows == [
        (A, "hai_long", 1),
        (A, "khong_hai_long", 1),
        (A, "rat_hai_long", 2),
        (B, "hai_long", 1),
        (B, "rat_hai_long", 1),
    ]
    province = province_report(central_url, *NOV)
    by_unit = {r["unit"]: r["ratings"] for r in province["by_unit"]}
    local = {
        u: unit_report(ctx, *NOV).as_json()["totals"]["ratings"] for u, ctx in ((A, a), (B, b))
    }
    assert by_unit[A] == local[A] == {"rat_hai_long": 2, "hai_long": 1, "khong_hai_long": 1}
    # B rates on five levels: its own report shows all five; central shows the words used
    assert {k: n for k, n in local[B].items() if n} == {"rat_hai_long": 1, "hai_long": 1}
    assert by_unit[B] == {"rat_hai_long": 1, "hai_long": 1, "khong_hai_long": 0}
    assert province["totals"]["ratings"] == {
        "rat_hai_long": 3,
        "hai_long": 2,
        "khong_hai_long": 1,
    }
    (proc,) = [r for r in province["by_procedure"] if r["ratings"]["hai_long"]]
    (mine,) = [r for r in unit_report(a, *NOV).summary.by_procedure if r["ratings"]["hai_long"]]
    assert proc["procedure"] == mine["procedure"]  # the dossier's rating, on both sides
    # another month: nothing, the same shape
    dec = province_report(central_url, date(2026, 12, 1), date(2026, 12, 31))
    assert dec["totals"]["ratings"] == {"rat_hai_long": 0, "hai_long": 0, "khong_hai_long": 0}


def test_a_bad_or_second_rating_is_kept_aside_and_blocks_nothing(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    a = counter(A)
    number = serve(a)
    good = ratings.record(a, 2, ticket_number=number)
    with a.uow.write() as s:  # what an old or restored counter could send
        unit_id = local_unit(s).id
        tid = s.scalar(select(Rating.ticket_id))
        base = {"counter": 1, "day": NINE.date().isoformat(), "scale": 3}
        emit(s, unit_id, "rating", {**base, "id": "x1", "ticket_id": tid, "level": 1}, NINE)
        emit(s, unit_id, "rating", {**base, "id": "x2", "ticket_id": "t2", "level": 9}, NINE)
        emit(s, unit_id, "rating", {"id": "x3", "level": "drei"}, NINE)
    take_dossiers(a, 1)  # after them: still applied
    result = Syncer(a, transports(unit_urls[A])).run_once()
    assert result.waiting == 0
    with admin(central_url) as c:
        kept = c.execute("SELECT level, subject FROM central.ratings").fetchall()
        rejected = c.execute(
            "SELECT reason, count(*) FROM central.rejections WHERE kind = 'rating' GROUP BY 1"
        ).fetchall()
        dossiers = c.execute("SELECT count(*) FROM central.dossiers").fetchone()
    assert kept == [(2, f"ticket:{tid}")] and good.level == 2
    assert sorted(rejected) == [("rating_duplicate", 1), ("rating_invalid", 2)]
    assert dossiers is not None and dossiers[0] > 0
    # `central init` again (it re-runs the hardening) keeps the table, the trigger, the rows
    central.init_central(central_url)
    with admin(central_url) as c:
        assert c.execute("SELECT count(*) FROM central.ratings").fetchone() == (1,)
        owner = c.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'central.ratings'::regclass"
        ).fetchone()
        cfg = c.execute("SELECT value FROM central.config WHERE key = 'owner_role'").fetchone()
    assert owner == cfg


def test_a_unit_cannot_read_or_write_central_ratings(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    a = counter(A)
    ratings.record(a, 3, ticket_number=serve(a))
    assert Syncer(a, transports(unit_urls[A])).run_once().waiting == 0
    for sql in (
        "SELECT * FROM central.ratings",
        "DELETE FROM central.ratings",
        "SELECT central.take_ratings()",
    ):
        with (
            psycopg.connect(unit_urls[A].replace("+psycopg", ""), autocommit=True) as c,
            pytest.raises(
                (psycopg.errors.InsufficientPrivilege, psycopg.errors.FeatureNotSupported)
            ),
        ):
            c.execute(sql)


def test_screens_racing_on_a_local_postgresql_record_one_rating(pg_url: str, pg_context: Any):
    ctx = pg_context(pg_url, now=NINE)
    init_database(ctx, demo=True)
    number = serve(ctx)
    out: list[Any] = [None] * 4
    start = threading.Barrier(4)

    def run(i: int) -> None:
        c = pg_context(pg_url, now=NINE)
        start.wait()
        try:
            out[i] = ratings.record(c, 1 + i % 3, ticket_number=number, source="screen")
        except ValidationError as exc:
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(isinstance(r, ratings.RatingInfo) for r in out) == 1
    assert {r.code for r in out if isinstance(r, ValidationError)} == {"rating_already_given"}
    with ctx.uow.read() as s:
        unit_id = local_unit(s).id
        assert sum(ratings.counts_for_range(s, unit_id, NINE.date(), NINE.date()).values()) == 1

"""The core services on a real PostgreSQL server (DESIGN.md §1: the same schema and services
run on SQLite and PostgreSQL): migrations, intake numbering under concurrency, atomic
batches, look-up, the queue under concurrent counters, the audit chain."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text

from counter_app.db.engine import current_revision, head_revision
from counter_app.db.models import Base, Dossier, DossierEvent, Ticket, TicketEvent
from counter_app.domain.errors import NotFound, ValidationError
from counter_app.services import lookup, queue
from counter_app.services.auth import login
from counter_app.services.intake import DocumentIn, IntakeRequest, register
from counter_app.services.records import verify_audit_chain
from counter_app.services.setup import DEMO_PASSWORD, DEMO_QUEUE_SERVICES, init_database
from counter_app.services.units import local_unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A plain Thursday (no holiday nearby); every context here runs with this fixed clock.
DAY = date(2026, 11, 26)
NINE = datetime.combine(DAY, time(9), VN)
AGENCY = "000.20.25.H01"
PROC = "1.004873"  # 3 working days, four checklist lines
NAMES = ("Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Quang Đức", "Phạm Thị Hồng Nhung")

Make = Callable[..., Any]


def code_for(seq: int, day: date = DAY) -> str:
    return f"{AGENCY}-{day:%y%m%d}-{seq:04d}"


def req(i: int = 0, **over: Any) -> IntakeRequest:
    fields: dict[str, Any] = {
        "procedure": PROC,
        "name": NAMES[i % len(NAMES)],
        "id_number": f"0790900{i:05d}",
        "phone": "0912345678",
        "address": "Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang",
        "received_at": NINE,
    }
    fields.update(over)
    return IntakeRequest(**fields)


def day_codes(ctx: Any, day: date = DAY) -> list[tuple[str, int]]:
    with ctx.uow.read() as s:
        rows = s.execute(
            select(Dossier.code, Dossier.code_seq)
            .where(Dossier.code_day == day)
            .order_by(Dossier.code_seq)
        ).all()
    return [(r[0], r[1]) for r in rows]


def assert_gap_free(ctx: Any, n: int) -> None:
    rows = day_codes(ctx)
    assert [seq for _, seq in rows] == list(range(1, n + 1)), "gap or duplicate in the day"
    assert [c for c, _ in rows] == [code_for(i) for i in range(1, n + 1)]


@pytest.fixture
def demo(pg_url: str, pg_context: Make) -> Any:
    """A migrated, demo-seeded PostgreSQL database; the context's clock is NINE."""
    ctx = pg_context(pg_url, now=NINE)
    init_database(ctx, demo=True)
    return ctx


def run_threads(n: int, work: Callable[[int], None], timeout: float = 60) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=timeout)
    assert not any(th.is_alive() for th in threads), "a worker hung"
    assert not errors, errors


# --- schema ---------------------------------------------------------------------------------


def test_migrations_from_empty_to_head_match_the_models(pg_url: str, pg_context: Make) -> None:
    probe = create_engine(pg_url)
    try:
        assert current_revision(probe) is None
        with probe.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        probe.dispose()

    ctx = pg_context(pg_url)  # migrates on open
    engine = ctx.uow.engine
    assert engine.dialect.name == "postgresql"
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert set(Base.metadata.tables) <= tables
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []

    # opening again is a no-op; seeding twice is idempotent
    again = pg_context(pg_url, now=NINE)
    assert current_revision(again.uow.engine) == head_revision()
    first = init_database(again, demo=True)
    second = init_database(again, demo=True)
    assert first.created_unit and not second.created_unit
    assert first.unit == second.unit == AGENCY


# --- intake ---------------------------------------------------------------------------------


def test_intake_one_then_many_gives_gap_free_codes(demo: Any) -> None:
    [one] = register(demo, [req(0)], "canbo1")
    assert one.code == code_for(1)
    assert one.status == "accepted" or one.status == "supplement_requested"
    many = register(demo, [req(i) for i in range(1, 6)], "canbo2")
    assert [v.code for v in many] == [code_for(i) for i in range(2, 7)]
    assert_gap_free(demo, 6)
    with demo.uow.read() as s:
        unit = local_unit(s)
        assert unit.agency_id == AGENCY
        # every dossier has its first event, and the register numbers follow on
        events = s.scalar(
            select(func.count())
            .select_from(DossierEvent)
            .join(Dossier, Dossier.id == DossierEvent.dossier_id)
            .where(Dossier.code_day == DAY)
        )
        assert events == 6
        regs = list(s.scalars(select(Dossier.register_no).order_by(Dossier.register_no)))
    assert regs == sorted(set(regs)) and regs == list(range(regs[0], regs[0] + len(regs)))


def test_concurrent_intake_on_four_connections_is_gap_free(
    demo: Any, pg_url: str, pg_context: Make
) -> None:
    per_thread, threads = 50, 4
    contexts = [pg_context(pg_url, now=NINE) for _ in range(threads)]
    got: dict[int, list[str]] = {i: [] for i in range(threads)}

    def work(i: int) -> None:
        for k in range(per_thread):
            [view] = register(contexts[i], [req(i * per_thread + k)], f"canbo{1 + i % 2}")
            got[i].append(view.code)

    run_threads(threads, work)
    codes = [c for cs in got.values() for c in cs]
    assert len(codes) == len(set(codes)) == threads * per_thread
    assert sorted(codes) == [code_for(i) for i in range(1, threads * per_thread + 1)]
    for cs in got.values():  # each writer saw its own codes in commit order
        assert cs == sorted(cs)
    assert_gap_free(demo, threads * per_thread)
    with demo.uow.read() as s:
        last = s.execute(
            text("SELECT last FROM sequence_counters WHERE kind = 'dossier' AND period = :p"),
            {"p": f"{DAY:%y%m%d}"},
        ).scalar_one()
    assert last == threads * per_thread


def test_a_failed_batch_writes_nothing(demo: Any) -> None:
    register(demo, [req(0)], "canbo1")

    def snapshot() -> dict[str, Any]:
        with demo.uow.read() as s:
            counts = {
                t: s.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in sorted(Base.metadata.tables)
            }
            counts["counters"] = sorted(
                tuple(r)
                for r in s.execute(text("SELECT kind, period, last FROM sequence_counters"))
            )
        return counts

    before = snapshot()
    bad_docs = (DocumentIn("Tờ khai", "original", 1),)
    with pytest.raises((ValidationError, NotFound)):
        register(demo, [req(1), req(2, procedure="9.999999"), req(3)], "canbo1")
    with pytest.raises(ValidationError):
        future = datetime(2099, 1, 1, tzinfo=VN)
        register(demo, [req(4, documents=bad_docs), req(5), req(6, received_at=future)], "canbo1")
    with pytest.raises(NotFound):  # an unknown ticket refuses the save: nothing half-linked
        register(demo, [req(7), req(8, ticket_id="no-such-ticket")], "canbo1")
    assert snapshot() == before
    # and numbering carries on without a gap
    [nxt] = register(demo, [req(6)], "canbo1")
    assert nxt.code == code_for(2)
    assert_gap_free(demo, 2)


# --- look-up --------------------------------------------------------------------------------


@pytest.mark.parametrize("pg_collation", ["c", "icu-vi"])
def test_look_up_by_code_name_without_accents_and_id(demo: Any) -> None:
    views = register(demo, [req(i) for i in range(8)], "canbo1")
    code = views[2].code
    assert [r.code for r in lookup.search(demo, code)] == [code]
    assert [r.code for r in lookup.search(demo, code.lower())] == [code]
    # opened on the driver's cursor (db/driver_reads): the very view the save built
    assert [lookup.get_dossier(demo, v.code) for v in views] == views

    # Lê Quang Đức: indices 2 and 6 (plus the demo's own sample applicant, another day)
    hits = lookup.search(demo, "le quang duc")
    today = [h.code for h in hits if h.received_at.date() == DAY]
    assert sorted(today) == sorted([views[2].code, views[6].code])
    assert all(h.applicant_name == "Lê Quang Đức" for h in hits)
    assert {h.applicant_name for h in lookup.search(demo, "LE QUANG ĐỨC")} == {"Lê Quang Đức"}
    # prefixes, the last word being typed, accents dropped
    prefix = lookup.search(demo, "ng thi bich ng")
    assert prefix and {h.applicant_name for h in prefix} == {"Trần Thị Bích Ngọc"}
    assert {h.applicant_name for h in lookup.search(demo, "nhung")} == {"Phạm Thị Hồng Nhung"}
    assert {h.applicant_name for h in lookup.search(demo, "tran thi b")} == {"Trần Thị Bích Ngọc"}
    assert lookup.search(demo, "zzzz") == []

    # citizen ID, phone and the last digits of a code
    assert [r.code for r in lookup.search(demo, views[3].applicant.id_number)] == [views[3].code]
    assert {r.code for r in lookup.search(demo, "0003")} >= {views[2].code}
    with pytest.raises(NotFound):
        lookup.get_dossier(demo, code_for(999))


# --- queue ----------------------------------------------------------------------------------


def test_four_counters_calling_at_once_take_each_ticket_once(
    demo: Any, pg_url: str, pg_context: Make
) -> None:
    services = [dict(s) for s in DEMO_QUEUE_SERVICES]
    for s in services:
        s["counters"] = [1, 2, 3, 4]
    with demo.uow.write() as s:
        queue.set_up_services(s, local_unit(s).id, services)

    kiosks = [pg_context(pg_url, now=NINE) for _ in range(4)]
    issued: dict[int, list[queue.TicketInfo]] = {i: [] for i in range(4)}
    codes = ("HT", "CT", "DD", "KD")

    def issue(i: int) -> None:
        for k in range(30):
            issued[i].append(queue.issue(kiosks[i], codes[(i + k) % 2]))

    run_threads(4, issue)
    tickets = [t for ts in issued.values() for t in ts]
    for svc in ("HT", "CT"):
        numbers = sorted(int(t.number) for t in tickets if t.service_code == svc)
        prefix = 1 if svc == "HT" else 2
        assert numbers == [prefix * 1000 + n for n in range(1, len(numbers) + 1)], svc

    later = datetime.combine(DAY, time(10), VN)
    counters = [pg_context(pg_url, now=later) for _ in range(4)]
    got: dict[int, list[str]] = {c: [] for c in range(1, 5)}

    def call(i: int) -> None:
        counter = i + 1
        while (t := queue.call_next(counters[i], counter)) is not None:
            got[counter].append(t.id)

    run_threads(4, call)
    called = [tid for ids in got.values() for tid in ids]
    assert Counter(called) == Counter(t.id for t in tickets)  # every ticket exactly once
    with demo.uow.read() as s:
        per_ticket = Counter(
            s.scalars(select(TicketEvent.ticket_id).where(TicketEvent.kind == "called"))
        )
        statuses = Counter(s.scalars(select(Ticket.status)))
        by_counter = dict(s.execute(select(Ticket.id, Ticket.counter)).all())
    assert set(per_ticket.values()) == {1} and len(per_ticket) == len(tickets)
    assert statuses == {"done": len(tickets)}
    for c, ids in got.items():
        assert all(by_counter[i] == c for i in ids)


# --- audit ----------------------------------------------------------------------------------


def test_audit_chain_holds(demo: Any, pg_url: str, pg_context: Make) -> None:
    register(demo, [req(0, received_at=datetime.combine(DAY, time(8), VN))], "canbo1")
    # a back-dated paper dossier is audited: entries from two connections at once
    past = datetime.combine(date(2026, 11, 25), time(9), VN)
    others = [pg_context(pg_url, now=NINE) for _ in range(4)]

    def work(i: int) -> None:
        for k in range(5):
            register(others[i], [req(10 * i + k, received_at=past)], "canbo2")

    run_threads(4, work)
    with demo.uow.read() as s:
        assert verify_audit_chain(s) is None
        n = s.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        assert n >= 21


def test_audit_chain_holds_under_concurrent_logins(
    demo: Any, pg_url: str, pg_context: Make
) -> None:
    """Logins take no other lock in common: the chain itself must serialise its appends."""
    users = ("canbo1", "canbo2", "giamsat", "canbo1")
    others = [pg_context(pg_url, now=NINE) for _ in users]

    def work(i: int) -> None:
        for _ in range(5):
            login(others[i], users[i], DEMO_PASSWORD)

    run_threads(len(users), work)
    with demo.uow.read() as s:
        assert verify_audit_chain(s) is None
        prevs = list(s.scalars(text("SELECT prev_hash FROM audit_log")))
    assert len(prevs) == len(set(prevs)), "the chain forked"

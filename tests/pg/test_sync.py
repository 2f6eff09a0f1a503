"""Sync against a real PostgreSQL: counters on SQLite files push their outbox, pull the
reference data; links fail before and after commit, batches repeat and reorder, two
counters push at once, a backend is terminated mid-batch. After each: every event exactly
once centrally, codes unique, counts equal (sync_support.assert_in_step)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sync_support import UNIT_A as A
from sync_support import UNIT_B as B
from sync_support import (
    FaultyTransport,
    assert_in_step,
    central_counts,
    local_counts,
    take_dossiers,
)

from counter_app.db.models import Dossier, OutboxEvent, Ticket
from counter_app.services import queue
from counter_app.services.actions import ActionRequest, perform
from counter_app.services.setup import init_database
from counter_app.services.sync import Syncer, local_status, source_id
from counter_app.sync import central
from counter_app.sync.transport import Offline


def test_a_counter_pushes_everything_once(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 30, per_txn=3)
    report = Syncer(ctx, transports(unit_urls[A])).run_once()
    assert report.unit == A and report.waiting == 0
    assert report.pushed == local_counts(ctx)["top_seq"]
    assert_in_step(ctx, central_url, A)
    st = local_status(ctx)
    assert st.waiting == 0 and st.rejected == 0 and st.last_ok_at is not None
    Syncer(ctx, transports(unit_urls[A]))._note_attempt()  # a round has started...
    assert local_status(ctx).online  # ...and has not failed: still online, no flicker
    # A second round has nothing to send and changes nothing.
    again = Syncer(ctx, transports(unit_urls[A])).run_once()
    assert again.pushed == 0 and again.batches == 0
    assert_in_step(ctx, central_url, A)


def test_the_next_batch_is_read_and_the_last_acknowledged_while_central_stores_one(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 30)  # batches of 20, then 40 (the batch doubles) ...
    top = local_counts(ctx)["top_seq"]
    reads: list[int] = []

    class Watched(Syncer):
        def _pending(self, after: int, limit: int) -> tuple[list[int], str]:
            reads.append(after)
            return super()._pending(after, limit)

    inner = transports(unit_urls[A])

    def acked() -> int:
        return local_status(ctx).acked_seq

    def wait_for(what: Any, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while not what():
            assert time.monotonic() < end, "the syncer waited for this call instead"
            time.sleep(0.01)

    def first(unit: str, source: str, body: str) -> Any:
        wait_for(lambda: len(reads) >= 2)  # the next batch was read meanwhile
        assert reads == [0, 20] and acked() == 0
        return inner.push(unit, source, body)

    def second(unit: str, source: str, body: str) -> Any:
        wait_for(lambda: acked() == 20)  # the first reply acknowledged meanwhile
        assert [e["seq"] for e in json.loads(body)] == list(range(21, 61))
        raise Offline("central_unreachable", url="test", detail="link cut during the second")

    ft = FaultyTransport(inner, plan=[first, second])
    with pytest.raises(Offline):
        Watched(ctx, ft, batch=20).run_once()
    # Only what central's reply said it holds is marked: the first batch.
    assert acked() == 20 and local_status(ctx).waiting == top - 20
    report = Syncer(ctx, ft, batch=20).run_once()
    assert report.pushed == top - 20 and local_status(ctx).waiting == 0
    assert_in_step(ctx, central_url, A)


def test_link_drops_before_and_after_commit(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 40)
    ft = FaultyTransport(transports(unit_urls[A]), plan=["ok", "drop_before", "drop_after"])
    syncer = Syncer(ctx, ft, batch=20)
    for _ in range(2):
        with pytest.raises(Exception) as exc:
            syncer.run_once()
        assert exc.value.code == "central_unreachable"  # type: ignore[attr-defined]
    assert local_status(ctx).waiting > 0
    syncer.run_once()
    assert_in_step(ctx, central_url, A)


def _batches(ctx: Any, size: int) -> tuple[str, list[str]]:
    """The outbox cut into pushes of `size`, exactly as the syncer would send them."""
    from counter_app.services.sync import source_id

    syncer = Syncer(ctx, None)  # type: ignore[arg-type]
    top = local_counts(ctx)["top_seq"]
    return source_id(ctx), [syncer._pending(lo, size)[1] for lo in range(0, top, size)]


def test_batches_delivered_twice_and_out_of_order(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 30)
    source, batches = _batches(ctx, 25)
    assert len(batches) >= 3
    t = transports(unit_urls[A])
    # The second batch arrives first: stored but parked, the gap below it reported.
    r = t.push(A, source, batches[1])
    assert r.contiguous_seq == 0 and r.gaps == [[1, 25]]
    assert central_counts(central_url, A)["dossiers"] == 0  # nothing applied past a gap
    r = t.push(A, source, batches[0])
    assert r.contiguous_seq == 50 and r.gaps == []
    for b in (batches[0], batches[1], batches[0]):  # replays are no-ops
        assert t.push(A, source, b).contiguous_seq == 50
    # The counter never heard any of this; it sends everything again, harmlessly.
    Syncer(ctx, t).run_once()
    assert_in_step(ctx, central_url, A)


def test_duplicated_delivery_inside_the_syncer(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 20)
    ft = FaultyTransport(transports(unit_urls[A]), plan=["twice", "twice", "drop_after"])
    with pytest.raises(Offline):
        Syncer(ctx, ft, batch=10).run_once()
    Syncer(ctx, ft, batch=10).run_once()
    assert_in_step(ctx, central_url, A)


def test_two_counters_of_two_units_and_two_processes_of_one_push_at_once(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any, tmp_path: Path
) -> None:
    a, b = counter(A, "a"), counter(B, "b")
    take_dossiers(a, 60, per_txn=5)
    take_dossiers(b, 60, per_txn=5)
    # A second process on counter A's file (its own engine): same stream, pushing too.
    from counter_app.app import build_context

    a2 = build_context(db=str(a.uow.engine.url))
    errors: list[BaseException] = []

    def run(ctx: Any, unit: str) -> None:
        try:
            for _ in range(3):
                Syncer(ctx, transports(unit_urls[unit]), batch=20).run_once()
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=args) for args in ((a, A), (a2, A), (b, B), (b, B))
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    a2.uow.engine.dispose()
    assert not errors, errors
    assert_in_step(a, central_url, A)
    assert_in_step(b, central_url, B)


def test_backend_terminated_mid_batch(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    Syncer(ctx, transports(unit_urls[A])).run_once()  # the stream exists centrally
    take_dossiers(ctx, 15)
    before = central_counts(central_url, A)
    source = source_id(ctx)
    failure: list[BaseException] = []
    with psycopg.connect(central_url.replace("+psycopg", "")) as admin:
        # Hold the stream's row: the push inserts nothing visible and waits inside its batch.
        admin.execute(
            "SELECT 1 FROM central.sources WHERE unit_id = %s AND source_id = %s FOR UPDATE",
            (A, source),
        )

        def push() -> None:
            try:
                Syncer(ctx, transports(unit_urls[A])).run_once()
            except BaseException as exc:
                failure.append(exc)

        th = threading.Thread(target=push)
        th.start()
        with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as killer:
            pid = None
            for _ in range(200):
                row = killer.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = "
                    "'counter-app sync' AND wait_event_type = 'Lock'"
                ).fetchone()
                if row:
                    pid = row[0]
                    break
                time.sleep(0.05)
            assert pid is not None, "the push never started waiting"
            killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        th.join(30)
        admin.rollback()
    assert failure and isinstance(failure[0], Offline)
    assert central_counts(central_url, A)["events"] == before["events"]  # nothing half-applied
    assert local_status(ctx).waiting > 0
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert_in_step(ctx, central_url, A)


@pytest.mark.real_central_clock
def test_clocks_an_hour_fast_and_a_day_behind(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    real = datetime.now(UTC)
    fast = counter(A, "fast", now=real + timedelta(hours=1))
    slow = counter(B, "slow", now=real - timedelta(days=1))
    take_dossiers(fast, 10)
    take_dossiers(slow, 10)
    rf = Syncer(fast, transports(unit_urls[A])).run_once()
    rs = Syncer(slow, transports(unit_urls[B])).run_once()
    assert rf.clock_offset_s is not None and rs.clock_offset_s is not None
    assert abs(rf.clock_offset_s + 3600) < 60 and rf.clock_warning
    assert abs(rs.clock_offset_s - 86400) < 60 and rs.clock_warning
    assert local_status(fast).clock_warning and local_status(slow).clock_warning
    assert_in_step(fast, central_url, A)
    assert_in_step(slow, central_url, B)
    st = {r["unit"]: r for r in central.status(central_url)}
    assert st[A]["future_stamped"] == 0  # an hour is not flagged; >24 h ahead would be


def test_events_a_day_ahead_are_flagged_not_refused(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A, now=datetime.now(UTC) + timedelta(days=2))
    take_dossiers(ctx, 3)
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert_in_step(ctx, central_url, A)
    st = {r["unit"]: r for r in central.status(central_url)}
    assert st[A]["future_stamped"] == st[A]["events"] > 0


def test_the_office_tier_syncs_from_a_local_postgresql(
    pg_server: Any, central_url: str, unit_urls: dict[str, str], pg_context: Any, transports: Any
) -> None:
    """A multi-counter office: the local database is PostgreSQL; two counters write to it at
    once, then it syncs as one stream."""
    name = "office_" + central_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        office = pg_context(pg_server.url(name))
        init_database(office, demo=True, agency=A)
        other = pg_context(pg_server.url(name))
        threads = [
            threading.Thread(target=take_dossiers, args=(ctx, 20), kwargs={"start": k * 100})
            for k, ctx in enumerate((office, other))
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        assert local_counts(office)["top_seq"] == local_counts(office)["events"]  # no gaps
        Syncer(office, transports(unit_urls[A]), batch=7).run_once()
        assert_in_step(office, central_url, A)
    finally:
        for ctx in (locals().get("office"), locals().get("other")):
            if ctx is not None:
                ctx.uow.engine.dispose()
        with psycopg.connect(pg_server.conninfo(), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_batches_shrink_on_failure_and_grow_on_success(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 30)
    ft = FaultyTransport(transports(unit_urls[A]), plan=["drop_before", "drop_before"])
    syncer = Syncer(ctx, ft, batch=40, min_batch=10, max_batch=80)
    for expected in (20, 10):
        with pytest.raises(Offline):
            syncer.run_once()
        assert syncer.batch == expected
    syncer.run_once()
    sizes = [len(json.loads(body)) for body in ft.sent[2:]]
    assert sizes[:3] == [10, 20, 40]
    assert_in_step(ctx, central_url, A)


# The payload key naming the dossier or ticket an outbox event is about, by kind.
_ABOUT = {
    "dossier": "id",
    "ticket": "id",
    "dossier_event": "dossier_id",
    "ticket_event": "ticket_id",
}


def _last_statuses(ctx: Any) -> dict[str, tuple[str, int]]:
    """Each dossier's and ticket's local status, and the seq of the last outbox event that
    made it (its own event, or the last status event about it)."""
    last: dict[str, int] = {}
    with ctx.uow.read() as s:
        for e in s.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)):
            about = _ABOUT.get(e.kind)
            if about is not None:
                last[e.payload[about]] = e.seq
        rows = [
            *s.execute(select(Dossier.id, Dossier.status)),
            *s.execute(select(Ticket.id, Ticket.status)),
        ]
    return {str(i): (status, last[i]) for i, status in rows}


def _central_statuses(admin_url: str) -> dict[str, tuple[str, int]]:
    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as c:
        rows = c.execute(
            "SELECT id::text, status, status_seq FROM central.dossiers"
            " UNION ALL SELECT id::text, status, status_seq FROM central.tickets"
        ).fetchall()
    return {i: (status, seq) for i, status, seq in rows}


@pytest.mark.parametrize("batch", [2000, 1], ids=["one_range", "event_by_event"])
def test_central_holds_each_dossiers_and_tickets_last_status_however_the_events_are_batched(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any, batch: int
) -> None:
    # In one range a new dossier is stored with the status of its last event there (c0012)
    # and a ticket stored, then updated; one event per range stores each, then updates it.
    # Then later events update what central already holds. Either way central ends with
    # each one's local status, set by its last event.
    ctx = counter(A)
    take_dossiers(ctx, 3)
    with ctx.uow.read() as s:
        codes = sorted(s.scalars(select(Dossier.code)))
    perform(
        ctx, ActionRequest(codes[0], "handover", "canbo1", seen_steps=1, to="Phòng Tư pháp huyện")
    )
    for service in ("HT", "HT", "CT"):
        queue.issue(ctx, service)
    queue.call_next(ctx, 1)
    queue.finish(ctx, 1)
    queue.call_next(ctx, 2)
    syncer = Syncer(ctx, transports(unit_urls[A]), batch=batch, min_batch=1, max_batch=batch)
    syncer.run_once()
    assert_in_step(ctx, central_url, A)
    assert _central_statuses(central_url) == _last_statuses(ctx)
    # Later events about what central already holds.
    perform(
        ctx, ActionRequest(codes[1], "handover", "canbo1", seen_steps=1, to="Phòng Tư pháp huyện")
    )
    queue.finish(ctx, 2)
    queue.call_next(ctx, 1)
    syncer.run_once()
    assert_in_step(ctx, central_url, A)
    statuses = _central_statuses(central_url)
    assert statuses == _last_statuses(ctx)
    kinds = Counter(status for status, _ in statuses.values())
    assert (kinds["processing"], kinds["done"], kinds["called"]) == (2, 2, 1)


def test_a_dossier_without_a_status_event_in_its_range_reads_received_until_one_comes(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 1)
    events = json.loads(Syncer(ctx, None)._pending(0, 1000)[1])  # type: ignore[arg-type]
    dossier = next(e for e in reversed(events) if e["kind"] == "dossier")
    status = next(
        e
        for e in events
        if e["kind"] == "dossier_event" and e["payload"]["dossier_id"] == dossier["payload"]["id"]
    )
    transport = transports(unit_urls[A])
    transport.push(A, "by-hand", json.dumps([{**dossier, "seq": 1}]))
    assert _central_statuses(central_url) == {dossier["payload"]["id"]: ("received", 1)}
    transport.push(A, "by-hand", json.dumps([{**status, "seq": 2}]))
    assert _central_statuses(central_url) == {
        dossier["payload"]["id"]: (status["payload"]["status"], 2)
    }

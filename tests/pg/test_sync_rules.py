"""Business rules at central: dossier code clashes are reported to both sides and never
overwritten; rejected events do not block the stream; an old counter's backlog survives
the upgrade and pushes; events newer than central wait instead of being lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select, text
from sync_support import UNIT_A as A
from sync_support import assert_in_step, central_counts, local_codes, local_counts, take_dossiers

from counter_app.db.models import OutboxEvent
from counter_app.messages import describe_stored
from counter_app.services.context import ServiceContext
from counter_app.services.sync import Syncer, list_issues, local_status
from counter_app.sync.transport import Offline, SyncError


def test_same_codes_from_two_counters_of_one_unit_clash_and_nothing_is_overwritten(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    # Two stand-alone counters set up with the same agency id and NO separate sequence
    # ranges (the misconfiguration DESIGN.md §3 warns about): same day, same codes.
    first, second = counter(A, "first"), counter(A, "second")
    take_dossiers(first, 5)
    take_dossiers(second, 7)
    clashing = local_codes(first) & local_codes(second)
    assert clashing
    Syncer(first, transports(unit_urls[A])).run_once()
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        before = dict(c.execute("SELECT code, id::text FROM central.dossiers").fetchall())
    report = Syncer(second, transports(unit_urls[A])).run_once()
    # The stream is not blocked: everything is acknowledged, the clashes are reported.
    assert report.waiting == 0 and report.new_rejections > 0
    cen = central_counts(central_url, A)
    assert cen["events"] == local_counts(first)["events"] + local_counts(second)["events"]
    assert cen["codes"] == local_codes(first) | local_codes(second)  # unique, by constraint
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        after = dict(c.execute("SELECT code, id::text FROM central.dossiers").fetchall())
    assert all(after[code] == before[code] for code in clashing)  # the first keeps its code
    reasons = {i["reason"] for i in list_issues(second)}
    assert "code_clash" in reasons and "dossier_unknown" in reasons
    # ... and the first counter hears of it on its next round.
    Syncer(first, transports(unit_urls[A])).run_once()
    st1, st2 = local_status(first), local_status(second)
    assert st1.clashes == st2.clashes == len(clashing)
    assert st2.rejected > 0 and st1.rejected == 0


def test_a_malformed_event_is_rejected_and_the_rest_go_through(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 3)
    with ctx.uow.write() as s:  # a dossier event whose time does not parse
        row = s.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == "dossier").order_by(OutboxEvent.seq)
        ).first()
        assert row is not None
        row.payload = {**row.payload, "due_at": "not a time"}
    take_dossiers(ctx, 3, start=3)
    report = Syncer(ctx, transports(unit_urls[A])).run_once()
    assert report.waiting == 0
    issues = list_issues(ctx)
    assert any(i["reason"] == "malformed" and i["seq"] == row.seq for i in issues)
    cen = central_counts(central_url, A)
    assert cen["events"] == local_counts(ctx)["events"]
    assert cen["dossiers"] == local_counts(ctx)["dossiers"] - 1


def test_an_old_counter_with_a_backlog_upgrades_then_pushes(
    central_url: str,
    unit_urls: dict[str, str],
    counter: Any,
    transports: Any,
    make_context: Any,
    tmp_path: Path,
) -> None:
    old = counter(A, "old")
    take_dossiers(old, 10)
    events = local_counts(old)["events"]
    old.uow.engine.dispose()
    # Back to the schema before sync (0003, what the previous release shipped)...
    from alembic import command

    from counter_app.db.engine import _alembic_config, create_db_engine

    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.downgrade(_alembic_config(engine), "0003")
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
        assert c.execute(text("SELECT count(*) FROM outbox")).scalar() == events
    engine.dispose()
    # ...then the new release opens it (migrating on start) and pushes the backlog.
    upgraded = make_context(tmp_path / "old.db")
    Syncer(upgraded, transports(unit_urls[A])).run_once()
    assert_in_step(upgraded, central_url, A)


def test_events_newer_than_central_wait_until_central_is_upgraded(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    with ctx.uow.write() as s:
        s.execute(OutboxEvent.__table__.update().values(schema_version=2))
    with pytest.raises(SyncError) as exc:
        Syncer(ctx, transports(unit_urls[A])).run_once()
    assert exc.value.code == "central_outdated"
    assert local_status(ctx).waiting == local_counts(ctx)["events"]  # kept, not dropped
    assert "nâng cấp" in last_error_words(ctx)
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        c.execute("UPDATE central.config SET value = '2' WHERE key = 'max_event_schema'")
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert_in_step(ctx, central_url, A)


def test_central_restored_from_an_older_backup_gets_the_rest_again(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 10)
    Syncer(ctx, transports(unit_urls[A])).run_once()
    # Central loses the newest half of the stream (a restore from last night's backup).
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        top = local_counts(ctx)["top_seq"]
        keep = top // 2
        c.execute("DELETE FROM central.dossiers")
        c.execute("DELETE FROM central.events WHERE seq > %s", (keep,))
        c.execute("UPDATE central.sources SET contiguous_seq = %s, max_seq = %s", (keep, keep))
        c.execute(
            "SELECT central.project_range(%s, source_id, 0, %s) FROM central.sources",
            (A, keep),
        )
    take_dossiers(ctx, 2, start=10)
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert_in_step(ctx, central_url, A)


def test_a_batch_that_is_not_json_events_is_refused_whole(
    central_url: str, unit_urls: dict[str, str]
) -> None:
    with psycopg.connect(unit_urls[A], autocommit=True) as c:
        for bad in ('{"a": 1}', json.dumps([{"event_id": None, "seq": 1}])):
            with pytest.raises(psycopg.errors.InvalidParameterValue):
                c.execute("SELECT central.push_batch(%s, 'src', %s::jsonb)", (A, bad))
    assert central_counts(central_url, A)["events"] == 0


def last_error_words(ctx: ServiceContext) -> str:
    e = local_status(ctx).last_error
    assert e is not None and e.code  # stored as a code and its parameters, not a sentence
    return describe_stored(e.code, e.params, e.field_errors, e.text)


@pytest.mark.parametrize("missing", ["kind", "created_at", "payload", "seq"])
def test_a_batch_with_one_malformed_event_is_refused_whole(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any, missing: str
) -> None:
    from counter_app.services.sync import source_id

    ctx = counter(A)
    take_dossiers(ctx, 3)
    syncer = Syncer(ctx, None)  # type: ignore[arg-type]
    events = json.loads(syncer._pending(0, 100)[1])
    del events[len(events) // 2][missing]  # one event in the middle lacks a field
    transport = transports(unit_urls[A])
    # Central raises 22023: refused, not "unreachable" (the link is up; the status bar says
    # central refused the batch); the counter keeps its events and tries again next round.
    with pytest.raises(SyncError) as exc:
        transport.push(A, source_id(ctx), json.dumps(events))
    assert not isinstance(exc.value, Offline)
    assert exc.value.code == "sync_refused"
    assert "malformed event in batch" in str(exc.value)
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        assert c.execute("SELECT count(*) FROM central.events").fetchone() == (0,)
        assert c.execute("SELECT count(*) FROM central.sources").fetchone() == (0,)
        assert c.execute("SELECT count(*) FROM central.rejections").fetchone() == (0,)
    # The counter's own batches, sent afterwards, go in whole.
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert_in_step(ctx, central_url, A)

"""Issue 11 part 3 against the real central: a counter restored from an older backup never
hands out again a dossier code or an outbox number central has seen; the dossiers lost with
the old database are listed; offline it takes no dossier until the check (or goes on in a
recovery range that cannot clash); a database first built from central resumes after the
codes central already holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select
from sync_support import UNIT_A as A
from sync_support import assert_in_step, local_codes, request, take_dossiers

from counter_app.db.models import DayClose, Dossier, OutboxEvent
from counter_app.domain.codes import parse_code
from counter_app.domain.errors import ValidationError
from counter_app.services import backup as backup_svc
from counter_app.services import resume
from counter_app.services.intake import register
from counter_app.services.setup import init_database
from counter_app.services.sync import Syncer
from counter_app.sync import central


def _central(admin_url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as c:
        return c.execute(sql, args).fetchall()


def _rejections(admin_url: str) -> list[tuple[Any, ...]]:
    return _central(admin_url, "SELECT reason, seq FROM central.rejections WHERE unit_id = %s", A)


def _top_seq_of_day(codes: set[str]) -> int:
    return max(parse_code(c).sequence for c in codes if parse_code(c).sequence < 90_000)


@pytest.fixture
def restored(
    central_url: str,
    unit_urls: dict[str, str],
    counter: Any,
    make_context: Any,
    transports: Any,
    tmp_path: Path,
) -> Any:
    """A counter synced, backed up, then 3 dossiers taken and synced, then the old backup
    restored: (the restored context, the codes lost with the old database, the db path)."""

    def make(*, fresh_range: bool = False) -> tuple[Any, set[str], Path]:
        ctx = counter(A)
        Syncer(ctx, transports(unit_urls[A])).run_once()
        backup_svc.backup(ctx, tmp_path / "b1.db")
        before = local_codes(ctx)
        take_dossiers(ctx, 3)
        Syncer(ctx, transports(unit_urls[A])).run_once()
        lost = local_codes(ctx) - before
        assert len(lost) == 3
        live = backup_svc.live_path(ctx.uow.engine)
        res = backup_svc.restore(ctx, tmp_path / "b1.db", fresh_range=fresh_range)
        assert res.kept_aside and Path(res.kept_aside).exists()
        again = make_context(live, now=ctx.clock())
        assert local_codes(again) == before
        return again, lost, live

    return make


def test_restored_online_resumes_after_central(
    restored: Any, central_url: str, unit_urls: dict[str, str], transports: Any
) -> None:
    ctx, lost, _live = restored()
    # Not before the check: the next code would be one of the lost ones.
    with pytest.raises(ValidationError) as err:
        register(ctx, [request(10)], "canbo1")
    assert err.value.code == "restore_check_pending"
    syncer = Syncer(ctx, transports(unit_urls[A]))
    syncer.run_once()
    assert syncer.resumed is not None
    assert {e["code"] for e in syncer.resumed["lost_dossiers"]} == lost
    assert all(e["new"] and e["name"] for e in syncer.resumed["lost_dossiers"])
    # Listed for the supervisor, kept in the database.
    assert {e["code"] for e in resume.state(ctx).lost} == lost
    # The next code comes after central's; the next events are numbers central accepts.
    (view,) = register(ctx, [request(11)], "canbo1")
    assert parse_code(view.code).sequence == _top_seq_of_day(lost) + 1
    assert view.code not in lost
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert _rejections(central_url) == []
    codes = {r[0] for r in _central(central_url, "SELECT code FROM central.dossiers")}
    assert view.code in codes and lost <= codes
    (src,) = _central(
        central_url, "SELECT contiguous_seq, max_seq FROM central.sources WHERE unit_id = %s", A
    )
    with ctx.uow.read() as s:
        top = s.scalar(select(func.max(OutboxEvent.seq)))
    assert src == (top, top)


def test_restored_offline_refuses_then_resumes(
    restored: Any, central_url: str, unit_urls: dict[str, str], transports: Any
) -> None:
    ctx, lost, _live = restored()
    # Offline: no dossier, but other work (a ticket) goes on and is numbered locally...
    with pytest.raises(ValidationError):
        register(ctx, [request(10)], "canbo1")
    from counter_app.services.queue import issue

    services = _services(ctx)
    issue(ctx, services[0])
    # ...and the check renumbers it past central's stream before anything is pushed.
    syncer = Syncer(ctx, transports(unit_urls[A]))
    syncer.run_once()
    assert syncer.resumed is not None and syncer.resumed["outbox_shift"] > 0
    assert _rejections(central_url) == []
    (view,) = register(ctx, [request(12)], "canbo1")
    assert parse_code(view.code).sequence == _top_seq_of_day(lost) + 1
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert _rejections(central_url) == []


def _services(ctx: Any) -> list[str]:
    from counter_app.db.models import QueueService

    with ctx.uow.read() as s:
        return list(s.scalars(select(QueueService.code).order_by(QueueService.code)))


def test_restored_offline_in_a_fresh_range(
    restored: Any, central_url: str, unit_urls: dict[str, str], transports: Any
) -> None:
    ctx, lost, _live = restored(fresh_range=True)
    views = register(ctx, [request(20), request(21)], "canbo1")
    seqs = [parse_code(v.code).sequence for v in views]
    assert seqs == [90_000, 90_001]  # recovery slot 0: nothing below 90,000 is touched
    assert not {v.code for v in views} & lost
    syncer = Syncer(ctx, transports(unit_urls[A]))
    syncer.run_once()
    assert syncer.resumed is not None
    assert _rejections(central_url) == []
    codes = {r[0] for r in _central(central_url, "SELECT code FROM central.dossiers")}
    assert {v.code for v in views} <= codes
    # The check done, intake is back in the normal range, after central's codes.
    (view,) = register(ctx, [request(22)], "canbo1")
    assert parse_code(view.code).sequence == _top_seq_of_day(lost) + 1
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert _rejections(central_url) == []
    with ctx.uow.read() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == len(local_codes(ctx))


def test_a_second_restore_takes_another_slot(restored: Any, tmp_path: Path) -> None:
    ctx, _lost, _live = restored(fresh_range=True)
    assert resume.state(ctx).fresh is not None
    # The restored database, backed up and restored again offline: the next slot.
    backup_svc.backup(ctx, tmp_path / "b2.db")
    res = backup_svc.restore(ctx, tmp_path / "b2.db", fresh_range=True)
    assert res.fresh_range is not None and res.fresh_range["slot"] == 1


def test_a_database_built_from_central_resumes_after_its_codes(
    central_url: str,
    unit_urls: dict[str, str],
    counter: Any,
    make_context: Any,
    tmp_path: Path,
    transports: Any,
) -> None:
    old = counter(A)
    take_dossiers(old, 4)
    Syncer(old, transports(unit_urls[A])).run_once()
    # The old install is gone; a new one is built from central (no demo data).
    central.set_user(central_url, A, "an.nv", "Nguyễn Văn An", "clerk", "mat-khau-1")
    from counter_app.services.setup import load_catalogue_file, sample_catalogue_path

    central.import_catalogue(central_url, load_catalogue_file(sample_catalogue_path()))
    ctx = make_context(tmp_path / "rebuilt.db", now=old.clock())
    init_database(ctx, demo=False)
    syncer = Syncer(ctx, transports(unit_urls[A]))
    syncer.run_once()
    assert syncer.resumed is not None and syncer.resumed["reason"] == "first_sync"
    (view,) = register(ctx, [request(30)], "an.nv")
    assert view.code not in local_codes(old)
    assert parse_code(view.code).sequence == _top_seq_of_day(local_codes(old)) + 1
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert _rejections(central_url) == []


def test_resume_point_is_the_calling_units_only(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    from sync_support import UNIT_B as B

    a = counter(A, name="a")
    take_dossiers(a, 2)
    Syncer(a, transports(unit_urls[A])).run_once()
    source_a = _central(central_url, "SELECT source_id FROM central.sources WHERE unit_id=%s", A)
    tb = transports(unit_urls[B])
    # B asks for A's stream by name: nothing of A's comes back.
    point = tb.resume_point(source_a[0][0], 1, 89_999)
    assert point["unit"] == B and point["max_seq"] == 0 and point["codes"] == {}
    assert tb.source_events(source_a[0][0], 0, 100) == []
    ta = transports(unit_urls[A])
    assert ta.resume_point(source_a[0][0], 1, 89_999)["max_seq"] > 0
    assert len(ta.source_events(source_a[0][0], 0, 100)) > 0


def test_central_init_again_keeps_the_grants(
    central_url: str, unit_urls: dict[str, str], transports: Any
) -> None:
    central.init_central(central_url)  # re-runs SECURE_SQL, which revokes every function
    t = transports(unit_urls[A])
    assert t.resume_point("nobody", 1, 89_999)["max_seq"] == 0


def test_backup_refuses_postgres(central_url: str, pg_context: Any) -> None:
    ctx = pg_context(central_url)
    with pytest.raises(ValidationError) as err:
        backup_svc.backup(ctx, Path("/tmp/never.db"))
    assert err.value.code == "backup_postgres"


def test_in_step_after_all(
    restored: Any, central_url: str, unit_urls: dict[str, str], transports: Any
) -> None:
    """After the check and a round, every local event is at central once, nothing refused
    (the lost dossiers are the only difference: central has them, this database not)."""
    ctx, lost, _ = restored()
    Syncer(ctx, transports(unit_urls[A])).run_once()
    take_dossiers(ctx, 2, start=40)
    Syncer(ctx, transports(unit_urls[A])).run_once()
    with pytest.raises(AssertionError):
        assert_in_step(ctx, central_url, A)  # the lost ones differ, and only they
    cen = {r[0] for r in _central(central_url, "SELECT code FROM central.dossiers")}
    assert cen - local_codes(ctx) == lost
    assert _rejections(central_url) == []


def test_restore_check_on_the_command_line(
    restored: Any, unit_urls: dict[str, str], cli: Any, central_url: str
) -> None:
    import json

    ctx, lost, live = restored()
    ctx.uow.engine.dispose()
    res = cli("restore", "--check", "--central", unit_urls[A], "--json", db=live)
    assert res.rc == 0, res.err
    data = json.loads(res.out)
    assert data["ran"] and not data["pending_check"]
    assert {e["code"] for e in data["lost"]} == lost
    assert data["checked"]["outbox_next"] > 0 and data["sync"]["unit"] == A
    human = cli("restore", "--check", db=live)
    assert human.rc == 0 and "3 hồ sơ được ghi sau bản sao lưu" in human.out
    assert all(code in human.out for code in lost)
    assert _rejections(central_url) == []


def test_a_backup_taken_before_the_first_sync_restores_into_the_same_stream(
    counter: Any,
    central_url: str,
    unit_urls: dict[str, str],
    make_context: Any,
    transports: Any,
    tmp_path: Path,
) -> None:
    """Found walking a commune through set-up, work, backup, sync and restore: a backup made
    before the install ever synced held no stream name, so the restored counter made a new
    stream and re-sent under it the events central held under the old one; central could
    never fill that gap and the push stalled for good. The stream name now goes into every
    backup (and a restore of an older backup keeps the live database's)."""
    ctx = counter(A)
    take_dossiers(ctx, 2)
    backup_svc.backup(ctx, tmp_path / "early.db")  # never synced yet
    Syncer(ctx, transports(unit_urls[A])).run_once()
    before = local_codes(ctx)
    take_dossiers(ctx, 2)
    Syncer(ctx, transports(unit_urls[A])).run_once()
    lost = local_codes(ctx) - before
    live = backup_svc.live_path(ctx.uow.engine)
    backup_svc.restore(ctx, tmp_path / "early.db")
    again = make_context(live, now=ctx.clock())
    syncer = Syncer(again, transports(unit_urls[A]))
    syncer.run_once()
    assert syncer.resumed is not None
    assert {e["code"] for e in syncer.resumed["lost_dossiers"]} == lost
    (view,) = register(again, [request(21)], "canbo1")
    assert view.code not in lost | before
    Syncer(again, transports(unit_urls[A])).run_once()
    assert _rejections(central_url) == []
    sources = _central(
        central_url, "SELECT contiguous_seq, max_seq FROM central.sources WHERE unit_id = %s", A
    )
    with again.uow.read() as s:
        top = s.scalar(select(func.max(OutboxEvent.seq)))
    assert sources == [(top, top)]  # one stream, whole


def test_restoring_a_backup_without_a_stream_name_keeps_the_live_one(
    counter: Any, tmp_path: Path, make_context: Any
) -> None:
    """A backup written by an older version before the first sync: no `sync.source_id`."""
    import sqlite3

    from counter_app.services.sync import source_id

    ctx = counter(A)
    backup_svc.backup(ctx, tmp_path / "old.db")
    with sqlite3.connect(tmp_path / "old.db") as c:
        c.execute("DELETE FROM app_meta WHERE key = 'sync.source_id'")
    c.close()
    stream = source_id(ctx)
    live = backup_svc.live_path(ctx.uow.engine)
    backup_svc.restore(ctx, tmp_path / "old.db")
    assert source_id(make_context(live, now=ctx.clock())) == stream


def test_a_day_closed_after_the_backup_stays_closed_after_the_restore(
    counter: Any, unit_urls: dict[str, str], make_context: Any, transports: Any, tmp_path: Path
) -> None:
    """The close lost with the old database comes back from central with the check, whole:
    the day stays frozen and the close chain still verifies."""
    from counter_app.services import dayclose

    ctx = counter(A)
    take_dossiers(ctx, 1)
    Syncer(ctx, transports(unit_urls[A])).run_once()
    backup_svc.backup(ctx, tmp_path / "morning.db")
    closed = dayclose.close_day(ctx, "giamsat")
    Syncer(ctx, transports(unit_urls[A])).run_once()
    live = backup_svc.live_path(ctx.uow.engine)
    backup_svc.restore(ctx, tmp_path / "morning.db")
    again = make_context(live, now=ctx.clock())
    syncer = Syncer(again, transports(unit_urls[A]))
    syncer.run_once()
    assert syncer.resumed is not None
    assert syncer.resumed["closed_again"] == [closed.day.isoformat()]
    with pytest.raises(ValidationError) as err:
        register(again, [request(31)], "canbo1")
    assert err.value.code == "day_closed"
    assert dayclose.check_close_chain(again) is None
    with again.uow.read() as s:
        row = s.scalars(select(DayClose)).one()
    assert closed.closed is not None and row.hash == closed.closed.hash

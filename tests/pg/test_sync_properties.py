"""Property tests (hypothesis): whatever mix of intake, failed links, duplicated deliveries,
replays of old batches and batch sizes happens, after a final clean sync every event is
central exactly once, codes are unique, the stream is contiguous, and central's dossier
statuses equal the counter's."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sync_support import UNIT_A as A
from sync_support import FaultyTransport, assert_in_step, take_dossiers

from counter_app.app import build_context
from counter_app.db.models import Dossier
from counter_app.services.setup import init_database
from counter_app.services.sync import Syncer
from counter_app.sync import central
from counter_app.sync.transport import Offline, PgTransport


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A demo counter database made once; each example works on a copy."""
    path = tmp_path_factory.mktemp("template") / "counter.db"
    ctx = build_context(db=str(path))
    init_database(ctx, demo=True, agency=A)
    ctx.uow.engine.dispose()
    yield path


step = st.tuples(
    st.integers(min_value=0, max_value=6),  # dossiers taken before this sync
    st.sampled_from(["ok", "drop_before", "drop_after", "twice"]),  # what the link does
    st.sampled_from([2, 5, 50]),  # batch size
    st.booleans(),  # replay an earlier batch straight to central afterwards
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=6), seed=st.randoms(use_true_random=False))
def test_sync_invariants(pg_server: Any, template_db: Path, steps: list[Any], seed: Any) -> None:
    name = f"prop_{uuid.uuid4().hex[:10]}"
    work = Path(tempfile.mkdtemp(prefix="sync-prop-"))
    admin = pg_server.url(name)
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    ctx = None
    inner = None
    try:
        central.init_central(admin)
        url = central.add_unit(admin, central.UnitSpec(A, "UBND XÃ THỬ"))["url"]
        shutil.copy(template_db, work / "counter.db")
        ctx = build_context(db=str(work / "counter.db"))
        inner = PgTransport(url, sslmode="disable")
        sent: list[str] = []
        taken = 0
        for new, fault, batch, replay in steps:
            take_dossiers(ctx, new, start=taken)
            taken += new
            ft = FaultyTransport(inner, plan=[fault])
            with contextlib.suppress(Offline):  # a failed round: the next one catches up
                Syncer(ctx, ft, batch=batch).run_once()
            sent += ft.sent
            if replay and sent:
                inner.push(A, _source(ctx), seed.choice(sent))
        Syncer(ctx, inner).run_once()
        assert_in_step(ctx, admin, A)
        with ctx.uow.read() as s:
            local = {d.code: d.status for d in s.scalars(select(Dossier))}
        with psycopg.connect(admin.replace("+psycopg", ""), autocommit=True) as c:
            remote = dict(c.execute("SELECT code, status FROM central.dossiers").fetchall())
        assert remote == local
        # Replaying every batch ever sent changes nothing.
        for body in sent:
            inner.push(A, _source(ctx), body)
        assert_in_step(ctx, admin, A)
    finally:
        if inner is not None:
            inner.close()
        if ctx is not None:
            ctx.uow.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
        with psycopg.connect(pg_server.conninfo(), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _source(ctx: Any) -> str:
    from counter_app.services.sync import source_id

    return source_id(ctx)

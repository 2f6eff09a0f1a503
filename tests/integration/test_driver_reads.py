"""db/driver_reads: a Core select run on the driver's cursor returns what a SQLAlchemy
Connection returns for it (every type's result processing: UTC datetimes, booleans, dates,
JSON text), takes the values a statement carries itself, and refuses what it cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest
from pinned_clock import TestClock
from sqlalchemy import Engine, func, select

from counter_app.app import build_context
from counter_app.db.driver_reads import driver_reads
from counter_app.db.models import Dossier, DossierEvent, Procedure, Unit, User
from counter_app.services import views
from counter_app.services.intake import IntakeRequest, register
from counter_app.services.setup import DEMO_APPLICANTS, init_database


@pytest.fixture
def engine(tmp_path: Path, clock: TestClock) -> Engine:
    ctx = build_context(db=str(tmp_path / "reads.db"))
    ctx.clock = clock
    init_database(ctx, demo=True)
    requests = [
        IntakeRequest(procedure="1.001193", name=n, id_number=i, phone=p, address=a)
        for n, i, p, a in DEMO_APPLICANTS
    ]
    register(ctx, requests, "canbo1")
    return ctx.uow.engine


def _both(engine: Engine, stmt, params=None) -> tuple[list[tuple], list[tuple]]:
    with engine.connect() as conn:
        core = [tuple(r) for r in conn.execute(stmt, params or {})]
    with driver_reads(engine) as reads:
        driver = [tuple(r) for r in reads.execute(stmt, params)]
    return core, driver


def test_rows_come_back_as_a_connection_returns_them(engine: Engine) -> None:
    with engine.connect() as conn:
        dossiers = conn.execute(select(Dossier.id, Dossier.code)).all()
        procedures = list(conn.scalars(select(Procedure.id)))
    assert len(dossiers) >= len(DEMO_APPLICANTS)
    for dossier_id, code in dossiers:
        for stmt, params in (
            (views._DOSSIER, {"code": code}),
            (views._DOCUMENTS, {"id": dossier_id}),
            (views._EVENTS, {"id": dossier_id}),
        ):
            core, driver = _both(engine, stmt, params)
            assert driver == core and driver
        assert _both(engine, views._FILES, {"id": dossier_id}) == ([], [])  # none digitised
    for procedure_id in procedures:  # JSON text, booleans, a UTC datetime
        core, driver = _both(engine, views._PROCEDURE, {"id": procedure_id})
        assert driver == core and driver
    tables = (Unit.__table__, User.__table__, Dossier.__table__)
    for stmt in (select(t) for t in tables):  # dates, booleans, nulls
        core, driver = _both(engine, stmt)
        assert driver == core and driver


def test_the_types_are_the_connections(engine: Engine) -> None:
    """Not only equal: the same Python types (a bool, not 1; an aware datetime, not text)."""
    stmt = (
        select(DossierEvent.at, User.active, Unit.earliest_receipt)
        .join(User, User.id == DossierEvent.by_user_id)
        .join(Unit, Unit.id == DossierEvent.unit_id)
        .limit(3)
    )
    core, driver = _both(engine, stmt)
    assert driver == core and driver
    for a, b in zip(driver, core, strict=True):
        assert [type(x) for x in a] == [type(x) for x in b]
        assert a[0].tzinfo is not None


def test_attributes_by_column_key_and_the_statements_own_values(engine: Engine) -> None:
    """A literal in the WHERE and a LIMIT are bind parameters the statement carries."""
    stmt = (
        select(Dossier.code, func.lower(Dossier.applicant_name).label("low"))
        .where(Dossier.status == "accepted")
        .order_by(Dossier.code)
        .limit(2)
    )
    core, driver = _both(engine, stmt)
    assert driver == core and len(driver) == 2
    with driver_reads(engine) as reads:
        rows = reads.execute(stmt)
        assert [r.code for r in rows] == [r[0] for r in core]
        assert rows.first().low == core[0][1]
        assert reads.scalars(stmt) == [r[0] for r in core]
        with pytest.raises(LookupError):
            rows.one()


def test_what_it_cannot_run_is_refused(engine: Engine) -> None:
    """An expanding IN (its SQL is made per call), an ORM entity (its eager loads join other
    tables' columns on, which the statement's own columns do not list)."""
    stmt = select(Dossier.code).where(Dossier.code.in_(["a", "b"]))
    with driver_reads(engine) as reads, pytest.raises(TypeError, match="expanding"):
        reads.execute(stmt)
    with driver_reads(engine) as reads, pytest.raises(TypeError, match="Core selects"):
        reads.execute(select(Dossier))


def test_the_read_leaves_no_transaction_open(engine: Engine) -> None:
    """The pooled connection goes back idle: a writer in another connection is not blocked
    and the next read sees its row."""
    with driver_reads(engine) as reads:
        before = reads.scalars(select(func.count()).select_from(Dossier))[0]
    with engine.begin() as conn:  # would wait on a reader's lock only under a rollback journal
        conn.execute(Dossier.__table__.delete().where(Dossier.code == "none"))
    with driver_reads(engine) as reads:
        assert reads.scalars(select(func.count()).select_from(Dossier))[0] == before
        raw = reads._cursor.connection
        assert raw.in_transaction
    assert not raw.in_transaction

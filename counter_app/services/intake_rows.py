"""A save's reads and rows in few statements (issue 17): every guard value the save checks
read in ONE SELECT inside its write transaction, and the new rows written by Core inserts
(one executemany per table) instead of the ORM's unit of work, which added nothing here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, Text, bindparam, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from counter_app.db.models import (
    AdminUnitOverride,
    DayClose,
    Dossier,
    DossierDocument,
    DossierEvent,
    IntakeRequestRow,
    Meta,
    NameToken,
    Procedure,
    Unit,
    User,
)
from counter_app.db.types import JSONText
from counter_app.services.admin_units import stamp_of
from counter_app.services.auth import get_user
from counter_app.services.calendar import CALENDAR_KEY
from counter_app.services.catalogue import current_procedure
from counter_app.services.receipt import LAST_AUDIT, LAST_OUTBOX, OFFSET_KEY
from counter_app.services.records import LAST_CLOSED, MAX_OUTBOX_SEQ
from counter_app.services.resume import FRESH_KEY, PENDING_KEY
from counter_app.services.units import LOCAL_UNIT_KEY, local_unit


@dataclass(frozen=True)
class SaveFacts:
    """What a save checks, as one transaction saw it (its write lock held: nothing moves)."""

    closed_day: date | None  # the unit's last closed day
    last_outbox_at: datetime | None  # the clock guard's newest records
    last_audit_at: datetime | None
    clock_offset: str | None  # app_meta: the offset to central's clock sync recorded
    fresh_range: str | None  # app_meta: a recovery code range after a restore
    restore_pending: str | None  # app_meta: a restore waiting for its check
    outbox_max: int | None  # the outbox's highest seq (the counter never goes below it)
    calendar_key: str | None  # the calendar overrides' content (services/calendar)
    communes_stamp: tuple[int, str]  # the commune list overrides' (count, newest change)


def _meta(key: str) -> Any:
    return select(Meta.value).where(Meta.key == key).scalar_subquery()


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


_UNITS = _table(Unit)
_USERS = _table(User)
_PROCEDURES = _table(Procedure)
_USER_COLUMNS = ("id", "unit_id", "username", "full_name", "role", "active")
_UNIT_COLUMNS = tuple(_UNITS.c.keys())


def _facts(closed_day: Any) -> tuple[Any, ...]:
    return (
        closed_day,
        LAST_OUTBOX.scalar_subquery(),
        LAST_AUDIT.scalar_subquery(),
        _meta(OFFSET_KEY),
        _meta(FRESH_KEY),
        _meta(PENDING_KEY),
        MAX_OUTBOX_SEQ.scalar_subquery(),
        CALENDAR_KEY,
        select(func.count()).select_from(AdminUnitOverride).scalar_subquery(),
        select(func.max(AdminUnitOverride.updated_at)).scalar_subquery(),
    )


def _to_facts(r: Any) -> SaveFacts:
    return SaveFacts(
        closed_day=r[0],
        last_outbox_at=r[1],
        last_audit_at=r[2],
        clock_offset=r[3],
        fresh_range=r[4],
        restore_pending=r[5],
        outbox_max=r[6],
        calendar_key=r[7],
        communes_stamp=stamp_of(r[8], r[9]),
    )


_FACTS = select(*_facts(LAST_CLOSED.scalar_subquery()))  # built once: every save runs it
# The clerk, this install's unit and the facts in one statement (built once). Rows, not ORM
# entities: the identity map and loading machinery cost more than the query; nothing is cached,
# so a change by another process is seen by the next save.
_CLOSED_OF_UNIT = (
    select(DayClose.day)
    .where(DayClose.unit_id == _UNITS.c.id)
    .order_by(DayClose.day.desc())
    .limit(1)
    .scalar_subquery()
)
_CONTEXT = (
    select(
        *(_USERS.c[name] for name in _USER_COLUMNS),
        *_UNITS.c,
        *_facts(_CLOSED_OF_UNIT),
    )
    .select_from(_USERS)
    .join(_UNITS, _UNITS.c.id == _meta(LOCAL_UNIT_KEY))
    .where(_USERS.c.username == bindparam("username"))
)
# The procedure's document list as stored text: with the other columns it keys _built.
_PROCEDURE_COLUMNS = tuple(_PROCEDURES.c.keys())
_PROCEDURE = select(
    *(type_coerce(c, Text).label(c.key) if c.key == "documents" else c for c in _PROCEDURES.c)
).where(_PROCEDURES.c.code == bindparam("code"), _PROCEDURES.c.is_current)
_JSON = JSONText()

# Objects built from a row, by the row's whole content: a row another process changed is
# another key, so nothing here can be stale; it only spares rebuilding the same User, Unit
# and Procedure at every save. Never added to a session, never changed after building.
_BUILT: dict[tuple[Any, ...], Any] = {}
_BUILT_MAX = 256


def _built(
    model: type[Any], names: tuple[str, ...], values: tuple[Any, ...], dialect: Any = None
) -> Any:
    key = (model, *values)
    found = _BUILT.get(key)
    if found is None:
        fields = dict(zip(names, values, strict=True))
        if "documents" in fields:
            fields["documents"] = _JSON.process_result_value(fields["documents"], dialect)
        found = model(**fields)
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        _BUILT[key] = found
    return found


def read_facts(s: Session, unit_id: str) -> SaveFacts:
    return _to_facts(s.execute(_FACTS, {"unit_id": unit_id}).one())


def read_context(s: Session, username: str) -> tuple[User, Unit, SaveFacts]:
    """The clerk (active), the local unit and the save's facts, as this transaction sees
    them. The User and Unit are built from the row and never added to the session; an
    unknown or inactive clerk or a missing unit is refused by get_user and local_unit."""
    row = s.connection().execute(_CONTEXT, {"username": username.strip().lower()}).first()
    if row is None or not row[_USER_COLUMNS.index("active")]:
        user, unit = get_user(s, username), local_unit(s)
        return user, unit, read_facts(s, unit.id)
    n_user, n_unit = len(_USER_COLUMNS), len(_UNIT_COLUMNS)
    user = _built(User, _USER_COLUMNS, tuple(row[:n_user]))
    unit = _built(Unit, _UNIT_COLUMNS, tuple(row[n_user : n_user + n_unit]))
    return user, unit, _to_facts(row[n_user + n_unit :])


def read_procedure(s: Session, code: str) -> Procedure:
    """The current version of a procedure, built from its row (never added to the
    session); an unknown code is refused by current_procedure."""
    conn = s.connection()
    row = conn.execute(_PROCEDURE, {"code": code.strip()}).first()
    if row is None:
        return current_procedure(s, code)
    proc: Procedure = _built(Procedure, _PROCEDURE_COLUMNS, tuple(row), conn.dialect)
    return proc


def _insert(model: type[Any]) -> Any:
    return insert(cast(Table, model.__table__))


_DOSSIER = _insert(Dossier)
_DOCUMENTS = _insert(DossierDocument)
_TOKENS = _insert(NameToken)
_EVENT = _insert(DossierEvent)
_REQUEST = _insert(IntakeRequestRow)


def write_dossier(
    s: Session,
    dossier: dict[str, Any],
    documents: list[dict[str, Any]],
    tokens: list[dict[str, Any]],
    event: dict[str, Any],
) -> None:
    """The dossier row, its document lines and name tokens (one executemany each) and its
    first event, in the caller's transaction."""
    conn = s.connection()
    conn.execute(_DOSSIER, dossier)
    if documents:
        conn.execute(_DOCUMENTS, documents)
    if tokens:
        conn.execute(_TOKENS, tokens)
    conn.execute(_EVENT, event)


def write_request(s: Session, row: dict[str, Any]) -> None:
    """The client's request id with the dossier it made (a repeat returns that one)."""
    s.connection().execute(_REQUEST, row)

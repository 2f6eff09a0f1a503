"""A save's reads and rows in few statements (issue 17): every guard value the save checks
read in ONE SELECT inside its write transaction, and the new rows written by Core inserts
(one executemany per table) instead of the ORM's unit of work, which added nothing here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from counter_app.db.models import (
    AdminUnitOverride,
    CalendarOverride,
    Dossier,
    DossierDocument,
    DossierEvent,
    IntakeRequestRow,
    Meta,
    NameToken,
)
from counter_app.services.admin_units import stamp_of
from counter_app.services.receipt import _LAST_AUDIT, _LAST_OUTBOX, OFFSET_KEY
from counter_app.services.records import _LAST_CLOSED, _MAX_OUTBOX_SEQ
from counter_app.services.resume import FRESH_KEY, PENDING_KEY


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
    calendar_stamp: tuple[int, str]  # the calendar overrides' (count, newest change)
    communes_stamp: tuple[int, str]  # the commune list overrides' (count, newest change)


def _meta(key: str) -> Any:
    return select(Meta.value).where(Meta.key == key).scalar_subquery()


_FACTS = select(  # built once: every save runs it
    _LAST_CLOSED.scalar_subquery(),
    _LAST_OUTBOX.scalar_subquery(),
    _LAST_AUDIT.scalar_subquery(),
    _meta(OFFSET_KEY),
    _meta(FRESH_KEY),
    _meta(PENDING_KEY),
    _MAX_OUTBOX_SEQ.scalar_subquery(),
    select(func.count()).select_from(CalendarOverride).scalar_subquery(),
    select(func.max(CalendarOverride.updated_at)).scalar_subquery(),
    select(func.count()).select_from(AdminUnitOverride).scalar_subquery(),
    select(func.max(AdminUnitOverride.updated_at)).scalar_subquery(),
)


def read_facts(s: Session, unit_id: str) -> SaveFacts:
    r = s.execute(_FACTS, {"unit_id": unit_id}).one()
    return SaveFacts(
        closed_day=r[0],
        last_outbox_at=r[1],
        last_audit_at=r[2],
        clock_offset=r[3],
        fresh_range=r[4],
        restore_pending=r[5],
        outbox_max=r[6],
        calendar_stamp=(int(r[7] or 0), str(r[8] or "")),
        communes_stamp=stamp_of(r[9], r[10]),
    )


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

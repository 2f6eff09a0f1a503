"""Append-only records written inside a business transaction: audit, outbox, dossier events."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from counter_app.db.models import AuditEntry, DayClose, Dossier, DossierEvent, OutboxEvent
from counter_app.domain.errors import ValidationError
from counter_app.domain.ids import new_id
from counter_app.services.numbering import next_number

GENESIS = "0" * 64


def _canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def audit_hash(prev_hash: str, at: datetime, username: str, action: str, detail: Any) -> str:
    # The instant in UTC: the column stores UTC and reads back UTC, so a local-time `at`
    # (ctx.now()) must hash the same as the value verify_audit_chain reads back.
    body = _canonical([prev_hash, at.astimezone(UTC).isoformat(), username, action, detail])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append_audit(
    s: Session, at: datetime, username: str, action: str, detail: dict[str, Any]
) -> AuditEntry:
    # Appends take turns: SQLite's BEGIN IMMEDIATE, and on PostgreSQL the write lock every
    # uow.write() takes first (db/uow.py); the read below then sees the last committed entry.
    prev = s.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)) or GENESIS
    entry = AuditEntry(
        at=at,
        username=username,
        action=action,
        detail=detail,
        prev_hash=prev,
        hash=audit_hash(prev, at, username, action, detail),
    )
    s.add(entry)
    return entry


def verify_audit_chain(s: Session) -> int | None:
    """The seq of the first entry whose hash does not match, or None when the chain holds."""
    prev = GENESIS
    for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        if e.prev_hash != prev or e.hash != audit_hash(prev, e.at, e.username, e.action, e.detail):
            return e.seq
        prev = e.hash
    return None


_OUTBOX_COUNTED = "outbox_counter_checked"
MAX_OUTBOX_SEQ = select(func.max(OutboxEvent.seq))  # built once: every save runs it
_INSERT_OUTBOX = insert(cast(Table, OutboxEvent.__table__))


def _outbox_start(s: Session, table_max: int | None) -> int:
    """The counter never below the table's highest number: read once per transaction (a
    save emits two or more events; after the first the counter is known to be past it).
    `table_max`: that highest number when the caller already read it in this transaction."""
    if s.info.get(_OUTBOX_COUNTED):
        return 1
    if table_max is None:
        table_max = s.scalar(MAX_OUTBOX_SEQ)
    return (table_max or 0) + 1


def emit(s: Session, unit_id: str, kind: str, payload: dict[str, Any], at: datetime) -> None:
    """Queue an event for central in the caller's transaction, numbered without gaps.

    The number comes from the same row-locked counter as dossier codes, not from an
    autoincrement: a PostgreSQL sequence skips numbers on rollback and commits out of
    order, and central acknowledges only the highest sequence it holds without a gap.
    """
    seq = next_number(s, unit_id, "outbox", "-", start=_outbox_start(s, None), end=2**31 - 1)
    s.info[_OUTBOX_COUNTED] = True
    s.add(
        OutboxEvent(
            seq=seq, event_id=new_id(), unit_id=unit_id, kind=kind, payload=payload, created_at=at
        )
    )


def emit_many(
    s: Session,
    unit_id: str,
    events: list[tuple[str, dict[str, Any]]],
    at: datetime,
    *,
    table_max: int | None = None,
) -> None:
    """Queue several events as `emit` does, in order, with one bump of the counter and one
    INSERT for all of them (a new dossier and its first event)."""
    if not events:
        return
    start = _outbox_start(s, table_max)
    last = next_number(s, unit_id, "outbox", "-", start=start, end=2**31 - 1, count=len(events))
    s.info[_OUTBOX_COUNTED] = True
    first = last - len(events) + 1
    rows = [
        {
            "seq": first + i,
            "event_id": new_id(),
            "unit_id": unit_id,
            "kind": kind,
            "payload": payload,
            "created_at": at,
        }
        for i, (kind, payload) in enumerate(events)
    ]
    s.connection().execute(_INSERT_OUTBOX, rows)


def last_closed_day(s: Session, unit_id: str) -> date | None:
    return s.scalar(LAST_CLOSED, {"unit_id": unit_id})


LAST_CLOSED = (  # built once: every save runs it
    select(DayClose.day)
    .where(DayClose.unit_id == bindparam("unit_id"))
    .order_by(DayClose.day.desc())
    .limit(1)
)


def check_day_open(s: Session, unit_id: str, business_day: date) -> None:
    refuse_closed_day(last_closed_day(s, unit_id), business_day)


def refuse_closed_day(closed: date | None, business_day: date) -> None:
    """Refuse a business day at or before the unit's last closed day `closed`."""
    if closed is not None and business_day <= closed:
        raise ValidationError("day_closed", day=business_day.isoformat(), closed=closed.isoformat())


def event_record(
    *,
    unit_id: str,
    dossier_id: str,
    code: str,
    kind: str,
    status: str,
    at: datetime,
    business_day: date,
    by_user_id: str,
    recorded_at: datetime,
    step: int,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A status change's event row (column values) and its outbox payload for central;
    `step` is its place in the dossier's history (1 = the intake)."""
    values = {
        "id": new_id(),
        "unit_id": unit_id,
        "dossier_id": dossier_id,
        "step": step,
        "kind": kind,
        "status": status,
        "at": at,
        "business_day": business_day,
        "by_user_id": by_user_id,
        "reason": reason,
        "data": data or {},
        "recorded_at": recorded_at,
    }
    payload = {
        "id": values["id"],
        "dossier_id": dossier_id,
        "code": code,
        "kind": kind,
        "status": status,
        "at": at.isoformat(),
        "business_day": business_day.isoformat(),
        "by": by_user_id,
        "reason": reason,
        "data": data or {},
    }
    return values, payload


def append_event(
    s: Session,
    dossier: Dossier,
    *,
    kind: str,
    status: str,
    at: datetime,
    business_day: date,
    by_user_id: str,
    recorded_at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    day_checked: bool = False,
) -> DossierEvent:
    """Record a status change: the event row, the status projection and its outbox entry.
    The event is the dossier's next step: its last one + 1, read in this transaction (the
    writer's lock is held, so no other counter writes a step in between).

    `day_checked`: the caller already refused a closed business day in this transaction.
    """
    if not day_checked:
        check_day_open(s, dossier.unit_id, business_day)
    last = s.scalar(
        select(func.max(DossierEvent.step)).where(DossierEvent.dossier_id == dossier.id)
    )
    values, payload = event_record(
        unit_id=dossier.unit_id,
        dossier_id=dossier.id,
        code=dossier.code,
        kind=kind,
        status=status,
        at=at,
        business_day=business_day,
        by_user_id=by_user_id,
        recorded_at=recorded_at,
        step=(last or 0) + 1,
        reason=reason,
        data=data,
    )
    ev = DossierEvent(**values)
    s.add(ev)
    dossier.status = status
    emit(s, dossier.unit_id, "dossier_event", payload, recorded_at)
    return ev

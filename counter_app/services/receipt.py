"""Receipt bounds and the PC's clock (issue 12 items 2 and 4): the unit's settings, and the
check intake runs before it takes a dossier.

A counter whose clock is far off would date dossiers, due dates and day closes wrongly.
Intake refuses while now is before the newest record already written (the clock was stepped
back: the last outbox row and the last audit entry, each read by its primary key, so the
check costs two index look-ups), or while the offset from central's clock measured at the
last sync (services/sync, app_meta `sync.clock_offset_s`) is beyond the unit's limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.models import AuditEntry, Meta, OutboxEvent, Unit
from counter_app.domain import receipt as rules
from counter_app.domain.errors import ValidationError
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit
from counter_app.services.units import local_unit

OFFSET_KEY = "sync.clock_offset_s"  # written by services/sync at each hello


@dataclass(frozen=True)
class ReceiptSettings:
    earliest_receipt: date
    clock_skew_h: int

    def as_json(self) -> dict[str, Any]:
        return {
            "earliest_receipt": self.earliest_receipt.isoformat(),
            "clock_skew_h": self.clock_skew_h,
        }


def get_settings(ctx: ServiceContext) -> ReceiptSettings:
    with ctx.uow.read() as s:
        unit = local_unit(s)
        return ReceiptSettings(unit.earliest_receipt, unit.clock_skew_h)


def check_settings(ctx: ServiceContext, earliest: date | None, skew_h: int | None) -> None:
    """Refuse bad values before `unit set` changes anything."""
    if earliest is not None:
        rules.check_earliest(earliest, ctx.now().date())
    if skew_h is not None:
        rules.check_skew_hours(skew_h)


def set_settings(
    ctx: ServiceContext,
    *,
    earliest: date | None = None,
    skew_h: int | None = None,
    username: str = "system",
) -> ReceiptSettings:
    """`unit set --earliest-receipt D --clock-skew-h N`: one transaction, audited."""
    check_settings(ctx, earliest, skew_h)
    if earliest is None and skew_h is None:
        raise ValidationError("unit_settings_none")
    with ctx.uow.write() as s:
        unit = local_unit(s)
        detail: dict[str, Any] = {}
        if earliest is not None:
            unit.earliest_receipt = earliest
            detail["earliest_receipt"] = earliest.isoformat()
        if skew_h is not None:
            unit.clock_skew_h = skew_h
            detail["clock_skew_h"] = skew_h
        append_audit(s, ctx.clock(), username, "unit_set", detail)
        return ReceiptSettings(unit.earliest_receipt, unit.clock_skew_h)


# Built once: every save runs them (building a statement costs more than running it).
LAST_OUTBOX = select(OutboxEvent.created_at).order_by(OutboxEvent.seq.desc()).limit(1)
LAST_AUDIT = select(AuditEntry.at).order_by(AuditEntry.seq.desc()).limit(1)


def check_clock(s: Session, ctx: ServiceContext, unit: Unit) -> None:
    """Refuse (ValidationError) while the PC's clock cannot be trusted; see the module doc."""
    row = s.get(Meta, OFFSET_KEY)
    offset = row.value if row else None
    judge_clock(ctx, unit, s.scalar(LAST_OUTBOX), s.scalar(LAST_AUDIT), offset)


def judge_clock(
    ctx: ServiceContext,
    unit: Unit,
    last_out: datetime | None,
    last_audit: datetime | None,
    offset_value: str | None,
) -> None:
    """check_clock on values already read: the newest outbox entry's and audit entry's
    times and the offset to central's clock that sync recorded (app_meta, as text)."""
    now = ctx.clock()
    newest = max((t for t in (last_out, last_audit) if t is not None), default=None)
    if newest is not None and now < newest - rules.CLOCK_BEHIND_TOLERANCE:
        raise ValidationError(
            "clock_behind_records",
            now=f"{ctx.local(now):%d/%m/%Y %H:%M}",
            newest=f"{ctx.local(newest):%d/%m/%Y %H:%M}",
        )
    try:
        offset = abs(float(offset_value)) if offset_value is not None else 0.0
    except ValueError:
        offset = 0.0
    if offset > unit.clock_skew_h * 3600:
        raise ValidationError(
            "clock_off_central", hours=f"{offset / 3600:.1f}", limit=unit.clock_skew_h
        )

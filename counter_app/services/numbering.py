"""Gap-free numbers (dossier codes per day, register numbers per year) under the write lock."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from counter_app.db.models import Counter
from counter_app.domain.errors import ValidationError


def next_number(
    s: Session, unit_id: str, kind: str, period: str, *, start: int = 1, end: int = 99_999
) -> int:
    """Next number in (unit, kind, period); the caller's transaction owns it until commit.

    SQLite: the transaction began with BEGIN IMMEDIATE, so this read-modify-write is serial.
    PostgreSQL: the counter row is created if absent, then locked with SELECT … FOR UPDATE.
    """
    dialect = s.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Counter)
    s.execute(
        ins.values(
            unit_id=unit_id, kind=kind, period=period, last=start - 1
        ).on_conflict_do_nothing()
    )
    row = s.execute(
        select(Counter)
        .where(Counter.unit_id == unit_id, Counter.kind == kind, Counter.period == period)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    value = max(row.last, start - 1) + 1
    if value > end:
        raise ValidationError("sequence_exhausted", kind=kind, period=period, end=end)
    row.last = value
    return value

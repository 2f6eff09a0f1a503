"""Gap-free numbers (dossier codes per day, register numbers per year) under the write lock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, bindparam, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from counter_app.db.models import Counter
from counter_app.domain.errors import ValidationError


def next_number(
    s: Session, unit_id: str, kind: str, period: str, *, start: int = 1, end: int = 99_999
) -> int:
    """Next number in (unit, kind, period); the caller's transaction owns it until commit.

    One upsert with RETURNING: it creates the counter at `start` or bumps it (never below
    `start`). On SQLite the transaction began with BEGIN IMMEDIATE, so this is serial; on
    PostgreSQL the upsert's row lock serialises concurrent writers until commit. A number
    past `end` is refused, and the rollback undoes the bump: nothing is ever skipped.
    """
    stmt = _upsert(s.get_bind().dialect.name)
    params = {"unit_id": unit_id, "kind": kind, "period": period, "start": start}
    value = int(s.execute(stmt, params).scalar_one())
    if value > end:
        raise ValidationError("sequence_exhausted", kind=kind, period=period, end=end)
    return value


_UPSERTS: dict[str, Any] = {}


def _upsert(dialect: str) -> Any:
    """The counter's upsert, built once per dialect (a save draws four numbers; building
    and hashing the statement each time cost more than running it)."""
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        start = bindparam("start", type_=Integer)
        ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Counter)
        stmt = (
            ins.values(
                unit_id=bindparam("unit_id"),
                kind=bindparam("kind"),
                period=bindparam("period"),
                last=start,
            )
            .on_conflict_do_update(
                index_elements=[Counter.unit_id, Counter.kind, Counter.period],
                set_={"last": case((Counter.last >= start - 1, Counter.last + 1), else_=start)},
            )
            .returning(Counter.last)
        )
        _UPSERTS[dialect] = stmt
    return stmt

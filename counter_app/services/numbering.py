"""Gap-free numbers (dossier codes per day, register numbers per year) under the write lock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, case
from sqlalchemy.orm import Session

from counter_app.db.models import Counter
from counter_app.db.upsert import upsert
from counter_app.domain.errors import ValidationError


def next_number(
    s: Session,
    unit_id: str,
    kind: str,
    period: str,
    *,
    start: int = 1,
    end: int = 99_999,
    count: int = 1,
) -> int:
    """Next number in (unit, kind, period); the caller's transaction owns it until commit.

    One upsert with RETURNING: it creates the counter at `start` or bumps it (never below
    `start`). On SQLite the transaction began with BEGIN IMMEDIATE, so this is serial; on
    PostgreSQL the upsert's row lock serialises concurrent writers until commit. A number
    past `end` is refused, and the rollback undoes the bump: nothing is ever skipped.
    `count` > 1 draws that many consecutive numbers in the one statement and returns the
    last (a save's outbox rows: value - count + 1 … value).
    """
    stmt = _upsert(s.get_bind().dialect.name)
    params = {"unit_id": unit_id, "kind": kind, "period": period, "start": start, "n": count}
    # On the session's connection: a Core statement on the table, no ORM bulk-insert path
    # and no autoflush (the counter row is nothing the session holds).
    value = int(s.connection().execute(stmt, params).scalar_one())
    if value > end:
        raise ValidationError("sequence_exhausted", kind=kind, period=period, end=end)
    return value


_UPSERTS: dict[Any, Any] = {}  # by dialect (one counter) or (dialect, n counters)


def _upsert(dialect: str) -> Any:
    """The counter's upsert, built once per dialect (a save draws four numbers; building
    and hashing the statement each time cost more than running it)."""
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        start = bindparam("start", type_=Integer)
        n = bindparam("n", type_=Integer)
        table = cast(Table, Counter.__table__)
        c = table.c
        ins = upsert(dialect, table)
        stmt = (
            ins.values(
                unit_id=bindparam("unit_id"),
                kind=bindparam("kind"),
                period=bindparam("period"),
                last=start + n - 1,
            )
            .on_conflict_do_update(
                index_elements=[c.unit_id, c.kind, c.period],
                set_={"last": case((c.last >= start - 1, c.last + n), else_=start + n - 1)},
            )
            .returning(c.last)
        )
        _UPSERTS[dialect] = stmt
    return stmt


@dataclass(frozen=True)
class Draw:
    """One number wanted from the counter (kind, period), as next_number's arguments."""

    kind: str
    period: str
    start: int = 1
    end: int = 99_999


def next_numbers(s: Session, unit_id: str, draws: Sequence[Draw]) -> list[int]:
    """next_number for several different counters in ONE upsert (a save's dossier code,
    register number and certification number), same rules, in the order asked."""
    if len(draws) == 1:
        d = draws[0]
        return [next_number(s, unit_id, d.kind, d.period, start=d.start, end=d.end)]
    conn = s.connection()
    params = [
        {"unit_id": unit_id, "kind": d.kind, "period": d.period, "start": d.start} for d in draws
    ]
    rows = conn.execute(_multi(conn.dialect.name), params)
    got = {(k, p): int(v) for k, p, v in rows}
    out = []
    for d in draws:
        value = got[(d.kind, d.period)]
        if value > d.end:
            raise ValidationError("sequence_exhausted", kind=d.kind, period=d.period, end=d.end)
        out.append(value)
    return out


def _multi(dialect: str) -> Any:
    """The upsert of one counter with RETURNING (kind, period, last), run for several
    counters as one executemany, which SQLAlchemy sends as one multi-row statement
    ("insertmanyvalues"). Each row's `start` is the value it is inserted with, so the update
    reads it back as excluded.last. Built once per dialect: SQLAlchemy compiles the one-row
    form and caches it; the multi-row VALUES … ON CONFLICT built before had no cache key and
    was compiled again at every save (~0.3 ms)."""
    stmt = _UPSERTS.get((dialect, "many"))
    if stmt is None:
        table = cast(Table, Counter.__table__)
        c = table.c
        ins = upsert(dialect, table)
        ins = ins.values(
            unit_id=bindparam("unit_id"),
            kind=bindparam("kind"),
            period=bindparam("period"),
            last=bindparam("start", type_=Integer),
        )
        start = ins.excluded.last
        stmt = ins.on_conflict_do_update(
            index_elements=[c.unit_id, c.kind, c.period],
            set_={"last": case((c.last >= start - 1, c.last + 1), else_=start)},
        ).returning(c.kind, c.period, c.last)
        _UPSERTS[(dialect, "many")] = stmt
    return stmt

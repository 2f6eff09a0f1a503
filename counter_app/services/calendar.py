"""Calendar overrides (extra days off, make-up working days) and the working calendar."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from counter_app.db.models import CalendarOverride
from counter_app.domain.text import clean_text
from counter_app.domain.workdays import WorkCalendar
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit


@dataclass(frozen=True)
class OverrideInfo:
    day: date
    is_workday: bool
    note: str


def load_calendar(s: Session) -> WorkCalendar:
    rows = s.scalars(select(CalendarOverride)).all()
    return WorkCalendar({r.day: (r.is_workday, r.note) for r in rows})


_lock = threading.Lock()
_cache: dict[tuple[int, str], WorkCalendar] = {}


def calendar_for(s: Session, stamp: tuple[int, str]) -> WorkCalendar:
    """load_calendar, kept per process while the overrides' stamp (their row count and
    newest updated_at, which every write sets: set_override, sync) read in this
    transaction stays the same; another process's change moves the stamp."""
    with _lock:
        found = _cache.get(stamp)
    if found is not None:
        return found
    built = load_calendar(s)
    with _lock:
        _cache.clear()
        _cache[stamp] = built
    return built


def set_override(
    ctx: ServiceContext, day: date, is_workday: bool, note: str = "", username: str = "system"
) -> OverrideInfo:
    note = clean_text(note, "note", max_len=200, required=False)
    now = ctx.clock()
    with ctx.uow.write() as s:
        row = s.get(CalendarOverride, day)
        if row is None:
            row = CalendarOverride(day=day, is_workday=is_workday, note=note, updated_at=now)
            s.add(row)
        else:
            row.is_workday, row.note, row.updated_at = is_workday, note, now
        append_audit(
            s,
            now,
            username,
            "calendar_set",
            {"day": day.isoformat(), "work": is_workday, "note": note},
        )
    return OverrideInfo(day, is_workday, note)


def list_overrides(ctx: ServiceContext, year: int | None = None) -> list[OverrideInfo]:
    with ctx.uow.read() as s:
        q = select(CalendarOverride).order_by(CalendarOverride.day)
        if year is not None:
            q = q.where(extract("year", CalendarOverride.day) == year)
        return [OverrideInfo(r.day, r.is_workday, r.note) for r in s.scalars(q)]

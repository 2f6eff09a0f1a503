"""Calendar overrides (extra days off, make-up working days) and the working calendar."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, cast, extract, func, select
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
_cache: dict[str, WorkCalendar] = {}
_row = CalendarOverride.__table__.c
# The overrides' whole content in one string (a few dozen short rows a year): read inside a
# save's transaction it tells exactly whether the calendar kept per process still holds,
# whoever changed it (this process, another, sync), whatever the clock said at the time.
CALENDAR_KEY = select(
    func.aggregate_strings(
        cast(_row.day, String) + "|" + cast(_row.is_workday, String) + "|" + _row.note, ";"
    )
).scalar_subquery()


def calendar_for(s: Session, key: str | None) -> WorkCalendar:
    """load_calendar, kept per process while CALENDAR_KEY, read in this transaction, is
    the same."""
    key = key or ""
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found
    built = load_calendar(s)
    with _lock:
        _cache.clear()
        _cache[key] = built
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

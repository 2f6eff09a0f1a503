"""Working-day calendar and due dates for dossiers (DOMAIN.md §5)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from counter_app.domain.errors import ValidationError

WEEKEND_NAMES = {5: "Thứ Bảy", 6: "Chủ nhật"}
DEFAULT_DAY_OFF_NOTE = "Ngày nghỉ"
# No real calendar has a year of days off in a row; past that an override table is wrong.
_MAX_SCAN_DAYS = 366
_NO_OVERRIDES: Mapping[date, tuple[bool, str]] = MappingProxyType({})


@dataclass(frozen=True)
class _YearData:
    names: dict[date, str]  # public holidays and substitute days off
    makeup_days: frozenset[date]  # weekend days the government made working days


@functools.cache
def _load_year(year: int) -> _YearData:
    """One year of the package's calendar, cached for the process (shared by calendars)."""
    import holidays  # ~0.2 s: only when a year's calendar is built (issue 17)

    vn = holidays.country_holidays("VN", years=year, language="vi")
    # `weekend_workdays` holds the Saturdays swapped for a day off ("Ngày nghỉ (thay
    # cho ngày 22/08/2026)" makes 22/08/2026 a working day). Swaps that cross a year
    # (27/12/2014 for 02/01/2015) are listed whichever year is loaded.
    return _YearData(dict(vn.items()), frozenset(vn.weekend_workdays))


def preload_years(today: date) -> None:
    """The package's calendar for `today`'s year and the next, loaded ahead of the first due
    date: importing `holidays` and building a year took ~0.9 s of the first save after the
    window showed (the counter window runs this on a worker thread once it is up)."""
    for year in (today.year, today.year + 1):
        _load_year(year)


class WorkCalendar:
    """Working days: Mon-Fri minus public holidays, plus make-up Saturdays; overrides win.

    `overrides` maps a date to (is_working_day, note): True for an extra working day
    (a make-up Saturday), False for an extra day off, with the note shown to users.
    """

    def __init__(self, overrides: Mapping[date, tuple[bool, str]] = _NO_OVERRIDES) -> None:
        self._overrides = dict(overrides)

    def _holiday_name(self, d: date) -> str | None:
        return _load_year(d.year).names.get(d)

    def _is_makeup_day(self, d: date) -> bool:
        return d in _load_year(d.year).makeup_days

    def day_off_name(self, d: date) -> str | None:
        """Why `d` is not a working day (Vietnamese), or None when it is one."""
        override = self._overrides.get(d)
        if override is not None:
            working, note = override
            return None if working else (note.strip() or DEFAULT_DAY_OFF_NOTE)
        name = self._holiday_name(d)
        if name is not None:
            return name
        if d.weekday() in WEEKEND_NAMES and not self._is_makeup_day(d):
            return WEEKEND_NAMES[d.weekday()]
        return None

    def is_working_day(self, d: date) -> bool:
        return self.day_off_name(d) is None

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        for offset in range(1, _MAX_SCAN_DAYS + 1):
            candidate = d + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValidationError("calendar_no_working_day", after=d.isoformat())

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after `d` (`d` itself not counted); n = 0 gives `d`."""
        if n < 0:
            raise ValidationError("processing_days_invalid", processing_days=n)
        for _ in range(n):
            d = self.next_working_day(d)
        return d


@dataclass(frozen=True)
class OfficeHours:
    open: time = time(7, 30)
    close: time = time(17, 0)
    cutoff: time = time(15, 0)

    def __post_init__(self) -> None:
        if not self.open < self.close or not self.open <= self.cutoff <= self.close:
            raise ValidationError("office_hours_invalid")


DEFAULT_HOURS = OfficeHours()

# Day names that belong to one holiday, so "Giao thừa", "Mùng hai", "29 Tết" … group.
_SUFFIX_RE = re.compile(r"\s*\((?:nghỉ bù|dự kiến)[^)]*\)$")
_LUNAR_NEW_YEAR = "Tết Nguyên Đán"


def holiday_family(name: str) -> str:
    """The holiday a day-off name belongs to: 'Mùng hai Tết Nguyên Đán' -> 'Tết Nguyên Đán'."""
    if _LUNAR_NEW_YEAR in name or name.endswith(" Tết"):
        return _LUNAR_NEW_YEAR
    if name.startswith(f"{DEFAULT_DAY_OFF_NOTE} (thay cho"):
        return "Ngày nghỉ bù"
    return _SUFFIX_RE.sub("", name)


def _span_text(first: date, last: date) -> str:
    if first == last:
        return f"{first:%d/%m}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%d}–{last:%d/%m}"
    return f"{first:%d/%m}–{last:%d/%m}"


@dataclass(frozen=True)
class DuePlan:
    effective_day: date
    due_at: datetime
    # Every non-working day from the receipt date up to the due date, with its name:
    # the days that pushed the effective day and the due date later.
    skipped: tuple[tuple[date, str], ...]

    def skipped_summary(self) -> str:
        """Holidays skipped, grouped: 'Tết Nguyên Đán 16–20/02; Ngày Chiến thắng 30/04'.

        Plain weekends are left out; days of one holiday separated only by a weekend group.
        """
        groups: list[tuple[str, date, date]] = []
        for d, name in self.skipped:
            if name in WEEKEND_NAMES.values():
                continue
            family = holiday_family(name)
            if groups and groups[-1][0] == family:
                groups[-1] = (family, groups[-1][1], d)
            else:
                groups.append((family, d, d))
        return "; ".join(f"{family} {_span_text(a, b)}" for family, a, b in groups)


TIME_UNITS = ("working_days", "calendar_days", "hours")


def before_cutoff(received_at: datetime, hours: OfficeHours) -> bool:
    """Whether a receipt counts for its own day: "sau 15 giờ" means after 15:00, so 15:00
    itself is before (DOMAIN.md §5). Compared to the minute, as the receipt prints it: a
    receipt printed "15 giờ 00 phút" is before the cut-off whatever its seconds."""
    return received_at.time().replace(second=0, microsecond=0) <= hours.cutoff


def _effective_day(received_at: datetime, cal: WorkCalendar, hours: OfficeHours) -> date:
    day = received_at.date()
    if cal.is_working_day(day) and before_cutoff(received_at, hours):
        return day
    return cal.next_working_day(day)


def _due_time(received_at: datetime, processing_days: int, hours: OfficeHours) -> time:
    if processing_days == 0:
        return hours.close
    clock = received_at.time().replace(second=0, microsecond=0)
    return min(max(clock, hours.open), hours.close)


def compute_due(
    received_at: datetime,
    processing_days: int,
    cal: WorkCalendar,
    hours: OfficeHours = DEFAULT_HOURS,
    *,
    time_unit: str = "working_days",
) -> DuePlan:
    """Due date and time of a dossier (DOMAIN.md §5, CHOICE rules).

    `processing_days` is the procedure's time in its catalogue `time_unit`:

    - "working_days" (most procedures): R = the receipt date if it is a working day and the
      clock is not after the cut-off (15:00 itself is before), else the next working day;
      due date = the N-th working day after R (N = 0: R). Due time = the receipt's clock
      time (to the minute) moved into office hours; N = 0 is due at closing time.
    - "calendar_days": the same R and due time, but the due date is R + N calendar days;
      a due date that falls on a day off moves to the next working day (a period ending
      on a day off ends on the next working day).
    - "hours": N working hours counted inside office hours from the receipt (a receipt
      before opening, after closing or on a day off starts at the next opening); the
      cut-off does not apply, the clock simply runs during office hours. 4 hours from
      15:30 with 07:30-17:00 hours: 1 h 30 that day, 2 h 30 the next working day -> 10:00.

    `received_at` must be timezone-aware; its own local date and clock are used and
    `due_at` keeps its tzinfo.
    """
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValidationError("received_at_naive")
    if processing_days < 0:
        raise ValidationError("processing_days_invalid", processing_days=processing_days)
    if time_unit == "hours":
        effective, due_at = _due_in_hours(received_at, processing_days, cal, hours)
        pushed_from = effective
    else:
        effective = _effective_day(received_at, cal, hours)
        if time_unit == "calendar_days":
            pushed_from = effective + timedelta(days=processing_days)
            due_day = pushed_from
            if not cal.is_working_day(due_day):
                due_day = cal.next_working_day(due_day)
        elif time_unit == "working_days":
            due_day = cal.add_working_days(effective, processing_days)
            pushed_from = effective
        else:
            raise ValidationError("time_unit_invalid", time_unit=time_unit)
        due_at = datetime.combine(due_day, _due_time(received_at, processing_days, hours))
    due_day = due_at.date()
    skipped: list[tuple[date, str]] = []
    day = received_at.date()
    while day < due_day:
        # calendar days: only the days off before R and those at the end that moved the date
        if day < effective or day >= pushed_from:
            name = cal.day_off_name(day)
            if name is not None:
                skipped.append((day, name))
        day += timedelta(days=1)
    return DuePlan(effective, due_at.replace(tzinfo=received_at.tzinfo), tuple(skipped))


def _due_in_hours(
    received_at: datetime, n_hours: int, cal: WorkCalendar, hours: OfficeHours
) -> tuple[date, datetime]:
    """(the day the clock starts, the moment `n_hours` office hours later); naive local."""
    day = received_at.date()
    clock = received_at.time().replace(second=0, microsecond=0)
    if not cal.is_working_day(day) or clock >= hours.close:
        day, clock = cal.next_working_day(day), hours.open
    clock = max(clock, hours.open)
    start_day = day
    left = timedelta(hours=n_hours)
    while True:
        now = datetime.combine(day, clock)
        room = datetime.combine(day, hours.close) - now
        if left <= room:
            return start_day, now + left
        left -= room
        day, clock = cal.next_working_day(day), hours.open

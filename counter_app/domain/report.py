"""The periodic report (DOMAIN.md §6, DESIGN.md §4): one dossier's facts -> its counters.

Pure: the services gather each dossier's facts as local calendar days (the unit's time
zone) and this module decides what it counts for in a period [start, end] of days.

Choices, written down:
- *resolved* = the result became ready in the period (the first `result_ready` event).
  Early / on time / late compare that day with the ORIGINAL due date, the one before any
  apology: before its day = early, on its day = on time, after = late. An apology's new
  date never turns a late dossier on time; late ones that had an apology are counted
  again in `resolved_late_apologized`.
- *in progress* = received on or before `end` and neither resolved nor refused, withdrawn
  or stopped by the end of `end`. *Overdue* among them: the original due day is on or
  before `end` (at the end of that day it has passed; resolving it later is late) — the
  same date the late count uses, so an apology does not hide an overdue dossier.
- *carried over* = received before `start` and still open at the start of `start`.
- `on_time_rate` = (early + on time) ÷ resolved, a fraction rounded to 4 places; None
  (JSON null) when nothing was resolved: "no result" is not "0 % on time".
- `ratings`: citizens' ratings per level, {level key: count} best first (domain/ratings.py);
  the services fill it in (a rating is no dossier fact); `Tally.row()` leaves it {}.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from counter_app.domain.errors import ValidationError

# The counters of every report row, in the order tables and CSV files show them.
COUNT_KEYS = (
    "carried_over",
    "received",
    "received_direct",
    "received_online",
    "received_postal",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "resolved_late_apologized",
    "in_progress",
    "in_progress_overdue",
    "refused",
    "withdrawn",
    "stopped",
    "returned",
    "returned_postal",
)
REPORT_KEYS = (*COUNT_KEYS, "on_time_rate", "ratings")
CHANNEL_KEYS = {
    "counter": "received_direct",
    "online": "received_online",
    "postal": "received_postal",
}
END_KINDS = ("refused", "withdrawn", "stopped")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValidationError(
                "report_range_invalid", start=f"{self.start:%d/%m/%Y}", end=f"{self.end:%d/%m/%Y}"
            )

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class DossierFacts:
    """One dossier as the report sees it: local days of what happened to it."""

    received: date
    channel: str  # counter | online | postal
    original_due: date  # before any apology
    ready: date | None = None  # the result became ready
    ended: date | None = None  # refused, withdrawn or stopped
    end_kind: str = ""  # which of END_KINDS
    returned: date | None = None
    returned_postal: bool = False
    apologized: bool = False


def timeliness(ready: date, due: date) -> str:
    """resolved_early | resolved_on_time | resolved_late: on the due day is on time."""
    if ready < due:
        return "resolved_early"
    if ready == due:
        return "resolved_on_time"
    return "resolved_late"


def _open_at_end_of(f: DossierFacts, day: date) -> bool:
    return (f.ready is None or f.ready > day) and (f.ended is None or f.ended > day)


def classify(f: DossierFacts, period: Period) -> list[str]:
    """The counters this dossier adds one to in `period`."""
    if f.received > period.end:
        return []
    out: list[str] = []
    if f.received < period.start:
        if (f.ready is None or f.ready >= period.start) and (
            f.ended is None or f.ended >= period.start
        ):
            out.append("carried_over")
    else:
        out += ["received", CHANNEL_KEYS.get(f.channel, "received_direct")]
    if f.ready is not None and period.holds(f.ready):
        kind = timeliness(f.ready, f.original_due)
        out += ["resolved", kind]
        if kind == "resolved_late" and f.apologized:
            out.append("resolved_late_apologized")
    if _open_at_end_of(f, period.end):
        out.append("in_progress")
        if f.original_due <= period.end:
            out.append("in_progress_overdue")
    if f.end_kind in END_KINDS and period.holds(f.ended):
        out.append(f.end_kind)
    if period.holds(f.returned):
        out.append("returned")
        if f.returned_postal:
            out.append("returned_postal")
    return out


class Tally:
    """Counters being added up; `row()` gives the report's keys."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, keys: Iterable[str], times: int = 1) -> None:
        for k in keys:
            self.counts[k] += times

    def merge(self, other: Tally) -> None:
        self.counts.update(other.counts)

    def row(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: self.counts.get(k, 0) for k in COUNT_KEYS}
        out["on_time_rate"] = on_time_rate(out)
        out["ratings"] = {}
        return out


def on_time_rate(row: dict[str, Any]) -> float | None:
    resolved = int(row["resolved"])
    if not resolved:
        return None
    return round((int(row["resolved_early"]) + int(row["resolved_on_time"])) / resolved, 4)


def empty_row() -> dict[str, Any]:
    return Tally().row()


@dataclass(frozen=True)
class Line:
    """The procedure a dossier was taken under (its code's name and sector)."""

    procedure: str
    name: str
    sector: str


@dataclass(frozen=True)
class Summary:
    totals: dict[str, Any]
    by_sector: list[dict[str, Any]]
    by_procedure: list[dict[str, Any]]


def summarize(groups: Iterable[tuple[Line, DossierFacts, int]], period: Period) -> Summary:
    """Add up (procedure, facts, how many dossiers share them) into totals and breakdowns.
    Rows where nothing counts are left out; sectors and procedures come sorted."""
    total = Tally()
    sectors: dict[str, Tally] = {}
    procedures: dict[str, Tally] = {}
    names: dict[str, Line] = {}
    seen: dict[DossierFacts, list[str]] = {}
    for line, facts, times in groups:
        keys = seen.get(facts)
        if keys is None:
            keys = seen[facts] = classify(facts, period)
        if not keys:
            continue
        total.add(keys, times)
        sectors.setdefault(line.sector, Tally()).add(keys, times)
        procedures.setdefault(line.procedure, Tally()).add(keys, times)
        names.setdefault(line.procedure, line)
    by_sector = [{"sector": k, **sectors[k].row()} for k in sorted(sectors)]
    by_procedure = [
        {
            "procedure": code,
            "name": names[code].name,
            "sector": names[code].sector,
            **procedures[code].row(),
        }
        for code in sorted(procedures)
    ]
    return Summary(total.row(), by_sector, by_procedure)


def add_rows(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The sum of report rows (a province's total over its units), the rate recomputed."""
    t = Tally()
    for r in rows:
        t.counts.update({k: int(r.get(k, 0)) for k in COUNT_KEYS})
    return t.row()

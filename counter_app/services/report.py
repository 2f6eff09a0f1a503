"""The unit's periodic report (DOMAIN.md §6): gathers each dossier's facts, set-based.

One narrow query over `dossiers` (+ procedures): the report's facts live on the dossier row
(migration 0007; intake and each action keep them, like `status`), so no history is read.
What the rules compare (domain/report.py) is only where each day falls against the period
and the result's day against the original due day, so SQL groups by those coarse buckets,
not by raw dates, and a few thousand groups come back whatever the number of dossiers;
each is turned into facts with a representative day per bucket and classified once.
Days are computed in SQL in the unit's time zone at its offset at the end of the period
(Vietnam has kept UTC+7 since 1975; a zone with daylight saving would be off by an hour
around its changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select

from counter_app.db.models import Dossier, Procedure
from counter_app.domain.model import UnitInfo
from counter_app.domain.report import DossierFacts, Line, Period, Summary, summarize
from counter_app.services.context import ServiceContext
from counter_app.services.units import local_unit, unit_info

# Where a day falls against the period, and (for a result in it) against the original due day.
BEFORE, WITHIN, AFTER = "b", "w", "a"
EARLY, ON_TIME, LATE = "e", "o", "l"


@dataclass(frozen=True)
class UnitReport:
    period: Period
    unit: UnitInfo
    summary: Summary

    def as_json(self) -> dict[str, Any]:
        return report_json(self.period, self.unit.agency_id, self.summary)


def report_json(period: Period, unit: str, summary: Summary) -> dict[str, Any]:
    """DESIGN.md §4: the keys of `report --json`."""
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "unit": unit,
        "totals": summary.totals,
        "by_sector": summary.by_sector,
        "by_procedure": summary.by_procedure,
    }


def _local_day(col: Any, dialect: str, offset_min: int) -> ColumnElement[Any]:
    """The local calendar day of a naive-UTC column, as 'YYYY-MM-DD'."""
    if dialect == "sqlite":
        return func.date(col, f"{offset_min:+d} minutes")
    shifted = col + literal_column(f"interval '{offset_min} minutes'")
    return func.to_char(shifted, "YYYY-MM-DD")


def bucket_facts(
    period: Period,
    channel: str,
    received: str,
    ready: str | None,
    due_passed: bool,
    ended: str | None,
    end_kind: str | None,
    returned: bool,
    postal: bool,
    apologized: bool,
) -> DossierFacts:
    """Facts with a representative day for each bucket: the rules of domain/report.py give
    every dossier of the bucket the counters they give this one. `ready` is BEFORE, AFTER or
    (in the period) EARLY / ON_TIME / LATE against the original due day; `due_passed`: the
    original due day is on or before the end (only read for a dossier open at the end)."""
    start, end = period.start, period.end
    day = {BEFORE: start - timedelta(days=1), WITHIN: start, AFTER: end + timedelta(days=1)}
    due = end if due_passed else end + timedelta(days=1)
    ready_day = None if ready is None else day.get(ready, start)
    if ready == EARLY:
        due = start + timedelta(days=1)
    elif ready == ON_TIME:
        due = start
    elif ready == LATE:
        due = start - timedelta(days=1)
    return DossierFacts(
        received=day[received],
        channel=channel,
        original_due=due,
        ready=ready_day,
        ended=None if ended is None else day[ended],
        end_kind=end_kind or "",
        returned=start if returned else None,
        returned_postal=postal,
        apologized=apologized,
    )


def unit_report(ctx: ServiceContext, start: date, end: date) -> UnitReport:
    period = Period(start, end)
    end_utc = datetime.combine(end + timedelta(days=1), time(), ctx.tz).astimezone(UTC)
    offset = ctx.tz.utcoffset(end_utc.replace(tzinfo=None))
    offset_min = int(offset.total_seconds() // 60) if offset is not None else 0
    first, last = start.isoformat(), end.isoformat()
    with ctx.uow.read() as s:
        unit = unit_info(local_unit(s))
        dialect = ctx.uow.dialect

        def day(col: Any) -> ColumnElement[Any]:
            return _local_day(col, dialect, offset_min)

        def where(col: Any) -> ColumnElement[Any]:
            d = day(col)
            return case((d < first, BEFORE), (d > last, AFTER), else_=WITHIN)

        due = day(func.coalesce(Dossier.original_due_at, Dossier.due_at))
        ready = day(Dossier.resolved_at)
        cols = (
            Procedure.code,
            Procedure.name,
            Procedure.sector,
            Dossier.receive_channel,
            case((day(Dossier.received_at) < first, BEFORE), else_=WITHIN),
            case(
                (ready < first, BEFORE),
                (ready > last, AFTER),
                (ready < due, EARLY),
                (ready == due, ON_TIME),
                (ready > due, LATE),
            ),
            case((due <= last, 1), else_=0),
            case((Dossier.closed_at.is_not(None), where(Dossier.closed_at))),
            Dossier.closed_kind,
            case((day(Dossier.returned_at).between(first, last), 1), else_=0),
            Dossier.returned_postal,
            Dossier.apologized,
        )
        q = (
            select(*cols, func.count())
            .select_from(Dossier)
            .join(Procedure, Procedure.id == Dossier.procedure_id)
            .where(Dossier.received_at < end_utc)
            .group_by(*cols)
        )
        rows = s.execute(q).all()
    lines: dict[tuple[str, str, str], Line] = {}

    def groups() -> Any:
        for code, name, sector, channel, rec, rdy, passed, ended, kind, ret, postal, apo, n in rows:
            line = lines.get((code, name, sector))
            if line is None:
                line = lines[(code, name, sector)] = Line(code, name, sector)
            facts = bucket_facts(
                period,
                channel,
                rec,
                rdy,
                bool(passed),
                ended,
                kind,
                bool(ret),
                bool(postal),
                bool(apo),
            )
            yield line, facts, n

    return UnitReport(period, unit, summarize(groups(), period))

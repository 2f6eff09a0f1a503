"""The unit's periodic report (DOMAIN.md §6): gathers each dossier's facts, set-based.

One query: every dossier received before the end of the period with the local days of
its first result, refusal/withdrawal/stop and return (one GROUP BY over the events of
those kinds), grouped again by identical facts so Python classifies each distinct
combination once (domain/report.py) and multiplies. Days are computed in SQL in the
unit's time zone at its offset at the end of the period (Vietnam has kept UTC+7 since
1975; a zone with daylight saving would be off by an hour around its changes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, case, func, literal_column, select, type_coerce

from counter_app.db.models import Dossier, DossierEvent, Procedure
from counter_app.domain.model import UnitInfo
from counter_app.domain.report import END_KINDS, DossierFacts, Line, Period, Summary, summarize
from counter_app.services.context import ServiceContext
from counter_app.services.units import local_unit, unit_info

REPORT_EVENT_KINDS = ("result_ready", "returned", "apologized", *END_KINDS)
# How JSONText writes a postal return's data (sorted keys, no spaces): see db/types.py.
POSTAL_MARK = '%"channel":"postal"%'


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


class DayCache(dict[str | None, date | None]):
    """'YYYY-MM-DD' -> date, each distinct day parsed once."""

    def __missing__(self, key: str | None) -> date | None:
        value = None if key is None else date.fromisoformat(str(key)[:10])
        self[key] = value
        return value


def original_due(current: date | None, apology: str | None, days: DayCache) -> date:
    """The due day before the apology (its data keeps the previous one, in local time)."""
    if apology:
        previous = json.loads(apology).get("previous_due_at")
        if previous:
            day = days[previous]
            assert day is not None
            return day
    assert current is not None
    return current


def unit_report(ctx: ServiceContext, start: date, end: date) -> UnitReport:
    period = Period(start, end)
    end_utc = datetime.combine(end + timedelta(days=1), time(), ctx.tz).astimezone(UTC)
    offset = ctx.tz.utcoffset(end_utc.replace(tzinfo=None))
    offset_min = int(offset.total_seconds() // 60) if offset is not None else 0
    with ctx.uow.read() as s:
        unit = unit_info(local_unit(s))
        dialect = ctx.uow.dialect
        kind, at = DossierEvent.kind, DossierEvent.at
        data = type_coerce(DossierEvent.data, Text)
        ev = (
            select(
                DossierEvent.dossier_id.label("dossier_id"),
                func.min(case((kind == "result_ready", at))).label("ready_at"),
                func.min(case((kind.in_(END_KINDS), at))).label("end_at"),
                func.max(case((kind.in_(END_KINDS), kind))).label("end_kind"),
                func.min(case((kind == "returned", at))).label("returned_at"),
                func.max(
                    case((and_(kind == "returned", data.like(POSTAL_MARK)), 1), else_=0)
                ).label("postal"),
                func.max(case((kind == "apologized", data))).label("apology"),
            )
            .where(kind.in_(REPORT_EVENT_KINDS))
            .group_by(DossierEvent.dossier_id)
            .subquery()
        )

        def day(col: Any) -> ColumnElement[Any]:
            return _local_day(col, dialect, offset_min)

        cols = (
            Procedure.code,
            Procedure.name,
            Procedure.sector,
            Dossier.receive_channel,
            day(Dossier.received_at),
            day(Dossier.due_at),
            day(ev.c.ready_at),
            day(ev.c.end_at),
            ev.c.end_kind,
            day(ev.c.returned_at),
            ev.c.postal,
            ev.c.apology,
        )
        q = (
            select(*cols, func.count())
            .select_from(Dossier)
            .join(Procedure, Procedure.id == Dossier.procedure_id)
            .outerjoin(ev, ev.c.dossier_id == Dossier.id)
            .where(Dossier.received_at < end_utc)
            .group_by(*cols)
        )
        rows = s.execute(q).all()
    days = DayCache()
    lines: dict[tuple[str, str, str], Line] = {}

    def groups() -> Any:
        for code, name, sector, channel, rec, due, ready, ended, ekind, ret, postal, apo, n in rows:
            line = lines.get((code, name, sector))
            if line is None:
                line = lines[(code, name, sector)] = Line(code, name, sector)
            facts = DossierFacts(
                received=days[rec] or start,
                channel=channel,
                original_due=original_due(days[due], apo, days),
                ready=days[ready],
                ended=days[ended],
                end_kind=ekind or "",
                returned=days[ret],
                returned_postal=bool(postal),
                apologized=bool(apo),
            )
            yield line, facts, n

    return UnitReport(period, unit, summarize(groups(), period))

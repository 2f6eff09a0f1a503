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

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    String,
    and_,
    case,
    func,
    literal,
    literal_column,
    null,
    select,
)

from counter_app.db.models import Dossier, Procedure
from counter_app.domain.model import UnitInfo
from counter_app.domain.ratings import add_counts, ratings_row
from counter_app.domain.report import (
    END_KINDS,
    DossierFacts,
    Line,
    Period,
    Summary,
    summarize,
)
from counter_app.services import digitised, ratings, report_communes
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
    # Issue 16: by the applicant's 2025 commune (domain/report_communes.py)
    by_commune: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = report_json(self.period, self.unit.agency_id, self.summary)
        data["by_commune"] = self.by_commune
        return data


def report_json(period: Period, unit: str, summary: Summary) -> dict[str, Any]:
    """DESIGN.md §4: the keys of `report --json` (the unit's adds "by_commune")."""
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


def _moment(at: datetime, dialect: str) -> ColumnElement[Any]:
    """A naive-UTC bound to compare a timestamp column with. On SQLite the text has whole
    seconds and no fraction, so it sorts at or before both the app's stored form (with
    microseconds) and the plain form raw SQL writes for the same moment."""
    if dialect == "sqlite":
        return literal(f"{at:%Y-%m-%d %H:%M:%S}", String)
    return literal(at, DateTime)


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
    # The local midnights that open and close the period, as naive UTC at that offset.
    opens = datetime.combine(start, time()) - timedelta(minutes=offset_min)
    closes = datetime.combine(end + timedelta(days=1), time()) - timedelta(minutes=offset_min)
    with ctx.uow.read() as s:
        unit_row = local_unit(s)
        unit = unit_info(unit_row)
        scale = unit_row.rating_scale
        totals_rated = ratings.counts_for_range(s, unit_row.id, start, end)
        by_procedure_rated = ratings.counts_by_procedure(s, unit_row.id, start, end)
        dialect = ctx.uow.dialect

        def day(col: Any) -> ColumnElement[Any]:
            return _local_day(col, dialect, offset_min)

        # Timestamps are compared with the period's bounds (no per-row date arithmetic);
        # only a result in the period needs its local day, against the original due day.
        lo, hi = _moment(opens, dialect), _moment(closes, dialect)

        def where(col: Any, inside: Any = WITHIN) -> ColumnElement[Any]:
            return case(
                (col.is_(None), null()), (col < lo, BEFORE), (col >= hi, AFTER), else_=inside
            )

        due_at = func.coalesce(Dossier.original_due_at, Dossier.due_at)
        ready, due = day(Dossier.resolved_at), day(due_at)
        timely = case((ready < due, EARLY), (ready == due, ON_TIME), else_=LATE)

        def flag(cond: Any) -> ColumnElement[Any]:
            return case((cond, "1"), else_="0")

        # One short text per dossier, a character a bucket (decoded in `groups` below): the
        # GROUP BY sorts on three keys, not ten (the sort is most of the query's time).
        parts = (
            case((Dossier.received_at < lo, BEFORE), else_=WITHIN),
            func.coalesce(where(Dossier.resolved_at, timely), "-"),
            flag(due_at < hi),
            func.coalesce(where(Dossier.closed_at), "-"),
            func.coalesce(func.substr(Dossier.closed_kind, 1, 1), "-"),
            flag(and_(Dossier.returned_at >= lo, Dossier.returned_at < hi)),
            flag(Dossier.returned_postal),
            flag(Dossier.apologized),
        )
        key: ColumnElement[Any] = parts[0]
        for part in parts[1:]:
            key = key.op("||")(part)
        key = key.label("key")
        commune = Dossier.applicant_commune_code  # issue 16: the rows by commune
        q = (
            select(Dossier.procedure_id, Dossier.receive_channel, key, commune, func.count())
            .where(Dossier.received_at < end_utc)
            # by the label: the expression, repeated here, would be evaluated twice a row
            .group_by(Dossier.procedure_id, Dossier.receive_channel, literal_column("key"), commune)
        )
        rows = s.execute(q).all()
        procedures = {
            pid: Line(code, name, sector)
            for pid, code, name, sector in s.execute(
                select(Procedure.id, Procedure.code, Procedure.name, Procedure.sector)
            )
        }
    end_kinds = {k[0]: k for k in END_KINDS}

    # The rows carry the commune too (issue 16); each breakdown adds up its own keys first,
    # so the facts are built once per (procedure | commune, channel, key), not per product.
    per_procedure: dict[tuple[str, str, str], int] = {}
    per_commune: dict[tuple[str | None, str, str], int] = {}
    for pid, channel, k, code, n in rows:
        per_procedure[pid, channel, k] = per_procedure.get((pid, channel, k), 0) + n
        per_commune[code, channel, k] = per_commune.get((code, channel, k), 0) + n
    facts_of: dict[tuple[str, str], DossierFacts] = {}

    def facts(channel: str, k: str) -> DossierFacts:
        found = facts_of.get((channel, k))
        if found is None:
            found = facts_of[channel, k] = _facts(channel, k)
        return found

    def _facts(channel: str, k: str) -> DossierFacts:
        rdy, ended = k[1], k[3]
        return bucket_facts(
            period,
            channel,
            k[0],
            None if rdy == "-" else rdy,
            k[2] == "1",
            None if ended == "-" else ended,
            end_kinds.get(k[4], ""),
            k[5] == "1",
            k[6] == "1",
            k[7] == "1",
        )

    summary = summarize(
        ((procedures[pid], facts(ch, k), n) for (pid, ch, k), n in per_procedure.items()), period
    )
    add_ratings(summary, scale, totals_rated, by_procedure_rated)
    with ctx.uow.read() as s:  # issue 15: received with every required document digitised
        counts, by_commune_digitised = digitised.digitised_by(
            s,
            opens.replace(tzinfo=UTC),
            closes.replace(tzinfo=UTC),
            Procedure.code,
            Dossier.applicant_commune_code,
        )
    sector_of = {line.procedure: line.sector for line in procedures.values()}
    digitised.add_digitised(
        summary.totals, summary.by_sector, summary.by_procedure, counts, sector_of
    )
    by_commune = report_communes.unit_rows(
        ctx,
        period,
        ((code, facts(ch, k), n) for (code, ch, k), n in per_commune.items()),
        scale,
        by_commune_digitised,
    )
    return UnitReport(period, unit, summary, by_commune)


def add_ratings(
    summary: Summary,
    scale: int,
    totals: dict[str, int],
    by_procedure: dict[tuple[str, str], dict[str, int]],
) -> None:
    """The report's `ratings` (domain/ratings.py): every rating of the period in the totals;
    a procedure's (and its sector's) row counts the ratings given for its dossiers (a
    ticket's rating belongs to no procedure, so it counts in the totals only)."""
    summary.totals["ratings"] = ratings_row(totals, scale)
    per_code: dict[str, dict[str, int]] = {}
    per_sector: dict[str, dict[str, int]] = {}
    for (code, sector), counts in by_procedure.items():
        add_counts(per_code.setdefault(code, {}), counts)
        add_counts(per_sector.setdefault(sector, {}), counts)
    for row in summary.by_procedure:
        row["ratings"] = ratings_row(per_code.get(row["procedure"], {}), scale)
    for row in summary.by_sector:
        row["ratings"] = ratings_row(per_sector.get(row["sector"], {}), scale)

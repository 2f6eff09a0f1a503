"""The province's periodic report, computed on central from what the units pushed.

central.dossiers holds each dossier's receipt and its due date as taken at intake, and the
facts of its history the report needs, which central.project_range keeps as the dossier
events arrive (migration c0003): the first result / refusal / withdrawal / stop / return
day (the local day of the event's `at`), the apology's previous due date, the due date an
intake-stage supplement reset, the channel it came in by. One query reads those rows
(skipping the ones received before the period that closed before it and have nothing in
it), replaces each day by a stand-in that compares with the period's days as it does
(before / in / after; the result day against the due day) and groups the dossiers by
identical stand-in facts, per unit and procedure: a handful of rows per procedure instead
of one per dossier. domain/report.py classifies each combination, exactly as the unit's
own report does (services/report.py), so the province's totals are the sum of the units'
reports over the same days.

Local days: an event's `at` is written in the unit's time zone with its offset, so its
first ten characters are the local day; the dossier's timestamps are converted with
`AT TIME ZONE` in the province's zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from counter_app.domain.ratings import add_counts, ratings_row
from counter_app.domain.report import (
    DossierFacts,
    Line,
    Period,
    Summary,
    summarize,
)
from counter_app.domain.report_communes import commune_rows
from counter_app.sync.central import _require_schema, admin_connection
from counter_app.sync.central_admin_units import commune_names

ZONE = "Asia/Ho_Chi_Minh"

REPORT_SQL = """
-- Each dossier's facts, as local days ('YYYY-MM-DD' text), from its row (c0003); a dossier
-- received before the period that closed before it and has no result, end or return in it
-- counts for nothing (classify), so it is not read further. Only the units that still exist.
WITH f AS (
  SELECT d.unit_id, d.procedure_code AS code, d.commune_code AS commune,
         d.received_at >= (%(start)s::date::timestamp AT TIME ZONE %(zone)s) AS fresh,
         d.receive_channel AS channel,
         coalesce(d.apology_due, d.resumed_due,
                  to_char(d.due_at AT TIME ZONE %(zone)s, 'YYYY-MM-DD')) AS due,
         d.ready_day AS ready, d.ended_day AS ended, d.end_kind,
         d.returned_day AS returned, d.returned_postal AS postal,
         d.apology_due IS NOT NULL AS apologized
  FROM central.dossiers d
  WHERE d.received_at < ((%(end)s::date + 1)::timestamp AT TIME ZONE %(zone)s)
    AND (d.received_at >= (%(start)s::date::timestamp AT TIME ZONE %(zone)s)
         OR coalesce(least(d.ready_day, d.ended_day) >= %(s)s, true)
         OR d.ready_day BETWEEN %(s)s AND %(e)s
         OR d.ended_day BETWEEN %(s)s AND %(e)s
         OR d.returned_day BETWEEN %(s)s AND %(e)s)
    AND d.unit_id IN (SELECT u.agency_id FROM central.units u WHERE u.deleted_at IS NULL)
),
-- Each day replaced by a stand-in that classify() compares with the period's days the same
-- way (before / in / after it; the result day against the due day): a handful of distinct
-- facts per procedure instead of one per dossier. s_1 = start - 1, s1 = start + 1,
-- e1 = end + 1; every day is 'YYYY-MM-DD' text, so text order is day order.
h AS (
  SELECT unit_id, code, commune,
         CASE WHEN fresh THEN %(s)s ELSE %(s_1)s END AS received,
         CASE WHEN fresh THEN coalesce(channel, 'counter') ELSE 'counter' END AS channel,
         CASE WHEN ready BETWEEN %(s)s AND %(e)s THEN
                CASE WHEN ready < due THEN %(s1)s WHEN ready = due THEN %(s)s ELSE %(s_1)s END
              WHEN due <= %(e)s THEN %(e)s ELSE %(e1)s END AS original_due,
         CASE WHEN ready < %(s)s THEN %(s_1)s WHEN ready <= %(e)s THEN %(s)s END AS ready,
         CASE WHEN ended < %(s)s THEN %(s_1)s WHEN ended <= %(e)s THEN %(s)s END AS ended,
         CASE WHEN ended BETWEEN %(s)s AND %(e)s THEN end_kind END AS end_kind,
         CASE WHEN returned BETWEEN %(s)s AND %(e)s THEN %(s)s END AS returned,
         coalesce(returned BETWEEN %(s)s AND %(e)s AND postal, false) AS postal,
         coalesce(ready BETWEEN %(s)s AND %(e)s AND ready > due AND apologized, false)
           AS apologized
  FROM f
),
-- Issue 16, in the same pass: grouped once per unit, procedure and applicant's commune (the
-- one big aggregate, parallel as before), then those few rows regrouped two ways: per unit and
-- procedure (the totals and every other breakdown) and per commune (`by_commune`; NULL = not
-- matched). GROUPING SETS straight over the dossiers ran serially: 1.6x slower at 2,000,000.
g1 AS (
  SELECT unit_id, code, commune, received, channel, original_due, ready, ended, end_kind,
         returned, postal, apologized, count(*) AS n
  FROM h
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
),
g AS (
  SELECT unit_id, code, commune, received, channel, original_due, ready, ended, end_kind,
         returned, postal, apologized, sum(n) AS n, GROUPING(commune) = 0 AS communal
  FROM g1
  GROUP BY GROUPING SETS (
    (unit_id, code, received, channel, original_due, ready, ended, end_kind, returned,
     postal, apologized),
    (commune, received, channel, original_due, ready, ended, end_kind, returned, postal,
     apologized))
)
SELECT g.*, coalesce(p.data->>'name', g.code) AS name, coalesce(p.data->>'sector', '') AS sector
FROM g
LEFT JOIN central.procedures p ON p.code = g.code
"""


# Citizens' ratings (central.ratings, migration c0006) per unit, procedure and level, by the
# unit's business day; only the units that still exist, like the dossiers.
RATINGS_SQL = """
SELECT r.unit_id, r.procedure_code AS code, coalesce(p.data->>'sector', '') AS sector,
       r.level_key, count(*) AS n
FROM central.ratings r
JOIN central.units u ON u.agency_id = r.unit_id AND u.deleted_at IS NULL
LEFT JOIN central.procedures p ON p.code = r.procedure_code
WHERE r.day BETWEEN %(s)s AND %(e)s
GROUP BY 1, 2, 3, 4
"""


# Issue 15: dossiers received in the period with every document their procedure marks
# required digitised (a document_digitised event of the unit naming the dossier's code and
# the document), and at least one document digitised; per unit and procedure. Before c0008
# (no document_digitised events at all) every count is 0.
DIGITISED_SQL = """
WITH dig AS (
  SELECT DISTINCT e.unit_id, e.payload->>'code' AS code, e.payload->>'document' AS document
  FROM central.events e WHERE e.kind = 'document_digitised'
),
req AS (
  SELECT p.code, doc->>'name' AS name
  FROM central.procedures p
  CROSS JOIN LATERAL jsonb_array_elements(
    CASE WHEN jsonb_typeof(p.data->'documents') = 'array' THEN p.data->'documents'
         ELSE '[]'::jsonb END) doc
  WHERE coalesce(doc->>'required', 'true') <> 'false'
)
SELECT d.unit_id, d.procedure_code AS code, coalesce(p.data->>'sector', '') AS sector,
       d.commune_code AS commune, count(*) AS n
FROM central.dossiers d
JOIN central.units u ON u.agency_id = d.unit_id AND u.deleted_at IS NULL
LEFT JOIN central.procedures p ON p.code = d.procedure_code
WHERE d.received_at >= (%(start)s::date::timestamp AT TIME ZONE %(zone)s)
  AND d.received_at < ((%(end)s::date + 1)::timestamp AT TIME ZONE %(zone)s)
  AND EXISTS (SELECT 1 FROM dig WHERE dig.unit_id = d.unit_id AND dig.code = d.code)
  AND NOT EXISTS (SELECT 1 FROM req
                  WHERE req.code = d.procedure_code
                    AND NOT EXISTS (SELECT 1 FROM dig
                                    WHERE dig.unit_id = d.unit_id AND dig.code = d.code
                                      AND dig.document = req.name))
GROUP BY 1, 2, 3, 4
"""


def add_digitised(report: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """`digitised` in the totals and each unit's, sector's and procedure's row."""
    per: dict[str, dict[str | None, int]] = {"unit": {}, "procedure": {}, "sector": {}}
    per["code"] = {}  # by_commune's key (issue 16): the commune's code, None = not matched
    total = 0
    for r in rows:
        n = int(r["n"])
        total += n
        for key, value in (
            ("unit", r["unit_id"]),
            ("procedure", r["code"]),
            ("sector", r["sector"]),
            ("code", r.get("commune")),
        ):
            per[key][value] = per[key].get(value, 0) + n
    report["totals"]["digitised"] = total
    for key, lines in (
        ("unit", report["by_unit"]),
        ("procedure", report["by_procedure"]),
        ("sector", report["by_sector"]),
        ("code", report.get("by_commune", [])),
    ):
        for line in lines:
            line["digitised"] = per[key].get(line[key], 0)


def add_ratings(report: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """`ratings` per level (domain/ratings.py) in the totals and each unit's row; a
    procedure's and a sector's row count the ratings given for its dossiers."""
    total: dict[str, int] = {}
    per: dict[str, dict[str, dict[str, int]]] = {"unit": {}, "procedure": {}, "sector": {}}
    for r in rows:
        one = {r["level_key"]: int(r["n"])}
        add_counts(total, one)
        add_counts(per["unit"].setdefault(r["unit_id"], {}), one)
        if r["code"] is not None:
            add_counts(per["procedure"].setdefault(r["code"], {}), one)
            add_counts(per["sector"].setdefault(r["sector"], {}), one)
    report["totals"]["ratings"] = ratings_row(total)
    for key, lines in (
        ("unit", report["by_unit"]),
        ("procedure", report["by_procedure"]),
        ("sector", report["by_sector"]),
    ):
        for line in lines:
            line["ratings"] = ratings_row(per[key].get(line[key], {}))


def by_commune(
    communes: dict[str | None, list[tuple[DossierFacts, int]]],
    period: Period,
    names: Callable[[str | None], str],
) -> list[dict[str, Any]]:
    """Issue 16: the report's counters per applicant's commune, in the local report's shape
    and order (domain/report_communes.commune_rows: most received first, then by name;
    "Chưa xác định" for the dossiers with no commune)."""
    groups = ((code, facts, n) for code, pairs in communes.items() for facts, n in pairs)
    return commune_rows(groups, period, names)


def _params(period: Period) -> dict[str, str]:
    one = timedelta(days=1)
    s, e = period.start, period.end
    return {
        "zone": ZONE,
        "start": s.isoformat(),
        "end": e.isoformat(),
        "s": s.isoformat(),
        "e": e.isoformat(),
        "s_1": (s - one).isoformat(),
        "s1": (s + one).isoformat(),
        "e1": (e + one).isoformat(),
    }


FACT_KEYS = (
    "received",
    "channel",
    "original_due",
    "ready",
    "ended",
    "end_kind",
    "returned",
    "postal",
    "apologized",
)


def province_report(url: str, start: date, end: date) -> dict[str, Any]:
    """{"from", "to", "unit": None, "totals", "by_sector", "by_procedure", "by_unit",
    "by_commune"}: the province's figures, each unit's totals (with its name) in `by_unit`,
    and per applicant's commune (issue 16) in `by_commune`."""
    period = Period(start, end)
    with admin_connection(url) as conn:
        _require_schema(conn)
        units = conn.execute(
            "SELECT agency_id, name FROM central.units WHERE deleted_at IS NULL ORDER BY agency_id"
        ).fetchall()
        rows = conn.execute(REPORT_SQL, _params(period)).fetchall()
        rated = conn.execute(RATINGS_SQL, _params(period)).fetchall()
        digitised = conn.execute(DIGITISED_SQL, _params(period)).fetchall()
        names = commune_names(conn)
    days: dict[str | None, date | None] = {None: None}

    def day(value: str | None) -> date | None:
        if value not in days:
            days[value] = date.fromisoformat(str(value))
        return days[value]

    # The same stand-in facts recur in every unit, procedure and commune: made once each.
    made: dict[tuple[Any, ...], DossierFacts] = {}

    def facts_of(r: dict[str, Any]) -> DossierFacts:
        key = tuple(r[k] for k in FACT_KEYS)
        found = made.get(key)
        if found is not None:
            return found
        received, due = day(r["received"]), day(r["original_due"])
        assert received is not None and due is not None
        found = made[key] = DossierFacts(
            received=received,
            channel=r["channel"],
            original_due=due,
            ready=day(r["ready"]),
            ended=day(r["ended"]),
            end_kind=r["end_kind"] or "",
            returned=day(r["returned"]),
            returned_postal=bool(r["postal"]),
            apologized=bool(r["apologized"]),
        )
        return found

    groups: dict[str, list[tuple[Line, DossierFacts, int]]] = {}
    communes: dict[str | None, list[tuple[DossierFacts, int]]] = {}
    for r in rows:
        facts = facts_of(r)
        if r["communal"]:
            communes.setdefault(r["commune"], []).append((facts, int(r["n"])))
            continue
        line = Line(r["code"], r["name"], r["sector"])
        groups.setdefault(r["unit_id"], []).append((line, facts, int(r["n"])))
    province = summarize((g for mine in groups.values() for g in mine), period)
    by_unit = []
    for u in units:
        mine: Summary = summarize(groups.get(u["agency_id"], []), period)
        by_unit.append({"unit": u["agency_id"], "name": u["name"], **mine.totals})
    report = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "unit": None,
        "totals": province.totals,
        "by_sector": province.by_sector,
        "by_procedure": province.by_procedure,
        "by_unit": by_unit,
        "by_commune": by_commune(communes, period, names),
    }
    add_ratings(report, rated)
    add_digitised(report, digitised)
    return report

"""The province's periodic report, computed on central from what the units pushed.

central.dossiers holds each dossier's receipt and its due date as taken at intake, not its
history; the history is in central.events (dossier_event payloads carry the event's kind,
status, local `at` and data). One query groups those payloads per dossier — the first
result / refusal / withdrawal / stop / return day, the apology's previous due date, the
due date an intake-stage supplement reset — and then groups the dossiers by identical
facts, per unit and procedure; domain/report.py classifies each combination, exactly as
the unit's own report does (services/report.py), so the province's totals are the sum of
the units' reports over the same days.

Local days: an event's `at` is written in the unit's time zone with its offset, so its
first ten characters are the local day; the dossier's timestamps are converted with
`AT TIME ZONE` in the province's zone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from counter_app.domain.report import DossierFacts, Line, Period, Summary, summarize
from counter_app.sync.central import _require_schema, admin_connection

ZONE = "Asia/Ho_Chi_Minh"

REPORT_SQL = """
WITH ev AS (
  SELECT (e.payload->>'dossier_id')::uuid AS dossier_id,
    min(left(e.payload->>'at', 10)) FILTER (WHERE e.payload->>'kind' = 'result_ready') AS ready,
    min(left(e.payload->>'at', 10))
      FILTER (WHERE e.payload->>'kind' IN ('refused', 'withdrawn', 'stopped')) AS ended,
    max(e.payload->>'kind')
      FILTER (WHERE e.payload->>'kind' IN ('refused', 'withdrawn', 'stopped')) AS end_kind,
    min(left(e.payload->>'at', 10)) FILTER (WHERE e.payload->>'kind' = 'returned') AS returned,
    coalesce(bool_or(e.payload->'data'->>'channel' = 'postal')
      FILTER (WHERE e.payload->>'kind' = 'returned'), false) AS postal,
    max(left(e.payload->'data'->>'previous_due_at', 10))
      FILTER (WHERE e.payload->>'kind' = 'apologized') AS apology_due,
    max(left(e.payload->'data'->>'due_at', 10))
      FILTER (WHERE e.payload->>'kind' = 'supplement_received') AS resumed_due
  FROM central.events e
  WHERE e.kind = 'dossier_event'
    AND e.payload->>'kind' IN ('result_ready', 'refused', 'withdrawn', 'stopped', 'returned',
                               'apologized', 'supplement_received')
  GROUP BY 1
)
SELECT d.unit_id, d.procedure_code AS code,
       coalesce(p.data->>'name', d.procedure_code) AS name,
       coalesce(p.data->>'sector', '') AS sector,
       coalesce(x.payload->>'receive_channel', 'counter') AS channel,
       to_char(d.received_at AT TIME ZONE %(zone)s, 'YYYY-MM-DD') AS received,
       coalesce(ev.apology_due, ev.resumed_due,
                to_char(d.due_at AT TIME ZONE %(zone)s, 'YYYY-MM-DD')) AS original_due,
       ev.ready, ev.ended, ev.end_kind, ev.returned, coalesce(ev.postal, false) AS postal,
       ev.apology_due IS NOT NULL AS apologized,
       count(*) AS n
FROM central.dossiers d
JOIN central.units u ON u.agency_id = d.unit_id AND u.deleted_at IS NULL
LEFT JOIN central.events x ON x.event_id = d.event_id
LEFT JOIN central.procedures p ON p.code = d.procedure_code
LEFT JOIN ev ON ev.dossier_id = d.id
WHERE d.received_at < ((%(end)s::date + 1)::timestamp AT TIME ZONE %(zone)s)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
"""


def province_report(url: str, start: date, end: date) -> dict[str, Any]:
    """{"from", "to", "unit": None, "totals", "by_sector", "by_procedure", "by_unit"}:
    the province's figures, and each unit's totals (with its name) in `by_unit`."""
    period = Period(start, end)
    with admin_connection(url) as conn:
        _require_schema(conn)
        units = conn.execute(
            "SELECT agency_id, name FROM central.units WHERE deleted_at IS NULL ORDER BY agency_id"
        ).fetchall()
        rows = conn.execute(REPORT_SQL, {"zone": ZONE, "end": end}).fetchall()
    days: dict[str | None, date | None] = {None: None}

    def day(value: str | None) -> date | None:
        if value not in days:
            days[value] = date.fromisoformat(str(value))
        return days[value]

    groups: list[tuple[str, Line, DossierFacts, int]] = []
    for r in rows:
        received, due = day(r["received"]), day(r["original_due"])
        assert received is not None and due is not None
        facts = DossierFacts(
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
        groups.append((r["unit_id"], Line(r["code"], r["name"], r["sector"]), facts, int(r["n"])))
    province = summarize(((line, f, n) for _, line, f, n in groups), period)
    by_unit = []
    for u in units:
        mine: Summary = summarize(
            ((line, f, n) for unit, line, f, n in groups if unit == u["agency_id"]), period
        )
        by_unit.append({"unit": u["agency_id"], "name": u["name"], **mine.totals})
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "unit": None,
        "totals": province.totals,
        "by_sector": province.by_sector,
        "by_procedure": province.by_procedure,
        "by_unit": by_unit,
    }

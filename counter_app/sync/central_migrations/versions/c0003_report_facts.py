"""the report's facts on central.dossiers, kept by project_range (the province report)

Revision ID: c0003
Revises: c0002
Create Date: 2026-12-01

The province report (sync/central_report.py) grouped every dossier event central ever
received per dossier on each run: 2,000,000 dossiers (7,000,000 events) took about a
minute, the budget is 5 s (DESIGN.md §8). Those facts — the first result / refusal /
withdrawal / stop / return day (the event's local day, the first ten characters of its
`at`), whether the return was by post, the apology's previous due day, the due day an
intake-stage supplement reset, and the channel the dossier came in by — now live on the
dossier's row. project_range merges each range's events into them with least / greatest /
OR, so ranges may arrive in any order and a range applied twice changes nothing; only the
dossier's own unit's events count (as for its status). This revision adds the columns,
fills them from the events already held, and replaces project_range (otherwise as c0002).
"""

from __future__ import annotations

from alembic import op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None

COLUMNS_SQL = r"""
ALTER TABLE central.dossiers
  ADD COLUMN receive_channel text,
  ADD COLUMN ready_day text,
  ADD COLUMN ended_day text,
  ADD COLUMN end_kind text,
  ADD COLUMN returned_day text,
  ADD COLUMN returned_postal boolean NOT NULL DEFAULT false,
  ADD COLUMN apology_due text,
  ADD COLUMN resumed_due text;
"""

# The report's facts of one dossier from its events, written once for the backfill below and
# for project_range's merge per range (the two must agree).
FACT_KINDS = (
    "('result_ready', 'refused', 'withdrawn', 'stopped', 'returned', 'apologized', "
    "'supplement_received')"
)
FACT_COLUMNS = """
min(left(e.payload->>'at', 10))
  FILTER (WHERE e.payload->>'kind' = 'result_ready') AS ready,
min(left(e.payload->>'at', 10))
  FILTER (WHERE e.payload->>'kind' IN ('refused', 'withdrawn', 'stopped')) AS ended,
max(e.payload->>'kind')
  FILTER (WHERE e.payload->>'kind' IN ('refused', 'withdrawn', 'stopped')) AS end_kind,
min(left(e.payload->>'at', 10))
  FILTER (WHERE e.payload->>'kind' = 'returned') AS returned,
coalesce(bool_or(e.payload->'data'->>'channel' = 'postal')
  FILTER (WHERE e.payload->>'kind' = 'returned'), false) AS postal,
max(left(e.payload->'data'->>'previous_due_at', 10))
  FILTER (WHERE e.payload->>'kind' = 'apologized') AS apology_due,
max(left(e.payload->'data'->>'due_at', 10))
  FILTER (WHERE e.payload->>'kind' = 'supplement_received') AS resumed_due
"""


def _with_facts(sql: str) -> str:
    return sql.replace("{FACT_COLUMNS}", FACT_COLUMNS.strip()).replace("{FACT_KINDS}", FACT_KINDS)


# The events already held, once: the same aggregate project_range applies per range.
BACKFILL_SQL = r"""
UPDATE central.dossiers d SET receive_channel = e.payload->>'receive_channel'
FROM central.events e WHERE e.event_id = d.event_id;
UPDATE central.dossiers d
SET ready_day = x.ready, ended_day = x.ended, end_kind = x.end_kind,
    returned_day = x.returned, returned_postal = x.postal, apology_due = x.apology_due,
    resumed_due = x.resumed_due
FROM (SELECT (e.payload->>'dossier_id')::uuid AS dossier_id, e.unit_id,
          {FACT_COLUMNS}
      FROM central.events e
      WHERE e.kind = 'dossier_event'
        AND e.payload->>'kind' IN {FACT_KINDS}
      GROUP BY 1, e.unit_id) x
WHERE d.id = x.dossier_id AND d.unit_id = x.unit_id;
"""

FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION central.project_range(p_unit text, p_source text, lo bigint,
                                                 hi bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, central, pg_temp AS $$
DECLARE
  v_prefix text := p_unit || '-';
BEGIN
  INSERT INTO central.dossiers (id, unit_id, code, procedure_code, applicant_name,
                                received_at, due_at, status_seq, source_id, event_id,
                                receive_channel)
  SELECT (e.payload->>'id')::uuid, p_unit, e.payload->>'code', e.payload->>'procedure',
         e.payload->'applicant'->>'name', (e.payload->>'received_at')::timestamptz,
         (e.payload->>'due_at')::timestamptz, e.seq, p_source, e.event_id,
         e.payload->>'receive_channel'
  FROM central.events e
  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
    AND e.kind = 'dossier'
    AND (e.payload->>'code' IS NULL OR starts_with(e.payload->>'code', v_prefix))
  ORDER BY e.seq
  ON CONFLICT DO NOTHING;

  -- A dossier event that did not become the dossier: its code (or id) is someone else's.
  INSERT INTO central.code_clashes (code, unit_id, dossier_id, other_unit_id, other_dossier_id)
  SELECT e.payload->>'code', p_unit, (e.payload->>'id')::uuid, d.unit_id, d.id
  FROM central.events e JOIN central.dossiers d ON d.code = e.payload->>'code'
  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
    AND e.kind = 'dossier' AND d.event_id <> e.event_id
    AND starts_with(e.payload->>'code', v_prefix)
  ON CONFLICT (dossier_id) DO NOTHING;
  INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, detail)
  SELECT e.event_id, p_unit, p_source, e.seq, e.kind,
         CASE WHEN NOT e.own THEN 'foreign_code'
              WHEN d.id IS NOT NULL THEN 'code_clash'
              ELSE 'dossier_id_taken' END,
         CASE WHEN NOT e.own THEN jsonb_build_object('code', e.payload->>'code',
                                                     'unit', p_unit)
              ELSE jsonb_build_object('code', e.payload->>'code', 'other_unit', d.unit_id,
                                      'other_dossier', d.id) END
  FROM (SELECT x.*, (x.payload->>'code' IS NULL
                     OR starts_with(x.payload->>'code', v_prefix)) AS own
        FROM central.events x
        WHERE x.unit_id = p_unit AND x.source_id = p_source AND x.seq > lo AND x.seq <= hi
          AND x.kind = 'dossier') e
  LEFT JOIN central.dossiers d
    ON e.own AND d.code = e.payload->>'code' AND d.event_id <> e.event_id
  WHERE NOT EXISTS (SELECT 1 FROM central.dossiers x
                    WHERE x.id = (e.payload->>'id')::uuid AND x.event_id = e.event_id)
  ON CONFLICT DO NOTHING;

  -- Status: the last event of the range per dossier, applied only forward in its stream.
  UPDATE central.dossiers d SET status = x.status, status_seq = x.seq
  FROM (SELECT DISTINCT ON (e.payload->>'dossier_id')
               (e.payload->>'dossier_id')::uuid AS dossier_id, e.payload->>'status' AS status,
               e.seq
        FROM central.events e
        WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
          AND e.kind = 'dossier_event'
        ORDER BY e.payload->>'dossier_id', e.seq DESC) x
  WHERE d.id = x.dossier_id AND d.unit_id IS NOT DISTINCT FROM p_unit
    AND (d.source_id <> p_source OR x.seq > d.status_seq)
    AND x.status IS NOT NULL;
  -- The report's facts (sync/central_report.py), merged with what earlier ranges gave:
  -- least / greatest / OR do not depend on the order the ranges arrive in. Only kinds the
  -- report reads; a plain `received` event touches nothing here.
  UPDATE central.dossiers d
  SET ready_day = least(d.ready_day, x.ready),
      ended_day = least(d.ended_day, x.ended),
      end_kind = greatest(d.end_kind, x.end_kind),
      returned_day = least(d.returned_day, x.returned),
      returned_postal = d.returned_postal OR x.postal,
      apology_due = greatest(d.apology_due, x.apology_due),
      resumed_due = greatest(d.resumed_due, x.resumed_due)
  FROM (SELECT (e.payload->>'dossier_id')::uuid AS dossier_id,
            {FACT_COLUMNS}
        FROM central.events e
        WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
          AND e.kind = 'dossier_event'
          AND e.payload->>'kind' IN {FACT_KINDS}
        GROUP BY 1) x
  WHERE d.id = x.dossier_id AND d.unit_id IS NOT DISTINCT FROM p_unit;
  INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, detail)
  SELECT e.event_id, p_unit, p_source, e.seq, e.kind, 'dossier_unknown',
         jsonb_build_object('code', e.payload->>'code', 'dossier_id', e.payload->>'dossier_id')
  FROM central.events e
  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
    AND e.kind = 'dossier_event'
    AND NOT EXISTS (SELECT 1 FROM central.dossiers d
                    WHERE d.id = (e.payload->>'dossier_id')::uuid
                      AND d.unit_id IS NOT DISTINCT FROM p_unit)
  ON CONFLICT DO NOTHING;

  INSERT INTO central.tickets (id, unit_id, day, display, service, status_seq, source_id,
                               event_id)
  SELECT (e.payload->>'id')::uuid, p_unit, (e.payload->>'day')::date, e.payload->>'display',
         e.payload->>'service', e.seq, p_source, e.event_id
  FROM central.events e
  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
    AND e.kind = 'ticket'
  ON CONFLICT DO NOTHING;
  -- A ticket whose id is already another ticket's (another unit's, or a forged copy).
  INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, detail)
  SELECT e.event_id, p_unit, p_source, e.seq, e.kind, 'ticket_id_taken',
         jsonb_build_object('ticket_id', e.payload->>'id')
  FROM central.events e
  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
    AND e.kind = 'ticket'
    AND NOT EXISTS (SELECT 1 FROM central.tickets t
                    WHERE t.id = (e.payload->>'id')::uuid AND t.event_id = e.event_id)
  ON CONFLICT DO NOTHING;
  UPDATE central.tickets t SET status = x.status, status_seq = x.seq
  FROM (SELECT DISTINCT ON (e.payload->>'ticket_id')
               (e.payload->>'ticket_id')::uuid AS ticket_id, e.payload->>'status' AS status,
               e.seq
        FROM central.events e
        WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
          AND e.kind = 'ticket_event'
        ORDER BY e.payload->>'ticket_id', e.seq DESC) x
  WHERE t.id = x.ticket_id AND t.unit_id IS NOT DISTINCT FROM p_unit
    AND (t.source_id <> p_source OR x.seq > t.status_seq)
    AND x.status IS NOT NULL;
  INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, detail)
  SELECT e.event_id, p_unit, p_source, e.seq, e.kind, 'ticket_unknown',
         jsonb_build_object('ticket_id', e.payload->>'ticket_id')
  FROM central.events e
  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
    AND e.kind = 'ticket_event'
    AND NOT EXISTS (SELECT 1 FROM central.tickets t
                    WHERE t.id = (e.payload->>'ticket_id')::uuid
                      AND t.unit_id IS NOT DISTINCT FROM p_unit)
  ON CONFLICT DO NOTHING;
END $$;
"""


def upgrade() -> None:
    # Straight to the driver, no parameters: the bodies hold plpgsql `%` and `:`.
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    cur.execute(COLUMNS_SQL)
    cur.execute(_with_facts(BACKFILL_SQL))
    cur.execute(_with_facts(FUNCTIONS_SQL))


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

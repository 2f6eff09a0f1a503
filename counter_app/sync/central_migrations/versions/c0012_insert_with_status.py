"""central: a range's new dossiers inserted with their status; lookups it cannot need skipped

Revision ID: c0012
Revises: c0011
Create Date: 2026-12-03

Issue 17 (sync push ≥ 10,000 dossiers/s on loopback). A dossier is usually pushed in the same
range as its first status event ("received"), and project_range inserted the dossier and then
updated the row it had just written to that status: a second version of every new row, and
its index entries (0.9 s of a 50,000-dossier push, as much as the INSERT). Now one statement
does both. It reads the range's dossiers and status events once, each row told (by a window
over its dossier's rows, not a join: a range's size is unknown to the planner, and the nested
loop it chose over two CTEs of a thousand rows each made the push 5× slower) which is its
dossier's last status event in the range and whether the range holds the dossier itself. The
INSERT gives a new dossier that event's status when the event is newer than the dossier's own
(as the UPDATE did; else 'received', the column's default, as before), and the UPDATE, which
sees the table as it was before the statement, applies the last events to the dossiers that
already existed only. Same rows, same outcome, one write per new dossier.

Two lookups are skipped when they cannot find anything:
- 'dossier_unknown' rejections, when every status event's dossier is in the range and every
  dossier of the range was stored (a status event about an earlier dossier, or a dossier not
  stored, still runs the lookup as before);
- the four ticket statements, when the range holds no ticket or ticket event (one scan of
  the range counts them with the dossier events c0011 counts).

Interleaved A/B on one server (fresh central each push of 50,006 dossiers, default batch,
6 pairs): c0011 10,056 / c0012 11,115 dossiers/s (medians; c0012 faster in 5 of 6 pairs).

The function is c0011's with those parts replaced (its text is taken from c0011 and patched
below, each patch checked to apply exactly once; nothing else changes).
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "c0012"
down_revision = "c0011"
branch_labels = None
depends_on = None

_DECLARE = (
    "  v_stored bigint;\n  v_events bigint;\nBEGIN\n",
    "  v_stored bigint;\n  v_events bigint;\n  v_orphans bigint;\n  v_tickets bigint;\nBEGIN\n",
)
# The dossier INSERT as c0009 wrote it, from its first line to its column list's end …
_INSERT_HEAD = (
    "BEGIN\n"
    "  INSERT INTO central.dossiers (id, unit_id, code, procedure_code, applicant_name,\n"
    "                                received_at, due_at, status_seq, source_id, event_id,\n"
    "                                receive_channel, commune_code)\n"
    "  SELECT (e.payload->>'id')::uuid, p_unit, e.payload->>'code', e.payload->>'procedure',\n"
    "         e.payload->'applicant'->>'name', (e.payload->>'received_at')::timestamptz,\n"
    "         (e.payload->>'due_at')::timestamptz, e.seq, p_source, e.event_id,\n",
    "BEGIN\n"
    "  -- The range's dossiers and their status events in one scan, each row told its\n"
    "  -- dossier's last status event in the range (x_…; a window, not a join: the planner\n"
    "  -- cannot know how many rows a range holds, and a nested loop over two sets of a\n"
    "  -- thousand each cost more than the UPDATE it saves) and whether the range holds the\n"
    "  -- dossier itself. New dossiers are inserted with that status when the event is newer\n"
    "  -- than the dossier's own ('received' is the column's default otherwise); the dossiers\n"
    "  -- that existed before take it in the UPDATE, which does not see this statement's rows.\n"
    "  WITH r AS MATERIALIZED (\n"
    "    SELECT e.*, first_value(e.kind) OVER w AS x_kind, first_value(e.seq) OVER w AS x_seq,\n"
    "           first_value(e.payload->>'status') OVER w AS x_status,\n"
    "           bool_or(e.kind = 'dossier') OVER w AS has_dossier\n"
    "    FROM central.events e\n"
    "    WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi\n"
    "      AND e.kind IN ('dossier', 'dossier_event')\n"
    "    WINDOW w AS (PARTITION BY (CASE e.kind WHEN 'dossier' THEN e.payload->>'id'\n"
    "                                           ELSE e.payload->>'dossier_id' END)::uuid\n"
    "                 ORDER BY e.kind = 'dossier_event' DESC, e.seq DESC\n"
    "                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)),\n"
    "  x AS (\n"
    "    SELECT (e.payload->>'dossier_id')::uuid AS dossier_id, e.payload->>'status' AS status,\n"
    "           e.seq, e.has_dossier\n"
    "    FROM r e WHERE e.kind = 'dossier_event' AND e.seq = e.x_seq),\n"
    "  ins AS (\n"
    "  INSERT INTO central.dossiers (id, unit_id, code, procedure_code, applicant_name,\n"
    "                                received_at, due_at, status, status_seq, source_id,\n"
    "                                event_id, receive_channel, commune_code)\n"
    "  SELECT (e.payload->>'id')::uuid, p_unit, e.payload->>'code', e.payload->>'procedure',\n"
    "         e.payload->'applicant'->>'name', (e.payload->>'received_at')::timestamptz,\n"
    "         (e.payload->>'due_at')::timestamptz,\n"
    "         CASE WHEN e.x_kind = 'dossier_event' AND e.x_seq > e.seq\n"
    "                   AND e.x_status IS NOT NULL THEN e.x_status ELSE 'received' END,\n"
    "         CASE WHEN e.x_kind = 'dossier_event' AND e.x_seq > e.seq\n"
    "                   AND e.x_status IS NOT NULL THEN e.x_seq ELSE e.seq END,\n"
    "         p_source, e.event_id,\n",
)
# … its FROM (the rows read above) …
_INSERT_FROM = (
    "THEN e.payload->'applicant'->>'commune_code' END\n"
    "  FROM central.events e\n"
    "  WHERE e.unit_id = p_unit",
    "THEN e.payload->'applicant'->>'commune_code' END\n  FROM r e\n  WHERE e.unit_id = p_unit",
)
# … and its end, with the status UPDATE of the dossiers that existed, and the counts.
_INSERT_TAIL = (
    "  ORDER BY e.seq\n"
    "  ON CONFLICT DO NOTHING;\n"
    "  GET DIAGNOSTICS v_stored = ROW_COUNT;\n"
    "  SELECT count(*) INTO v_events FROM central.events e\n"
    "  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi\n"
    "    AND e.kind = 'dossier';\n",
    "  ORDER BY e.seq\n"
    "  ON CONFLICT DO NOTHING\n"
    "  RETURNING 1),\n"
    "  -- Status: the last event of the range per dossier, applied only forward in its stream.\n"
    "  upd AS (\n"
    "  UPDATE central.dossiers d SET status = x.status, status_seq = x.seq\n"
    "  FROM x\n"
    "  WHERE d.id = x.dossier_id AND d.unit_id IS NOT DISTINCT FROM p_unit\n"
    "    AND (d.source_id <> p_source OR x.seq > d.status_seq)\n"
    "    AND x.status IS NOT NULL)\n"
    "  SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM x WHERE NOT x.has_dossier)\n"
    "  INTO v_stored, v_orphans;\n"
    "  SELECT count(*) FILTER (WHERE e.kind = 'dossier'),\n"
    "         count(*) FILTER (WHERE e.kind IN ('ticket', 'ticket_event'))\n"
    "  INTO v_events, v_tickets FROM central.events e\n"
    "  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi;\n",
)
_STATUS_UPDATE = (
    "  -- Status: the last event of the range per dossier, applied only forward in its stream.\n"
    "  UPDATE central.dossiers d SET status = x.status, status_seq = x.seq\n"
    "  FROM (SELECT DISTINCT ON (e.payload->>'dossier_id')\n"
    "               (e.payload->>'dossier_id')::uuid AS dossier_id, "
    "e.payload->>'status' AS status,\n"
    "               e.seq\n"
    "        FROM central.events e\n"
    "        WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi\n"
    "          AND e.kind = 'dossier_event'\n"
    "        ORDER BY e.payload->>'dossier_id', e.seq DESC) x\n"
    "  WHERE d.id = x.dossier_id AND d.unit_id IS NOT DISTINCT FROM p_unit\n"
    "    AND (d.source_id <> p_source OR x.seq > d.status_seq)\n"
    "    AND x.status IS NOT NULL;\n",
    "",
)
_DOSSIER_UNKNOWN = (
    "  INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, detail)\n"
    "  SELECT e.event_id, p_unit, p_source, e.seq, e.kind, 'dossier_unknown',\n",
    "  -- Only when a status event names a dossier this range does not hold, or a dossier\n"
    "  -- of the range was not stored.\n"
    "  IF v_orphans > 0 OR v_stored < v_events THEN\n"
    "  INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, detail)\n"
    "  SELECT e.event_id, p_unit, p_source, e.seq, e.kind, 'dossier_unknown',\n",
)
_TICKETS = (
    "  ON CONFLICT DO NOTHING;\n\n  INSERT INTO central.tickets (",
    "  ON CONFLICT DO NOTHING;\n  END IF;\n\n"
    "  -- Tickets and their events: only when the range holds some.\n"
    "  IF v_tickets > 0 THEN\n"
    "  INSERT INTO central.tickets (",
)
_END = (
    "  ON CONFLICT DO NOTHING;\nEND $$;",
    "  ON CONFLICT DO NOTHING;\n  END IF;\nEND $$;",
)


def project_range_sql() -> str:
    """c0011's project_range, new dossiers inserted with their status, the dossier_unknown
    and ticket statements only when they can find something."""
    c0011 = importlib.import_module(
        "counter_app.sync.central_migrations.versions.c0011_project_checks"
    )
    sql: str = c0011.project_range_sql()
    patches = (
        _DECLARE,
        _INSERT_HEAD,
        _INSERT_FROM,
        _INSERT_TAIL,
        _STATUS_UPDATE,
        _DOSSIER_UNKNOWN,
        _TICKETS,
        _END,
    )
    for old, new in patches:
        if sql.count(old) != 1:
            raise RuntimeError(f"c0012: c0011's project_range changed near {old.strip()!r}")
        sql = sql.replace(old, new)
    return sql


def upgrade() -> None:
    # Straight to the driver, no parameters: the body holds plpgsql `%` and `:`.
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    dbapi.cursor().execute(project_range_sql())


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

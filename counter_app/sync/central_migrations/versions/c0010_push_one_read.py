"""central: push_batch reads its batch once

Revision ID: c0010
Revises: c0009
Create Date: 2026-12-03

Issue 17 (sync push ≥ 10,000 dossiers/s on loopback). push_batch turned the batch's JSON into
rows twice: once to check it (every field present, seq ≥ 1, the newest schema version it
carries) and once to insert it, each time building every event's payload (~10 % of its time
at 2,000 events a call). Now one statement reads the batch once into a materialised CTE,
checks it and inserts it: nothing is inserted when a row is malformed or its schema is newer
than central's, and the function then raises exactly what it raised before (same messages,
codes and hint), so the whole call rolls back as before. The ids of the batch for the reply's
rejections come from the same read. Everything else in the function is c0002's, unchanged:
the caller's unit, the source's row lock, replays and clashes kept aside, projection,
the reply. Owner, SECURITY DEFINER, search path and grants stay as c0002 set them
(CREATE OR REPLACE keeps the owner and the privileges).
"""

from __future__ import annotations

from alembic import op

revision = "c0010"
down_revision = "c0009"
branch_labels = None
depends_on = None

PUSH_BATCH_SQL = r"""
CREATE OR REPLACE FUNCTION central.push_batch(p_unit text, p_source text, p_events jsonb)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, central, pg_temp AS $$
DECLARE
  v_unit text := central.unit_of(session_user);
  v_max_schema int;
  v_old bigint;
  v_new bigint;
  v_max bigint;
  v_inserted bigint;
  v_count bigint;
  v_bad bigint;
  v_top_schema int;
  v_ids uuid[];
  r record;
BEGIN
  IF v_unit IS NULL OR v_unit IS DISTINCT FROM p_unit THEN
    RAISE EXCEPTION 'role % may not push events for unit %', session_user, p_unit
      USING ERRCODE = '42501';
  END IF;
  IF p_source IS NULL OR p_source !~ '^[A-Za-z0-9._-]{1,64}$' THEN
    RAISE EXCEPTION 'bad source id' USING ERRCODE = '22023';
  END IF;
  IF jsonb_typeof(p_events) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'events must be a JSON array' USING ERRCODE = '22023';
  END IF;
  SELECT c.value::int INTO v_max_schema FROM central.config c WHERE c.key = 'max_event_schema';

  INSERT INTO central.sources (unit_id, source_id) VALUES (p_unit, p_source)
  ON CONFLICT DO NOTHING;
  -- Pushes of one stream take turns (a second counter process, a retried batch).
  SELECT s.contiguous_seq, s.max_seq INTO v_old, v_max FROM central.sources s
  WHERE s.unit_id = p_unit AND s.source_id = p_source FOR UPDATE;

  -- The batch read once: checked, and inserted only when every row is well formed and no
  -- newer than this central (the checks raise below; the call then rolls back whole).
  WITH b AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset(p_events) AS b(event_id uuid, seq bigint, kind text,
                                                    schema_version int, payload jsonb,
                                                    created_at timestamptz)),
  chk AS (
    SELECT count(*) AS n,
           count(*) FILTER (WHERE b.event_id IS NULL OR b.seq IS NULL OR b.seq < 1
                               OR b.kind IS NULL OR b.payload IS NULL OR b.created_at IS NULL
                               OR b.schema_version IS NULL) AS bad,
           max(b.schema_version) AS top, array_agg(b.event_id) AS ids
    FROM b),
  ins AS (
    INSERT INTO central.events (event_id, unit_id, source_id, seq, kind, schema_version,
                                payload, created_at, future_stamped)
    SELECT b.event_id, p_unit, p_source, b.seq, b.kind, b.schema_version, b.payload,
           b.created_at, b.created_at > now() + interval '24 hours'
    FROM b, chk
    WHERE chk.bad = 0 AND (chk.top > v_max_schema) IS NOT TRUE
    ORDER BY b.seq
    ON CONFLICT DO NOTHING RETURNING seq)
  SELECT chk.n, chk.bad, chk.top, chk.ids, (SELECT count(*) FROM ins),
         greatest(coalesce((SELECT max(ins.seq) FROM ins), 0), v_max)
  INTO v_count, v_bad, v_top_schema, v_ids, v_inserted, v_max
  FROM chk;
  IF v_bad > 0 THEN
    RAISE EXCEPTION 'malformed event in batch' USING ERRCODE = '22023';
  END IF;
  IF v_top_schema > v_max_schema THEN
    RAISE EXCEPTION 'event schema newer than this central (%)', v_max_schema
      USING ERRCODE = 'P0001', HINT = 'central_outdated';
  END IF;

  -- Only when some rows were not stored (a replay, or worse) is each one looked up.
  IF v_inserted < v_count THEN
  -- Not stored and not a replay: its sequence number (or its id) belongs to another event,
  -- e.g. a counter restored from an old backup. Kept aside with its payload, reported.
  INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, payload)
  SELECT b.event_id, p_unit, p_source, b.seq, b.kind,
         CASE WHEN e.event_id IS NULL THEN 'seq_taken' ELSE 'event_id_taken' END, b.payload
  FROM jsonb_to_recordset(p_events) AS b(event_id uuid, seq bigint, kind text,
                                         schema_version int, payload jsonb,
                                         created_at timestamptz)
  LEFT JOIN central.events e ON e.event_id = b.event_id
  WHERE e.event_id IS NULL
     OR e.unit_id <> p_unit OR e.source_id <> p_source OR e.seq <> b.seq
  ON CONFLICT DO NOTHING;
  END IF;

  SELECT coalesce(max(t.seq), v_old) INTO v_new FROM (
    SELECT e.seq, e.seq - row_number() OVER (ORDER BY e.seq) AS grp
    FROM central.events e
    WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > v_old) t
  WHERE t.grp = v_old;
  v_max := greatest(v_max, v_new);

  IF v_new > v_old THEN
    BEGIN
      PERFORM central.project_range(p_unit, p_source, v_old, v_new);
    EXCEPTION WHEN others THEN
      -- One malformed event must not block the stream: apply one by one, reject the bad.
      FOR r IN SELECT e.seq, e.event_id, e.kind FROM central.events e
               WHERE e.unit_id = p_unit AND e.source_id = p_source
                 AND e.seq > v_old AND e.seq <= v_new
               ORDER BY e.seq LOOP
        BEGIN
          PERFORM central.project_range(p_unit, p_source, r.seq - 1, r.seq);
        EXCEPTION WHEN others THEN
          INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, detail)
          VALUES (r.event_id, p_unit, p_source, r.seq, r.kind, 'malformed',
                  jsonb_build_object('error', SQLERRM))
          ON CONFLICT DO NOTHING;
        END;
      END LOOP;
    END;
  END IF;

  UPDATE central.sources s SET contiguous_seq = v_new, max_seq = greatest(s.max_seq, v_max),
         last_push_at = now()
  WHERE s.unit_id = p_unit AND s.source_id = p_source;

  RETURN jsonb_build_object(
    'contiguous_seq', v_new,
    'max_seq', v_max,
    'inserted', v_inserted,
    'gaps', coalesce((
      SELECT jsonb_agg(jsonb_build_array(g2.lo, g2.hi) ORDER BY g2.lo) FROM (
        SELECT g.lo, g.hi FROM (
          SELECT coalesce(lag(e.seq) OVER (ORDER BY e.seq), v_new) + 1 AS lo, e.seq - 1 AS hi
          FROM central.events e
          WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > v_new) g
        WHERE g.hi >= g.lo ORDER BY g.lo LIMIT 20) g2), '[]'::jsonb),
    'rejected', coalesce((
      SELECT jsonb_agg(jsonb_build_object('event_id', r2.event_id, 'seq', r2.seq,
                                          'kind', r2.kind, 'reason', r2.reason,
                                          'detail', r2.detail) ORDER BY r2.seq)
      FROM central.rejections r2
      WHERE r2.unit_id = p_unit AND r2.source_id = p_source
        AND ((r2.seq > v_old AND r2.seq <= v_new) OR r2.event_id = ANY (v_ids))), '[]'::jsonb),
    'server_time', clock_timestamp());
END $$;
"""


def upgrade() -> None:
    # Straight to the driver, no parameters: the body holds plpgsql `%` and `:`.
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    dbapi.cursor().execute(PUSH_BATCH_SQL)


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

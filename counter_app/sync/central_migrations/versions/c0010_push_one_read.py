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
the reply (its text is taken from c0002 and the part from the batch's check to its insert
replaced below, checked to be found exactly once). Owner, SECURITY DEFINER, search path and
grants stay as c0002 set them (CREATE OR REPLACE keeps the owner and the privileges).
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "c0010"
down_revision = "c0009"
branch_labels = None
depends_on = None

# c0002's lines from the batch's check to its insert (both read the JSON) ...
_FROM = "  SELECT count(*),\n         count(*) FILTER (WHERE b.event_id IS NULL"
_TO = "  -- Only when some rows were not stored"
# ... become: the source's row and lock, then one read of the batch that checks and inserts.
CHECK_AND_INSERT_SQL = r"""
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

"""


def push_batch_sql() -> str:
    """c0002's push_batch, its batch read once."""
    c0002 = importlib.import_module(
        "counter_app.sync.central_migrations.versions.c0002_harden_roles"
    )
    sql: str = c0002.FUNCTIONS_SQL
    start = sql.index("CREATE OR REPLACE FUNCTION central.push_batch(")
    fn = sql[start : sql.index("END $$;", start) + len("END $$;")]
    if fn.count(_FROM) != 1 or fn.count(_TO) != 1:
        raise RuntimeError("c0010: c0002's push_batch changed near its batch check")
    i, j = fn.index(_FROM), fn.index(_TO)
    return fn[:i] + CHECK_AND_INSERT_SQL.lstrip("\n") + fn[j:] + "\n"


def upgrade() -> None:
    # Straight to the driver, no parameters: the body holds plpgsql `%` and `:`.
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    dbapi.cursor().execute(push_batch_sql())


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

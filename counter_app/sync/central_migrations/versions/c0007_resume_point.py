"""central: where a unit's stream and codes stand, and its own events back (after a restore)

Revision ID: c0007
Revises: c0006
Create Date: 2026-12-02

A counter restored from an older backup must not hand out a dossier code or an outbox
sequence number central has already seen (issue 11 part 3). Before it takes a dossier
again it asks central, as the unit's own role:
- central.resume_point(source, lo, hi): for the calling unit only, its stream's highest
  sequence held and highest sequence held without a gap, and per code day the highest
  code sequence within [lo, hi] that central has seen from the unit (its dossiers, and
  the dossiers it kept aside as rejections, e.g. `seq_taken`);
- central.source_events(source, after, limit): the calling unit's own events of one
  stream after a sequence, so the dossiers written after the backup and lost with the old
  database are listed for the supervisor rather than silently dropped.
Both are SECURITY DEFINER owned by the owner role (c0002), pinned search_path, executable
by the units' group role, and read only the calling unit's rows (central.unit_of).
`central init` re-runs c0002's SECURE_SQL, which revokes every function from the units'
role; GRANT_SQL below is run after it again (sync/central.py).
"""

from __future__ import annotations

from alembic import op

revision = "c0007"
down_revision = "c0006"
branch_labels = None
depends_on = None

FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION central.resume_point(p_source text, p_lo int, p_hi int)
RETURNS jsonb LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, central, pg_temp AS $$
DECLARE
  v_unit text := central.unit_of(session_user);
  v_prefix text;
  v_max bigint;
  v_contiguous bigint;
  v_codes jsonb;
BEGIN
  IF v_unit IS NULL THEN
    RAISE EXCEPTION 'role % is not a unit', session_user USING ERRCODE = '42501';
  END IF;
  v_prefix := v_unit || '-';
  SELECT coalesce(max(e.seq), 0) INTO v_max FROM central.events e
  WHERE e.unit_id = v_unit AND e.source_id = p_source;
  SELECT greatest(v_max, coalesce(max(s.max_seq), 0)), coalesce(max(s.contiguous_seq), 0)
  INTO v_max, v_contiguous
  FROM central.sources s WHERE s.unit_id = v_unit AND s.source_id = p_source;
  SELECT coalesce(jsonb_object_agg(c.day, c.top), '{}'::jsonb) INTO v_codes FROM (
    SELECT '20' || split_part(x.code, '-', 2) AS day, max(split_part(x.code, '-', 3)::int) AS top
    FROM (
      SELECT d.code FROM central.dossiers d WHERE d.unit_id = v_unit
      UNION ALL
      SELECT r.payload->>'code' FROM central.rejections r
      WHERE r.unit_id = v_unit AND r.kind = 'dossier' AND r.payload IS NOT NULL
    ) x
    WHERE starts_with(x.code, v_prefix)
      AND split_part(x.code, '-', 2) ~ '^[0-9]{6}$'
      AND split_part(x.code, '-', 3) ~ '^[0-9]{4,5}$'
      AND split_part(x.code, '-', 3)::int BETWEEN p_lo AND p_hi
    GROUP BY 1) c;
  RETURN jsonb_build_object('unit', v_unit, 'source', p_source, 'max_seq', v_max,
                            'contiguous_seq', v_contiguous, 'codes', v_codes,
                            'server_time', clock_timestamp());
END $$;

CREATE OR REPLACE FUNCTION central.source_events(p_source text, p_after bigint, p_limit int)
RETURNS TABLE (seq bigint, kind text, payload jsonb, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, central, pg_temp AS $$
  SELECT e.seq, e.kind, e.payload, e.created_at FROM central.events e
  WHERE e.unit_id = central.unit_of(session_user) AND e.source_id = p_source
    AND e.seq > p_after
  ORDER BY e.seq LIMIT least(greatest(p_limit, 1), 5000)
$$;
"""

# Owner and grants; idempotent, run by the migration and again by `central init` after
# SECURE_SQL (which revokes every function from the units' role).
GRANT_SQL = r"""
DO $$
DECLARE
  v_owner text := (SELECT value FROM central.config WHERE key = 'owner_role');
  v_units text := (SELECT value FROM central.config WHERE key = 'units_role');
BEGIN
  IF v_owner IS NOT NULL THEN
    EXECUTE format('ALTER FUNCTION central.resume_point(text, int, int) OWNER TO %I', v_owner);
    EXECUTE format('ALTER FUNCTION central.source_events(text, bigint, int) OWNER TO %I',
                   v_owner);
  END IF;
  REVOKE ALL ON FUNCTION central.resume_point(text, int, int) FROM PUBLIC;
  REVOKE ALL ON FUNCTION central.source_events(text, bigint, int) FROM PUBLIC;
  EXECUTE format('GRANT EXECUTE ON FUNCTION central.resume_point(text, int, int), '
                 'central.source_events(text, bigint, int) TO %I', v_units);
END $$;
"""


def upgrade() -> None:
    # Straight to the driver, no parameters: the bodies hold plpgsql `%` and `:`.
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    cur.execute(FUNCTIONS_SQL)
    cur.execute(GRANT_SQL)


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

"""central: the units' digitised files, uploaded in resumable chunks and verified by hash

Revision ID: c0008
Revises: c0007
Create Date: 2026-12-02

Issue 15 (the sync half): a counter uploads each archive PDF whose `document_digitised`
event central already holds, in chunks; a cut link resumes from the offset central reports
(nothing before it is sent again); the assembled bytes are checked with sha256(bytea) when
the last chunk arrives, and a file that does not match is discarded and sent again whole.
The unit's other counters download it from here (`file fetch`, the dossier view's open).

- central.files (unit_id, sha256, size, received, complete, rejected, …) and
  central.file_chunks (unit_id, sha256, off, data): no unit role may touch either table;
- SECURITY DEFINER functions owned by the owner role (c0002), search_path pinned, executable
  by the units' group role, acting on the calling unit's rows only (central.unit_of):
  file_begin(sha, size), file_put(sha, offset, data), file_read(sha, offset, length),
  file_find(code, name);
- an index on the document_digitised events' sha256 for file_begin's check.
`central init` re-runs c0002's SECURE_SQL (which revokes every function from the units'
role) and then every revision's GRANTS_SQL (sync/central._later_grants): GRANTS_SQL below.
"""

from __future__ import annotations

from alembic import op

revision = "c0008"
down_revision = "c0007"
branch_labels = None
depends_on = None

TABLES_SQL = r"""
CREATE TABLE IF NOT EXISTS central.files (
  unit_id text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL CHECK (size >= 0),
  received bigint NOT NULL DEFAULT 0,
  complete boolean NOT NULL DEFAULT false,
  rejected int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  completed_at timestamptz,
  PRIMARY KEY (unit_id, sha256)
);
CREATE TABLE IF NOT EXISTS central.file_chunks (
  unit_id text NOT NULL,
  sha256 text NOT NULL,
  off bigint NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (unit_id, sha256, off),
  FOREIGN KEY (unit_id, sha256) REFERENCES central.files (unit_id, sha256) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_events_digitised_sha
  ON central.events (unit_id, (payload->>'sha256')) WHERE kind = 'document_digitised';
CREATE INDEX IF NOT EXISTS ix_events_digitised_code
  ON central.events (unit_id, (payload->>'code')) WHERE kind = 'document_digitised';
"""

FUNCTIONS_SQL = r"""
-- Where the calling unit's upload of one file stands; the row is made on the first call,
-- and only for a file one of the unit's document_digitised events names with that size.
CREATE OR REPLACE FUNCTION central.file_begin(p_sha text, p_size bigint)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, central, pg_temp AS $$
DECLARE
  v_unit text := central.unit_of(session_user);
  f record;
BEGIN
  IF v_unit IS NULL THEN
    RAISE EXCEPTION 'role % is not a unit', session_user USING ERRCODE = '42501';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM central.events e
                 WHERE e.unit_id = v_unit AND e.kind = 'document_digitised'
                   AND e.payload->>'sha256' = p_sha
                   AND (e.payload->>'size')::bigint = p_size) THEN
    RETURN jsonb_build_object('status', 'no_event', 'offset', 0);
  END IF;
  INSERT INTO central.files (unit_id, sha256, size) VALUES (v_unit, p_sha, p_size)
  ON CONFLICT DO NOTHING;
  SELECT * INTO f FROM central.files x WHERE x.unit_id = v_unit AND x.sha256 = p_sha;
  RETURN jsonb_build_object('status', CASE WHEN f.complete THEN 'complete' ELSE 'open' END,
                            'offset', f.received, 'size', f.size);
END $$;

-- One chunk at `p_offset`. Written only when it starts where central's copy ends (otherwise
-- the reply says where that is); the last chunk checks the whole file's sha256, and a file
-- that fails is discarded (status `rejected`, offset 0) to be sent again whole.
CREATE OR REPLACE FUNCTION central.file_put(p_sha text, p_offset bigint, p_data bytea)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, central, pg_temp AS $$
DECLARE
  v_unit text := central.unit_of(session_user);
  f record;
  v_hash text;
BEGIN
  IF v_unit IS NULL THEN
    RAISE EXCEPTION 'role % is not a unit', session_user USING ERRCODE = '42501';
  END IF;
  SELECT * INTO f FROM central.files x WHERE x.unit_id = v_unit AND x.sha256 = p_sha
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('status', 'unknown', 'offset', 0);
  END IF;
  IF f.complete THEN
    RETURN jsonb_build_object('status', 'complete', 'offset', f.size);
  END IF;
  IF p_offset <> f.received OR length(p_data) = 0 THEN
    RETURN jsonb_build_object('status', 'open', 'offset', f.received);
  END IF;
  IF f.received + length(p_data) > f.size THEN
    DELETE FROM central.file_chunks c WHERE c.unit_id = v_unit AND c.sha256 = p_sha;
    UPDATE central.files x SET received = 0, rejected = x.rejected + 1
    WHERE x.unit_id = v_unit AND x.sha256 = p_sha;
    RETURN jsonb_build_object('status', 'rejected', 'offset', 0, 'reason', 'too_long');
  END IF;
  INSERT INTO central.file_chunks (unit_id, sha256, off, data)
  VALUES (v_unit, p_sha, p_offset, p_data);
  UPDATE central.files x SET received = f.received + length(p_data)
  WHERE x.unit_id = v_unit AND x.sha256 = p_sha;
  IF f.received + length(p_data) < f.size THEN
    RETURN jsonb_build_object('status', 'open', 'offset', f.received + length(p_data));
  END IF;
  SELECT encode(sha256(coalesce(string_agg(c.data, ''::bytea ORDER BY c.off), ''::bytea)),
                'hex')
  INTO v_hash FROM central.file_chunks c WHERE c.unit_id = v_unit AND c.sha256 = p_sha;
  IF v_hash = p_sha THEN
    UPDATE central.files x SET complete = true, completed_at = clock_timestamp()
    WHERE x.unit_id = v_unit AND x.sha256 = p_sha;
    RETURN jsonb_build_object('status', 'complete', 'offset', f.size);
  END IF;
  DELETE FROM central.file_chunks c WHERE c.unit_id = v_unit AND c.sha256 = p_sha;
  UPDATE central.files x SET received = 0, rejected = x.rejected + 1
  WHERE x.unit_id = v_unit AND x.sha256 = p_sha;
  RETURN jsonb_build_object('status', 'rejected', 'offset', 0, 'reason', 'hash_mismatch');
END $$;

-- Up to p_len bytes of one of the calling unit's complete files from p_offset; NULL when
-- the unit has no such complete file (another unit's file is never read).
CREATE OR REPLACE FUNCTION central.file_read(p_sha text, p_offset bigint, p_len int)
RETURNS bytea LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, central, pg_temp AS $$
  SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM central.files f
                               WHERE f.unit_id = central.unit_of(session_user)
                                 AND f.sha256 = p_sha AND f.complete) THEN NULL
              ELSE coalesce((
    SELECT substring(string_agg(c.data, ''::bytea ORDER BY c.off)
                     FROM (p_offset - min(c.off))::int + 1
                     FOR least(greatest(p_len, 1), 4194304))
    FROM central.file_chunks c
    WHERE c.unit_id = central.unit_of(session_user) AND c.sha256 = p_sha
      AND c.off < p_offset + least(greatest(p_len, 1), 4194304)
      AND c.off + length(c.data) > p_offset), ''::bytea) END
$$;

-- The calling unit's file of a dossier by its name (the latest document_digitised event
-- that names it), with whether central holds all its bytes.
CREATE OR REPLACE FUNCTION central.file_find(p_code text, p_name text)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, central, pg_temp AS $$
  SELECT jsonb_build_object('sha256', e.payload->>'sha256',
                            'size', (e.payload->>'size')::bigint,
                            'pages', (e.payload->>'pages')::int,
                            'name', e.payload->>'name',
                            'complete', coalesce(f.complete, false))
  FROM central.events e
  LEFT JOIN central.files f ON f.unit_id = e.unit_id AND f.sha256 = e.payload->>'sha256'
  WHERE e.unit_id = central.unit_of(session_user) AND e.kind = 'document_digitised'
    AND e.payload->>'code' = p_code AND e.payload->>'name' = p_name
  ORDER BY coalesce(f.complete, false) DESC, e.created_at DESC, e.seq DESC
  LIMIT 1
$$;
"""

# Owner and grants; idempotent, run by the migration and again by `central init` after
# SECURE_SQL (which revokes every function from the units' role).
GRANTS_SQL = r"""
DO $$
DECLARE
  v_owner text := (SELECT value FROM central.config WHERE key = 'owner_role');
  v_units text := (SELECT value FROM central.config WHERE key = 'units_role');
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['central.file_begin(text, bigint)',
                           'central.file_put(text, bigint, bytea)',
                           'central.file_read(text, bigint, int)',
                           'central.file_find(text, text)'] LOOP
    IF v_owner IS NOT NULL THEN
      EXECUTE format('ALTER FUNCTION %s OWNER TO %I', f, v_owner);
    END IF;
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, v_units);
  END LOOP;
  IF v_owner IS NOT NULL THEN
    EXECUTE format('ALTER TABLE central.files OWNER TO %I', v_owner);
    EXECUTE format('ALTER TABLE central.file_chunks OWNER TO %I', v_owner);
  END IF;
  REVOKE ALL ON central.files, central.file_chunks FROM PUBLIC;
  EXECUTE format('REVOKE ALL ON central.files, central.file_chunks FROM %I', v_units);
END $$;
"""


def upgrade() -> None:
    # Straight to the driver, no parameters: the bodies hold plpgsql `%` and `:`.
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    cur.execute(TABLES_SQL)
    cur.execute(FUNCTIONS_SQL)
    cur.execute(GRANTS_SQL)


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

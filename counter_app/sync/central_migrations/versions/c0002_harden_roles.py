"""harden central: a non-superuser owner, pinned search paths, no temp tables, own codes only

Revision ID: c0002
Revises: c0001
Create Date: 2026-12-01

A unit's role could become superuser: push_batch ran with its owner's rights (whoever ran
`central init`, usually `postgres`) and reused `pg_temp.batch_in` if the caller's session
already had one, so a trigger planted on that table ran as the superuser. This revision:
- creates `<db>_owner` (NOLOGIN, no superuser/createrole/createdb/bypassrls) and gives it
  the central schema, its tables, sequences and functions; a SECURITY DEFINER function now
  runs with no more rights than the schema's own;
- pins every function's search_path to `pg_catalog, central, pg_temp` and drops the
  temporary table (the batch is read with jsonb_to_recordset where it is used);
- revokes TEMPORARY on the database and CREATE on every schema from PUBLIC, so a unit's
  role can create nothing at all; unit roles get a connection limit and timeouts;
- serialises reference writes on a row lock of `central.version_lock` (a table no unit
  may touch) instead of an advisory lock any role could take and hold;
- rejects a dossier whose code is not the pushing unit's (`foreign_code`) before it can
  claim another unit's code, and a ticket whose id another unit's ticket holds.
Existing data is kept as it is; only owners, privileges and function bodies change.
"""

from __future__ import annotations

from alembic import op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None

SEARCH_PATH = "pg_catalog, central, pg_temp"

FUNCTIONS_SQL = r"""
CREATE TABLE IF NOT EXISTS central.version_lock (
  id boolean PRIMARY KEY DEFAULT true CHECK (id)
);
INSERT INTO central.version_lock VALUES (true) ON CONFLICT DO NOTHING;

CREATE OR REPLACE FUNCTION central.bump_row_version() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, central, pg_temp AS $$
BEGIN
  -- Lock first, then draw the version: writers take turns, so versions commit in order.
  -- A row lock on a table no unit role may read or write: nothing a unit holds blocks it.
  PERFORM 1 FROM central.version_lock FOR UPDATE;
  NEW.row_version := nextval('central.row_version_seq');
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION central.unit_of(p_role text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, central, pg_temp AS $$
  SELECT u.agency_id FROM central.units u WHERE u.role_name = p_role AND u.deleted_at IS NULL
$$;

CREATE OR REPLACE FUNCTION central.hello() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, central, pg_temp AS $$
  SELECT pg_catalog.jsonb_build_object(
    'unit', central.unit_of(session_user),
    'role', session_user::text,
    'privileged', (SELECT r.rolsuper OR r.rolcreaterole OR r.rolbypassrls
                   FROM pg_catalog.pg_roles r WHERE r.rolname = session_user),
    'server_time', pg_catalog.clock_timestamp(),
    'max_event_schema', (SELECT c.value::int FROM central.config c
                         WHERE c.key = 'max_event_schema'),
    'schema', (SELECT v.version_num FROM central.alembic_version v LIMIT 1))
$$;

-- Apply the events of one stream with seq in (lo, hi] to the projections, set-based.
-- Dossiers and tickets are found by primary key only (see c0001). A dossier whose code
-- does not begin with the pushing unit's agency identifier is never applied: it is
-- rejected for that unit as `foreign_code` and never becomes a clash for the other one.
CREATE OR REPLACE FUNCTION central.project_range(p_unit text, p_source text, lo bigint,
                                                 hi bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, central, pg_temp AS $$
DECLARE
  v_prefix text := p_unit || '-';
BEGIN
  INSERT INTO central.dossiers (id, unit_id, code, procedure_code, applicant_name,
                                received_at, due_at, status_seq, source_id, event_id)
  SELECT (e.payload->>'id')::uuid, p_unit, e.payload->>'code', e.payload->>'procedure',
         e.payload->'applicant'->>'name', (e.payload->>'received_at')::timestamptz,
         (e.payload->>'due_at')::timestamptz, e.seq, p_source, e.event_id
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

-- One batch of one stream, in one transaction, idempotent (see c0001). The batch is read
-- from its JSON where it is used: no temporary table, nothing the caller could plant.
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

  SELECT count(*),
         count(*) FILTER (WHERE b.event_id IS NULL OR b.seq IS NULL OR b.seq < 1
                             OR b.kind IS NULL OR b.payload IS NULL OR b.created_at IS NULL
                             OR b.schema_version IS NULL),
         max(b.schema_version), array_agg(b.event_id)
  INTO v_count, v_bad, v_top_schema, v_ids
  FROM jsonb_to_recordset(p_events) AS b(event_id uuid, seq bigint, kind text,
                                         schema_version int, payload jsonb,
                                         created_at timestamptz);
  IF v_bad > 0 THEN
    RAISE EXCEPTION 'malformed event in batch' USING ERRCODE = '22023';
  END IF;
  SELECT c.value::int INTO v_max_schema FROM central.config c WHERE c.key = 'max_event_schema';
  IF v_top_schema > v_max_schema THEN
    RAISE EXCEPTION 'event schema newer than this central (%)', v_max_schema
      USING ERRCODE = 'P0001', HINT = 'central_outdated';
  END IF;

  INSERT INTO central.sources (unit_id, source_id) VALUES (p_unit, p_source)
  ON CONFLICT DO NOTHING;
  -- Pushes of one stream take turns (a second counter process, a retried batch).
  SELECT s.contiguous_seq, s.max_seq INTO v_old, v_max FROM central.sources s
  WHERE s.unit_id = p_unit AND s.source_id = p_source FOR UPDATE;

  WITH ins AS (
    INSERT INTO central.events (event_id, unit_id, source_id, seq, kind, schema_version,
                                payload, created_at, future_stamped)
    SELECT b.event_id, p_unit, p_source, b.seq, b.kind, b.schema_version, b.payload,
           b.created_at, b.created_at > now() + interval '24 hours'
    FROM jsonb_to_recordset(p_events) AS b(event_id uuid, seq bigint, kind text,
                                           schema_version int, payload jsonb,
                                           created_at timestamptz)
    ORDER BY b.seq
    ON CONFLICT DO NOTHING RETURNING seq)
  SELECT count(*), greatest(coalesce(max(ins.seq), 0), v_max) INTO v_inserted, v_max FROM ins;

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

# Owners, privileges and the unit roles' limits. Idempotent: `central init` may run it
# again on a database it already hardened.
SECURE_SQL = r"""
DO $$
DECLARE
  v_db text := current_database();
  v_owner text := left(current_database(), 40) || '_owner';
  v_units text := (SELECT value FROM central.config WHERE key = 'units_role');
  v_admin_super boolean := (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
  r record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_owner) THEN
    EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
                   'NOBYPASSRLS NOINHERIT', v_owner);
  END IF;
  -- Whatever that role was before, it gets no rights of its own and no login.
  EXECUTE format('ALTER ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS '
                 'NOREPLICATION', v_owner);
  IF NOT v_admin_super THEN
    -- An administrator that is not a superuser acts on the schema as a member of its owner.
    EXECUTE format('GRANT %I TO %I', v_owner, current_user);
  END IF;
  INSERT INTO central.config VALUES ('owner_role', v_owner)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value;

  EXECUTE format('ALTER SCHEMA central OWNER TO %I', v_owner);
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'central' AND c.relkind IN ('r', 'p', 'v', 'm') LOOP
    EXECUTE format('ALTER %s central.%I OWNER TO %I',
                   CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                  ELSE 'TABLE' END, r.relname, v_owner);
  END LOOP;
  -- Sequences that belong to no column (those that do moved with their table).
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'central' AND c.relkind = 'S'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d
                             WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                               AND d.deptype IN ('a', 'i')) LOOP
    EXECUTE format('ALTER SEQUENCE central.%I OWNER TO %I', r.relname, v_owner);
  END LOOP;
  FOR r IN SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'central' LOOP
    EXECUTE format('ALTER FUNCTION central.%I(%s) OWNER TO %I', r.proname, r.args, v_owner);
  END LOOP;

  -- A unit's role executes push_batch / hello (and unit_of, used by the row policies),
  -- reads reference data and its own rows, and creates nothing anywhere.
  REVOKE ALL ON SCHEMA central FROM PUBLIC;
  REVOKE ALL ON ALL TABLES IN SCHEMA central FROM PUBLIC;
  REVOKE ALL ON ALL SEQUENCES IN SCHEMA central FROM PUBLIC;
  REVOKE ALL ON ALL FUNCTIONS IN SCHEMA central FROM PUBLIC;
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA central FROM %I', v_units);
  EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA central FROM %I', v_units);
  EXECUTE format('REVOKE CREATE ON SCHEMA central FROM %I', v_units);
  EXECUTE format('GRANT USAGE ON SCHEMA central TO %I', v_units);
  EXECUTE format('GRANT EXECUTE ON FUNCTION central.push_batch(text, text, jsonb), '
                 'central.hello(), central.unit_of(text) TO %I', v_units);
  EXECUTE format('GRANT SELECT ON central.units, central.procedures, '
                 'central.calendar_overrides, central.users, central.sources, '
                 'central.events, central.dossiers, central.tickets, central.rejections, '
                 'central.code_clashes TO %I', v_units);

  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', v_db);
  EXECUTE format('REVOKE TEMPORARY, CREATE ON DATABASE %I FROM %I', v_db, v_units);
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', v_db, v_units);
  IF NOT v_admin_super THEN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', v_db, current_user);
  END IF;
  FOR r IN SELECT nspname FROM pg_namespace
           WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
             AND has_schema_privilege(v_units, oid, 'CREATE') LOOP
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', r.nspname);
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM %I', r.nspname, v_units);
  END LOOP;

  -- Refuse to leave a half-hardened central behind (an administrator who may not revoke).
  IF has_database_privilege(v_units, v_db, 'TEMPORARY')
     OR has_database_privilege(v_units, v_db, 'CREATE') THEN
    RAISE EXCEPTION 'unit roles can still create objects in database %', v_db
      USING HINT = 'run `central init` as the database owner or a superuser';
  END IF;
  FOR r IN SELECT nspname FROM pg_namespace
           WHERE has_schema_privilege(v_units, oid, 'CREATE') LOOP
    RAISE EXCEPTION 'unit roles can still create objects in schema %', r.nspname
      USING HINT = 'run `central init` as the owner of that schema or a superuser';
  END LOOP;

  -- Every unit role: a small connection limit and timeouts, so a unit cannot exhaust the
  -- server or sit on locks (central.UNIT_CONNECTION_LIMIT: several counters of one unit).
  FOR r IN SELECT u.role_name FROM central.units u
           JOIN pg_roles pr ON pr.rolname = u.role_name LOOP
    EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS '
                   'NOREPLICATION CONNECTION LIMIT 10', r.role_name);
    EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', r.role_name, '120s');
    EXECUTE format('ALTER ROLE %I SET lock_timeout = %L', r.role_name, '30s');
    EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L',
                   r.role_name, '60s');
  END LOOP;
END $$;
"""


def upgrade() -> None:
    # Straight to the driver, no parameters: the bodies hold plpgsql `%` and `:`.
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    cur.execute(FUNCTIONS_SQL)
    cur.execute(SECURE_SQL)


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

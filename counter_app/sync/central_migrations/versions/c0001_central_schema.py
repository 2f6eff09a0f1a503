"""central schema: reference tables, the event store, projections, push function, roles, RLS

Revision ID: c0001
Revises:
Create Date: 2026-12-01

Reference data (units, procedures, calendar overrides, users) is written here by the
province's administrators and pulled by the units; every write takes an advisory lock
BEFORE drawing its row_version, so versions commit in order and `row_version > cursor`
never skips a row. Transactional data arrives only through central.push_batch, a
SECURITY DEFINER function that is the one thing a unit's role may execute.
"""

from __future__ import annotations

from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None

# Event payload versions this central understands (events carry `schema_version`).
# A counter newer than central keeps its events and retries once central is upgraded.
SCHEMA_SQL = r"""
CREATE TABLE central.config (key text PRIMARY KEY, value text NOT NULL);

-- The group role every unit role belongs to; one name per central database, so a test
-- cluster (or a province running two central databases) keeps them apart.
DO $$
DECLARE r text := left(current_database(), 40) || '_units';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
    EXECUTE format('CREATE ROLE %I NOLOGIN', r);
  END IF;
  INSERT INTO central.config VALUES ('units_role', r);
  INSERT INTO central.config VALUES ('max_event_schema', '1');
END $$;

CREATE SEQUENCE central.row_version_seq;

CREATE FUNCTION central.bump_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Lock first, then draw the version: writers take turns, so versions commit in order.
  PERFORM pg_advisory_xact_lock(7306983115417841729);
  NEW.row_version := nextval('central.row_version_seq');
  RETURN NEW;
END $$;

CREATE TABLE central.units (
  agency_id    text PRIMARY KEY,
  name         text NOT NULL,
  parent_name  text NOT NULL DEFAULT '',
  place_name   text NOT NULL DEFAULT '',
  address      text NOT NULL DEFAULT '',
  phone        text NOT NULL DEFAULT '',
  cutoff       text NOT NULL DEFAULT '15:00',
  office_open  text NOT NULL DEFAULT '07:30',
  office_close text NOT NULL DEFAULT '17:00',
  role_name    text UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  row_version  bigint NOT NULL DEFAULT 0,
  deleted_at   timestamptz
);
CREATE TABLE central.procedures (
  code        text PRIMARY KEY,
  data        jsonb NOT NULL,
  row_version bigint NOT NULL DEFAULT 0,
  deleted_at  timestamptz
);
CREATE TABLE central.calendar_overrides (
  day         date PRIMARY KEY,
  is_workday  boolean NOT NULL,
  note        text NOT NULL DEFAULT '',
  row_version bigint NOT NULL DEFAULT 0,
  deleted_at  timestamptz
);
CREATE TABLE central.users (
  username      text PRIMARY KEY,
  unit_id       text NOT NULL REFERENCES central.units,
  full_name     text NOT NULL,
  role          text NOT NULL CHECK (role IN ('clerk', 'supervisor', 'admin')),
  password_hash text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  row_version   bigint NOT NULL DEFAULT 0,
  deleted_at    timestamptz
);
CREATE INDEX ix_units_row_version ON central.units (row_version);
CREATE INDEX ix_procedures_row_version ON central.procedures (row_version);
CREATE INDEX ix_calendar_row_version ON central.calendar_overrides (row_version);
CREATE INDEX ix_users_row_version ON central.users (row_version);
CREATE INDEX ix_users_unit ON central.users (unit_id);
CREATE TRIGGER tr_units_version BEFORE INSERT OR UPDATE ON central.units
  FOR EACH ROW EXECUTE FUNCTION central.bump_row_version();
CREATE TRIGGER tr_procedures_version BEFORE INSERT OR UPDATE ON central.procedures
  FOR EACH ROW EXECUTE FUNCTION central.bump_row_version();
CREATE TRIGGER tr_calendar_version BEFORE INSERT OR UPDATE ON central.calendar_overrides
  FOR EACH ROW EXECUTE FUNCTION central.bump_row_version();
CREATE TRIGGER tr_users_version BEFORE INSERT OR UPDATE ON central.users
  FOR EACH ROW EXECUTE FUNCTION central.bump_row_version();

-- One event stream per (unit, source): a source is one local database (a stand-alone
-- counter's SQLite file, or an office's PostgreSQL), numbered 1, 2, 3… without gaps.
CREATE TABLE central.sources (
  unit_id        text NOT NULL REFERENCES central.units,
  source_id      text NOT NULL,
  contiguous_seq bigint NOT NULL DEFAULT 0,
  max_seq        bigint NOT NULL DEFAULT 0,
  first_push_at  timestamptz NOT NULL DEFAULT now(),
  last_push_at   timestamptz,
  PRIMARY KEY (unit_id, source_id)
);
CREATE TABLE central.events (
  event_id       uuid PRIMARY KEY,
  unit_id        text NOT NULL,
  source_id      text NOT NULL,
  seq            bigint NOT NULL,
  kind           text NOT NULL,
  schema_version int NOT NULL,
  payload        jsonb NOT NULL,
  created_at     timestamptz NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  future_stamped boolean NOT NULL DEFAULT false,
  CONSTRAINT uq_events_stream UNIQUE (unit_id, source_id, seq)
);
CREATE TABLE central.dossiers (
  id             uuid PRIMARY KEY,
  unit_id        text NOT NULL,
  code           text NOT NULL CONSTRAINT uq_dossiers_code UNIQUE,
  procedure_code text NOT NULL,
  applicant_name text NOT NULL,
  received_at    timestamptz NOT NULL,
  due_at         timestamptz NOT NULL,
  status         text NOT NULL DEFAULT 'received',
  status_seq     bigint NOT NULL DEFAULT 0,
  source_id      text NOT NULL,
  event_id       uuid NOT NULL
);
CREATE INDEX ix_dossiers_unit ON central.dossiers (unit_id);
CREATE TABLE central.tickets (
  id         uuid PRIMARY KEY,
  unit_id    text NOT NULL,
  day        date NOT NULL,
  display    text NOT NULL,
  service    text NOT NULL,
  status     text NOT NULL DEFAULT 'waiting',
  status_seq bigint NOT NULL DEFAULT 0,
  source_id  text NOT NULL,
  event_id   uuid NOT NULL
);
CREATE INDEX ix_tickets_unit ON central.tickets (unit_id);
-- Events central received and stored but could not apply (a business rule): acknowledged,
-- so they never block the stream, and reported back to the unit.
CREATE TABLE central.rejections (
  event_id  uuid PRIMARY KEY,
  unit_id   text NOT NULL,
  source_id text NOT NULL,
  seq       bigint NOT NULL,
  kind      text NOT NULL,
  reason    text NOT NULL,
  detail    jsonb NOT NULL DEFAULT '{}',
  payload   jsonb,
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_rejections_stream ON central.rejections (unit_id, source_id, seq);
-- The same dossier code from two dossiers: the first keeps it, nothing is overwritten,
-- both units see the clash.
CREATE TABLE central.code_clashes (
  id               bigserial PRIMARY KEY,
  code             text NOT NULL,
  unit_id          text NOT NULL,
  dossier_id       uuid NOT NULL UNIQUE,
  other_unit_id    text NOT NULL,
  other_dossier_id uuid NOT NULL,
  at               timestamptz NOT NULL DEFAULT now()
);

-- Apply the events of one stream with seq in (lo, hi] to the projections, set-based.
-- Dossiers and tickets are found by primary key only: the unit checks are written
-- `IS NOT DISTINCT FROM` so the planner cannot turn them into an index scan of the
-- unit's rows (with stale statistics a new unit looked empty, and a nested loop through
-- ix_dossiers_unit made each batch quadratic in the unit's backlog: 35x slower at 8M).
CREATE FUNCTION central.project_range(p_unit text, p_source text, lo bigint, hi bigint)
RETURNS void LANGUAGE plpgsql SET search_path = central, pg_temp AS $$
BEGIN
  INSERT INTO central.dossiers (id, unit_id, code, procedure_code, applicant_name,
                                received_at, due_at, status_seq, source_id, event_id)
  SELECT (e.payload->>'id')::uuid, p_unit, e.payload->>'code', e.payload->>'procedure',
         e.payload->'applicant'->>'name', (e.payload->>'received_at')::timestamptz,
         (e.payload->>'due_at')::timestamptz, e.seq, p_source, e.event_id
  FROM central.events e
  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
    AND e.kind = 'dossier'
  ORDER BY e.seq
  ON CONFLICT DO NOTHING;

  -- A dossier event that did not become the dossier: its code (or id) is someone else's.
  INSERT INTO central.code_clashes (code, unit_id, dossier_id, other_unit_id, other_dossier_id)
  SELECT e.payload->>'code', p_unit, (e.payload->>'id')::uuid, d.unit_id, d.id
  FROM central.events e JOIN central.dossiers d ON d.code = e.payload->>'code'
  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
    AND e.kind = 'dossier' AND d.event_id <> e.event_id
  ON CONFLICT (dossier_id) DO NOTHING;
  INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, detail)
  SELECT e.event_id, p_unit, p_source, e.seq, e.kind,
         CASE WHEN d.id IS NOT NULL THEN 'code_clash' ELSE 'dossier_id_taken' END,
         jsonb_build_object('code', e.payload->>'code', 'other_unit', d.unit_id,
                            'other_dossier', d.id)
  FROM central.events e
  LEFT JOIN central.dossiers d ON d.code = e.payload->>'code' AND d.event_id <> e.event_id
  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi
    AND e.kind = 'dossier'
    AND NOT EXISTS (SELECT 1 FROM central.dossiers x
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

CREATE FUNCTION central.unit_of(p_role text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = central, pg_temp AS $$
  SELECT agency_id FROM central.units WHERE role_name = p_role AND deleted_at IS NULL
$$;

-- Who is connected: the unit this login belongs to, the server's clock, what it accepts.
CREATE FUNCTION central.hello() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = central, pg_temp AS $$
  SELECT jsonb_build_object(
    'unit', central.unit_of(session_user),
    'role', session_user::text,
    'privileged', (SELECT rolsuper OR rolcreaterole OR rolbypassrls
                   FROM pg_roles WHERE rolname = session_user),
    'server_time', clock_timestamp(),
    'max_event_schema', (SELECT value::int FROM central.config WHERE key = 'max_event_schema'),
    'schema', (SELECT version_num FROM central.alembic_version LIMIT 1))
$$;

-- One batch of one stream, in one transaction, idempotent: an event already held is a
-- no-op. Answers the highest sequence held without a gap, the gaps above it, the events
-- of this batch (or newly applied) that were rejected, and the server's clock.
CREATE FUNCTION central.push_batch(p_unit text, p_source text, p_events jsonb)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = central, pg_temp AS $$
DECLARE
  v_unit text := central.unit_of(session_user);
  v_max_schema int;
  v_old bigint;
  v_new bigint;
  v_max bigint;
  v_inserted bigint;
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

  IF to_regclass('pg_temp.batch_in') IS NULL THEN
    CREATE TEMP TABLE batch_in (
      event_id uuid, seq bigint, kind text, schema_version int, payload jsonb,
      created_at timestamptz) ON COMMIT DELETE ROWS;
  END IF;
  DELETE FROM pg_temp.batch_in;
  INSERT INTO pg_temp.batch_in
  SELECT * FROM jsonb_to_recordset(p_events) AS x(event_id uuid, seq bigint, kind text,
                                                    schema_version int, payload jsonb,
                                                    created_at timestamptz);
  IF EXISTS (SELECT 1 FROM pg_temp.batch_in
             WHERE event_id IS NULL OR seq IS NULL OR seq < 1 OR kind IS NULL
                OR payload IS NULL OR created_at IS NULL OR schema_version IS NULL) THEN
    RAISE EXCEPTION 'malformed event in batch' USING ERRCODE = '22023';
  END IF;
  SELECT value::int INTO v_max_schema FROM central.config WHERE key = 'max_event_schema';
  IF EXISTS (SELECT 1 FROM pg_temp.batch_in WHERE schema_version > v_max_schema) THEN
    RAISE EXCEPTION 'event schema newer than this central (%)', v_max_schema
      USING ERRCODE = 'P0001', HINT = 'central_outdated';
  END IF;

  INSERT INTO central.sources (unit_id, source_id) VALUES (p_unit, p_source)
  ON CONFLICT DO NOTHING;
  -- Pushes of one stream take turns (a second counter process, a retried batch).
  SELECT contiguous_seq, max_seq INTO v_old, v_max FROM central.sources
  WHERE unit_id = p_unit AND source_id = p_source FOR UPDATE;

  WITH ins AS (
    INSERT INTO central.events (event_id, unit_id, source_id, seq, kind, schema_version,
                                payload, created_at, future_stamped)
    SELECT b.event_id, p_unit, p_source, b.seq, b.kind, b.schema_version, b.payload,
           b.created_at, b.created_at > now() + interval '24 hours'
    FROM pg_temp.batch_in b ORDER BY b.seq
    ON CONFLICT DO NOTHING RETURNING seq)
  SELECT count(*), greatest(coalesce(max(seq), 0), v_max) INTO v_inserted, v_max FROM ins;

  -- Only when some rows were not stored (a replay, or worse) is each one looked up.
  IF v_inserted < (SELECT count(*) FROM pg_temp.batch_in) THEN
  -- Not stored and not a replay: its sequence number (or its id) belongs to another event,
  -- e.g. a counter restored from an old backup. Kept aside with its payload, reported.
  INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, payload)
  SELECT b.event_id, p_unit, p_source, b.seq, b.kind,
         CASE WHEN e.event_id IS NULL THEN 'seq_taken' ELSE 'event_id_taken' END, b.payload
  FROM pg_temp.batch_in b
  LEFT JOIN central.events e ON e.event_id = b.event_id
  WHERE e.event_id IS NULL
     OR e.unit_id <> p_unit OR e.source_id <> p_source OR e.seq <> b.seq
  ON CONFLICT DO NOTHING;
  END IF;

  SELECT coalesce(max(seq), v_old) INTO v_new FROM (
    SELECT seq, seq - row_number() OVER (ORDER BY seq) AS grp
    FROM central.events WHERE unit_id = p_unit AND source_id = p_source AND seq > v_old) t
  WHERE grp = v_old;
  v_max := greatest(v_max, v_new);

  IF v_new > v_old THEN
    BEGIN
      PERFORM central.project_range(p_unit, p_source, v_old, v_new);
    EXCEPTION WHEN others THEN
      -- One malformed event must not block the stream: apply one by one, reject the bad.
      FOR r IN SELECT seq, event_id, kind FROM central.events
               WHERE unit_id = p_unit AND source_id = p_source AND seq > v_old AND seq <= v_new
               ORDER BY seq LOOP
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

  UPDATE central.sources SET contiguous_seq = v_new, max_seq = greatest(max_seq, v_max),
         last_push_at = now()
  WHERE unit_id = p_unit AND source_id = p_source;

  RETURN jsonb_build_object(
    'contiguous_seq', v_new,
    'max_seq', v_max,
    'inserted', v_inserted,
    'gaps', coalesce((
      SELECT jsonb_agg(jsonb_build_array(lo, hi) ORDER BY lo) FROM (
        SELECT lo, hi FROM (
          SELECT coalesce(lag(seq) OVER (ORDER BY seq), v_new) + 1 AS lo, seq - 1 AS hi
          FROM central.events
          WHERE unit_id = p_unit AND source_id = p_source AND seq > v_new) g
        WHERE hi >= lo ORDER BY lo LIMIT 20) g2), '[]'::jsonb),
    'rejected', coalesce((
      SELECT jsonb_agg(jsonb_build_object('event_id', r2.event_id, 'seq', r2.seq,
                                          'kind', r2.kind, 'reason', r2.reason,
                                          'detail', r2.detail) ORDER BY r2.seq)
      FROM central.rejections r2
      WHERE r2.unit_id = p_unit AND r2.source_id = p_source
        AND ((r2.seq > v_old AND r2.seq <= v_new)
             OR r2.event_id IN (SELECT event_id FROM pg_temp.batch_in))), '[]'::jsonb),
    'server_time', clock_timestamp());
END $$;

-- Privileges: a unit's role executes push_batch and hello, reads reference data, and reads
-- (only) its own rows; it never writes a table directly.
DO $$
DECLARE r text := (SELECT value FROM central.config WHERE key = 'units_role');
BEGIN
  EXECUTE 'REVOKE ALL ON SCHEMA central FROM PUBLIC';
  EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA central FROM PUBLIC';
  EXECUTE 'REVOKE ALL ON ALL FUNCTIONS IN SCHEMA central FROM PUBLIC';
  EXECUTE format('GRANT USAGE ON SCHEMA central TO %I', r);
  EXECUTE format('GRANT EXECUTE ON FUNCTION central.push_batch(text, text, jsonb), '
                 'central.hello(), central.unit_of(text) TO %I', r);
  EXECUTE format('GRANT SELECT ON central.units, central.procedures, '
                 'central.calendar_overrides, central.users, central.sources, central.events, '
                 'central.dossiers, central.tickets, central.rejections, central.code_clashes '
                 'TO %I', r);
END $$;

ALTER TABLE central.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE central.sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE central.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE central.dossiers ENABLE ROW LEVEL SECURITY;
ALTER TABLE central.tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE central.rejections ENABLE ROW LEVEL SECURITY;
ALTER TABLE central.code_clashes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_unit ON central.users FOR SELECT
  USING (unit_id = central.unit_of(current_user::text));
CREATE POLICY own_unit ON central.sources FOR SELECT
  USING (unit_id = central.unit_of(current_user::text));
CREATE POLICY own_unit ON central.events FOR SELECT
  USING (unit_id = central.unit_of(current_user::text));
CREATE POLICY own_unit ON central.dossiers FOR SELECT
  USING (unit_id = central.unit_of(current_user::text));
CREATE POLICY own_unit ON central.tickets FOR SELECT
  USING (unit_id = central.unit_of(current_user::text));
CREATE POLICY own_unit ON central.rejections FOR SELECT
  USING (unit_id = central.unit_of(current_user::text));
CREATE POLICY either_unit ON central.code_clashes FOR SELECT
  USING (central.unit_of(current_user::text) IN (unit_id, other_unit_id));
"""


def upgrade() -> None:
    # Straight to the driver, no parameters: the body holds plpgsql `%` and `:` that no
    # layer above may read as placeholders.
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    dbapi.cursor().execute(SCHEMA_SQL)


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

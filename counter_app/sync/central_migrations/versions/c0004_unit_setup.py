"""a unit's counters and queue services as reference data (issue 11 §4)

Revision ID: c0004
Revises: c0003
Create Date: 2026-12-02

Set on central (`central counter`, `central service`), they reach the unit by the reference
pull like users do: row_version + tombstones, each unit reading only its own rows (row
policy through central.unit_of, as for central.users). No function is added: a unit still
executes exactly push_batch, hello and unit_of. The units' hours become optional on central
(below): NULL leaves the unit's own.

`central init` re-runs c0002's SECURE_SQL, which revokes every table privilege of the units'
role and grants back a fixed list; GRANTS_SQL below is run after it (sync/central.py
init_central runs every revision's GRANTS_SQL), so the units keep reading these tables.
"""

from __future__ import annotations

from alembic import op

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None

SCHEMA_SQL = r"""
CREATE TABLE central.service_counters (
  unit_id     text NOT NULL REFERENCES central.units,
  number      integer NOT NULL CHECK (number BETWEEN 1 AND 999),
  name        text NOT NULL DEFAULT '',
  row_version bigint NOT NULL DEFAULT 0,
  deleted_at  timestamptz,
  PRIMARY KEY (unit_id, number)
);
CREATE TABLE central.queue_services (
  unit_id     text NOT NULL REFERENCES central.units,
  code        text NOT NULL,
  -- name, prefix, counters, start_number, end_number, opens, closes, position, active
  data        jsonb NOT NULL,
  row_version bigint NOT NULL DEFAULT 0,
  deleted_at  timestamptz,
  PRIMARY KEY (unit_id, code)
);
CREATE INDEX ix_service_counters_row_version ON central.service_counters (row_version);
CREATE INDEX ix_queue_services_row_version ON central.queue_services (row_version);
CREATE TRIGGER tr_service_counters_version BEFORE INSERT OR UPDATE ON central.service_counters
  FOR EACH ROW EXECUTE FUNCTION central.bump_row_version();
CREATE TRIGGER tr_queue_services_version BEFORE INSERT OR UPDATE ON central.queue_services
  FOR EACH ROW EXECUTE FUNCTION central.bump_row_version();
ALTER TABLE central.service_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE central.queue_services ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_unit ON central.service_counters FOR SELECT
  USING (unit_id = central.unit_of(current_user::text));
CREATE POLICY own_unit ON central.queue_services FOR SELECT
  USING (unit_id = central.unit_of(current_user::text));
REVOKE ALL ON central.service_counters, central.queue_services FROM PUBLIC;

-- No command sets a unit's hours on central: the defaults it held would overwrite the hours a
-- unit set up itself (offline, before it was provisioned) at its first pull. NULL = "the
-- unit's own"; the counter keeps its value (services/sync.py _apply_unit).
ALTER TABLE central.units
  ALTER COLUMN cutoff DROP NOT NULL, ALTER COLUMN cutoff DROP DEFAULT,
  ALTER COLUMN office_open DROP NOT NULL, ALTER COLUMN office_open DROP DEFAULT,
  ALTER COLUMN office_close DROP NOT NULL, ALTER COLUMN office_close DROP DEFAULT;
UPDATE central.units SET cutoff = NULL, office_open = NULL, office_close = NULL
WHERE (cutoff, office_open, office_close) = ('15:00', '07:30', '17:00');
"""

GRANTS_SQL = r"""
DO $$
DECLARE r text := (SELECT value FROM central.config WHERE key = 'units_role');
BEGIN
  EXECUTE format('GRANT SELECT ON central.service_counters, central.queue_services TO %I', r);
END $$;
"""


def upgrade() -> None:
    # Straight to the driver, no parameters (as c0001-c0003).
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    cur.execute(SCHEMA_SQL)
    cur.execute(GRANTS_SQL)


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

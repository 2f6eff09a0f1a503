"""central: the applicant's 2025 commune on central.dossiers; central's override list of communes

Revision ID: c0009
Revises: c0008
Create Date: 2026-12-02

Issue 16 (addresses in the 2025 administrative units), central's half:

- central.dossiers gains `commune_code` (the GSO code of the applicant's commune, NULL =
  not matched at the counter, or an event from before issue 16), and nothing else personal.
  project_range fills it from the dossier event's `applicant.commune_code`. A unit can send
  anything, so only a JSON string of exactly five ASCII digits is taken; any other value
  (a number, a list, a longer or SQL-ish string) becomes NULL and never fails the push.
  The dossiers already held are filled from their events here (the same expression).
  project_range is c0003's with that one column added (the text is taken from c0003 and
  patched below, checked to apply exactly once; nothing else in it changes).
- central.admin_unit_overrides: communes added, renamed or retired after the packaged 2025
  list (domain/admin_units.with_overrides), published with `central address-units import`
  (sync/central_admin_units.py) and pulled by every unit like calendar_overrides
  (row_version + tombstones; services/sync.py). Reference data: every unit role reads it,
  none writes it (GRANTS_SQL, run again by `central init` after SECURE_SQL).
- The override list's version (the published file's "version") is kept in central.config.
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None

# The commune code of a dossier event `e`, or NULL: a JSON string of five ASCII digits only.
COMMUNE_SQL = (
    "CASE WHEN jsonb_typeof(e.payload->'applicant'->'commune_code') = 'string'"
    " AND (e.payload->'applicant'->>'commune_code') ~ '^[0-9]{5}$'"
    " THEN e.payload->'applicant'->>'commune_code' END"
)

COLUMNS_SQL = r"""
ALTER TABLE central.dossiers ADD COLUMN IF NOT EXISTS commune_code text
  CONSTRAINT ck_dossiers_commune_code CHECK (commune_code ~ '^[0-9]{5}$');
"""

BACKFILL_SQL = f"""
UPDATE central.dossiers d SET commune_code = {COMMUNE_SQL}
FROM central.events e
WHERE e.event_id = d.event_id AND e.kind = 'dossier' AND ({COMMUNE_SQL}) IS NOT NULL;
"""

TABLES_SQL = r"""
CREATE TABLE IF NOT EXISTS central.admin_unit_overrides (
  code          text PRIMARY KEY CHECK (code ~ '^[0-9]{5}$'),
  name          text NOT NULL DEFAULT '',
  province_code text NOT NULL DEFAULT '',
  retired       boolean NOT NULL DEFAULT false,
  row_version   bigint NOT NULL DEFAULT 0,
  deleted_at    timestamptz,
  CONSTRAINT ck_admin_unit_overrides_row
    CHECK (retired OR (name <> '' AND province_code ~ '^[0-9]{2}$'))
);
CREATE INDEX IF NOT EXISTS ix_admin_unit_overrides_row_version
  ON central.admin_unit_overrides (row_version);
DROP TRIGGER IF EXISTS tr_admin_unit_overrides_version ON central.admin_unit_overrides;
CREATE TRIGGER tr_admin_unit_overrides_version
  BEFORE INSERT OR UPDATE ON central.admin_unit_overrides
  FOR EACH ROW EXECUTE FUNCTION central.bump_row_version();
REVOKE ALL ON central.admin_unit_overrides FROM PUBLIC;
"""

GRANTS_SQL = r"""
DO $$
DECLARE r text := (SELECT value FROM central.config WHERE key = 'units_role');
BEGIN
  EXECUTE format('REVOKE ALL ON central.admin_unit_overrides FROM %I', r);
  EXECUTE format('GRANT SELECT ON central.admin_unit_overrides TO %I', r);
END $$;
"""

_INSERT_COLUMNS = (
    "                                receive_channel)\n  SELECT",
    "                                receive_channel, commune_code)\n  SELECT",
)
_INSERT_VALUES = (
    "         e.payload->>'receive_channel'\n  FROM central.events e",
    f"         e.payload->>'receive_channel',\n         {COMMUNE_SQL}\n  FROM central.events e",
)


def project_range_sql() -> str:
    """c0003's project_range, its dossier INSERT also taking the commune code."""
    c0003 = importlib.import_module(
        "counter_app.sync.central_migrations.versions.c0003_report_facts"
    )
    sql: str = c0003._with_facts(c0003.FUNCTIONS_SQL)
    for old, new in (_INSERT_COLUMNS, _INSERT_VALUES):
        if sql.count(old) != 1:
            raise RuntimeError(f"c0009: c0003's project_range changed near {old.strip()!r}")
        sql = sql.replace(old, new)
    return sql


def upgrade() -> None:
    # Straight to the driver, no parameters: the bodies hold plpgsql `%` and `:`.
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    cur.execute(COLUMNS_SQL)
    cur.execute(BACKFILL_SQL)
    cur.execute(project_range_sql())
    cur.execute(TABLES_SQL)
    cur.execute(GRANTS_SQL)


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

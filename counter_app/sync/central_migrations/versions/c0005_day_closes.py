"""closed days per unit, read from the units' `day_closed` events

Revision ID: c0005
Revises: c0004
Create Date: 2026-12-02

A unit's supervisor closes a day at the counter (services/dayclose.py); the close travels as
an outbox event of kind `day_closed` (payload: day, by, at, hash, prev_hash, totals,
anomalies) through push_batch like any other, and is kept in central.events. Nothing in
project_range or push_batch changes: this revision only reads those events.

- central.closed_days: one row per closed day per unit (the event's fields), for the
  administrator (`central status` shows each unit's last closed day as `closed_through`).
  A payload whose day is not an ISO date is left out, never an error for the reader.
- an index on the `day_closed` events only (unit, day), so the view stays quick however
  many other events central holds.

Unit roles get nothing here: SECURE_SQL (re-run by `central init`) gives the view to the
owner role and revokes it from PUBLIC and the units' group like every relation in the schema.
"""

from __future__ import annotations

from alembic import op

revision = "c0005"
down_revision = "c0004"
branch_labels = None
depends_on = None

DAY_CLOSES_SQL = r"""
CREATE INDEX ix_events_day_closed ON central.events (unit_id, (payload->>'day'))
  WHERE kind = 'day_closed';

CREATE VIEW central.closed_days AS
SELECT e.unit_id,
       e.payload->>'day' AS day,
       e.payload->>'by' AS closed_by,
       e.payload->>'at' AS closed_at,
       e.payload->>'hash' AS hash,
       e.payload->>'prev_hash' AS prev_hash,
       e.payload->'totals' AS totals,
       e.source_id,
       e.seq,
       e.received_at
FROM central.events e
WHERE e.kind = 'day_closed'
  AND e.payload->>'day' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
"""


def upgrade() -> None:
    # Straight to the driver, no parameters (the regular expression holds braces).
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    cur.execute(DAY_CLOSES_SQL)


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

"""citizens' ratings on central: central.ratings, filled from the units' `rating` events

Revision ID: c0006
Revises: c0005
Create Date: 2026-12-02

A unit's rating (services/ratings.py) reaches central as an outbox event of kind `rating`
(payload: id, ticket_id or dossier_id, procedure (a dossier's), officer, counter, level,
scale, level_key, at, day, source). push_batch and project_range are left alone: a trigger
on central.events, for rating rows only (`WHEN (NEW.kind = 'rating')`: the other events
cost one comparison each, no trigger call), copies each rating into
central.ratings, where the province report (sync/central_report.py) counts them by day
with an index instead of reading every event.

- The level key is recomputed from (scale, level), as domain/ratings.py names them; the
  payload's own `level_key` is not trusted.
- One rating per ticket / dossier per unit (as at the unit): a second one (a counter
  restored from an old copy rating the same ticket again) is kept aside in
  central.rejections as `rating_duplicate`; a malformed one as `rating_invalid`. Both
  reach the unit in push_batch's reply like any rejection.
- The trigger never fails a push: a surprise inside it is turned into a warning (the
  events are stored either way; `central init` re-running the backfill below is not
  needed, the rows are there for a later fix).
- Units get no grant on central.ratings (SECURE_SQL revokes everything not listed, and row
  level security with no policy denies them besides), nor on the trigger's function. It is
  no SECURITY DEFINER: only push_batch (itself run as the schema's owner) and the
  administrator insert events, so it runs as one of them; its search_path is pinned.
"""

from __future__ import annotations

from alembic import op

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None

TABLE_SQL = r"""
CREATE TABLE central.ratings (
  event_id       uuid PRIMARY KEY,
  unit_id        text NOT NULL,
  source_id      text NOT NULL,
  seq            bigint NOT NULL,
  subject        text NOT NULL,  -- 'ticket:<id>' | 'dossier:<id>'
  procedure_code text,           -- a dossier's procedure; NULL for a ticket
  officer_id     text,
  counter        int,
  level          int NOT NULL,
  scale          int NOT NULL,
  level_key      text NOT NULL,
  day            text NOT NULL,  -- the unit's business day, 'YYYY-MM-DD'
  source         text,
  CONSTRAINT uq_ratings_subject UNIQUE (unit_id, subject),
  CONSTRAINT ck_ratings_level CHECK (scale IN (3, 5) AND level BETWEEN 1 AND scale)
);
CREATE INDEX ix_ratings_day ON central.ratings (day, unit_id);
ALTER TABLE central.ratings ENABLE ROW LEVEL SECURITY;
"""

# The ratings among a set of events (`{EVENTS}`: the trigger's new row, or central.events
# for the backfill): valid ones into central.ratings, the rest rejected.
TAKE_SQL = r"""
WITH r AS (
  SELECT n.event_id, n.unit_id, n.source_id, n.seq, n.payload AS p,
         CASE WHEN n.payload->>'scale' IN ('3', '5') THEN (n.payload->>'scale')::int END
           AS scale,
         CASE WHEN n.payload->>'level' ~ '^[1-5]$' THEN (n.payload->>'level')::int END AS level,
         CASE WHEN coalesce(n.payload->>'ticket_id', '') <> ''
                THEN 'ticket:' || (n.payload->>'ticket_id')
              WHEN coalesce(n.payload->>'dossier_id', '') <> ''
                THEN 'dossier:' || (n.payload->>'dossier_id') END AS subject,
         CASE WHEN n.payload->>'day' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
                THEN n.payload->>'day' END AS day,
         CASE WHEN n.payload->>'counter' ~ '^[0-9]{1,6}$'
                THEN (n.payload->>'counter')::int END AS counter
  FROM {EVENTS} n
  WHERE n.kind = 'rating'
),
ok AS (
  SELECT * FROM r
  WHERE r.scale IS NOT NULL AND r.level <= r.scale AND r.subject IS NOT NULL
    AND r.day IS NOT NULL
),
ins AS (
  INSERT INTO central.ratings (event_id, unit_id, source_id, seq, subject, procedure_code,
                               officer_id, counter, level, scale, level_key, day, source)
  SELECT ok.event_id, ok.unit_id, ok.source_id, ok.seq, ok.subject, ok.p->>'procedure',
         ok.p->>'officer', ok.counter, ok.level, ok.scale,
         CASE ok.scale
           WHEN 3 THEN (ARRAY['khong_hai_long', 'hai_long', 'rat_hai_long'])[ok.level]
           ELSE (ARRAY['rat_khong_hai_long', 'khong_hai_long', 'binh_thuong', 'hai_long',
                       'rat_hai_long'])[ok.level] END,
         ok.day, ok.p->>'source'
  FROM ok
  ORDER BY ok.unit_id, ok.seq
  ON CONFLICT DO NOTHING
  RETURNING event_id
)
INSERT INTO central.rejections (event_id, unit_id, source_id, seq, kind, reason, detail)
SELECT r.event_id, r.unit_id, r.source_id, r.seq, 'rating',
       CASE WHEN ok.event_id IS NULL THEN 'rating_invalid' ELSE 'rating_duplicate' END,
       jsonb_build_object('subject', r.subject, 'level', r.p->'level', 'scale', r.p->'scale')
FROM r LEFT JOIN ok ON ok.event_id = r.event_id
WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.event_id = r.event_id)
  AND NOT EXISTS (SELECT 1 FROM central.ratings x WHERE x.event_id = r.event_id)
ON CONFLICT DO NOTHING
"""

FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION central.take_ratings()
RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, central, pg_temp AS $$
BEGIN
  BEGIN
    {TAKE};
  EXCEPTION WHEN others THEN
    -- A push must never fail here: its events are stored either way.
    RAISE WARNING 'central.take_ratings: ratings of this batch not taken: %', SQLERRM;
  END;
  RETURN NULL;
END $$;
CREATE TRIGGER take_ratings AFTER INSERT ON central.events
FOR EACH ROW WHEN (NEW.kind = 'rating') EXECUTE FUNCTION central.take_ratings();
"""


def upgrade() -> None:
    # Straight to the driver, no parameters: the bodies hold `%` (as c0002, c0003).
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    cur.execute(TABLE_SQL)
    cur.execute(FUNCTION_SQL.replace("{TAKE}", TAKE_SQL.replace("{EVENTS}", "(SELECT NEW.*)")))
    cur.execute(TAKE_SQL.replace("{EVENTS}", "central.events"))  # the events already held


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")

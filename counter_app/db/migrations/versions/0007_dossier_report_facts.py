"""the report's facts on the dossier row (a projection, like `status`)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

The periodic report (services/report.py) read every dossier's history: one GROUP BY over
the events joined to the dossiers, seconds of CPU for a busy unit's year. It now reads
these columns, written by intake and each action in the transaction of the event that
changes them (services/intake.py, services/actions.py):

- `original_due_at`: the due moment before any apology (intake's, or the one receive-
  supplement computes after an intake pause); an apology moves `due_at` only.
- `resolved_at`: the first `result_ready`; `returned_at` + `returned_postal`: the first
  return and whether one went by post; `closed_at` + `closed_kind`: refused, withdrawn or
  stopped; `apologized`: an apology was made.

Backfilled here from dossier_events with one set-based UPDATE (the report's old grouping).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

END_KINDS = "('refused', 'withdrawn', 'stopped')"
# How JSONText writes a postal return's data (sorted keys, no spaces): see db/types.py.
POSTAL_MARK = '\'%"channel":"postal"%\''

# Each dossier's facts from its history, as services/report.py grouped them before 0007.
FACTS = f"""
SELECT dossier_id,
       min(CASE WHEN kind = 'result_ready' THEN at END) AS ready_at,
       min(CASE WHEN kind IN {END_KINDS} THEN at END) AS end_at,
       max(CASE WHEN kind IN {END_KINDS} THEN kind END) AS end_kind,
       min(CASE WHEN kind = 'returned' THEN at END) AS returned_at,
       max(CASE WHEN kind = 'returned' AND data LIKE {POSTAL_MARK} THEN 1 ELSE 0 END) AS postal,
       max(CASE WHEN kind = 'apologized' THEN data END) AS apology
FROM dossier_events
WHERE kind IN ('result_ready', 'returned', 'apologized', 'refused', 'withdrawn', 'stopped')
GROUP BY dossier_id
"""


def backfill_sql(dialect: str) -> list[str]:
    """The statements that set the columns from the events (also used by bench_report.py on
    histories it writes with raw SQL). The apology keeps the previous due moment as local
    ISO text with its offset; both databases turn that into naive UTC."""
    if dialect == "postgresql":
        previous = "(f.apology::json ->> 'previous_due_at')::timestamptz AT TIME ZONE 'UTC'"
    else:
        previous = "datetime(json_extract(f.apology, '$.previous_due_at'))"
    return [
        "UPDATE dossiers SET original_due_at = due_at",
        f"""UPDATE dossiers SET
               original_due_at = coalesce({previous}, dossiers.due_at),
               resolved_at = f.ready_at,
               closed_at = f.end_at,
               closed_kind = f.end_kind,
               returned_at = f.returned_at,
               returned_postal = (f.postal = 1),
               apologized = (f.apology IS NOT NULL)
            FROM ({FACTS}) AS f
            WHERE f.dossier_id = dossiers.id""",
    ]


def upgrade() -> None:
    # Plain ADD COLUMN, no batch copy (as 0005, 0006): dossiers is referenced by others.
    op.add_column("dossiers", sa.Column("original_due_at", sa.DateTime()))
    op.add_column("dossiers", sa.Column("resolved_at", sa.DateTime()))
    op.add_column("dossiers", sa.Column("closed_at", sa.DateTime()))
    op.add_column("dossiers", sa.Column("closed_kind", sa.String(length=10)))
    op.add_column("dossiers", sa.Column("returned_at", sa.DateTime()))
    for flag in ("returned_postal", "apologized"):
        op.add_column(
            "dossiers", sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.false())
        )
    for sql in backfill_sql(op.get_bind().dialect.name):
        op.execute(sql)


def downgrade() -> None:
    for col in (
        "apologized",
        "returned_postal",
        "returned_at",
        "closed_kind",
        "closed_at",
        "resolved_at",
        "original_due_at",
    ):
        op.drop_column("dossiers", col)

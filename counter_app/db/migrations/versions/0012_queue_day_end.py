"""queue order by sequence: tickets.queue_seq, a per-day unit-wide number taken at issue

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Issue 12 item 5: the queue was ordered by `issued_at`, so after the PC clock stepped back a
newcomer was called before people already waiting. A ticket now carries `queue_seq`, taken
from the gap-free counter (unit, "queue", day) when it is issued (services/numbering); the
queue is ordered by priority, then by it. A transferred ticket keeps it, so it keeps its
place in the new queue among tickets of any service. Existing tickets are numbered in the
order they were called before (issued_at, number, id), and the day counters set to match.

Item 6, midnight: the day end closes earlier days' tickets still waiting or held as
`not_served` at the first queue write of a day; ix_tickets_open (unit_id, status, day) lets
it look at those few rows instead of every stored day's index entries.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "tickets",
        sa.Column("queue_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    # One pass (ROW_NUMBER, UPDATE … FROM: SQLite >= 3.33 and PostgreSQL), not a correlated
    # count per row: a year of tickets is 250,000 rows.
    op.execute(
        """
        UPDATE tickets SET queue_seq = numbered.n
        FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY unit_id, day
                                            ORDER BY issued_at, number, id) AS n
              FROM tickets) AS numbered
        WHERE tickets.id = numbered.id
        """
    )
    op.create_index("ix_tickets_open", "tickets", ["unit_id", "status", "day"])
    op.execute(
        """
        INSERT INTO sequence_counters (unit_id, kind, period, last)
        SELECT unit_id, 'queue', CAST(day AS VARCHAR(10)), MAX(queue_seq)
        FROM tickets GROUP BY unit_id, day
        """
    )


def downgrade() -> None:
    op.execute("DELETE FROM sequence_counters WHERE kind = 'queue'")
    op.drop_index("ix_tickets_open", table_name="tickets")
    op.drop_column("tickets", "queue_seq")  # plain DROP COLUMN (as 0010): others reference it

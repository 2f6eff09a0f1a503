"""the day close: what a close records, which intake papers were printed, two indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

- day_closes: the summary per clerk and the anomalies the supervisor acknowledged by
  closing (JSON text), and the hash chain (prev_hash, hash) over the unit's closes.
- paper_prints: a dossier's Mẫu 01 / Mẫu 02 printed or saved to PDF (window and `form`);
  the close flags a dossier received that day without one.
- indexes for the close's reads: one day's dossier steps by kind; open dossiers by status
  and due moment (supplement pauses, overdue).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import counter_app.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN with constant defaults (no batch copy; see 0005).
    op.add_column(
        "day_closes",
        sa.Column(
            "summary",
            counter_app.db.types.JSONText(),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    )
    op.add_column(
        "day_closes",
        sa.Column(
            "anomalies",
            counter_app.db.types.JSONText(),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
    )
    op.add_column(
        "day_closes",
        sa.Column("prev_hash", sa.String(length=64), server_default=sa.text("''"), nullable=False),
    )
    op.add_column(
        "day_closes",
        sa.Column("hash", sa.String(length=64), server_default=sa.text("''"), nullable=False),
    )
    op.create_table(
        "paper_prints",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("at", counter_app.db.types.UTCDateTime(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_paper_prints_dossier_id_dossiers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_prints")),
    )
    op.create_index(
        op.f("ix_paper_prints_dossier_id"), "paper_prints", ["dossier_id"], unique=False
    )
    op.create_index(
        "ix_dossier_events_day_kind", "dossier_events", ["business_day", "kind"], unique=False
    )
    op.create_index("ix_dossiers_status_due", "dossiers", ["status", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_dossiers_status_due", table_name="dossiers")
    op.drop_index("ix_dossier_events_day_kind", table_name="dossier_events")
    op.drop_index(op.f("ix_paper_prints_dossier_id"), table_name="paper_prints")
    op.drop_table("paper_prints")
    for column in ("hash", "prev_hash", "anomalies", "summary"):
        op.drop_column("day_closes", column)

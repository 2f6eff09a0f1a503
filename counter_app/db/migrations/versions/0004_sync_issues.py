"""sync issues: events central rejected and dossier code clashes, shown to the unit

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Pending outbox rows are left exactly as they are: a counter upgraded with a backlog
pushes it afterwards (central accepts their schema_version 1).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import counter_app.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_issues",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("event_kind", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("detail", counter_app.db.types.JSONText(), nullable=False),
        sa.Column("at", counter_app.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_issues")),
    )


def downgrade() -> None:
    op.drop_table("sync_issues")

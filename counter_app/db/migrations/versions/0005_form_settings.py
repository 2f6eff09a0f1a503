"""form settings: the unit's receiving name and result place, procedures' fee and time units

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Every new column has a server default, so existing rows, rows inserted by older code and
units pulled from central (which sends none of these) all read as before: an empty name
or place is derived from the unit's name, fees are per dossier, time counts working days.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN with a constant default (no batch copy of the tables: SQLite would
    # have to drop `units`, which dossiers and users reference).
    op.add_column(
        "units",
        sa.Column(
            "receiving_name", sa.String(length=200), server_default=sa.text("''"), nullable=False
        ),
    )
    op.add_column(
        "units",
        sa.Column(
            "result_place", sa.String(length=300), server_default=sa.text("''"), nullable=False
        ),
    )
    op.add_column(
        "procedures",
        sa.Column("fee_unit", sa.String(length=10), server_default="dossier", nullable=False),
    )
    op.add_column(
        "procedures",
        sa.Column("time_unit", sa.String(length=16), server_default="working_days", nullable=False),
    )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35): a batch copy would drop the referenced tables
    op.drop_column("procedures", "time_unit")
    op.drop_column("procedures", "fee_unit")
    op.drop_column("units", "result_place")
    op.drop_column("units", "receiving_name")

"""2025 administrative units (issue 16): the applicant's commune, the card's address, the
unit's own commune, and central's override list of communes

Revision ID: 0015
Revises: 0014_sync
Create Date: 2026-12-02

- `dossiers.applicant_commune_code`: the 2025 commune (GSO five-digit code) the address
  names, NULL when the address matched no commune (kept as free text, "unverified").
- `dossiers.applicant_address_card`: the address as printed on the ID card when the clerk
  accepted its 2025 conversion ("" otherwise), so the card's own text is never lost.
- `units.commune_code`: the unit's own commune ("" until set up from the list).
- `admin_unit_overrides`: communes added, renamed or retired by central after the packaged
  list (pulled like calendar_overrides).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from counter_app.db.types import UTCDateTime

revision = "0015"
down_revision = "0014_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE (SQLite >= 3.35 adds and drops columns in place): a batch copy of
    # `units` would drop a table the dossiers' foreign keys point at
    op.add_column("dossiers", sa.Column("applicant_commune_code", sa.String(5), nullable=True))
    op.add_column(
        "dossiers",
        sa.Column(
            "applicant_address_card", sa.String(300), nullable=False, server_default=sa.text("''")
        ),
    )
    # with received_at: the latest dossiers of a commune (the address field's known places)
    # are an index range, not a sort of every dossier of the commune
    op.create_index("ix_dossiers_commune", "dossiers", ["applicant_commune_code", "received_at"])
    op.add_column(
        "units",
        sa.Column("commune_code", sa.String(5), nullable=False, server_default=sa.text("''")),
    )
    op.create_table(
        "admin_unit_overrides",
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("admin_unit_overrides")
    op.drop_column("units", "commune_code")
    op.drop_index("ix_dossiers_commune", table_name="dossiers")
    op.drop_column("dossiers", "applicant_address_card")
    op.drop_column("dossiers", "applicant_commune_code")

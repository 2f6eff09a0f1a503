"""receipt bounds: the unit's earliest receipt date and clock tolerance; code counters by yymmdd

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Issue 12 items 2 and 4. The per-day dossier-code counter was keyed by the full date
(YYYY-MM-DD) while the code shows yymmdd: a receipt typed with the wrong century (1926)
drew codes from its own counter that the real day (2026) then drew again (IntegrityError
on every intake that day). Counters of the code kinds ('dossier', 'dossier-r<slot>') are
re-keyed to yymmdd, two old keys with the same digits merged at the higher number, so no
code is handed out twice. Two unit settings with server defaults (existing units and units
pulled from central read the defaults): `earliest_receipt` (1 January 2018) and
`clock_skew_h` (24 h, how far the PC's clock may be from central's at the last sync).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_CODE_KINDS = "(kind = 'dossier' OR kind LIKE 'dossier-r%')"
_NEW = "substr(period, 3, 2) || substr(period, 6, 2) || substr(period, 9, 2)"


def upgrade() -> None:
    op.add_column(
        "units",
        sa.Column(
            "earliest_receipt",
            sa.Date(),
            server_default=sa.text("'2018-01-01'"),
            nullable=False,
        ),
    )
    op.add_column(
        "units",
        sa.Column("clock_skew_h", sa.Integer(), server_default=sa.text("24"), nullable=False),
    )
    old = f"{_CODE_KINDS} AND length(period) = 10"
    op.execute(
        "CREATE TEMPORARY TABLE _rekeyed AS "
        f"SELECT unit_id, kind, {_NEW} AS period, max(last) AS last "
        f"FROM sequence_counters WHERE {old} GROUP BY unit_id, kind, {_NEW}"
    )
    op.execute(f"DELETE FROM sequence_counters WHERE {old}")
    # A yymmdd key already there (none before this migration) keeps the higher number.
    op.execute(
        "DELETE FROM _rekeyed WHERE EXISTS (SELECT 1 FROM sequence_counters c "
        "WHERE c.unit_id = _rekeyed.unit_id AND c.kind = _rekeyed.kind "
        "AND c.period = _rekeyed.period AND c.last >= _rekeyed.last)"
    )
    op.execute(
        "DELETE FROM sequence_counters WHERE EXISTS (SELECT 1 FROM _rekeyed r "
        "WHERE r.unit_id = sequence_counters.unit_id AND r.kind = sequence_counters.kind "
        "AND r.period = sequence_counters.period)"
    )
    op.execute(
        "INSERT INTO sequence_counters (unit_id, kind, period, last) "
        "SELECT unit_id, kind, period, last FROM _rekeyed"
    )
    op.execute("DROP TABLE _rekeyed")


def downgrade() -> None:
    # yymmdd back to 20yy-mm-dd (the only century the bounds now allow).
    op.execute(
        "UPDATE sequence_counters SET period = '20' || substr(period, 1, 2) || '-' || "
        "substr(period, 3, 2) || '-' || substr(period, 5, 2) "
        f"WHERE {_CODE_KINDS} AND length(period) = 6"
    )
    op.drop_column("units", "clock_skew_h")
    op.drop_column("units", "earliest_receipt")

"""unit set-up: the unit's counters; client request ids that make intake idempotent

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

`service_counters` is filled from the counters the queue services already name, so a
database set up before this revision keeps every counter it used.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

import counter_app.db.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_counters",
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_service_counters_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("unit_id", "number", name=op.f("pk_service_counters")),
    )
    op.create_table(
        "intake_requests",
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", counter_app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_intake_requests_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_intake_requests_dossier_id_dossiers")
        ),
        sa.PrimaryKeyConstraint("unit_id", "request_id", name=op.f("pk_intake_requests")),
    )
    conn = op.get_bind()
    seen: set[tuple[str, int]] = set()
    for unit_id, counters in conn.execute(sa.text("SELECT unit_id, counters FROM queue_services")):
        for n in json.loads(counters) if isinstance(counters, str) else counters or []:
            seen.add((unit_id, int(n)))
    if seen:
        conn.execute(
            sa.text(
                "INSERT INTO service_counters (unit_id, number, name, active) "
                "VALUES (:u, :n, '', :a)"
            ),
            [{"u": u, "n": n, "a": True} for u, n in sorted(seen)],
        )


def downgrade() -> None:
    op.drop_table("intake_requests")
    op.drop_table("service_counters")

"""Name search that scales: the index keeps words and word pairs with each dossier's receipt
time, and a vocabulary counts them, so a search starts from the rarest word or pair.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import counter_app.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("dossier_name_tokens")
    op.create_table(
        "dossier_name_tokens",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("received_at", counter_app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_name_tokens_dossier_id_dossiers"),
        ),
        sa.PrimaryKeyConstraint("dossier_id", "token", name=op.f("pk_dossier_name_tokens")),
    )
    op.create_index(
        "ix_name_tokens_token_received", "dossier_name_tokens", ["token", "received_at"]
    )
    op.create_table(
        "name_words",
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("dossiers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_name_words")),
    )
    _rebuild_index(op.get_bind())


def _rebuild_index(conn: sa.Connection) -> None:
    """Words and word pairs of every applicant name, folded as the app folds them."""
    from counter_app.domain.text import name_keys

    counts: dict[str, int] = {}
    insert = sa.text(
        "INSERT INTO dossier_name_tokens (dossier_id, token, received_at) VALUES (:d, :t, :r)"
    )
    rows = conn.execute(sa.text("SELECT id, applicant_name, received_at FROM dossiers"))
    while batch := rows.fetchmany(5000):
        values = []
        for dossier_id, name, received_at in batch:
            for key in name_keys(name):
                values.append({"d": dossier_id, "t": key, "r": received_at})
                counts[key] = counts.get(key, 0) + 1
        if values:
            conn.execute(insert, values)
    if counts:
        conn.execute(
            sa.text("INSERT INTO name_words (token, dossiers) VALUES (:t, :n)"),
            [{"t": k, "n": n} for k, n in counts.items()],
        )


def downgrade() -> None:
    op.drop_table("name_words")
    op.drop_index("ix_name_tokens_token_received", table_name="dossier_name_tokens")
    with op.batch_alter_table("dossier_name_tokens") as batch:
        batch.drop_column("received_at")

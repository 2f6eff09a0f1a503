"""Name search that scales: tokens carry received_at; a vocabulary of name words with counts.

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
    # Stage the words with their dossier's receipt time, then rebuild the table under its own
    # constraint names (a rename would keep the staging names, and clash on PostgreSQL).
    op.execute(
        "CREATE TABLE name_tokens_staging AS "
        "SELECT t.dossier_id AS dossier_id, t.token AS token, d.received_at AS received_at "
        "FROM dossier_name_tokens t JOIN dossiers d ON d.id = t.dossier_id"
    )
    op.drop_table("dossier_name_tokens")
    op.create_table(
        "dossier_name_tokens",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("received_at", counter_app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"],
            name=op.f("fk_dossier_name_tokens_dossier_id_dossiers"),
        ),
        sa.PrimaryKeyConstraint("dossier_id", "token", name=op.f("pk_dossier_name_tokens")),
    )
    op.execute(
        "INSERT INTO dossier_name_tokens (dossier_id, token, received_at) "
        "SELECT dossier_id, token, received_at FROM name_tokens_staging"
    )
    op.drop_table("name_tokens_staging")
    op.create_index(
        "ix_name_tokens_token_received", "dossier_name_tokens", ["token", "received_at"]
    )
    op.create_table(
        "name_words",
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("dossiers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_name_words")),
    )
    op.execute(
        "INSERT INTO name_words (token, dossiers) "
        "SELECT token, count(*) FROM dossier_name_tokens GROUP BY token"
    )


def downgrade() -> None:
    op.drop_table("name_words")
    op.drop_index("ix_name_tokens_token_received", table_name="dossier_name_tokens")
    with op.batch_alter_table("dossier_name_tokens") as batch:
        batch.drop_column("received_at")

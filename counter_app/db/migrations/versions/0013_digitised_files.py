"""digitised documents (issue 15): stored_files (one row per archive PDF on disk) and
dossier_files (a dossier's documents' archive copies)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

The PDFs themselves live beside the database in <files dir>/<sha256[:2]>/<sha256>.pdf
(services/files.py), content-addressed: one stored_files row per distinct blob; a dossier
refers to it by hash from dossier_files, in the same transaction as the rest of the dossier.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import counter_app.db.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("ocr", sa.Boolean(), nullable=False),
        sa.Column("created_at", counter_app.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_files")),
    )
    op.create_table(
        "dossier_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("created_at", counter_app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_dossier_files_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["dossier_documents.id"],
            name=op.f("fk_dossier_files_document_id_dossier_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["stored_files.sha256"],
            name=op.f("fk_dossier_files_sha256_stored_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_files")),
    )
    op.create_index("ix_dossier_files_dossier_id", "dossier_files", ["dossier_id"])


def downgrade() -> None:
    op.drop_index("ix_dossier_files_dossier_id", table_name="dossier_files")
    op.drop_table("dossier_files")
    op.drop_table("stored_files")

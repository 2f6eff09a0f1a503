"""file uploads: how far central holds each stored file (issue 15, the sync half)

Revision ID: 0014_sync
Revises: 0013
Create Date: 2026-12-02

A counter uploads each archive PDF (stored_files, 0013) after central holds its
`document_digitised` event, in chunks that resume after a cut link; `file_uploads` keeps
the offset central last acknowledged, whether central verified the whole file, how often
it rejected it (hash mismatch), and the last error, for `sync status` and the window.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from counter_app.db.types import UTCDateTime

revision = "0014_sync"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_uploads",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("pages", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("acked_bytes", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("done", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("rejected", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.String(40), nullable=False, server_default=sa.text("''")),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_file_uploads_seq", "file_uploads", ["seq"])


def downgrade() -> None:
    op.drop_index("ix_file_uploads_seq", table_name="file_uploads")
    op.drop_table("file_uploads")

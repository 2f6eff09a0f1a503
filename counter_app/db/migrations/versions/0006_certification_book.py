"""certification books: which book a procedure's dossiers enter, and each dossier's number

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

`procedures.certification_book` (BS copies, CK signatures; NULL = none) comes from the
catalogue's optional field; `dossiers.cert_book` ("01/2026-SCT/BS") and `cert_no` are set
at intake for those procedures only, NULL for every other dossier and every older one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain nullable ADD COLUMN, no batch copy (as 0005): dossiers is referenced by others.
    op.add_column("procedures", sa.Column("certification_book", sa.String(length=4)))
    op.add_column("dossiers", sa.Column("cert_book", sa.String(length=24)))
    op.add_column("dossiers", sa.Column("cert_no", sa.Integer()))
    op.create_index("ix_dossiers_cert", "dossiers", ["cert_book", "cert_no"])


def downgrade() -> None:
    op.drop_index("ix_dossiers_cert", table_name="dossiers")
    op.drop_column("dossiers", "cert_no")
    op.drop_column("dossiers", "cert_book")
    op.drop_column("procedures", "certification_book")

"""a dossier's history in the order it was written: each event's step (1, 2, …)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

A dossier's events were read back ordered by `recorded_at`, the PC's clock when each was
written, then by their uuid7 ids (the same clock). The clock guard lets a counter work with
its clock a few minutes behind the newest record (an NTP correction, two counters' clocks a
little apart on one unit database), so a step written in those minutes came back before the
step it followed: in `show` and the window's history, in the register's columns, in the
facts an action is checked against (`history_facts`), in the latest return a rating is
about. Now each event carries its place in its dossier's history, given in the write
transaction (intake: 1; an action: the last step + 1, read after the writer lock), and the
history is read by (dossier_id, step), one unique index that replaces the one on dossier_id.

Existing rows are numbered in the order they were read before (recorded_at, id): the order
the app showed until now. At 1,000,000 dossiers this takes some seconds, once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_TABLE = "dossier_events"
_OLD_INDEX = "ix_dossier_events_dossier_id"
_NEW_INDEX = "ix_dossier_events_dossier_step"


def upgrade() -> None:
    # NOT NULL needs a default for the rows already there; the app always writes the step.
    op.add_column(_TABLE, sa.Column("step", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        f"UPDATE {_TABLE} SET step = n.step FROM ("
        "SELECT id, row_number() OVER "
        "(PARTITION BY dossier_id ORDER BY recorded_at, id) AS step "
        f"FROM {_TABLE}) AS n WHERE {_TABLE}.id = n.id"
    )
    op.drop_index(_OLD_INDEX, table_name=_TABLE)
    op.create_index(_NEW_INDEX, _TABLE, ["dossier_id", "step"], unique=True)


def downgrade() -> None:
    op.drop_index(_NEW_INDEX, table_name=_TABLE)
    op.create_index(_OLD_INDEX, _TABLE, ["dossier_id"])
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_column("step")

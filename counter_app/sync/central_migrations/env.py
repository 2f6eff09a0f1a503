"""Alembic environment for the CENTRAL database (schema `central`), separate from the local one.

The version table lives in the `central` schema so a central database can also be an office's
local database without the two histories meeting.
"""

from __future__ import annotations

from alembic import context

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=None,
        version_table_schema="central",
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()

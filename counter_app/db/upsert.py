"""INSERT … ON CONFLICT for the dialect a statement runs on: SQLite at a counter, PostgreSQL
where a unit's database is on a server.

The dialect's module is imported when first asked for. Importing both at the top of the
services cost every start of the window and every command ~0.1 s: SQLAlchemy's PostgreSQL
package loads its asyncpg and psycopg adapters' modules too, and a counter on SQLite never
uses them (the engine imports its own dialect when it is created)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Table

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite


def upsert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` that can take `.on_conflict_do_update(…)` on `dialect`."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)

"""Alembic owns the schema: migrate from empty, reopen as a no-op, pragmas, models == migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from counter_app.db import engine as engine_mod
from counter_app.db.engine import current_revision, head_revision, open_database, sqlite_url
from counter_app.db.models import Base


@pytest.fixture
def opened(data_dir: Path) -> Iterator[list[Engine]]:
    """Engines opened by a test, disposed afterwards."""
    engines: list[Engine] = []
    yield engines
    for e in engines:
        e.dispose()


def open_db(path: Path, opened: list[Engine]) -> Engine:
    eng = open_database(sqlite_url(path))
    opened.append(eng)
    return eng


def schema_sql(path: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"
        ).fetchall()


@pytest.mark.parametrize("start", ["missing", "empty file"])
def test_migrate_from_empty_creates_head(tmp_path: Path, opened, start: str) -> None:
    path = tmp_path / "sub" / "counter.db"
    if start == "empty file":
        path.parent.mkdir()
        path.touch()
    eng = open_db(path, opened)
    assert current_revision(eng) == head_revision()
    with eng.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]


def test_opening_again_is_a_no_op(tmp_path: Path, opened, monkeypatch) -> None:
    path = tmp_path / "counter.db"
    open_db(path, opened).dispose()
    before = schema_sql(path)

    def no_upgrade(*args: object, **kw: object) -> None:
        raise AssertionError("upgrade ran on a database already at head")

    monkeypatch.setattr(engine_mod.command, "upgrade", no_upgrade)
    eng = open_db(path, opened)
    assert current_revision(eng) == head_revision()
    eng.dispose()
    assert schema_sql(path) == before


def test_sqlite_pragmas_on_engine_connections(tmp_path: Path, opened) -> None:
    eng = open_db(tmp_path / "counter.db", opened)
    for _ in range(2):  # every pooled connection, not only the first
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    eng.dispose()
    with eng.connect() as conn:  # a brand-new connection after the pool was emptied
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_models_and_migrations_agree(tmp_path: Path, opened) -> None:
    """`alembic check`: autogenerate finds nothing to add, drop or alter."""
    eng = open_db(tmp_path / "counter.db", opened)
    with eng.connect() as conn:
        mc = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        diff = compare_metadata(mc, Base.metadata)
    assert diff == []

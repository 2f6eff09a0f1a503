"""An update brings migrations: the database is copied into the backups folder before Alembic
upgrades it (issue 13 item 5), and a copy that cannot be made stops the upgrade."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command

from counter_app.db.engine import _alembic_config, create_db_engine, head_revision, sqlite_url

OLD = "0011"


def revision(path: Path) -> str:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


@pytest.fixture
def old_db(tmp_path: Path, data_dir: Path) -> Path:
    """A counter database left at an older revision by the previous version, with data."""
    path = tmp_path / "counter.db"
    engine = create_db_engine(sqlite_url(path))
    try:
        command.upgrade(_alembic_config(engine), OLD)
    finally:
        engine.dispose()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT INTO app_meta (key, value) VALUES ('marker', 'before the update')")
        conn.commit()
    assert revision(path) == OLD
    return path


def test_backup_before_pending_migrations(old_db: Path, data_dir: Path, make_context) -> None:
    make_context(old_db)
    assert revision(old_db) == head_revision()
    copies = sorted((data_dir / "backups").glob("counter-before-migration-*.db"))
    assert [p.name.split("-")[3] for p in copies] == [OLD]
    copy = copies[0]
    assert revision(copy) == OLD
    with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        marker = conn.execute("SELECT value FROM app_meta WHERE key = 'marker'").fetchone()
    assert marker == ("before the update",)
    assert copy.stat().st_mode & 0o077 == 0
    assert not list((data_dir / "backups").glob(".tmp-*"))

    make_context(old_db)  # at head now: no second copy
    assert sorted((data_dir / "backups").glob("counter-before-migration-*.db")) == copies


def test_a_new_database_needs_no_backup(tmp_path: Path, data_dir: Path, make_context) -> None:
    make_context(tmp_path / "new.db")
    assert not (data_dir / "backups").exists()


def test_no_backup_no_migration(old_db: Path, tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the backups folder should be")
    monkeypatch.setenv("COUNTER_APP_BACKUP_DIR", str(blocked))
    res = cli("unit", "show", db=old_db)
    assert res.rc == 1
    assert "Không sao lưu được cơ sở dữ liệu trước khi nâng cấp" in res.err
    assert "chưa nâng cấp, cơ sở dữ liệu giữ nguyên" in res.err
    assert revision(old_db) == OLD

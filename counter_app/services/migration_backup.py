"""A copy of the database before Alembic upgrades it (issue 13 item 5): an update brings new
migrations, and a migration that fails or loses data must not take the only copy with it.

db.engine.open_database calls the hook when the database has a schema and revisions are
pending; it copies the live SQLite file with sqlite3's online backup API into the backups
folder as counter-before-migration-<revision>-<when>.db (mode 0600: personal data), checks
it (integrity_check, the old revision) and fsyncs it. If the copy cannot be made the
upgrade does not run: the database stays as it was and the message says why."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from counter_app import filemodes
from counter_app.domain.errors import CounterAppError

log = logging.getLogger(__name__)

PREFIX = "counter-before-migration-"


def _copy(live: Path, tmp: Path) -> None:
    src = sqlite3.connect(f"file:{live}?mode=ro", uri=True, timeout=10)
    dst = sqlite3.connect(str(tmp))
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        src.close()
        dst.close()


def _check(path: Path, revision: str) -> str | None:
    """None when the copy is whole and at `revision`, else what is wrong."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        if rows != [("ok",)]:
            return str(rows[0][0])[:100]
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if found and found[0] == revision else f"schema {found}"
    finally:
        conn.close()


def backup_before_migration(
    engine: Engine, revision: str, folder: Path, now: datetime
) -> Path | None:
    """The copy of a SQLite database at `revision`, in `folder`; None for PostgreSQL (the
    central's administrator backs that up) and in-memory databases."""
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:":
        return None
    live = Path(db).resolve()
    out = folder / f"{PREFIX}{revision}-{now:%Y%m%d-%H%M%S}.db"
    n = 1
    while out.exists():
        out = folder / f"{PREFIX}{revision}-{now:%Y%m%d-%H%M%S}-{n}.db"
        n += 1
    tmp: Path | None = None
    try:
        filemodes.make_dir(folder)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-premigration-", suffix=".db")
        os.close(fd)
        tmp = Path(name)
        engine.dispose()  # nothing of ours holds a transaction open on it meanwhile
        _copy(live, tmp)
        problem = _check(tmp, revision)
        if problem is not None:
            raise CounterAppError("migration_backup_failed", path=str(out), detail=problem)
        filemodes.tighten(tmp, filemodes.FILE_MODE)
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
        tmp = None
    except (OSError, sqlite3.Error) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CounterAppError(
            "migration_backup_failed", path=str(out), detail=str(detail)[:200]
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
    log.info("database backed up before migrating from revision %s: %s", revision, out.name)
    return out


def hook(folder: Path, clock: Callable[[], datetime]) -> Callable[[Engine, str], None]:
    """db.engine.BeforeMigrate for open_database: the backup into `folder`."""

    def before(engine: Engine, revision: str) -> None:
        backup_before_migration(engine, revision, folder, clock())

    return before

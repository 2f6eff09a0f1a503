"""Storage faults in words: one place that turns SQLite's and the OS's errors (disk full,
read-only, locked, a directory where a file was expected …) into a CounterAppError with a
Vietnamese message (messages_files.py). Used by the unit of work (so the window says it too)
and by the CLI's last resort (cli/main.run), for errors raised outside a transaction."""

from __future__ import annotations

import errno
import sqlite3

from counter_app.domain.errors import CounterAppError, StorageFault, ValidationError

_SQLITE: tuple[tuple[str, str], ...] = (
    ("SQLITE_FULL", "disk_full"),
    ("SQLITE_READONLY", "db_readonly"),
    ("SQLITE_BUSY", "db_locked"),
    ("SQLITE_LOCKED", "db_locked"),
    ("SQLITE_CANTOPEN", "db_cantopen"),
    ("SQLITE_PERM", "db_readonly"),
    ("SQLITE_IOERR", "db_io_error"),
)
_BY_TEXT: tuple[tuple[str, str], ...] = (
    ("database or disk is full", "disk_full"),
    ("readonly database", "db_readonly"),
    ("database is locked", "db_locked"),
    ("unable to open database file", "db_cantopen"),
    ("disk i/o error", "db_io_error"),
)


def _sqlite_code(err: sqlite3.Error) -> str | None:
    name = str(getattr(err, "sqlite_errorname", "") or "")
    for prefix, code in _SQLITE:
        if name.startswith(prefix):
            return code
    text = str(err).lower()
    for needle, code in _BY_TEXT:
        if needle in text:
            return code
    return None


def classify(exc: BaseException) -> CounterAppError | None:
    """The error as the user should read it, or None when it is not a storage fault."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy's wrapper around the driver's error
    if isinstance(orig, sqlite3.Error):
        exc = orig
    if isinstance(exc, sqlite3.Error):
        code = _sqlite_code(exc)
        return StorageFault(code) if code else None
    if isinstance(exc, OSError):
        path = str(exc.filename or "")
        if exc.errno == errno.ENOSPC or exc.errno == getattr(errno, "EDQUOT", -1):
            return StorageFault("disk_full")
        if exc.errno == errno.EROFS:
            return StorageFault("file_readonly", path=path)
        if exc.errno in (errno.EACCES, errno.EPERM):
            return StorageFault("file_no_permission", path=path)
        if exc.errno == errno.EISDIR:
            return ValidationError("path_is_directory", path=path)
    return None

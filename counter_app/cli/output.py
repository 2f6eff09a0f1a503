"""What every handler shares: its result type and writing an output file whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_app.domain.errors import CounterAppError, ValidationError

# JSON-able data, and a function that renders it for people.
Result = tuple[Any, Callable[[], str]]


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written output.
    On any failure (the target a directory, the rename refused, the disk full) the temporary
    file, which may hold an applicant's personal data, is removed: nothing is left behind."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise CounterAppError("file_unwritable", path=str(path), detail=exc.strerror) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


SQLITE_MAGIC = b"SQLite format 3\x00"
# What an existing file of each format starts with, to tell ours from someone else's.
_LOOKS_LIKE: dict[str, Callable[[bytes], bool]] = {
    "pdf": lambda head: head.startswith(b"%PDF-"),
    # the report's CSV starts with a BOM, its JSON is an object with "from" first
    "csv": lambda head: head.startswith(b"\xef\xbb\xbf"),
    "json": lambda head: head.lstrip().startswith(b"{") and b'"from"' in head[:64],
    "png": lambda head: head.startswith(b"\x89PNG"),
    "svg": lambda head: b"<svg" in head or head.lstrip().startswith(b"<?xml"),
}


def check_output(path: Path, formats: tuple[str, ...], db: str | None = None) -> str:
    """The output's format from its extension, refused (before anything is opened or
    written) when unknown, when it is the open database or any SQLite file, or when it
    exists and is not a file of that format (we overwrite our own output, nothing else)."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in formats:
        raise ValidationError("output_format_invalid", path=str(path))
    if db and "://" not in db and Path(db).resolve() == path.resolve():
        raise ValidationError("output_is_database", path=str(path))
    if path.exists():
        if not path.is_file():
            raise ValidationError("output_foreign_file", path=str(path), format=fmt.upper())
        try:
            with path.open("rb") as f:
                head = f.read(4096)
        except OSError as exc:
            raise CounterAppError("file_unwritable", path=str(path), detail=exc.strerror) from None
        if head.startswith(SQLITE_MAGIC):
            raise ValidationError("output_is_database", path=str(path))
        if head and not _LOOKS_LIKE[fmt](head):
            raise ValidationError("output_foreign_file", path=str(path), format=fmt.upper())
    return fmt


def check_pdf_output(path: Path) -> None:
    """An output that must be a PDF: the name ends in .pdf, and it is not a database.

    A file already there that is an SQLite database (the open one, under whatever name) is
    never overwritten; checked before the database is opened, so nothing is written."""
    if path.suffix.lower() != ".pdf":
        raise ValidationError("output_pdf_only", path=str(path))
    check_output(path, ("pdf",))

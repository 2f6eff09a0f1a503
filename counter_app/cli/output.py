"""What every handler shares: its result type and writing an output file whole."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_app.domain.errors import CounterAppError, ValidationError

# JSON-able data, and a function that renders it for people.
Result = tuple[Any, Callable[[], str]]


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written output."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise CounterAppError("file_unwritable", path=str(path), detail=exc.strerror) from None


SQLITE_MAGIC = b"SQLite format 3\x00"


def check_pdf_output(path: Path) -> None:
    """An output that must be a PDF: the name ends in .pdf, and it is not a database.

    A file already there that is an SQLite database (the open one, under whatever name) is
    never overwritten; checked before the database is opened, so nothing is written."""
    if path.suffix.lower() != ".pdf":
        raise ValidationError("output_pdf_only", path=str(path))
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError:  # absent (the usual case) or unreadable: the write itself will tell
        return
    if head == SQLITE_MAGIC:
        raise ValidationError("output_is_database", path=str(path))

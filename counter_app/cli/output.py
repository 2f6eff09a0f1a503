"""What every handler shares: its result type and writing an output file whole."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_app.domain.errors import CounterAppError

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

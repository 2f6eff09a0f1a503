"""Reading an input file with a size limit (issue 12 item 9): a regular file or "-" (standard
input), at most `limit` bytes; anything else is refused with one clear line naming the file
and the limit, before more than limit + 1 bytes are ever read."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from counter_app.domain.errors import ValidationError
from counter_app.domain.limits import size_text


def read_limited(file: str | Path, limit: int) -> bytes:
    name = str(file)
    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        try:
            st = os.stat(name)  # follows a symlink to what it names
        except FileNotFoundError:
            raise ValidationError("file_missing", path=name) from None
        except OSError as exc:
            raise ValidationError("input_unreadable", path=name, detail=exc.strerror) from None
        if stat.S_ISDIR(st.st_mode):
            raise ValidationError("input_is_directory", path=name)
        if not stat.S_ISREG(st.st_mode):
            raise ValidationError("input_not_regular", path=name)
        if st.st_size > limit:
            raise ValidationError("input_too_large", path=name, limit=size_text(limit))
        try:
            # O_NONBLOCK: if a FIFO took the file's place after the check, open does not hang.
            fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    raise ValidationError("input_not_regular", path=name)
                data = f.read(limit + 1)
        except OSError as exc:
            raise ValidationError("input_unreadable", path=name, detail=exc.strerror) from None
    if len(data) > limit:
        raise ValidationError("input_too_large", path=name, limit=size_text(limit))
    return data

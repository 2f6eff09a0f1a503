"""The counter keeps its data to its OS user: private directories (0700) and files (0600).

The database holds names, citizen ID numbers, phones and password hashes; the logs and the
saved PDFs hold some of them too. On POSIX every such path is created private, and one found
looser at start (an older version made them 0755/0644) is tightened with a notice, which is
logged and, in the CLI, printed as one "Cảnh báo" line. Only paths the app owns are touched:
its data directory and what is in it, and a database file given with --db (with its -wal,
-shm and -journal) — never a directory the user chose, nor the user's home.

On Windows chmod only toggles read-only, so nothing is done here: the data directory is
under the user's profile (%LOCALAPPDATA%), which only that user (and administrators) can
read by default.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("counter_app.files")

POSIX = os.name == "posix"
DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

# (path, mode before, mode after; None when it could not be changed), not yet taken.
_notices: list[tuple[str, int, int | None]] = []
_logged = 0


def take_notices() -> list[tuple[str, int, int | None]]:
    """The paths tightened (or found stuck) since the last call, for the CLI to print; the
    log has them once `flush_log` ran (build_context calls it)."""
    global _logged
    out = list(_notices)
    _notices.clear()
    _logged = 0
    return out


def flush_log() -> None:
    """Log the notices not logged yet (the first come before the log file exists)."""
    global _logged
    for path, old, new in _notices[_logged:]:
        if new is None:
            log.warning(
                "%s is readable by other accounts (mode %03o) and cannot be changed", path, old
            )
        else:
            log.warning("%s was readable by other accounts (mode %03o): now %03o", path, old, new)
    _logged = len(_notices)


def warning_line(notices: list[tuple[str, int, int | None]]) -> str:
    """One Vietnamese line for the CLI's stderr."""
    fixed = [p for p, _old, new in notices if new is not None]
    stuck = [p for p, _old, new in notices if new is None]
    parts = []
    if fixed:
        more = f" và {len(fixed) - 3} mục khác" if len(fixed) > 3 else ""
        parts.append(
            "đã thu hẹp quyền để chỉ tài khoản này đọc được: " + ", ".join(fixed[:3]) + more
        )
    if stuck:
        parts.append("không đổi được quyền của: " + ", ".join(stuck[:3]))
    return "Cảnh báo: dữ liệu đang để tài khoản khác trên máy đọc được; " + "; ".join(parts) + "."


def tighten(path: Path, mode: int) -> bool:
    """Make `path` no looser than `mode` (never follows a symlink); True if it was looser."""
    if not POSIX:
        return False
    try:
        st = path.lstat()
    except OSError:
        return False  # not there (yet)
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        # Only our files and folders: never a symlink, and never a device, FIFO or socket
        # (`--db /dev/null` once left /dev/null 0600, and PostgreSQL's initdb then failed).
        return False
    current = stat.S_IMODE(st.st_mode)
    if not current & ~mode & 0o777:
        return False
    new = current & mode
    try:
        os.chmod(path, new)
    except OSError:
        _notices.append((str(path), current, None))
        return True
    _notices.append((str(path), current, new))
    return True


def private_dir(path: Path) -> Path:
    """Create `path` (the app's own directory) 0700, or tighten it. Never the user's home or
    one of its parents, whatever COUNTER_APP_DATA_DIR says."""
    if path.exists():
        if POSIX and not _is_home_or_above(path):
            tighten(path, DIR_MODE)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=DIR_MODE, exist_ok=True)
    return path


def make_dir(path: Path) -> None:
    """mkdir -p whose last, new directory is 0700; an existing one (maybe the user's
    choice: a print folder, a shared folder) is left as it is."""
    if path.is_dir():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=DIR_MODE, exist_ok=True)


def _is_home_or_above(path: Path) -> bool:
    try:
        home = Path.home().resolve()
        here = path.resolve()
    except (OSError, RuntimeError):
        return True
    return here == home or here in home.parents


def create_private_file(path: Path) -> None:
    """Create an empty file 0600 if missing (before SQLite or a log handler opens it)."""
    if not POSIX:
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path, FILE_MODE)
        return
    os.close(fd)


def open_private(path: Path, flags: int) -> int:
    """os.open with 0600 for a new file; an existing looser one is tightened."""
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    if POSIX:
        current = stat.S_IMODE(os.fstat(fd).st_mode)
        if current & ~FILE_MODE & 0o777:
            os.fchmod(fd, current & FILE_MODE)
    return fd


def write_private(path: Path, data: bytes) -> None:
    """Write a whole file that only this OS user can read (a saved PDF, a ticket). A write
    that fails (the disk full) removes the partial file: it may name an applicant."""
    fd = open_private(path, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_BINARY", 0))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def tighten_sqlite(db_file: Path) -> None:
    """A SQLite database and its companions 0600. SQLite creates -wal/-shm/-journal with the
    main file's mode, so a new database is created 0600 before SQLite opens it."""
    if not POSIX:
        return
    if not db_file.exists():
        create_private_file(db_file)
    else:
        tighten(db_file, FILE_MODE)
    for suffix in SQLITE_COMPANIONS:
        tighten(db_file.with_name(db_file.name + suffix), FILE_MODE)


def tighten_tree(root: Path) -> None:
    """Every directory under `root` 0700 and every file 0600 (symlinks left alone): after
    the data directory itself was found open, what an older version left in it."""
    if not POSIX:
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(dirpath)
        for d in dirnames:
            tighten(base / d, DIR_MODE)
        for f in filenames:
            tighten(base / f, FILE_MODE)


def secure_data_dir(root: Path) -> Path:
    """The data directory 0700; if it had been open, everything in it is made private too.
    Returns `root`."""
    was_open = False
    if root.exists() and POSIX and not _is_home_or_above(root):
        was_open = tighten(root, DIR_MODE)
    else:
        private_dir(root)
    if was_open:
        tighten_tree(root)
    return root

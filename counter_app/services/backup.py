"""Backup and restore of the counter's SQLite database (issue 11 part 3); no Qt.

Backup: sqlite3's online backup API from a connection of its own (one step, so the copy
is one consistent snapshot; WAL writers go on meanwhile), into a temporary file in the
target folder; a metadata record (`backup.info` in app_meta) goes into the copy, which is
switched to a single file (journal_mode=DELETE), checked (integrity_check, the app's schema
revision, the unit), fsynced and renamed into place. Mode 0600: it holds personal data.
The target must end in .db, .sqlite or .bak; it is never the live database or one of its
companions, and an existing file is overwritten only if it is a backup of this unit.

Restore: the file is checked first (SQLite, integrity, a backup of this app with its
metadata, of this unit, not of a newer schema), copied beside the live database with the
restore flag set in the copy (services/resume.py), checked again and fsynced; then the
live database is checkpointed into its main file (journal_mode=DELETE, which also proves
no other process has it open), kept aside under a timestamped name (a hard link, or a
copy where links are not possible), and the copy renamed over it (os.replace). A process
killed at any moment leaves either the old database or the restored one, whole.

A PostgreSQL database (the office tier) is backed up with pg_dump; both refuse it.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from counter_app import filemodes
from counter_app.config import data_dir
from counter_app.db.engine import create_db_engine, head_revision, known_revisions, sqlite_url
from counter_app.db.uow import UnitOfWork
from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.services import backup_files, files, resume
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit

EXTENSIONS = (".db", ".sqlite", ".bak")
INFO_KEY = "backup.info"
LAST_KEY = "backup.last"  # in the live database: the last backup written (window status)
SOURCE_KEY = "sync.source_id"  # services/sync.source_id: this install's stream name at central
AUTO_PREFIX = "counter-backup-"
AUTO_RE = re.compile(r"^counter-backup-(\d{8})-(\d{6})\.db$")
SQLITE_MAGIC = b"SQLite format 3\x00"
# A testing aid (the kill -9 tests): at this named point the operation sleeps.
PAUSE_ENV = "COUNTER_APP_TEST_PAUSE_AT"


def _pause(point: str) -> None:
    if os.environ.get(PAUSE_ENV) == point:
        marker = os.environ.get(PAUSE_ENV + "_MARKER")
        if marker:
            Path(marker).write_text(point)
        time.sleep(float(os.environ.get(PAUSE_ENV + "_SECONDS", "60")))


def live_path(engine: Engine) -> Path:
    if engine.dialect.name != "sqlite":
        raise ValidationError("backup_postgres")
    db = engine.url.database
    if not db or db == ":memory:":
        raise ValidationError("backup_postgres")
    return Path(db).resolve()


def _companions(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in filemodes.SQLITE_COMPANIONS)]


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)


def read_info(path: Path) -> dict[str, Any] | None:
    """The metadata record of a backup file, or None if it is not one of ours."""
    try:
        with path.open("rb") as f:
            if f.read(16) != SQLITE_MAGIC:
                return None
        conn = _connect_ro(path)
        try:
            row = conn.execute("SELECT value FROM app_meta WHERE key = ?", (INFO_KEY,)).fetchone()
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return None
    if not row:
        return None
    try:
        info = json.loads(row[0])
    except ValueError:
        return None
    return info if isinstance(info, dict) else None


def _facts(conn: sqlite3.Connection) -> dict[str, Any]:
    """What a restore checks, read from a database (the live one or a copy)."""

    def one(sql: str, *args: Any) -> Any:
        row = conn.execute(sql, args).fetchone()
        return row[0] if row else None

    unit_id = one("SELECT value FROM app_meta WHERE key = 'local_unit_id'")
    agency = one("SELECT agency_id FROM units WHERE id = ?", unit_id) if unit_id else None
    codes = {
        period: last
        for period, last in conn.execute(
            "SELECT period, last FROM sequence_counters WHERE kind = 'dossier' AND unit_id = ?",
            (unit_id,),
        )
    }
    return {
        "agency_id": agency,
        "unit_id": unit_id,
        "source_id": one("SELECT value FROM app_meta WHERE key = ?", SOURCE_KEY),
        "schema": one("SELECT version_num FROM alembic_version"),
        "outbox_seq": one("SELECT coalesce(max(seq), 0) FROM outbox") or 0,
        "acked_seq": int(one("SELECT value FROM app_meta WHERE key = 'sync.acked_seq'") or 0),
        "dossiers": one("SELECT count(*) FROM dossiers") or 0,
        "codes": codes,
    }


def _put_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO app_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _integrity(conn: sqlite3.Connection) -> str:
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return "ok" if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:3])


def _unwritable(code: str, path: Path, exc: OSError | sqlite3.Error) -> CounterAppError:
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return CounterAppError(code, path=str(path), detail=detail[:200])


def check_target(out: Path, live: Path, agency: str | None) -> None:
    """cli/output.check_output's rules for a backup: our extension, never the live database
    or its companions, never over a file that is not a backup of this unit."""
    if out.suffix.lower() not in EXTENSIONS:
        raise ValidationError("backup_extension", path=str(out))
    target = out.resolve()
    if target in _companions(live):
        raise ValidationError("backup_is_live", path=str(out))
    if out.exists():
        info = read_info(out) if out.is_file() else None
        if info is None or info.get("agency_id") != agency:
            raise ValidationError("backup_target_foreign", path=str(out))


@dataclass(frozen=True)
class BackupResult:
    path: str
    bytes: int
    seconds: float
    checks: tuple[str, ...]
    info: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "checks": list(self.checks),
            "unit": self.info.get("agency_id"),
            "taken_at": self.info.get("taken_at"),
            "schema": self.info.get("schema"),
            "outbox_seq": self.info.get("outbox_seq"),
            "dossiers": self.info.get("dossiers"),
            "files": self.info.get("files", 0),
            "file_bytes": self.info.get("file_bytes", 0),
            "files_bad": self.info.get("files_bad", []),
        }


def backup(
    ctx: ServiceContext, out_path: Path, *, auto: bool = False, username: str = "system"
) -> BackupResult:
    """A checked, consistent backup of the live database at `out_path` (see module doc)."""
    t0 = time.perf_counter()
    live = live_path(ctx.uow.engine)
    out = Path(out_path).expanduser()
    src = sqlite3.connect(str(live), timeout=10)
    try:
        facts = _facts(src)
        if not facts["agency_id"]:
            raise ValidationError("backup_no_unit")
        check_target(out, live, facts["agency_id"])
        folder = out.resolve().parent
        try:
            filemodes.make_dir(folder)
            fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".tmp-backup-", suffix=".db")
            os.close(fd)
        except OSError as exc:
            raise _unwritable("backup_unwritable", out, exc) from None
        tmp = Path(tmp_name)
        try:
            info = _write_copy(ctx, src, tmp, facts, auto)
            checks = _check_copy(tmp, facts["agency_id"])
            _pause("backup_before_rename")
            try:
                _fsync_file(tmp)
                os.replace(tmp, out)
                _fsync_dir(folder)
            except OSError as exc:
                raise _unwritable("backup_unwritable", out, exc) from None
        except BaseException:
            for p in _companions(tmp):
                with contextlib.suppress(OSError):
                    p.unlink()
            raise
    finally:
        src.close()
    size = out.stat().st_size
    with ctx.uow.write() as s:
        last = json.dumps(
            {"path": str(out.resolve()), "at": info["taken_at"], "bytes": size, "auto": auto}
        )
        resume._put(s, LAST_KEY, last)
        append_audit(s, ctx.clock(), username, "backup", {"bytes": size, "auto": auto})
    return BackupResult(str(out.resolve()), size, time.perf_counter() - t0, checks, info)


def _write_copy(
    ctx: ServiceContext, src: sqlite3.Connection, tmp: Path, facts: dict[str, Any], auto: bool
) -> dict[str, Any]:
    dst = sqlite3.connect(str(tmp))
    try:
        # One step: the whole database as of one read transaction. WAL writers are not
        # blocked; the copy never mixes two states.
        src.backup(dst)
        _pause("backup_copied")
        # Issue 15: the digitised documents' files go into the backup file itself.
        kept = backup_files.copy_in(dst, files.files_dir(ctx))
        info = {
            "app": "counter-app",
            "agency_id": facts["agency_id"],
            "unit_id": facts["unit_id"],
            "source_id": facts["source_id"],
            "schema": facts["schema"],
            "taken_at": ctx.clock().isoformat(),
            "outbox_seq": facts["outbox_seq"],
            "acked_seq": facts["acked_seq"],
            "dossiers": facts["dossiers"],
            "codes": facts["codes"],
            "auto": auto,
            **kept,
        }
        _put_meta(dst, INFO_KEY, json.dumps(info, ensure_ascii=False))
        dst.commit()
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.Error as exc:
        raise _unwritable("backup_unwritable", tmp.parent, exc) from None
    finally:
        dst.close()
    filemodes.tighten(tmp, filemodes.FILE_MODE)
    return info


def _check_copy(path: Path, agency: str | None) -> tuple[str, ...]:
    try:
        conn = _connect_ro(path)
        try:
            integrity = _integrity(conn)
            facts = _facts(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise CounterAppError("backup_check_failed", check=str(exc)[:100]) from None
    if integrity != "ok":
        raise CounterAppError("backup_check_failed", check=integrity[:100])
    if facts["schema"] != head_revision():
        raise CounterAppError("backup_check_failed", check=f"schema {facts['schema']}")
    if facts["agency_id"] != agency:
        raise CounterAppError("backup_check_failed", check="unit")
    return ("integrity", "schema", "unit")


# --- automatic backups --------------------------------------------------------------------


def backup_folder(ctx: ServiceContext) -> Path:
    folder = ctx.settings.backup_dir
    return Path(folder).expanduser() if folder else data_dir() / "backups"


def _ours(path: Path, agency: str | None) -> bool:
    """A file the automatic backup wrote: its name, and its metadata says auto, this unit."""
    if not AUTO_RE.match(path.name):
        return False
    info = read_info(path)
    return bool(info and info.get("auto") and info.get("agency_id") == agency)


def auto_backup(
    ctx: ServiceContext, *, force: bool = False, folder: Path | None = None
) -> dict[str, Any]:
    """Once a day (local date): a backup in the backup folder named counter-backup-<when>.db;
    then only the newest `backup_keep` of the files it wrote are kept. Skipped (with the
    last one's name) when today's already exists, unless `force`."""
    folder = folder or backup_folder(ctx)
    keep = max(1, ctx.settings.backup_keep)
    now = ctx.now()
    today = now.strftime("%Y%m%d")
    existing = sorted(folder.glob(AUTO_PREFIX + "*.db")) if folder.is_dir() else []
    live = live_path(ctx.uow.engine)
    conn = sqlite3.connect(str(live), timeout=10)
    try:
        agency = _facts(conn)["agency_id"]
    finally:
        conn.close()
    mine = [p for p in existing if _ours(p, agency)]
    if not force and any(AUTO_RE.match(p.name)[1] == today for p in mine):  # type: ignore[index]
        return {"skipped": True, "path": str(mine[-1]), "deleted": []}
    out = folder / f"{AUTO_PREFIX}{now:%Y%m%d-%H%M%S}.db"
    _remove_stale_temps(folder)
    result = backup(ctx, out, auto=True)
    mine = sorted({*mine, out.resolve()}, key=lambda p: p.name)
    deleted = []
    for old in mine[:-keep]:
        with contextlib.suppress(OSError):
            old.unlink()
            deleted.append(str(old))
    return {**result.as_json(), "skipped": False, "deleted": deleted}


STALE_TEMP_S = 6 * 3600


def _remove_stale_temps(folder: Path) -> list[str]:
    """A backup killed halfway leaves its temporary file (as big as the database): the
    next automatic one removes those older than six hours (no backup runs that long)."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    limit = time.time() - STALE_TEMP_S
    for p in folder.glob(".tmp-backup-*.db"):
        with contextlib.suppress(OSError):
            if p.is_file() and not p.is_symlink() and p.stat().st_mtime < limit:
                p.unlink()
                removed.append(str(p))
    return removed


def last_backup(ctx: ServiceContext) -> dict[str, Any] | None:
    with ctx.uow.read() as s:
        raw = resume._get(s, LAST_KEY)
    return json.loads(raw) if raw else None


def due_today(ctx: ServiceContext) -> bool:
    """Whether the automatic backup has not run yet on today's local date."""
    last = last_backup(ctx)
    if not last or not last.get("auto"):
        return True
    try:
        at = datetime.fromisoformat(last["at"])
    except (KeyError, ValueError):
        return True
    return ctx.local(at).date() < ctx.now().date()


# --- restore ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    restored_from: str
    kept_aside: str | None
    bytes: int
    seconds: float
    checks: tuple[str, ...]
    info: dict[str, Any]
    fresh_range: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "restored_from": self.restored_from,
            "kept_aside": self.kept_aside,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "checks": list(self.checks),
            "unit": self.info.get("agency_id"),
            "backup_taken_at": self.info.get("taken_at"),
            "backup_outbox_seq": self.info.get("outbox_seq"),
            "pending_check": True,
            "fresh_range": self.fresh_range,
        }


def check_backup_file(path: Path, live_agency: str | None) -> dict[str, Any]:
    """Refuse what is not a whole backup of this unit from this or an older schema."""
    if not path.is_file():
        raise ValidationError("restore_not_found", path=str(path))
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise _unwritable("restore_unwritable", path, exc) from None
    if head != SQLITE_MAGIC:
        raise ValidationError("restore_not_backup", path=str(path))
    try:
        conn = _connect_ro(path)
        try:
            integrity = _integrity(conn)
            if integrity != "ok":
                raise ValidationError("restore_corrupt", path=str(path), detail=integrity[:100])
            info = read_info(path)
            if info is None:
                raise ValidationError("restore_not_backup", path=str(path))
            facts = _facts(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ValidationError("restore_corrupt", path=str(path), detail=str(exc)[:100]) from None
    if facts["schema"] not in known_revisions():
        raise ValidationError("restore_newer", path=str(path), revision=str(facts["schema"]))
    if live_agency is not None and facts["agency_id"] != live_agency:
        raise ValidationError(
            "restore_other_unit",
            path=str(path),
            backup_unit=str(facts["agency_id"]),
            unit=live_agency,
        )
    return {**info, **facts}


def _live_agency(live: Path) -> str | None:
    if not live.exists() or live.stat().st_size == 0:
        return None
    try:
        conn = _connect_ro(live)
        try:
            return _facts(conn)["agency_id"]  # type: ignore[no-any-return]
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # a broken live database: that is why one restores


def restore_file(
    live: Path,
    backup_file: Path,
    *,
    now: datetime,
    fresh_range: bool = False,
    release: Callable[[], None] = lambda: None,
    wait_s: float = 0.0,
    files_folder: Path | None = None,
) -> RestoreResult:
    """Replace the SQLite database at `live` with `backup_file` (see module doc). The caller
    closes its own connections to it: before, and through `release` while it waits up to
    `wait_s` for the last one to go (ServiceContext: `restore`)."""
    t0 = time.perf_counter()
    backup_file = Path(backup_file).expanduser().resolve()
    live = live.resolve()
    if backup_file in _companions(live):
        raise ValidationError("restore_not_backup", path=str(backup_file))
    info = check_backup_file(backup_file, _live_agency(live))
    folder = live.parent
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".tmp-restore-", suffix=".db")
        os.close(fd)
    except OSError as exc:
        raise _unwritable("restore_unwritable", live, exc) from None
    tmp = Path(tmp_name)
    aside: Path | None = None
    try:
        rng = _prepare_copy(
            backup_file,
            tmp,
            info,
            now,
            fresh_range,
            _live_source(live),
            files_folder or live.parent / "files",
        )
        _pause("restore_before_replace")
        aside = _replace_live(live, tmp, now, release, wait_s)
    except BaseException:
        for p in _companions(tmp):
            with contextlib.suppress(OSError):
                p.unlink()
        raise
    return RestoreResult(
        str(backup_file),
        str(aside) if aside else None,
        live.stat().st_size,
        time.perf_counter() - t0,
        ("sqlite", "integrity", "backup", "schema", "unit"),
        info,
        rng,
    )


def _live_source(live: Path) -> str | None:
    """The live database's stream name at central, if it can be read."""
    try:
        conn = _connect_ro(live)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM app_meta WHERE key = ?", (SOURCE_KEY,)).fetchone()
        return str(row[0]) if row and row[0] else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _prepare_copy(
    backup_file: Path,
    tmp: Path,
    info: dict[str, Any],
    now: datetime,
    fresh: bool,
    live_source: str | None = None,
    files_folder: Path | None = None,
) -> dict[str, Any] | None:
    src = _connect_ro(backup_file)
    dst = sqlite3.connect(str(tmp))
    try:
        src.backup(dst)
        # Issue 15: the files out first (checked, atomically), before the copy goes live.
        restored_files = backup_files.restore_out(dst, files_folder or tmp.parent / "files")
        # A backup made before this install first synced has no stream name: it is this
        # install's copy (the unit was checked), so it keeps the live database's stream.
        has = dst.execute("SELECT 1 FROM app_meta WHERE key = ?", (SOURCE_KEY,)).fetchone()
        if not has and live_source:
            _put_meta(dst, SOURCE_KEY, live_source)
        dst.execute("DELETE FROM app_meta WHERE key IN (?, ?)", (INFO_KEY, LAST_KEY))
        record = resume.pending_record(
            "restore",
            int(info["outbox_seq"]),
            now,
            backup_taken_at=info.get("taken_at"),
            backup=backup_file.name,
        )
        _put_meta(dst, resume.PENDING_KEY, record)
        dst.execute("DELETE FROM app_meta WHERE key = ?", (resume.FRESH_KEY,))
        rng = None
        if fresh:
            rng = _fresh_in(dst, now)
        dst.commit()
        if restored_files:
            dst.execute("VACUUM")  # the files' pages given back: they live in files/ now
        dst.execute("PRAGMA journal_mode=DELETE")
        # The file passed integrity_check; the copy made from it is checked more cheaply.
        if dst.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise CounterAppError("backup_check_failed", check="quick_check")
    except sqlite3.Error as exc:
        raise _unwritable("restore_unwritable", tmp, exc) from None
    finally:
        src.close()
        dst.close()
    filemodes.tighten(tmp, filemodes.FILE_MODE)
    try:
        _fsync_file(tmp)
    except OSError as exc:
        raise _unwritable("restore_unwritable", tmp, exc) from None
    return rng


def _fresh_in(conn: sqlite3.Connection, now: datetime) -> dict[str, Any]:
    """resume.use_fresh_range, on the copy before it becomes live (no audit user yet: the
    restore's own audit entry names it)."""
    row = conn.execute("SELECT value FROM app_meta WHERE key = ?", (resume.SLOTS_KEY,)).fetchone()
    used = json.loads(row[0]) if row else []
    free = [k for k in range(resume.SLOTS) if k not in used]
    if not free:
        raise ValidationError("restore_no_slot")
    slot = free[0]
    rng = {
        "slot": slot,
        "kind": f"dossier-r{slot}",
        "start": resume.RECOVERY_BASE + slot * resume.SLOT_SIZE,
        "end": resume.RECOVERY_BASE + (slot + 1) * resume.SLOT_SIZE - 1,
        "at": now.isoformat(),
    }
    _put_meta(conn, resume.FRESH_KEY, json.dumps(rng))
    _put_meta(conn, resume.SLOTS_KEY, json.dumps([*used, slot]))
    return rng


def _only_connection(live: Path, release: Callable[[], None], wait_s: float) -> sqlite3.Connection:
    """A connection to `live` that switched it out of WAL (the WAL checkpointed into the
    main file, -wal and -shm gone), which only the sole connection may do. `release` closes
    this process's own idle connections right before each try (the window's background
    readers open one now and then); a try does not wait, tries repeat until `wait_s`."""
    deadline = time.monotonic() + wait_s
    while True:
        release()
        conn = sqlite3.connect(str(live), timeout=0)
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()
        except sqlite3.OperationalError:
            mode = None
        if mode and str(mode[0]).lower() == "delete":
            conn.execute("PRAGMA busy_timeout=5000")  # readers finish before EXCLUSIVE
            return conn
        conn.close()
        if time.monotonic() >= deadline:
            raise CounterAppError("restore_db_busy")
        time.sleep(0.05)


def _replace_live(
    live: Path,
    tmp: Path,
    now: datetime,
    release: Callable[[], None] = lambda: None,
    wait_s: float = 0.0,
) -> Path | None:
    """Keep the live database aside, then rename the prepared copy over it."""
    if not live.exists():
        try:
            os.replace(tmp, live)
            _fsync_dir(live.parent)
        except OSError as exc:
            raise _unwritable("restore_unwritable", live, exc) from None
        return None
    aside = live.with_name(f"{live.name}.before-restore-{now:%Y%m%d-%H%M%S}")
    n = 1
    while aside.exists() or aside.is_symlink():  # a restore killed halfway left one
        aside = live.with_name(f"{live.name}.before-restore-{now:%Y%m%d-%H%M%S}-{n}")
        n += 1
    # Into the main file, and the proof nobody else has it open; then an exclusive lock
    # until the rename is done.
    conn = _only_connection(live, release, wait_s)
    try:
        if os.name == "posix":
            conn.execute("BEGIN EXCLUSIVE")
        else:
            conn.close()
        try:
            try:
                os.link(live, aside)
            except OSError:
                # No hard links here (FAT, some shares): a byte copy, consistent now that
                # the file is in DELETE mode and locked (or closed) by us.
                shutil.copyfile(live, aside)
            filemodes.tighten(aside, filemodes.FILE_MODE)
            _pause("restore_after_aside")
            os.replace(tmp, live)
            _fsync_dir(live.parent)
        except OSError as exc:
            raise _unwritable("restore_unwritable", live, exc) from None
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
    for p in _companions(live)[1:]:
        # The old file's -journal (empty after DELETE mode) must not meet the new one.
        with contextlib.suppress(OSError):
            if p.exists() and p.stat().st_size == 0:
                p.unlink()
    return aside


def restore(
    ctx: ServiceContext, backup_file: Path, *, fresh_range: bool = False, username: str = "system"
) -> RestoreResult:
    """Restore into the context's database. The context's connections are closed first and
    the context is not usable afterwards: the caller (CLI, window) ends or reopens."""
    live = live_path(ctx.uow.engine)
    now = ctx.clock()
    engine = ctx.uow.engine

    def release() -> None:
        # Idle connections close with the pool (after the background checkpoint ends: its
        # thread would take one meanwhile); one a background reader had checked out when
        # the pool was replaced goes back to the old pool, closed once that is collected
        # (the window's polls: the queue, the sync status).
        ctx.uow.dispose()
        gc.collect()

    release()
    result = restore_file(
        live,
        backup_file,
        now=now,
        fresh_range=fresh_range,
        release=release,
        wait_s=5.0,
        files_folder=files.files_dir(ctx),
    )
    engine.dispose()  # a connection opened meanwhile saw the old file
    # The restored database's own audit chain goes on with the restore itself.
    engine = create_db_engine(sqlite_url(live))
    try:
        with UnitOfWork(engine).write() as s:
            append_audit(
                s,
                now,
                username,
                "restore",
                {"backup_taken_at": result.info.get("taken_at"), "fresh_range": fresh_range},
            )
    finally:
        engine.dispose()
    return result

"""Unit of work: one transaction per use case, rolled back unless the block completes."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from counter_app.db import faults
from counter_app.db.checkpoint import Checkpointer
from counter_app.db.driver_reads import DriverReads, driver_reads
from counter_app.domain.errors import StorageFault

# pg_advisory_xact_lock key every write transaction takes first on PostgreSQL ("WRITELCK").
WRITE_LOCK_KEY = 0x5752_4954_454C_434B

FileId = tuple[int, int]
log = logging.getLogger(__name__)


def _file_id(path: Path) -> FileId | None:
    """The file's identity (device, inode; on Windows the volume and file index), or None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _sqlite_file(engine: Engine) -> Path | None:
    db = engine.url.database
    if engine.dialect.name != "sqlite" or db in (None, "", ":memory:"):
        return None
    return Path(str(db))


class UnitOfWork:
    """Hands out sessions; `write()` takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE).

    Before each write on a SQLite file it checks (one or two stat calls) that the file under
    the open connections is still the file at its path: deleted (an antivirus quarantine, a
    clean-up script) or replaced, saves would go to the unlinked file and be lost at close;
    its -wal deleted while open, every save since the last checkpoint is lost at a crash.
    Either way the write is refused (StorageFault db_replaced / db_wal_lost) and nothing is
    saved: the window keeps what was typed. A restore replaces the file on purpose and then
    opens a new UnitOfWork (services/backup.restore).

    After each write on a SQLite file a background thread copies the -wal into the main file
    (db/checkpoint.py), which the commit that filled the -wal did before."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file = _sqlite_file(engine)
        self._file_id = _file_id(self._file) if self._file is not None else None
        self._wal_id: FileId | None = None
        self.checkpointer = (
            Checkpointer(engine, self._same_file) if self._file is not None else None
        )

    def _same_file(self) -> bool:
        return self._file is not None and _file_id(self._file) == self._file_id

    def dispose(self) -> None:
        """Close every connection (the last close checkpoints the -wal and removes it), after
        the background checkpoint, if one is under way, ends."""
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _open_connections(self) -> int:
        pool = self.engine.pool
        try:
            return int(pool.checkedin()) + int(pool.checkedout())  # type: ignore[attr-defined]
        except AttributeError:
            return 1

    def check_file(self) -> None:
        """Refuse when the database file was deleted or replaced, or its -wal deleted while
        our connections kept it (SQLite removes it only when the last connection closes)."""
        if self._file is None:
            return
        now = _file_id(self._file)
        if now is None or (self._file_id is not None and now != self._file_id):
            raise StorageFault("db_replaced", path=str(self._file))
        if self._file_id is None:
            self._file_id = now
        if self._wal_id is not None:
            if self._open_connections() == 0:
                self._wal_id = None  # all closed: SQLite may have removed it, rightly
            elif _file_id(self._wal_path()) != self._wal_id:
                if self.checkpointer is not None:  # its connection back in the pool first
                    self.checkpointer.wait_idle(5.0)
                self._rescue_wal()
                raise StorageFault("db_wal_lost", path=str(self._file))

    def _rescue_wal(self) -> None:
        """Copy what the deleted -wal still holds into the main file: a connection of ours
        keeps it open, and a checkpoint through that connection reads it. The dossiers saved
        since the last checkpoint then survive a crash. Only through an idle pooled
        connection: a new one would open a new, empty -wal."""
        pool = self.engine.pool
        if not int(getattr(pool, "checkedin", lambda: 0)()):
            return
        try:
            raw = self.engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
        except Exception:  # the refusal that follows is what matters
            log.warning("checkpoint of a deleted -wal failed", exc_info=True)

    def _wal_path(self) -> Path:
        assert self._file is not None
        return self._file.with_name(self._file.name + "-wal")

    @contextmanager
    def write(self) -> Iterator[Session]:
        self.check_file()
        try:
            with self._write() as session:
                yield session
        except OperationalError as exc:  # disk full, read-only, locked: said in words
            known = faults.classify(exc)
            if known is None:
                raise
            raise known from exc
        if self._file is not None:  # the -wal our connection writes to, for the next check
            self._wal_id = _file_id(self._wal_path())
        if self.checkpointer is not None:
            self.checkpointer.nudge()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self.engine.connect().execution_options(write=True) as conn:
            session = Session(bind=conn, expire_on_commit=False, autoflush=True)
            try:
                with session.begin():
                    if conn.dialect.name == "postgresql":
                        # Writers take turns, as SQLite's BEGIN IMMEDIATE makes them: the
                        # outbox numbers, dossier codes and the audit chain are then drawn
                        # in commit order, and no two writers can lock rows in opposite
                        # orders (a ticket row vs the outbox counter was a deadlock).
                        session.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
                    yield session
            finally:
                session.close()

    @contextmanager
    def read_rows(self) -> Iterator[Connection]:
        """A read transaction on a bare connection, for Core reads on a hot path (opening a
        dossier): the ORM session of read() costs about 0.1 ms on top."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def read_driver(self) -> Iterator[DriverReads]:
        """A read transaction whose Core selects run on the driver's cursor (db/driver_reads):
        the view of a dossier, a clerk's commonest read, without SQLAlchemy's execute path."""
        with driver_reads(self.engine) as reads:
            yield reads

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.engine.connect() as conn:
            session = Session(bind=conn, expire_on_commit=False)
            try:
                with session.begin():
                    yield session
            finally:
                session.close()

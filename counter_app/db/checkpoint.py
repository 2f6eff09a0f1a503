"""Copying the WAL into the main database file on a background thread, not in a save's commit.

In WAL mode SQLite appends each commit to the -wal file and, by default, the commit that
takes the -wal past 1,000 pages also copies every page into the main file and fsyncs it (an
"automatic checkpoint"). A save writes ~45 pages into a database of a million dossiers (the
dossier, its documents, name words and pairs, the event, the outbox and their indexes), so
every ~20th save paid the copy: 30–50 ms instead of ~5 ms, which was the whole of the
intake's p95. Here a thread does the copy after a write instead (at most every
MIN_INTERVAL_S; PRAGMA wal_checkpoint(PASSIVE): it never waits for a lock and never blocks a
writer or a reader), while the clerk reads the receipt. The commit's own fsync of the -wal
is untouched, so a save is as durable as before; a checkpoint cut by a crash is redone by
SQLite at the next open. The connections' automatic checkpoint stays as a safety net, at
AUTOCHECKPOINT_PAGES.

The thread uses an idle connection of the engine's pool and never opens one: after
engine.dispose() (a restore switching the file out of WAL, a command ending) it finds none
and does nothing. It checks the file is still the one the engine opened, and ends after
IDLE_EXIT_S without writes (the next write starts it again)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

log = logging.getLogger(__name__)

# The automatic checkpoint's threshold on this app's connections (engine._on_sqlite_connect):
# with the thread keeping up it is never reached; if the thread cannot (a reader holding an
# old snapshot all along), a commit copies at most this many pages (16 MiB of 4 KiB pages).
AUTOCHECKPOINT_PAGES = 4000
IDLE_EXIT_S = 10.0
# At most one checkpoint per this interval: a counter saves every minute or so (each save is
# copied at once), but a sync run acknowledges a batch every few milliseconds, and a copy
# with its fsync of the main file after each would compete with the run for the disk.
MIN_INTERVAL_S = 0.5


class Checkpointer:
    """One background checkpoint after a write, coalesced: writes that come while one runs or
    within MIN_INTERVAL_S of it are covered by the next. `same_file()` says whether the file
    at the engine's path is still the one it opened (UnitOfWork's check)."""

    def __init__(
        self,
        engine: Engine,
        same_file: Callable[[], bool],
        idle_exit_s: float = IDLE_EXIT_S,
        min_interval_s: float = MIN_INTERVAL_S,
    ) -> None:
        self._engine = engine
        self._same_file = same_file
        self._idle_exit_s = idle_exit_s
        self._min_interval_s = min_interval_s
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self.runs = 0  # checkpoints done (tests, benches)

    def nudge(self) -> None:
        """A write committed: checkpoint soon, on the thread (started if it is not running)."""
        with self._lock:
            if self._stopping.is_set():
                return
            self._idle.clear()
            self._wake.set()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="wal-checkpoint", daemon=True
                )
                self._thread.start()

    def wait_idle(self, timeout: float) -> bool:
        """True once every nudge so far has been followed by a checkpoint (or a skip)."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """No more checkpoints from this object; waits for one under way to end."""
        with self._lock:
            self._stopping.set()
            thread = self._thread
            self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            woken = self._wake.wait(self._idle_exit_s)
            with self._lock:
                if self._stopping.is_set() or not woken:
                    self._thread = None
                    self._idle.set()
                    return
                self._wake.clear()
            self._checkpoint()
            with self._lock:
                if not self._wake.is_set():
                    self._idle.set()
            self._stopping.wait(self._min_interval_s)

    def _checkpoint(self) -> None:
        pool = self._engine.pool
        checkedin = getattr(pool, "checkedin", None)
        if checkedin is None or not checkedin():
            return  # every connection busy or the pool disposed: never open a new one here
        if not self._same_file():
            return
        try:
            raw = self._engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("PRAGMA wal_checkpoint(PASSIVE)")
                cur.fetchall()
                cur.close()
                self.runs += 1
            finally:
                raw.close()
        except Exception:  # a locked or vanished file: the next write's checks say what
            log.warning("background WAL checkpoint failed", exc_info=True)

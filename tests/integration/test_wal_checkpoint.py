"""Issue 17: the -wal is copied into the main file by a background thread after each write
(db/checkpoint.py), not by the commit that fills it: at a million dossiers every ~20th save
paid that copy (30–50 ms against ~5 ms). What the main file holds is read with SQLite's
`immutable=1`, which ignores the -wal."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

from counter_app.db.checkpoint import AUTOCHECKPOINT_PAGES, Checkpointer
from counter_app.services.intake import parse_intake, register


def _in_main_file(db: Path) -> int:
    """Dossiers in the main database file alone (what a crash of the -wal would leave)."""
    with closing(sqlite3.connect(f"file:{db}?immutable=1", uri=True)) as conn:
        return int(conn.execute("SELECT count(*) FROM dossiers").fetchone()[0])


def _save(ctx, itest, n: int = 1) -> None:
    register(ctx, [parse_intake(itest.payload()) for _ in range(n)], "canbo1")


def _threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "wal-checkpoint"]


def test_a_save_is_copied_into_the_main_file_after_its_commit(
    demo_db, make_context, clock, itest
) -> None:
    ctx = make_context(demo_db)
    ctx.clock = clock
    before = _in_main_file(demo_db)
    _save(ctx, itest)
    assert ctx.uow.checkpointer.wait_idle(10)
    assert _in_main_file(demo_db) == before + 1
    assert ctx.uow.checkpointer.runs >= 1


def test_the_commit_itself_does_not_copy_the_wal(demo_db, make_context, clock, itest) -> None:
    """With the thread stopped, saves that write well over SQLite's default 1,000 pages of
    -wal leave the main file as it was: no commit copied them."""
    ctx = make_context(demo_db)
    ctx.clock = clock
    with ctx.uow.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == AUTOCHECKPOINT_PAGES
    ctx.uow.checkpointer.stop()
    before = _in_main_file(demo_db)
    for _ in range(30):
        _save(ctx, itest, 4)
    wal_pages = Path(f"{demo_db}-wal").stat().st_size // 4096
    assert 1000 < wal_pages < AUTOCHECKPOINT_PAGES
    assert _in_main_file(demo_db) == before
    ctx.uow.dispose()  # the last close copies it
    assert _in_main_file(demo_db) == before + 120


def test_nothing_is_opened_after_dispose_or_on_a_replaced_file(demo_db, make_context) -> None:
    ctx = make_context(demo_db)
    engine = ctx.uow.engine
    same = [True]
    cp = Checkpointer(engine, lambda: same[0])
    cp.nudge()
    assert cp.wait_idle(10) and cp.runs == 1
    same[0] = False  # the file at the path is another one (a restore, a sync tool)
    cp.nudge()
    assert cp.wait_idle(10) and cp.runs == 1
    same[0] = True
    engine.dispose()  # no idle connection: the thread opens none (a restore needs the file)
    cp.nudge()
    assert cp.wait_idle(10) and cp.runs == 1
    assert engine.pool.checkedin() == 0
    cp.stop()


def test_the_thread_ends_when_idle_and_starts_again(demo_db, make_context) -> None:
    ctx = make_context(demo_db)
    cp = Checkpointer(ctx.uow.engine, lambda: True, idle_exit_s=0.05)
    cp.nudge()
    assert cp.wait_idle(10)
    thread = cp._thread
    if thread is not None:
        thread.join(10)
    assert cp._thread is None
    cp.nudge()
    assert cp.wait_idle(10) and cp.runs == 2
    cp.stop()
    assert cp._thread is None or not cp._thread.is_alive()
    cp.nudge()  # stopped: nothing more
    assert cp.runs == 2
    assert all(t is not cp._thread for t in _threads())

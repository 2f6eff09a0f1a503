"""Issue 12 item 3: the database file deleted or replaced while the app has it open, or its
-wal deleted: the next save is refused in words (StorageFault, CLI exit 4), nothing is saved
to a file that will be lost, and a restore (which replaces the file on purpose) still works."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from counter_app.db.models import Dossier
from counter_app.domain.errors import StorageFault
from counter_app.messages import describe
from counter_app.services.intake import parse_intake, register


def _save(ctx, itest) -> str:
    return register(ctx, [parse_intake(itest.payload())], "canbo1")[0].code


def _count(ctx) -> int:
    with ctx.uow.read() as s:
        return int(s.scalar(select(func.count()).select_from(Dossier)) or 0)


def test_deleted_while_open(demo_db, make_context, clock, itest) -> None:
    ctx = make_context(demo_db)
    ctx.clock = clock
    _save(ctx, itest)
    os.unlink(demo_db)  # an antivirus quarantine, a clean-up script
    with pytest.raises(StorageFault) as err:
        _save(ctx, itest)
    assert err.value.code == "db_replaced"
    text = describe(err.value)
    assert str(demo_db) in text and "đã bị xóa hoặc thay thế" in text


def test_replaced_while_open(demo_db, make_context, clock, itest, tmp_path) -> None:
    ctx = make_context(demo_db)
    ctx.clock = clock
    first = _count(ctx)
    _save(ctx, itest)
    older = tmp_path / "older.db"
    shutil.copy(demo_db, older)  # e.g. a sync tool puts back yesterday's copy
    os.replace(older, demo_db)
    with pytest.raises(StorageFault) as err:
        _save(ctx, itest)
    assert err.value.code == "db_replaced"
    ctx.uow.engine.dispose()
    again = make_context(demo_db)  # what is at the path now is untouched by the refused save
    assert _count(again) <= first + 1


def test_wal_deleted_while_open(demo_db, make_context, clock, itest) -> None:
    ctx = make_context(demo_db)
    ctx.clock = clock
    code = _save(ctx, itest)
    wal = Path(f"{demo_db}-wal")
    assert wal.exists()
    os.unlink(wal)
    with pytest.raises(StorageFault) as err:
        _save(ctx, itest)
    assert err.value.code == "db_wal_lost"
    with pytest.raises(StorageFault):  # until the program is closed and opened again
        _save(ctx, itest)
    # A crash now (the process gone, its open -wal with it) loses nothing: the refusal
    # copied what the deleted -wal held into the main file, read here with no -wal at all.
    shutil.copy(demo_db, demo_db.with_name("after-crash.db"))
    with closing(sqlite3.connect(demo_db.with_name("after-crash.db"))) as conn:
        assert conn.execute("SELECT count(*) FROM dossiers WHERE code = ?", (code,)).fetchone() == (
            1,
        )


def test_untouched_file_keeps_saving(demo_db, make_context, clock, itest) -> None:
    """The check costs a stat or two and never refuses a file left alone, even after all
    connections closed (SQLite then removes the -wal itself)."""
    ctx = make_context(demo_db)
    ctx.clock = clock
    before = _count(ctx)
    _save(ctx, itest)
    ctx.uow.engine.dispose()  # the pool reopens: the -wal recorded may rightly be gone
    _save(ctx, itest)
    _save(ctx, itest)
    assert _count(ctx) == before + 3


def test_the_cli_says_it_in_one_line(cli, demo_db, itest, write_json, tmp_path, monkeypatch):
    """Through the CLI: the file replaced between opening and saving (a second process)."""
    from counter_app import app

    real = app.open_context

    def open_then_replace(args):  # type: ignore[no-untyped-def]
        ctx = real(args)
        other = tmp_path / "other.db"
        shutil.copy(demo_db, other)
        os.replace(other, demo_db)
        return ctx

    monkeypatch.setattr(app, "open_context", open_then_replace)
    res = cli("intake", write_json(itest.payload()), "--clerk", "canbo1")
    assert res.rc == 4 and res.out == ""
    line = itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
    assert "đã bị xóa hoặc thay thế" in line

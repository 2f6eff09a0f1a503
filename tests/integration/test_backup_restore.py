"""Backup and restore through the CLI on real SQLite files (issue 11 part 3): a checked
online backup, the refusals (each one clear line, nothing changed), the automatic daily
backup keeping the last N, restore keeping the old database aside, and kill -9 during a
backup or a restore leaving the live database whole."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from counter_app.services import backup as backup_svc

DEMO = "000.20.25.H01"


def _intake(cli: Any, write_json: Any, itest: Any, n: int = 1) -> list[str]:
    res = cli("intake", write_json([itest.payload()] * n), "--clerk", "canbo1", "--json")
    assert res.rc == 0, res.err
    return [d["code"] for d in json.loads(res.out)]


def _integrity(path: Path) -> str:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as c:
        return str(c.execute("PRAGMA integrity_check").fetchone()[0])


def _codes(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as c:
        return {r[0] for r in c.execute("SELECT code FROM dossiers")}


def test_backup_and_restore_round_trip(
    cli: Any, demo_db: Path, tmp_path: Path, write_json: Any, itest: Any
) -> None:
    before = _intake(cli, write_json, itest)
    out = tmp_path / "sao-luu" / "b1.db"
    res = cli("backup", "-o", out, "--json")
    assert res.rc == 0, res.err
    data = json.loads(res.out)
    assert data["path"] == str(out.resolve()) and data["bytes"] == out.stat().st_size > 0
    assert data["checks"] == ["integrity", "schema", "unit"] and data["unit"] == DEMO
    assert data["seconds"] >= 0 and data["outbox_seq"] > 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert _integrity(out) == "ok"
    info = backup_svc.read_info(out)
    assert info is not None and info["agency_id"] == DEMO and info["schema"]
    assert set(info) >= {"unit_id", "source_id", "taken_at", "outbox_seq", "codes"}
    # A single self-contained file: no -wal beside it.
    assert not Path(str(out) + "-wal").exists()
    later = _intake(cli, write_json, itest, 2)
    assert set(later) <= _codes(demo_db)
    # Overwriting our own backup of this unit is fine.
    assert cli("backup", "-o", out).rc == 0
    assert cli("backup", "-o", tmp_path / "b-old.db").rc == 0

    res = cli("restore", tmp_path / "b-old.db", "--json")
    assert res.rc == 0, res.err
    r = json.loads(res.out)
    assert r["pending_check"] is True and r["fresh_range"] is None
    aside = Path(r["kept_aside"])
    assert aside.exists() and stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert set(later) <= _codes(aside)  # the replaced database, whole
    assert _integrity(demo_db) == "ok"
    assert set(before) | set(later) <= _codes(demo_db)  # b-old was taken after `later`
    # Until central is asked, no dossier (one clear line); the rest of the app opens.
    res = cli("intake", write_json(itest.payload()), "--clerk", "canbo1")
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
    assert "khôi phục" in res.err
    assert cli("show", before[0]).rc == 0


def test_restore_of_an_older_backup_brings_the_older_state(
    cli: Any, demo_db: Path, tmp_path: Path, write_json: Any, itest: Any
) -> None:
    assert cli("backup", "-o", tmp_path / "b1.sqlite").rc == 0
    lost = _intake(cli, write_json, itest, 2)
    res = cli("restore", tmp_path / "b1.sqlite", "--fresh-range", "--json")
    assert res.rc == 0, res.err
    assert json.loads(res.out)["fresh_range"]["start"] == 90_000
    assert not set(lost) & _codes(demo_db)
    new = _intake(cli, write_json, itest)
    assert new[0].endswith("-90000") and new[0] not in lost
    # --check without central: a clear line.
    res = cli("restore", "--check")
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err, strip=("central_url",))


def _same(db_snapshot: Callable[[Path], dict[str, Any]], path: Path) -> dict[str, Any]:
    return db_snapshot(path)


@pytest.mark.parametrize(
    ("name", "content", "code_word"),
    [
        ("b.txt", None, "đuôi"),
        ("report.pdf", None, "đuôi"),
        ("foreign.db", b"not a backup at all", "không phải bản sao lưu"),
    ],
)
def test_backup_target_refusals(
    cli: Any,
    demo_db: Path,
    tmp_path: Path,
    itest: Any,
    db_snapshot: Any,
    name: str,
    content: bytes | None,
    code_word: str,
) -> None:
    target = tmp_path / name
    if content is not None:
        target.write_bytes(content)
    snap = db_snapshot(demo_db)
    res = cli("backup", "-o", target)
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
    assert code_word in res.err
    if content is not None:
        assert target.read_bytes() == content
    else:
        assert not target.exists()
    assert db_snapshot(demo_db) == snap
    assert not list(tmp_path.glob(".tmp-*"))


def test_backup_never_over_the_live_database(
    cli: Any, demo_db: Path, tmp_path: Path, itest: Any, db_snapshot: Any
) -> None:
    snap = db_snapshot(demo_db)
    for target in (demo_db, Path(str(demo_db) + "-wal"), Path(str(demo_db) + "-shm")):
        res = cli("backup", "-o", target)
        assert res.rc == 1
        itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
    # The live database under another name (a symlink ending .db): refused as well.
    link = tmp_path / "alias.db"
    link.symlink_to(demo_db)
    res = cli("backup", "-o", link)
    assert res.rc == 1 and "đang dùng" in res.err
    assert db_snapshot(demo_db) == snap and _integrity(demo_db) == "ok"


def test_backup_of_another_units_backup_is_not_overwritten(
    cli: Any, db_path: Path, tmp_path: Path, itest: Any
) -> None:
    other = tmp_path / "other.db"
    assert cli("init", "--demo", "--unit", "000.20.25.H02", db=other).rc == 0
    assert cli("backup", "-o", tmp_path / "b-other.db", db=other).rc == 0
    assert cli("init", "--demo").rc == 0
    before = (tmp_path / "b-other.db").read_bytes()
    res = cli("backup", "-o", tmp_path / "b-other.db")
    assert res.rc == 1 and "không phải bản sao lưu của đơn vị này" in res.err
    assert (tmp_path / "b-other.db").read_bytes() == before
    # ...nor restored here.
    res = cli("restore", tmp_path / "b-other.db")
    assert res.rc == 1 and "000.20.25.H02" in res.err
    itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))


def _corrupt_copies(src: Path, tmp_path: Path) -> dict[str, Path]:
    data = src.read_bytes()
    out = {}
    out["truncated"] = tmp_path / "truncated.db"
    out["truncated"].write_bytes(data[: len(data) // 2])
    out["garbage"] = tmp_path / "garbage.db"
    out["garbage"].write_bytes(b"%PDF-1.7 not a database")
    out["torn"] = tmp_path / "torn.db"
    torn = bytearray(data)
    for i in range(8192, min(len(torn), 40960)):
        torn[i] = 0xA5
    out["torn"].write_bytes(bytes(torn))
    # A live database of this app (not a backup: no metadata record).
    out["plain"] = tmp_path / "plain.db"
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(out["plain"])) as b:
        a.backup(b)
        b.execute("DELETE FROM app_meta WHERE key = 'backup.info'")
        b.commit()
    # From a newer version of the app.
    out["newer"] = tmp_path / "newer.db"
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(out["newer"])) as b:
        a.backup(b)
        b.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        b.commit()
    return out


@pytest.mark.parametrize(
    ("kind", "word"),
    [
        ("truncated", "hỏng"),
        ("garbage", "không phải bản sao lưu"),
        ("torn", "hỏng"),
        ("plain", "không phải bản sao lưu"),
        ("newer", "phiên bản mới hơn"),
        ("missing", "Không tìm thấy"),
    ],
)
def test_restore_refusals_change_nothing(
    cli: Any, demo_db: Path, tmp_path: Path, itest: Any, db_snapshot: Any, kind: str, word: str
) -> None:
    good = tmp_path / "good.db"
    assert cli("backup", "-o", good).rc == 0
    files = _corrupt_copies(good, tmp_path)
    target = files.get(kind, tmp_path / "missing.db")
    snap = db_snapshot(demo_db)
    res = cli("restore", target)
    assert res.rc == 1, res.out
    itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
    assert word in res.err
    assert db_snapshot(demo_db) == snap
    assert not list(demo_db.parent.glob("*.before-restore-*"))
    assert not list(demo_db.parent.glob(".tmp-*"))


def test_restore_refused_while_another_process_has_the_database_open(
    cli: Any, demo_db: Path, tmp_path: Path, itest: Any, db_snapshot: Any
) -> None:
    assert cli("backup", "-o", tmp_path / "b.db").rc == 0
    other = sqlite3.connect(demo_db)  # the window, say
    try:
        other.execute("SELECT count(*) FROM dossiers").fetchone()
        snap = db_snapshot(demo_db)
        res = cli("restore", tmp_path / "b.db")
        assert res.rc == 1
        itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
        assert "đang được chương trình khác mở" in res.err
        assert db_snapshot(demo_db) == snap
    finally:
        other.close()


def test_backup_is_consistent_while_intake_goes_on(make_context: Any, tmp_path: Path) -> None:
    """Writers keep writing during the backup: the copy is one state (every dossier with
    its outbox event, nothing half), and the backup never waits for them."""
    from counter_app.services.intake import IntakeRequest, register
    from counter_app.services.setup import init_database

    ctx = make_context(tmp_path / "live.db")
    init_database(ctx, demo=True)

    def take(i: int) -> None:
        register(ctx, [IntakeRequest(procedure="1.004873", name="Nguyễn Văn An")], "canbo1")

    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            take(i)
            i += 1

    th = threading.Thread(target=writer)
    th.start()
    try:
        time.sleep(0.3)
        for k in range(3):
            backup_svc.backup(ctx, tmp_path / f"b{k}.db")
    finally:
        stop.set()
        th.join()
    for k in range(3):
        with closing(sqlite3.connect(tmp_path / f"b{k}.db")) as c:
            dossiers = c.execute("SELECT count(*) FROM dossiers").fetchone()[0]
            events = c.execute("SELECT count(*) FROM outbox WHERE kind = 'dossier'").fetchone()[0]
            assert dossiers == events


def test_auto_backup_once_a_day_keeps_the_last_n(
    make_context: Any, tmp_path: Path, clock: Any
) -> None:
    from datetime import timedelta

    from counter_app.config import Settings
    from counter_app.services.setup import init_database

    ctx = make_context(tmp_path / "live.db")
    init_database(ctx, demo=True)
    folder = tmp_path / "auto"
    ctx.settings = Settings(backup_dir=str(folder), backup_keep=2)
    start = ctx.clock()
    first = backup_svc.auto_backup(ctx)
    assert not first["skipped"] and Path(first["path"]).exists()
    assert backup_svc.auto_backup(ctx)["skipped"]  # the same day: once
    assert not backup_svc.due_today(ctx)
    # A file that looks like ours but is not a backup, and one of the user's: never deleted.
    (folder / "counter-backup-20000101-000000.db").write_bytes(b"mine, not the app's")
    (folder / "notes.db").write_bytes(b"the user's")
    # A backup killed halfway yesterday left its temporary file; a fresh one is running.
    stale, running = folder / ".tmp-backup-old.db", folder / ".tmp-backup-now.db"
    stale.write_bytes(b"x" * 1000)
    running.write_bytes(b"y")
    os.utime(stale, (time.time() - 86_400, time.time() - 86_400))
    made = [first["path"]]
    for d in range(1, 4):
        moment = start + timedelta(days=d)
        ctx.clock = lambda m=moment: m
        assert backup_svc.due_today(ctx)
        r = backup_svc.auto_backup(ctx)
        made.append(r["path"])
    kept = sorted(p.name for p in folder.glob("counter-backup-2*.db"))
    assert len([k for k in kept if not k.startswith("counter-backup-2000")]) == 2
    assert Path(made[-1]).exists() and Path(made[-2]).exists()
    assert not Path(made[0]).exists() and not Path(made[1]).exists()
    assert (folder / "counter-backup-20000101-000000.db").exists()
    assert (folder / "notes.db").read_bytes() == b"the user's"
    assert not stale.exists() and running.exists()
    last = backup_svc.last_backup(ctx)
    assert last is not None and last["auto"] and last["path"] == made[-1]


def _limited_fsize(limit: int) -> Callable[[], None]:
    def pre() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return pre


def test_a_full_target_leaves_nothing_half_written(
    demo_db: Path,
    tmp_path: Path,
    subprocess_env: dict[str, str],
    app_command: tuple[str, ...],
    db_snapshot: Any,
    itest: Any,
) -> None:
    """A disk that fills up during the backup (a file size limit in the child process)."""
    snap = db_snapshot(demo_db)
    size = demo_db.stat().st_size
    out = tmp_path / "full" / "b.db"
    proc = subprocess.run(
        [*app_command, "--db", str(demo_db), "backup", "-o", str(out)],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limited_fsize(size // 2),
    )
    assert proc.returncode == 1, proc.stderr
    itest.assert_one_vietnamese_line(proc.stderr, strip=(str(tmp_path),))
    assert "Không ghi được bản sao lưu" in proc.stderr
    assert not out.exists() and not list(out.parent.glob(".tmp-*"))
    assert db_snapshot(demo_db) == snap and _integrity(demo_db) == "ok"


def test_a_target_that_is_not_a_folder(cli: Any, demo_db: Path, tmp_path: Path, itest: Any) -> None:
    (tmp_path / "afile").write_text("x")
    res = cli("backup", "-o", tmp_path / "afile" / "b.db")
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
    assert "Không ghi được bản sao lưu" in res.err


# --- kill -9 -------------------------------------------------------------------------------


def _run_and_kill(
    app_command: tuple[str, ...], env: dict[str, str], argv: list[str], point: str, tmp: Path
) -> None:
    marker = tmp / f"paused-{point}"
    # The in-process commands before left their engines to the garbage collector: their
    # idle connections would hold the file the way a second program does.
    gc.collect()
    env = {
        **env,
        backup_svc.PAUSE_ENV: point,
        backup_svc.PAUSE_ENV + "_MARKER": str(marker),
        backup_svc.PAUSE_ENV + "_SECONDS": "60",
    }
    proc = subprocess.Popen(
        [*app_command, *argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "the child never reached " + point
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        proc.communicate(timeout=10)  # and its pipes closed
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("point", ["backup_copied", "backup_before_rename"])
def test_kill_during_backup_leaves_the_live_database_whole(
    cli: Any,
    demo_db: Path,
    tmp_path: Path,
    write_json: Any,
    itest: Any,
    subprocess_env: dict[str, str],
    app_command: tuple[str, ...],
    db_snapshot: Any,
    point: str,
) -> None:
    codes = _intake(cli, write_json, itest, 3)
    snap = db_snapshot(demo_db)
    out = tmp_path / "b.db"
    _run_and_kill(
        app_command,
        subprocess_env,
        ["--db", str(demo_db), "backup", "-o", str(out)],
        point,
        tmp_path,
    )
    assert not out.exists()  # nothing under the target's name
    assert _integrity(demo_db) == "ok" and db_snapshot(demo_db) == snap
    assert set(codes) <= _codes(demo_db)
    # The app opens it and goes on; a backup then succeeds.
    assert cli("intake", write_json(itest.payload()), "--clerk", "canbo1").rc == 0
    assert cli("backup", "-o", out).rc == 0


@pytest.mark.parametrize("point", ["restore_before_replace", "restore_after_aside"])
def test_kill_during_restore_leaves_the_live_database_whole(
    cli: Any,
    demo_db: Path,
    tmp_path: Path,
    write_json: Any,
    itest: Any,
    subprocess_env: dict[str, str],
    app_command: tuple[str, ...],
    db_snapshot: Any,
    point: str,
) -> None:
    assert cli("backup", "-o", tmp_path / "b.db").rc == 0
    codes = _intake(cli, write_json, itest, 3)
    snap = db_snapshot(demo_db)
    _run_and_kill(
        app_command,
        subprocess_env,
        ["--db", str(demo_db), "restore", str(tmp_path / "b.db")],
        point,
        tmp_path,
    )
    assert _integrity(demo_db) == "ok"
    assert set(codes) <= _codes(demo_db)  # still the live database, with all its rows
    after = db_snapshot(demo_db)
    assert {k: v for k, v in after.items() if k != "app_meta"} == {
        k: v for k, v in snap.items() if k != "app_meta"
    }
    assert cli("intake", write_json(itest.payload()), "--clerk", "canbo1").rc == 0
    # And the restore, run again, completes.
    assert cli("restore", tmp_path / "b.db").rc == 0
    assert not set(codes) & _codes(demo_db)

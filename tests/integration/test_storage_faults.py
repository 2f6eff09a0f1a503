"""Issue 12 item 7: storage and setup faults end in one Vietnamese line and a documented exit
code (4: nothing could be saved to storage now; 1: the input or set-up is wrong), never
"Lỗi không mong đợi" (exit 3) or a traceback; the database is left as it was."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest


def _one_line(res, itest, tmp_path: Path, rc: int, *strip: str) -> str:
    assert res.rc == rc, (res.rc, res.err)
    assert res.out == ""
    return itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path), *strip))


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A real, small file system (tmpfs) of its own: can be filled or made read-only."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mnt)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _copy(src: Path, dst: Path) -> None:
    """The whole database (its -wal included) into one new file."""
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(dst)) as b:
        a.backup(b)


def _intake(cli, write_json, itest, db: Path):
    return cli("intake", write_json(itest.payload()), "--clerk", "canbo1", db=db)


def _integrity(db: Path) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_disk_full(cli, demo_db, db_snapshot, itest, write_json, tiny_fs, tmp_path) -> None:
    db = tiny_fs / "counter.db"
    _copy(demo_db, db)
    assert cli("catalogue", "list", db=db).rc == 0  # opened (checked, made private) once
    before = db_snapshot(db)
    filler = tiny_fs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:  # every free block taken
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    line = _one_line(_intake(cli, write_json, itest, db), itest, tmp_path, 4)
    assert "Ổ đĩa đã đầy" in line
    filler.unlink()
    assert _integrity(db) == "ok"
    assert db_snapshot(db) == before
    assert _intake(cli, write_json, itest, db).rc == 0  # space freed: works again


def test_read_only_database(cli, demo_db, db_snapshot, itest, write_json, tiny_fs, tmp_path):
    _copy(demo_db, tiny_fs / "counter.db")
    assert cli("catalogue", "list", db=tiny_fs / "counter.db").rc == 0
    before = db_snapshot(tiny_fs / "counter.db")
    view = tmp_path / "ro"  # the same files, through a read-only mount
    view.mkdir()
    subprocess.run(["mount", "--bind", str(tiny_fs), str(view)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
        line = _one_line(_intake(cli, write_json, itest, view / "counter.db"), itest, tmp_path, 4)
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)
    assert "chưa có gì được lưu" in line
    assert db_snapshot(tiny_fs / "counter.db") == before


def test_locked_longer_than_the_busy_timeout(
    cli, demo_db, db_snapshot, itest, write_json, tmp_path
):
    before = db_snapshot(demo_db)
    with closing(sqlite3.connect(demo_db, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
        line = _one_line(_intake(cli, write_json, itest, demo_db), itest, tmp_path, 4)
        other.execute("ROLLBACK")
    assert "khóa" in line
    assert db_snapshot(demo_db) == before


def test_a_directory_as_the_input_file(cli, demo_db, itest, tmp_path) -> None:
    folder = tmp_path / "hoso"
    folder.mkdir()
    line = _one_line(cli("intake", folder, "--clerk", "canbo1"), itest, tmp_path, 1)
    assert "thư mục" in line
    line = _one_line(cli("catalogue", "import", folder), itest, tmp_path, 1)
    assert "thư mục" in line


def test_a_directory_as_the_config(cli, demo_db, itest, tmp_path) -> None:
    line = _one_line(cli("--config", tmp_path, "catalogue", "list"), itest, tmp_path, 1)
    assert "cấu hình" in line


@pytest.mark.parametrize(
    ("text", "key"),
    [('timezone = "Asia/Sai_Gon"', "timezone"), ('log_level = "verbose"', "log_level")],
)
def test_a_bad_value_in_the_config(cli, demo_db, itest, tmp_path, text, key) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text + "\n", encoding="utf-8")
    res = cli("--config", config, "catalogue", "list")
    line = _one_line(res, itest, tmp_path, 1, key)
    assert key in line


@pytest.mark.parametrize("db", ["/dev/null", "mysql://u:secret@localhost/counter", "oracle+x://"])
def test_not_a_database_url(cli, itest, tmp_path, db) -> None:
    for args in (("init",), ("catalogue", "list")):
        line = _one_line(cli(*args, db=db), itest, tmp_path, 1)
        assert "secret" not in line
    assert Path("/dev/null").is_char_device()

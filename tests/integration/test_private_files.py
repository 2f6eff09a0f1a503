"""The counter keeps its data to its OS user: modes on creation, repaired at start, and a log
that never carries an applicant's personal data or a URL's password."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from contextlib import closing
from pathlib import Path

import pytest

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def log_text(data_dir: Path) -> str:
    return "".join(
        p.read_text(encoding="utf-8") for p in sorted((data_dir / "logs").glob("counter-app.log*"))
    )


@pytest.fixture
def fresh_data_dir(data_dir: Path) -> Path:
    """The test's data dir absent, so that the app creates it (the fixture makes it 0700)."""
    data_dir.rmdir()
    return data_dir


@posix_only
def test_init_creates_everything_private(cli, fresh_data_dir: Path) -> None:
    res = cli("init", "--demo", db=None)  # the default database, in the data dir
    assert res.rc == 0, res.err
    assert res.err == ""  # nothing to repair on a fresh start
    db = fresh_data_dir / "counter.db"
    assert mode(fresh_data_dir) == 0o700
    assert mode(db) == 0o600
    assert mode(fresh_data_dir / "logs") == 0o700
    assert mode(fresh_data_dir / "logs" / "counter-app.log") == 0o600


@posix_only
def test_wal_and_shm_are_created_private(data_dir: Path, tmp_path: Path) -> None:
    from counter_app.db.engine import open_database, sqlite_url

    db = tmp_path / "elsewhere" / "my.db"
    engine = open_database(sqlite_url(db))
    try:
        with engine.connect() as conn:  # held open: SQLite keeps -wal and -shm while it is
            conn.exec_driver_sql("SELECT count(*) FROM dossiers").all()
            for suffix in ("", "-wal", "-shm"):
                f = db.with_name(db.name + suffix)
                assert f.exists(), f
                assert mode(f) == 0o600, f
    finally:
        engine.dispose()


@posix_only
def test_loosened_files_are_tightened_at_start_with_a_warning(
    cli, fresh_data_dir: Path, itest
) -> None:
    assert cli("init", "--demo", db=None).rc == 0
    db = fresh_data_dir / "counter.db"
    log = fresh_data_dir / "logs" / "counter-app.log"
    rotated = fresh_data_dir / "logs" / "counter-app.log.1"
    rotated.write_text("old\n", encoding="utf-8")
    prints = fresh_data_dir / "prints"
    prints.mkdir()
    receipt = prints / "20261201-000.20.25.H01-261201-0001-receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 old")
    for path, loose in (
        (fresh_data_dir, 0o755),
        (db, 0o644),
        (log, 0o644),
        (rotated, 0o644),
        (prints, 0o755),
        (receipt, 0o644),
    ):
        path.chmod(loose)
    # a new process (the log handler is set up once per process)
    import logging

    for h in list(logging.getLogger("counter_app").handlers):
        logging.getLogger("counter_app").removeHandler(h)
        h.close()

    res = cli("catalogue", "list", db=None)
    assert res.rc == 0
    assert res.out
    assert res.err.count("\n") == 1 and res.err.startswith("Cảnh báo"), res.err
    assert str(db) in res.err
    assert mode(fresh_data_dir) == 0o700 and mode(prints) == 0o700
    for f in (db, log, rotated, receipt):
        assert mode(f) == 0o600, f
    text = log_text(fresh_data_dir)
    assert f"{db} was readable by other accounts (mode 644): now 600" in text
    assert str(receipt) in text

    # repaired once: the next command is quiet
    assert cli("catalogue", "list", db=None).err == ""


@posix_only
def test_an_error_keeps_its_one_line_when_files_are_repaired(
    cli, fresh_data_dir: Path, itest
) -> None:
    assert cli("init", "--demo", db=None).rc == 0
    (fresh_data_dir / "counter.db").chmod(0o644)
    res = cli("show", "000.20.25.H01-261201-9999", db=None)
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err)
    assert mode(fresh_data_dir / "counter.db") == 0o600
    assert "counter.db was readable" in log_text(fresh_data_dir)


@posix_only
def test_a_db_given_with_db_is_tightened_but_not_its_folder(
    cli, db_path: Path, tmp_path: Path
) -> None:
    assert cli("init", "--demo").rc == 0
    assert mode(db_path) == 0o600
    tmp_path.chmod(0o755)
    db_path.chmod(0o664)
    # another process (the window) holds the database open: SQLite's -wal and -shm are there
    holder = sqlite3.connect(db_path)
    try:
        holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
        companions = [db_path.with_name(db_path.name + s) for s in ("-wal", "-shm")]
        assert all(c.exists() for c in companions)
        for c in companions:
            c.chmod(0o644)
        res = cli("catalogue", "list")
        assert res.rc == 0 and "Cảnh báo" in res.err
        assert mode(db_path) == 0o600
        assert [mode(c) for c in companions] == [0o600, 0o600]
        assert mode(tmp_path) == 0o755  # the user's folder is theirs
    finally:
        holder.close()


@posix_only
def test_a_foreign_file_given_with_db_is_not_touched(cli, tmp_path: Path, itest) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("không phải cơ sở dữ liệu\n", encoding="utf-8")
    other.chmod(0o644)
    res = cli("catalogue", "list", db=other)
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
    assert mode(other) == 0o644


@posix_only
def test_a_config_file_with_a_password_is_made_private(
    cli, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('central_url = "postgresql://u:S3cret@10.0.0.5/motcua"\n', encoding="utf-8")
    config.chmod(0o644)
    plain = tmp_path / "plain.toml"
    plain.write_text("counter_number = 2\n", encoding="utf-8")
    plain.chmod(0o644)
    res = cli("--config", plain, "catalogue", "list")
    assert res.rc == 0 and res.err == "" and mode(plain) == 0o644  # nothing secret in it
    res = cli("--config", config, "catalogue", "list")
    assert res.rc == 0
    assert "Cảnh báo" in res.err and "config.toml" in res.err and "S3cret" not in res.err
    assert mode(config) == 0o600


@posix_only
def test_saved_pdfs_are_private(tmp_path: Path) -> None:
    from counter_app.printing.spool import FolderSpooler

    folder = tmp_path / "in-ra"
    spooler = FolderSpooler(folder)
    spooler.send(b"%PDF-1.4 receipt", title="000.20.25.H01-261201-0001 receipt")
    assert spooler.last_path is not None
    assert mode(spooler.last_path) == 0o600
    assert mode(folder) == 0o700  # made by us
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    FolderSpooler(shared).send(b"%PDF-1.4")
    assert mode(shared) == 0o755  # the user's folder: left as it is


def test_an_unexpected_database_error_logs_no_personal_data(
    cli, demo_db: Path, data_dir: Path, write_json, itest
) -> None:
    """A trigger makes the insert fail in a way the app does not expect: the last-resort
    path logs the trace, which must name the error but not the applicant."""
    with closing(sqlite3.connect(demo_db)) as conn:
        conn.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON dossiers BEGIN SELECT RAISE(ABORT, 'boom'); END"
        )
        conn.commit()
    payload = itest.payload(received_at=itest.at_local(itest.quiet_thursday(), 9))
    applicant = payload["applicant"]
    res = cli("intake", write_json(payload), "--clerk", "canbo1")
    assert res.rc == 3, res
    assert "IntegrityError" in res.err
    text = log_text(data_dir)
    assert "IntegrityError" in text and "unexpected error" in text
    assert "Traceback" in text
    for value in (applicant["name"], applicant["id_number"], applicant["phone"]):
        assert value not in text
        assert value not in res.err
    assert "Nguy" not in text  # not even a part of the name
    assert "hidden due to hide_parameters" in text


@posix_only
def test_a_device_or_fifo_given_as_the_database_keeps_its_mode(cli, tmp_path: Path) -> None:
    """`--db /dev/null` once left /dev/null 0600 (and the next initdb, run as the postgres
    user, failed): only our own files and folders are ever tightened. A FIFO stands in for
    the device here."""
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo, 0o666)
    os.chmod(fifo, 0o666)
    from counter_app import filemodes

    assert filemodes.tighten(fifo, filemodes.FILE_MODE) is False
    filemodes.tighten_sqlite(fifo)
    res = cli("catalogue", "list", db=fifo)
    assert res.rc != 0
    assert stat.S_IMODE(fifo.lstat().st_mode) == 0o666
    assert stat.S_IMODE(os.stat("/dev/null").st_mode) & 0o666 == 0o666

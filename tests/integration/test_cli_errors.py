"""CLI errors: non-zero exit, one Vietnamese line on stderr, and nothing written."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from counter_app.db.engine import open_database, sqlite_url

SQL_ADDRESS = "Số 1'); DROP TABLE dossiers; -- \" OR 1=1; DELETE FROM outbox WHERE ''='"


@pytest.fixture
def refused(cli, demo_db, db_snapshot, itest, tmp_path):
    """refused(*args) runs a command that must fail cleanly and change nothing; returns the line."""

    def check(*args: Any) -> str:
        before = db_snapshot(demo_db)
        res = cli(*args)
        assert res.rc not in (0, 3), (res.rc, res.err)
        assert res.out == ""
        line = itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
        assert db_snapshot(demo_db) == before
        return line

    return check


@pytest.fixture
def refused_intake(refused, write_json):
    def check(obj: Any, clerk: str = "canbo1") -> str:
        return refused("intake", write_json(obj), "--clerk", clerk)

    return check


def past(itest) -> str:
    return itest.at_local(itest.quiet_thursday(), 9)


# --- the intake file ------------------------------------------------------------------------


def test_malformed_json(refused_intake) -> None:
    line = refused_intake('{"procedure": "1.004873", "applicant": ')
    assert "JSON" in line


def test_json_that_is_a_number(refused_intake) -> None:
    refused_intake("5")


def test_empty_list(refused_intake) -> None:
    assert "không có hồ sơ" in refused_intake("[]")


def test_missing_intake_file(refused, tmp_path) -> None:
    line = refused("intake", tmp_path / "khong-co.json", "--clerk", "canbo1")
    assert "khong-co.json" in line


def test_list_with_an_invalid_third_item_saves_none(refused_intake, itest) -> None:
    good = itest.payload(received_at=past(itest))
    bad = itest.with_applicant(phone="12345")
    line = refused_intake([good, good, bad, good])
    # the message says which dossier of the list is wrong, counting from 1, in words
    assert "3" in line
    assert "Điện thoại" in line


def test_list_whose_third_item_fails_in_the_database_saves_none(
    refused_intake, itest, cli, write_json
) -> None:
    """Items 1-2 are inserted before item 3 fails: the transaction must leave no trace."""
    day = itest.quiet_thursday()
    good = itest.payload(received_at=itest.at_local(day, 9))
    line = refused_intake([good, good, itest.payload(procedure="9.999999"), good])
    assert "9.999999" in line
    # no sequence number was used up
    res = cli("--json", "intake", write_json(good), "--clerk", "canbo1")
    assert res.rc == 0, res.err
    assert json.loads(res.out)[0]["code"] == itest.code_for(day, 1)


def test_unknown_procedure(refused_intake, itest) -> None:
    assert "9.999999" in refused_intake(itest.payload(procedure="9.999999"))


def test_unknown_clerk(refused_intake, itest) -> None:
    assert "khongco" in refused_intake(itest.payload(), clerk="khongco")


@pytest.mark.parametrize("bad", ["079090001", "0790900012345", "999090001234", "07909000123A"])
def test_bad_id_number(refused_intake, itest, bad) -> None:
    assert "CCCD" in refused_intake(itest.with_applicant(id_number=bad))


@pytest.mark.parametrize("bad", ["12345", "0123456789", "09123456789", "abc"])
def test_bad_phone(refused_intake, itest, bad) -> None:
    assert "Điện thoại" in refused_intake(itest.with_applicant(phone=bad))


def test_name_of_5000_characters(refused_intake, itest) -> None:
    assert "Họ tên" in refused_intake(itest.with_applicant(name="Nguyễn " + "a" * 4993))


@pytest.mark.parametrize("name", ["Nguyễn Văn 😀", "😀", "Nguyễn ✌️ An"])
def test_emoji_in_name(refused_intake, itest, name) -> None:
    assert "Họ tên" in refused_intake(itest.with_applicant(name=name))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Nguyễn\x07 Văn An"),
        ("name", "Nguyễn Văn\x00An"),
        ("address", "Số 1\x1b[31m đường Trần Hưng Đạo"),
        ("address", "Số 1\u200b đường"),
    ],
)
def test_control_characters(refused_intake, itest, field, value) -> None:
    refused_intake(itest.with_applicant(**{field: value}))


def test_received_at_in_the_future(refused_intake, itest, clock) -> None:
    tomorrow = (clock.local() + timedelta(days=1)).isoformat()
    assert "tương lai" in refused_intake(itest.payload(received_at=tomorrow))


def test_postal_return_without_address(refused_intake, itest) -> None:
    line = refused_intake(itest.payload(return_channel="postal", return_address=None))
    assert "bưu điện" in line


def test_sql_text_in_the_address_is_stored_verbatim(cli, demo_db, itest, write_json, db_snapshot):
    before = db_snapshot(demo_db)
    payload = itest.with_applicant(address=SQL_ADDRESS)
    payload["return_channel"] = "postal"
    payload["return_address"] = SQL_ADDRESS
    res = cli("--json", "intake", write_json(payload), "--clerk", "canbo1")
    assert res.rc == 0, res.err
    [row] = json.loads(res.out)
    shown = cli("--json", "show", row["code"])
    assert shown.rc == 0, shown.err
    data = json.loads(shown.out)
    assert data["applicant"]["address"] == SQL_ADDRESS
    assert data["return_address"] == SQL_ADDRESS
    after = db_snapshot(demo_db)
    assert after["dossiers"] == before["dossiers"] + 1
    assert after["outbox"] > before["outbox"]
    with closing(sqlite3.connect(demo_db)) as conn:
        stored = conn.execute(
            "SELECT applicant_address FROM dossiers WHERE code = ?", (row["code"],)
        ).fetchone()
    assert stored == (SQL_ADDRESS,)


# --- forms and labels -----------------------------------------------------------------------


def test_form_for_an_unknown_code(refused, itest, tmp_path) -> None:
    code = itest.code_for(itest.quiet_thursday(), 9999)
    out = tmp_path / "x.pdf"
    line = refused("form", code, "--kind", "receipt", "-o", out)
    assert code in line
    assert not out.exists()


def test_label_to_a_txt_file(refused, cli, itest, tmp_path, write_json) -> None:
    res = cli(
        "--json", "intake", write_json(itest.payload(received_at=past(itest))), "--clerk", "canbo1"
    )
    assert res.rc == 0, res.err
    code = json.loads(res.out)[0]["code"]
    out = tmp_path / "x.txt"
    refused("label", code, "-o", out)
    assert not out.exists()
    assert not list(tmp_path.glob(".tmp-*"))


@pytest.mark.parametrize("command", ["form", "label"])
def test_form_and_label_never_write_over_a_database_or_a_foreign_file(
    command, refused, cli, demo_db, itest, tmp_path, write_json
) -> None:
    """`form CODE -o counter.db` once replaced the database with a PDF (exit 0)."""
    res = cli("--json", "intake", write_json(itest.payload()), "--clerk", "canbo1")
    assert res.rc == 0, res.err
    code = json.loads(res.out)[0]["code"]
    extra = ("--kind", "receipt") if command == "form" else ()
    other_db = tmp_path / "other.pdf"  # an SQLite file under a PDF's name
    with closing(sqlite3.connect(other_db)) as c:
        c.execute("CREATE TABLE t (x)")
    foreign = tmp_path / "notes.pdf"
    foreign.write_text("not a PDF", encoding="utf-8")
    for target in (demo_db, other_db, foreign, tmp_path / "out.db"):
        before = target.read_bytes() if target.exists() else None
        refused(command, code, *extra, "-o", target)
        assert (target.read_bytes() if target.exists() else None) == before
    assert cli("show", code).rc == 0  # the database is whole and still ours


def test_init_unit_without_demo(refused) -> None:
    assert "--demo" in refused("init", "--unit", "000.00.20.H01")


# --- databases that are not ours ------------------------------------------------------------

COMMANDS = [
    ("init",),
    ("init", "--demo"),
    ("catalogue", "list"),
    ("calendar", "set", "2026-01-03", "work"),
    ("show", "000.20.25.H01-260101-0001"),
]


@pytest.fixture
def untouched(cli, itest, tmp_path):
    """untouched(db, *args): the command is refused; `db` and its folder are left as they were."""

    def check(db: Path, *args: Any) -> str:
        before = db.read_bytes()
        siblings = sorted(p.name for p in db.parent.iterdir())
        res = cli(*args, db=db)
        assert res.rc not in (0, 3), (res.rc, res.err)
        assert res.out == ""
        line = itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
        assert db.read_bytes() == before, "the file was modified"
        assert sorted(p.name for p in db.parent.iterdir()) == siblings
        return line

    return check


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_db_is_a_text_file(untouched, tmp_path, args) -> None:
    db = tmp_path / "dbdir" / "notes.txt"
    db.parent.mkdir()
    db.write_text("Ghi chú: đây không phải cơ sở dữ liệu.\n" * 20, encoding="utf-8")
    untouched(db, *args)


def _foreign_db(path: Path) -> Path:
    path.parent.mkdir()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('của ứng dụng khác')")
        conn.commit()
    return path


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_db_of_another_app(untouched, tmp_path, args) -> None:
    untouched(_foreign_db(tmp_path / "dbdir" / "other.sqlite"), *args)


def test_db_of_another_app_in_wal_mode(untouched, tmp_path) -> None:
    db = _foreign_db(tmp_path / "dbdir" / "other.sqlite")
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    untouched(db, "init", "--demo")


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_db_from_a_newer_version(untouched, tmp_path, args) -> None:
    db = tmp_path / "dbdir" / "newer.db"
    db.parent.mkdir()
    open_database(sqlite_url(db)).dispose()
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'zzzz9999'")
        conn.commit()
    line = untouched(db, *args)
    assert "phiên bản mới hơn" in line
    assert "zzzz9999" in line


def test_db_is_a_directory(cli, itest, tmp_path) -> None:
    folder = tmp_path / "dbdir"
    folder.mkdir()
    res = cli("init", "--demo", db=folder)
    assert res.rc not in (0, 3) and res.out == ""
    itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
    assert list(folder.iterdir()) == []


# --- the testing aid COUNTER_APP_NOW --------------------------------------------------------


@pytest.mark.parametrize("value", ["09:00", "2026-12-02T09:00:00", "ngày mai"])
def test_a_malformed_pinned_now(refused, monkeypatch, value) -> None:
    monkeypatch.setenv("COUNTER_APP_NOW", value)
    line = refused("ticket", "issue", "--service", "HT")
    assert "COUNTER_APP_NOW" in line and "2026-12-02T09:00:00+07:00" in line

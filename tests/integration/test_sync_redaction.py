"""A central URL's password never reaches stderr, the stored last error or the log."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

SECRET = "S3cret"


def _run(app_command, env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*app_command, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )


def _log_text(data_dir: Path) -> str:
    logs = data_dir / "logs"
    return "".join(p.read_text(encoding="utf-8") for p in sorted(logs.glob("counter-app.log*")))


def test_an_unparsable_central_url_is_never_echoed_with_its_password(
    demo_db, app_command, subprocess_env, data_dir, itest
) -> None:
    db = ["--db", str(demo_db)]
    for url in (
        f"postgresql://u:{SECRET}@[bad",  # libpq: "… in URI: "postgresql://u:S3cret@[bad""
        f"postgresql://u:p@{SECRET}@[bad",  # a raw @ inside the password: refused as is
        f"postgresql://u:{SECRET}%zz@127.0.0.1:1/db",  # libpq quotes the bad password alone
    ):
        res = _run(app_command, subprocess_env, *db, "sync", "--once", "--central", url)
        assert res.returncode == 1
        assert res.stdout == ""
        line = itest.assert_one_vietnamese_line(res.stderr, strip=(url,))
        assert SECRET not in line
        assert "***" in line  # the error still names the URL it could not use

        status = _run(app_command, subprocess_env, *db, "--json", "sync", "--status")
        assert status.returncode == 0, status.stderr
        stored = json.loads(status.stdout)["last_error"]
        assert stored and SECRET not in stored
        human = _run(app_command, subprocess_env, *db, "sync", "--status")
        assert "Lỗi lần gần nhất" in human.stdout and SECRET not in human.stdout
    assert SECRET not in _log_text(data_dir)


def test_a_central_url_in_the_config_file_is_not_echoed_either(
    demo_db, app_command, subprocess_env, data_dir, tmp_path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'central_url = "postgresql://u:{SECRET}@[bad"\n', encoding="utf-8")
    env = {**subprocess_env, "COUNTER_APP_CONFIG": str(config)}
    res = _run(app_command, env, "--db", str(demo_db), "sync", "--once")
    assert res.returncode == 1 and SECRET not in res.stderr
    status = _run(app_command, env, "--db", str(demo_db), "--json", "sync", "--status")
    assert SECRET not in status.stdout and SECRET not in status.stderr
    assert SECRET not in _log_text(data_dir)


def test_the_last_error_is_stored_as_a_code_and_shown_in_words(cli, demo_db) -> None:
    """The database keeps the code and its parameters; the sentence is made where it is shown."""
    import sqlite3

    url = f"postgresql://u:p@{SECRET}@[bad"
    assert cli("sync", "--once", "--central", url).rc == 1
    with sqlite3.connect(demo_db) as con:
        (raw,) = con.execute("SELECT value FROM app_meta WHERE key = 'sync.last_error'").fetchone()
    stored = json.loads(raw)
    assert stored["code"] == "central_url_invalid" and SECRET not in raw
    assert set(stored) == {"code", "params"} and "***" in stored["params"]["url"]
    res = cli("--json", "sync", "--status")
    words = json.loads(res.out)["last_error"]
    assert words and not words.startswith("{") and "***" in words and SECRET not in words


def test_a_sentence_stored_by_an_older_version_is_shown_as_it_is(cli, demo_db) -> None:
    import sqlite3

    old = "Không kết nối được máy chủ trung tâm (postgresql://u:***@host/db): timeout"
    with sqlite3.connect(demo_db) as con:
        con.execute("INSERT INTO app_meta (key, value) VALUES ('sync.last_error', ?)", (old,))
    res = cli("--json", "sync", "--status")
    assert json.loads(res.out)["last_error"] == old
    assert f"Lỗi lần gần nhất: {old}" in cli("sync", "--status").out

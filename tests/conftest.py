"""Shared fixtures: an isolated data dir, a tmp SQLite file, the in-process CLI, a fixed clock."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import logging
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from pinned_clock import DEFAULT_TIME, MOMENTS, NOW_ENV, PINNED_DAY, VN, TestClock

APP_ENV_PREFIX = "COUNTER_APP_"
# The same entry point as `counter-app` (pyproject's script, main.py, python -m counter_app).
APP_COMMAND = (sys.executable, "-c", "from counter_app.start import main; main()")


def _clear_app_env(mp: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(APP_ENV_PREFIX):
            mp.delenv(key)


@pytest.fixture(autouse=True, scope="session")
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test ever reads the developer's config or writes to the real data dir."""
    base = tmp_path_factory.mktemp("user-dirs")
    with pytest.MonkeyPatch.context() as mp:
        _clear_app_env(mp)
        mp.setenv(APP_ENV_PREFIX + "DATA_DIR", str(base / "data"))
        mp.setenv(APP_ENV_PREFIX + "CONFIG", str(base / "no-config.toml"))
        yield


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """COUNTER_APP_DATA_DIR (and a config path that does not exist) under this test's tmp."""
    path = tmp_path / "data"
    path.mkdir(mode=0o700)  # as the app makes it: a looser one is tightened with a warning
    _clear_app_env(monkeypatch)
    monkeypatch.setenv(APP_ENV_PREFIX + "DATA_DIR", str(path))
    monkeypatch.setenv(APP_ENV_PREFIX + "CONFIG", str(tmp_path / "no-config.toml"))
    app_log = logging.getLogger("counter_app")
    before = list(app_log.handlers)
    for h in before:  # the app adds its log file once per process: let this test get its own
        app_log.removeHandler(h)
    yield path
    for h in list(app_log.handlers):
        app_log.removeHandler(h)
        h.close()
    for h in before:
        app_log.addHandler(h)


@pytest.fixture
def clock(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> TestClock:
    """The test's clock, at 09:00 on the pinned working day; COUNTER_APP_NOW follows it.

    Give it to a context (`ctx.clock = clock`); the CLI, in-process or in child processes
    started with `subprocess_env`, reads it through COUNTER_APP_NOW. (It needs `data_dir`
    first: that fixture clears every COUNTER_APP_* variable.)
    """
    return TestClock(datetime.combine(PINNED_DAY, DEFAULT_TIME, VN), monkeypatch)


@pytest.fixture(params=list(MOMENTS))
def moment(request: pytest.FixtureRequest, clock: TestClock) -> TestClock:
    """The clock at each of the moments of day in pinned_clock.MOMENTS, on the pinned day."""
    clock.set(datetime.combine(PINNED_DAY, MOMENTS[request.param], VN))
    return clock


@pytest.fixture
def db_path(data_dir: Path, tmp_path: Path) -> Path:
    return tmp_path / "counter.db"


class CliResult(NamedTuple):
    rc: int
    out: str
    err: str


CliRunner = Callable[..., CliResult]


@pytest.fixture
def cli(data_dir: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """cli(*args, db=db_path) -> (rc, stdout, stderr); `--db` goes first unless db=None."""
    from counter_app.app import run_cli as run

    def invoke(*args: Any, db: Path | str | None = db_path) -> CliResult:
        argv = [str(a) for a in args]
        if db is not None:
            argv = ["--db", str(db), *argv]
        capsys.readouterr()
        rc = run(argv)
        out, err = capsys.readouterr()
        return CliResult(rc, out, err)

    return invoke


@pytest.fixture
def demo_db(cli: CliRunner, db_path: Path) -> Path:
    """A fresh database seeded by `counter-app init --demo`."""
    res = cli("init", "--demo")
    assert res.rc == 0, res.err
    return db_path


@pytest.fixture
def subprocess_env(data_dir: Path) -> dict[str, str]:
    """The environment for child processes: this test's data dir, no developer config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(APP_ENV_PREFIX)}
    if NOW_ENV in os.environ:  # the test's clock (the `clock` fixture), as it is now
        env[NOW_ENV] = os.environ[NOW_ENV]
    env[APP_ENV_PREFIX + "DATA_DIR"] = str(data_dir)
    env[APP_ENV_PREFIX + "CONFIG"] = str(data_dir / "no-config.toml")
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture
def app_command() -> tuple[str, ...]:
    return APP_COMMAND


@pytest.fixture
def make_context(data_dir: Path) -> Iterator[Callable[..., Any]]:
    """make_context(db_path, now=None) -> ServiceContext; `now` (aware) fixes ctx.clock."""
    from counter_app.app import build_context

    made: list[Any] = []

    def make(db: Path | str, now: datetime | None = None) -> Any:
        ctx = build_context(db=str(db))
        if now is not None:
            if now.tzinfo is None:
                raise ValueError("the fixed clock needs an aware datetime")
            fixed = now.astimezone(UTC)
            ctx.clock = lambda: fixed
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.uow.dispose()


def table_counts(path: Path) -> dict[str, Any]:
    """Row count of every table, plus the sequence counters, read with plain sqlite3."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts: dict[str, Any] = {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)
        }
        if "sequence_counters" in tables:
            counts["sequence_counters:rows"] = sorted(
                conn.execute("SELECT kind, period, last FROM sequence_counters").fetchall()
            )
    return counts


@pytest.fixture
def db_snapshot() -> Callable[[Path], dict[str, Any]]:
    """db_snapshot(path) -> row counts of every table and the sequence counters."""
    return table_counts

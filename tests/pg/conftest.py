"""A real PostgreSQL server for the tests, started from the installed server binaries.

The server runs for the whole session in a temporary directory, listening only on
127.0.0.1 on a free port (its socket directory is inside the temp dir), trust auth,
fsync off. Each test gets a fresh database, dropped afterwards.

Without PostgreSQL server programs the tests skip with the reason, unless
COUNTER_APP_REQUIRE_PG=1 (set by .ci/run): then they fail, so CI never passes
without having run the core on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

# Read at import: the session-wide autouse fixture in tests/conftest.py clears COUNTER_APP_*
# variables before any fixture here runs.
REQUIRE_PG = os.environ.get("COUNTER_APP_REQUIRE_PG", "") not in ("", "0")
PG_USER = "postgres"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.pg)


def _unavailable(reason: str) -> None:
    if REQUIRE_PG:
        pytest.fail(f"PostgreSQL required (COUNTER_APP_REQUIRE_PG=1) but {reason}", pytrace=False)
    pytest.skip(reason)


def _bindir() -> Path | None:
    """Server programs: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass
    lib = Path("/usr/lib/postgresql")
    if lib.is_dir():
        versions = sorted(
            (p for p in lib.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True
        )
        candidates += [p / "bin" for p in versions]
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file() and (c / "postgres").is_file():
            return c
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    """initdb refuses root: as root, run the server programs as the `postgres` OS user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_USER, "--", *cmd]
    return cmd


def _run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_as_server_user(cmd), capture_output=True, text=True, **kw)


class PgServer:
    def __init__(self, bindir: Path, base: Path, port: int) -> None:
        self.bindir = bindir
        self.base = base
        self.data = base / "data"
        self.sockets = base / "sock"
        self.log = base / "server.log"
        self.port = port

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={PG_USER} dbname={dbname}"

    def start(self) -> None:
        init = _run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                PG_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            timeout=120,
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr[-2000:]}")
        # The superuser (the tests' admin) connects without a password; every other role -
        # the units' sync roles - must give its password, as on a real central server.
        hba = self.data / "pg_hba.conf"
        _run(
            [
                "sh",
                "-c",
                f"printf '%s\\n' 'local all all trust' "
                f"'host all {PG_USER} 127.0.0.1/32 trust' "
                f"'host all all 127.0.0.1/32 scram-sha-256' > {hba}",
            ],
            timeout=30,
        )
        opts = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=50 -c shared_buffers=32MB"
        )
        start = _run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
            timeout=90,
        )
        if start.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {start.stderr[-1000:]} {log}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            _run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                timeout=60,
            )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for this session; stopped at the end whatever happened."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (dev dependency psycopg[binary])")
    bindir = _bindir()
    if bindir is None:
        _unavailable("PostgreSQL server programs (initdb, pg_ctl, postgres) not found")
    assert bindir is not None
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        _unavailable("running as root and `runuser` is missing (initdb refuses root)")
    base = Path(tempfile.mkdtemp(prefix="counter-app-pg-"))
    server = PgServer(bindir, base, _free_port())
    try:
        server.sockets.mkdir()
        if os.geteuid() == 0:
            base.chmod(0o700)
            shutil.chown(base, PG_USER, PG_USER)
            shutil.chown(server.sockets, PG_USER, PG_USER)
        try:
            server.start()
        except RuntimeError as exc:
            _unavailable(str(exc))
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(base, ignore_errors=True)


# How a test database sorts text. "C.UTF-8" is the server default here; an office server is
# usually installed with a language collation (vi_VN, en_US), where range scans over text
# behave differently, so tests that compare text can ask for ICU Vietnamese as well.
COLLATIONS = {
    "c": "",
    "icu-vi": "LOCALE_PROVIDER icu ICU_LOCALE 'vi-VN'",
}


@pytest.fixture
def pg_collation() -> str:
    """Override (e.g. by parametrising) to create the test database with another collation."""
    return "c"


@pytest.fixture
def pg_url(pg_server: PgServer, pg_collation: str) -> Iterator[str]:
    """A fresh, empty database for this test; dropped afterwards."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            + COLLATIONS[pg_collation]
        )
    try:
        yield pg_server.url(name)
    finally:
        with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_context(data_dir: Path) -> Iterator[Callable[..., Any]]:
    """pg_context(url, now=None) -> ServiceContext on its own engine; `now` fixes the clock."""
    from counter_app.app import build_context

    made: list[Any] = []

    def make(url: str, now: datetime | None = None) -> Any:
        ctx = build_context(db=url)
        made.append(ctx)
        if now is not None:
            fixed = now.astimezone(UTC)
            ctx.clock = lambda: fixed
        return ctx

    yield make
    for ctx in made:
        ctx.uow.engine.dispose()

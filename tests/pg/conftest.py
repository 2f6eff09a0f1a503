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
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pgserver import PgServer, _bindir
from sync_support import NINE, UNIT_A, UNIT_B

from counter_app.services.setup import init_database
from counter_app.sync import central
from counter_app.sync.transport import PgTransport

# Read at import: the session-wide autouse fixture in tests/conftest.py clears COUNTER_APP_*
# variables before any fixture here runs.
REQUIRE_PG = os.environ.get("COUNTER_APP_REQUIRE_PG", "") not in ("", "0")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.pg)


def _unavailable(reason: str) -> None:
    if REQUIRE_PG:
        pytest.fail(f"PostgreSQL required (COUNTER_APP_REQUIRE_PG=1) but {reason}", pytrace=False)
    pytest.skip(reason)


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
    server = PgServer.create(bindir, "counter-app-pg-")
    try:
        try:
            server.start()
        except RuntimeError as exc:
            _unavailable(str(exc))
        yield server
    finally:
        server.remove()


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


# --- sync: a central database, two units, counters on SQLite files ---------------------------


@pytest.fixture
def central_url(pg_url: str) -> str:
    central.init_central(pg_url)
    return pg_url


@pytest.fixture
def unit_urls(central_url: str) -> dict[str, str]:
    return {
        a: central.add_unit(central_url, central.UnitSpec(a, f"UBND XÃ {a[-3:]}"))["url"]
        for a in (UNIT_A, UNIT_B)
    }


@pytest.fixture
def counter(tmp_path: Path, make_context: Callable[..., Any]) -> Callable[..., Any]:
    """counter(agency, name="c1", now=NINE) -> a demo counter on its own SQLite file."""

    def make(agency: str = UNIT_A, name: str = "c1", now: Any = NINE) -> Any:
        ctx = make_context(tmp_path / f"{name}.db", now=now)
        init_database(ctx, demo=True, agency=agency)
        return ctx

    return make


@pytest.fixture
def transports() -> Iterator[Callable[[str], PgTransport]]:
    made: list[PgTransport] = []

    def make(url: str) -> PgTransport:
        t = PgTransport(url, sslmode="disable")
        made.append(t)
        return t

    yield make
    for t in made:
        t.close()


@pytest.fixture(autouse=True)
def _central_clock_is_an_input(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test server runs on the real clock while the counters run on pinned ones (a fixed
    day), so the offset a sync measures grows with every real day and the clock guard
    (services/receipt.check_clock) would refuse intake in these tests on some dates and not
    others. By default central does not say its time here (the offset stays unmeasured);
    a test marked `real_central_clock` measures it against the real server."""
    if request.node.get_closest_marker("real_central_clock"):
        return
    real_hello = PgTransport.hello

    def hello(self: PgTransport) -> dict[str, Any]:
        return {k: v for k, v in real_hello(self).items() if k != "server_time"}

    monkeypatch.setattr(PgTransport, "hello", hello)

"""A real CUPS server (cupsd + CUPS-PDF) for the printing tests: tests/cups/cupsserver.py.

Without cupsd or CUPS-PDF (or not as root: the CUPS-PDF backend needs a root cupsd) the
tests skip with the reason, unless COUNTER_APP_REQUIRE_CUPS=1 (set by .ci/run): then they
fail, so CI never passes without having printed through a real CUPS queue."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cupsserver import CupsServer, CupsUnavailable, Queue

# Read at import: the session-wide autouse fixture in tests/conftest.py clears COUNTER_APP_*.
REQUIRE_CUPS = os.environ.get("COUNTER_APP_REQUIRE_CUPS", "") not in ("", "0")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.cups)


@pytest.fixture(scope="session")
def cups_server() -> Iterator[CupsServer]:
    """A private cupsd for this session; stopped (and its files removed) whatever happened."""
    server = CupsServer()
    try:
        server.start()
    except CupsUnavailable as exc:
        server.stop()
        if REQUIRE_CUPS:
            pytest.fail(f"CUPS required (COUNTER_APP_REQUIRE_CUPS=1) but {exc}", pytrace=False)
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cups_queue(cups_server: CupsServer, tmp_path: Path) -> Queue:
    """A fresh CUPS-PDF queue printing into this test's temp dir."""
    out = tmp_path / "printed"
    out.mkdir(mode=0o755)
    return Queue(cups_server, out)

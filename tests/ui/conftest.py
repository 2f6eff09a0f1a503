"""UI fixtures: a demo database copied per test, a logged-in counter window with fake printers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pinned_clock import TestClock, at
from pytestqt.qtbot import QtBot

from counter_app.app import build_context
from counter_app.printing.spool import FakeSpooler
from counter_app.services.auth import login
from counter_app.services.context import ServiceContext
from counter_app.services.intake import intake_setup
from counter_app.services.printjobs import Printers
from counter_app.services.setup import init_database
from counter_app.ui.main_window import CounterWindow
from counter_app.ui.scan import ScanDispatcher


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    ctx = build_context(db=str(path))
    ctx.clock = TestClock(at(9))  # the demo's sample dossiers are dated from the pinned day
    init_database(ctx, demo=True)
    ctx.uow.dispose()
    return path


@pytest.fixture
def ui_ctx(demo_template: Path, tmp_path: Path, clock: TestClock) -> Iterator[ServiceContext]:
    """A copy of the demo database; its clock is the test's (09:00 on the pinned day)."""
    db = tmp_path / "counter.db"
    shutil.copy(demo_template, db)
    ctx = build_context(db=str(db))
    ctx.clock = clock
    yield ctx
    ctx.uow.dispose()


@pytest.fixture
def printers() -> Printers:
    return Printers(a4=FakeSpooler(), label=FakeSpooler())


@pytest.fixture
def window(
    qtbot: QtBot, qapp, ui_ctx: ServiceContext, printers: Printers
) -> Iterator[CounterWindow]:
    scan = ScanDispatcher()
    scan.today = lambda: ui_ctx.now().date()  # as ui/main wires it
    scan.install(qapp)
    user = login(ui_ctx, "canbo1", "demo")
    win = CounterWindow(ui_ctx, user, intake_setup(ui_ctx), printers, scan)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    # pytest-qt closes the window before this fixture's teardown: with typed data left it
    # would ask "close and lose it?" and stay open. Tests of that question turn it back on.
    win._force_close = True
    yield win
    qapp.removeEventFilter(scan)
    qtbot.waitUntil(lambda: _idle(), timeout=5000)


def _idle() -> bool:
    from counter_app.ui.tasks import pending_tasks

    return pending_tasks() == 0

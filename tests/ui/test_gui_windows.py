"""`gui --window counter|kiosk|board|rating` opens that window; the unattended ones (kiosk,
board, the citizen's rating screen) without a login."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from counter_app.services.context import ServiceContext
from counter_app.ui import main as ui_main
from counter_app.ui.board import BoardWindow
from counter_app.ui.dialogs import LoginDialog
from counter_app.ui.kiosk import KioskWindow
from counter_app.ui.rating_window import RatingWindow


class NoEventLoop:
    """Stands in for the QApplication: records the windows shown instead of running them."""

    def __init__(self, qapp: Any) -> None:
        self.qapp = qapp
        self.shown: list[Any] = []

    def exec(self) -> int:
        self.shown = [w for w in self.qapp.topLevelWidgets() if w.isVisible()]
        for w in self.shown:
            w.close()
        return 0


@pytest.mark.parametrize(
    ("window", "cls"),
    [("kiosk", KioskWindow), ("board", BoardWindow), ("rating", RatingWindow)],
)
def test_unattended_windows_open_without_a_login(
    qtbot: QtBot,
    qapp: Any,
    ui_ctx: ServiceContext,
    monkeypatch: pytest.MonkeyPatch,
    window: str,
    cls: type,
) -> None:
    loop = NoEventLoop(qapp)
    monkeypatch.setattr(ui_main, "application", lambda: loop)

    def no_login(*_a: Any, **_k: Any) -> None:
        raise AssertionError("kiosk and board open without a login")

    monkeypatch.setattr(ui_main, "LoginDialog", no_login)
    args = argparse.Namespace(command="gui", demo=False, window=window, db=None, config=None)
    assert ui_main.run(args, lambda: ui_ctx) == 0
    assert [type(w) for w in loop.shown] == [cls]


def test_the_counter_window_asks_for_a_login_first(
    qapp: Any, ui_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = NoEventLoop(qapp)
    monkeypatch.setattr(ui_main, "application", lambda: loop)
    asked: list[str] = []

    class Refused(LoginDialog):
        def exec(self) -> int:
            asked.append(type(self).__name__)
            return 0  # the clerk closed the login: nothing else opens

    monkeypatch.setattr(ui_main, "LoginDialog", Refused)
    args = argparse.Namespace(command="gui", demo=False, window="counter", db=None, config=None)
    assert ui_main.run(args, lambda: ui_ctx) == 0
    assert asked == ["Refused"] and loop.shown == []


def test_the_counter_window_after_a_login_and_the_start_up_frozen(
    qapp: Any, ui_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the window shows, what start-up made is moved out of the collector's way
    (gc.freeze), as bench_intake measures the save; the counter window is what opens."""
    from counter_app.services.auth import login
    from counter_app.ui.main_window import CounterWindow

    class Loop(NoEventLoop):  # the scanner's key filter goes on the real application
        def __init__(self, qapp: Any) -> None:
            super().__init__(qapp)
            self.filters: list[Any] = []

        def installEventFilter(self, obj: Any) -> None:
            self.filters.append(obj)
            self.qapp.installEventFilter(obj)

    loop = Loop(qapp)
    monkeypatch.setattr(ui_main, "application", lambda: loop)
    real_dispatcher = ui_main.ScanDispatcher
    monkeypatch.setattr(ui_main, "ScanDispatcher", lambda _app: real_dispatcher(qapp))
    frozen: list[bool] = []
    monkeypatch.setattr(
        ui_main.gc,
        "freeze",
        lambda: frozen.append(any(isinstance(w, CounterWindow) for w in qapp.topLevelWidgets())),
    )

    class Accepted(LoginDialog):
        def exec(self) -> int:
            self.user = login(ui_ctx, "canbo1", "demo")
            return 1

    monkeypatch.setattr(ui_main, "LoginDialog", Accepted)
    args = argparse.Namespace(command="gui", demo=False, window="counter", db=None, config=None)
    try:
        assert ui_main.run(args, lambda: ui_ctx) == 0
    finally:
        for f in loop.filters:  # later tests type into windows of their own
            qapp.removeEventFilter(f)
    assert [type(w) for w in loop.shown] == [CounterWindow]
    assert frozen == [True]

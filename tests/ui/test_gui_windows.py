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

"""Issue 9: no background failure is lost. Every failure of ui.tasks.run_task is logged with
its traceback, and a window shows it as one calm line (no dialog) unless the caller handles it."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from counter_app.services.context import ServiceContext
from counter_app.ui import tasks
from counter_app.ui.board import BoardWindow
from counter_app.ui.kiosk import KioskWindow
from counter_app.ui.main_window import CounterWindow


def _boom() -> object:
    raise RuntimeError("the disk went away")


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "counter_app.ui" and r.levelno >= logging.ERROR]


def test_a_failing_task_is_logged_with_traceback_and_shown_in_the_status_bar(
    qtbot: QtBot, window: CounterWindow, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="counter_app.ui")
    tasks.run_task(window.form, _boom, lambda _r: None)  # no on_error: the window's default
    qtbot.waitUntil(lambda: bool(_records(caplog)), timeout=5000)
    rec = _records(caplog)[0]
    assert rec.exc_info is not None and rec.exc_info[1] is not None
    assert "the disk went away" in caplog.text and "_boom" in caplog.text  # the traceback
    assert "Traceback" in caplog.text
    qtbot.waitUntil(lambda: "the disk went away" in window.statusBar().currentMessage())
    assert "nhật ký" in window.statusBar().currentMessage()
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]


def test_a_caller_handler_still_gets_the_error_after_it_is_logged(
    qtbot: QtBot, window: CounterWindow, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="counter_app.ui")
    got: list[Exception] = []
    tasks.run_task(window, _boom, lambda _r: None, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert isinstance(got[0], RuntimeError) and _records(caplog)


def test_today_list_failure_is_logged_and_shown(
    qtbot: QtBot,
    window: CounterWindow,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from counter_app.services import lookup

    caplog.set_level(logging.ERROR, logger="counter_app.ui")
    monkeypatch.setattr(lookup, "received_on_day", lambda *_a, **_k: _boom())
    window.refresh_today()
    qtbot.waitUntil(
        lambda: "the disk went away" in window.statusBar().currentMessage(), timeout=5000
    )
    assert "refresh_today" in caplog.text


def test_printer_failure_is_logged(
    qtbot: QtBot, window: CounterWindow, caplog: pytest.LogCaptureFixture
) -> None:
    from counter_app.services import lookup

    caplog.set_level(logging.ERROR, logger="counter_app.ui")
    view = lookup.get_dossier(window.ctx, lookup.search(window.ctx, "Nguyen Van An")[0].code)
    window.printers.label.fail_next(1)
    window.print_label(view)  # F9
    qtbot.waitUntil(lambda: window.banner.property("kind") == "error", timeout=10_000)
    assert any(r.exc_info for r in _records(caplog))
    window.printers.a4.fail_next(1)
    window.reprint(view)  # F8
    qtbot.waitUntil(lambda: len(_records(caplog)) >= 2, timeout=10_000)


def test_repeated_identical_failures_are_counted_not_repeated_in_full(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="counter_app.ui")
    exc = RuntimeError("down")
    for _ in range(REPEATS := tasks.REPEATS_IN_FULL + 5):
        tasks.report_failure("test:site", exc)
    full = [r for r in caplog.records if r.exc_info]
    assert len(full) == 1
    assert (
        len([r for r in caplog.records if "again" in r.getMessage()]) == tasks.REPEATS_IN_FULL - 1
    )
    tasks.report_success("test:site")
    assert f"after {REPEATS} failures" in caplog.records[-1].getMessage()


def test_kiosk_and_board_say_it_quietly(
    qtbot: QtBot, ui_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from counter_app.services import queue

    kiosk = KioskWindow(ui_ctx, "UBND")
    board = BoardWindow(ui_ctx, "UBND", voice=False)
    qtbot.addWidget(kiosk)
    qtbot.addWidget(board)
    qtbot.waitUntil(lambda: tasks.pending_tasks() == 0, timeout=5000)
    monkeypatch.setattr(queue, "list_services", lambda *_a, **_k: _boom())
    kiosk.refresh()
    board.refresh()
    qtbot.waitUntil(lambda: kiosk.notice.isVisibleTo(kiosk), timeout=5000)
    qtbot.waitUntil(lambda: board.notice.isVisibleTo(board), timeout=5000)
    assert "disk" not in kiosk.notice.text() and "disk" not in board.notice.text()
    monkeypatch.undo()
    kiosk.refresh()
    qtbot.waitUntil(lambda: not kiosk.notice.isVisibleTo(kiosk), timeout=5000)
    board._poll.stop()
    kiosk._poll.stop()

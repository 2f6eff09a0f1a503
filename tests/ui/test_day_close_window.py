"""Ctrl+Shift+K: the supervisor's day close — the table per clerk, the anomalies to tick, one
button that closes and prints the day sheet; a closed day says who closed it and when."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pinned_clock import PINNED_DAY, TestClock, at
from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter_app.services import queue
from counter_app.services.auth import login
from counter_app.services.context import ServiceContext
from counter_app.services.intake import intake_setup
from counter_app.services.printjobs import Printers
from counter_app.ui.day_close_view import DayCloseDialog
from counter_app.ui.main_window import CounterWindow
from counter_app.ui.tasks import pending_tasks

SHOTS = Path("/tmp/dayclose-shots")
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def supervisor(
    qtbot: QtBot, ui_ctx: ServiceContext, printers: Printers, clock: TestClock
) -> Iterator[CounterWindow]:
    clock.set(at(17, 15))
    win = CounterWindow(ui_ctx, login(ui_ctx, "giamsat", "demo"), intake_setup(ui_ctx), printers)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    yield win
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


def open_day_close(qtbot: QtBot, win: CounterWindow) -> DayCloseDialog:
    qtbot.keyClick(win, Qt.Key.Key_K, CTRL_SHIFT)
    dialog = win.day_close_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=10_000)
    return dialog


def tick_all_by_keys(qtbot: QtBot, dialog: DayCloseDialog) -> None:
    lst = dialog.anomalies
    lst.setFocus()
    lst.setCurrentRow(0)
    for i in range(lst.count()):
        assert not dialog.close_button.isEnabled()
        qtbot.keyClick(lst, Qt.Key.Key_Space)
        assert lst.item(i).checkState() == Qt.CheckState.Checked
        qtbot.keyClick(lst, Qt.Key.Key_Down)


def test_supervisor_ticks_the_anomalies_closes_and_prints(
    qtbot: QtBot, supervisor: CounterWindow, ui_ctx: ServiceContext
) -> None:
    queue.issue(ui_ctx, "HT")
    queue.call_next(ui_ctx, 1, user="canbo1")  # called, never finished: an anomaly
    dialog = open_day_close(qtbot, supervisor)
    s = dialog.summary
    assert s is not None and s.day == PINNED_DAY and s.closed is None
    assert dialog.table.rowCount() == len(s.per_clerk) + 1
    assert dialog.table.item(dialog.table.rowCount() - 1, 0).text() == "Tổng cộng"
    assert dialog.anomalies.count() == len(s.anomalies) > 0
    assert any("1001" in dialog.anomalies.item(i).text() for i in range(dialog.anomalies.count()))
    assert "chưa khóa sổ" in dialog.status.text()
    SHOTS.mkdir(exist_ok=True)
    # Enter on the list does not reload (the ticks would be lost); the button waits for ticks.
    tick_all_by_keys(qtbot, dialog)
    dialog.anomalies.setCurrentRow(0)
    qtbot.keyClick(dialog.anomalies, Qt.Key.Key_Return)  # Enter toggles the tick too
    assert dialog.summary is s and not dialog.acknowledged()
    assert not dialog.close_button.isEnabled()
    dialog.anomalies.setCurrentRow(0)
    qtbot.keyClick(dialog.anomalies, Qt.Key.Key_Return)
    assert dialog.acknowledged()
    assert dialog.close_button.isEnabled()
    dialog.grab().save(str(SHOTS / "day-close-open.png"))

    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(supervisor.printers.a4.jobs) == 1, timeout=15_000)
    closed = dialog.summary
    assert closed is not None and closed.closed is not None
    assert "Đã khóa sổ bởi Trần Văn Minh lúc 17:15" in dialog.status.text()
    assert not dialog.close_button.isEnabled() and dialog.print_button.isEnabled()
    text = PdfReader(io.BytesIO(supervisor.printers.a4.jobs[0].pdf)).pages[0].extract_text()
    assert "PHIẾU KHÓA SỔ NGÀY" in text and closed.closed.hash[:16] in text
    qtbot.waitUntil(lambda: "máy in" in dialog.line.text(), timeout=10_000)
    dialog.grab().save(str(SHOTS / "day-close-closed.png"))
    # F8 prints the sheet again; reopening shows the closed day.
    qtbot.keyClick(dialog, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: len(supervisor.printers.a4.jobs) == 2, timeout=15_000)
    dialog.close()
    supervisor.open_day_close()
    again = supervisor.day_close_dialog
    assert again is not None and again.isVisible()
    qtbot.waitUntil(lambda: again.summary is not None, timeout=10_000)
    assert again.summary is not None and again.summary.closed == closed.closed
    assert "Đã khóa sổ bởi" in again.status.text()


def test_a_new_anomaly_after_the_ticks_refuses_the_close(
    qtbot: QtBot, supervisor: CounterWindow, ui_ctx: ServiceContext
) -> None:
    dialog = open_day_close(qtbot, supervisor)
    # Another open day can be picked (Enter reads it); back to today.
    dialog.day.setFocus()
    dialog.day.setDate(dialog.day.date().addDays(-1))
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: dialog.summary is not None and dialog.summary.day < PINNED_DAY, timeout=10_000
    )
    dialog.day.setDate(dialog.day.date().addDays(1))
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: dialog.summary is not None and dialog.summary.day == PINNED_DAY, timeout=10_000
    )
    dialog.acknowledge_all()
    assert dialog.close_button.isEnabled()
    queue.issue(ui_ctx, "HT")
    queue.call_next(ui_ctx, 2, user="canbo2")  # happens while the supervisor reads
    before = dialog.anomalies.count()
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.anomalies.count() == before + 1, timeout=10_000)
    assert "Chưa khóa sổ" in dialog.line.text()
    assert dialog.summary is not None and dialog.summary.closed is None
    assert not dialog.close_button.isEnabled()  # ticks start again
    assert supervisor.printers.a4.jobs == []


def test_a_clerk_cannot_open_it(qtbot: QtBot, window: CounterWindow) -> None:
    assert window.user.role == "clerk"
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL_SHIFT)
    assert window.day_close_dialog is None
    assert window.statusBar().currentMessage() == "Chỉ giám sát khóa sổ cuối ngày"

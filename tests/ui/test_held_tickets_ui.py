"""The call panel shows today's held tickets; Shift+F6 calls one back (issue 11 §4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from counter_app.services import queue
from counter_app.ui.main_window import CounterWindow
from counter_app.ui.queue_panel import HeldDialog


def test_shift_f6_resumes_a_held_ticket(
    qtbot: QtBot, window: CounterWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ctx, counter = window.ctx, window.queue.counter
    queue.issue(ctx, "HT")
    queue.issue(ctx, "HT")
    queue.call_next(ctx, counter)
    queue.hold(ctx, counter)
    window.queue.refresh()
    qtbot.waitUntil(lambda: window.queue.held_line.isVisible(), timeout=5000)
    assert "1001" in window.queue.held_line.text()
    assert window.queue.buttons["resume"].isEnabled()
    window.grab().save(str(tmp_path / "held.png"))
    monkeypatch.setattr(HeldDialog, "exec", lambda self: 1)  # Enter on the first (oldest)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.queue.ticket is not None, timeout=5000)
    assert window.queue.ticket.number == "1001"
    qtbot.waitUntil(lambda: not window.queue.held_line.isVisible(), timeout=5000)
    assert queue.held_tickets(ctx) == []
    assert not window.queue.buttons["resume"].isEnabled()

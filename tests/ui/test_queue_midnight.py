"""Issue 12 item 6 in the counter window: a ticket called before midnight is still shown at
its counter after midnight and F7 finishes it (its real service time is recorded)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from pinned_clock import PINNED_DAY, VN, TestClock
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from counter_app.db.models import Ticket
from counter_app.services import queue
from counter_app.ui.main_window import CounterWindow


def at(hh: int, mm: int = 0, day: date = PINNED_DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), VN)


def test_f7_finishes_the_ticket_called_before_midnight(
    qtbot: QtBot, window: CounterWindow, clock: TestClock, tmp_path: Path
) -> None:
    ctx = window.ctx
    clock.set(at(16))
    queue.issue(ctx, "HT")
    queue.issue(ctx, "HT")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.queue.ticket is not None, timeout=5000)
    assert window.queue.ticket.number == "1001"
    clock.set(at(0, 1, day=PINNED_DAY + timedelta(days=1)))
    window.queue.refresh()
    qtbot.waitUntil(lambda: "gọi từ ngày 02/12" in window.queue.now_serving.text(), timeout=5000)
    assert window.queue.ticket is not None and window.queue.ticket.number == "1001"
    window.grab().save(str(tmp_path / "midnight.png"))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F7)  # finish
    qtbot.waitUntil(lambda: window.queue.ticket is None, timeout=5000)
    with ctx.uow.read() as s:
        t = s.scalar(select(Ticket).where(Ticket.display == "1001"))
        assert t is not None and t.status == "done"
        assert t.finished_at is not None and t.called_at is not None
        assert (t.finished_at - t.called_at).total_seconds() == 8 * 3600 + 60
    # F1 on the new day: 1002 was ended with its day, nobody is called.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: "Không còn ai chờ" in window.statusBar().currentMessage(), timeout=5000)
    with ctx.uow.read() as s:
        assert s.scalar(select(Ticket.status).where(Ticket.display == "1002")) == "not_served"

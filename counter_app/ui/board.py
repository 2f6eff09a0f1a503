"""The display board (a TV on the wall): the latest call large, each counter's number, waiting."""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from counter_app.domain.errors import CounterAppError
from counter_app.messages import describe
from counter_app.services import queue
from counter_app.services.context import ServiceContext
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import run_task

BOARD_STYLE = """
QWidget#board { background: #0b1220; }
QLabel { color: #e5e7eb; }
QLabel#boardTitle { font-size: 30px; font-weight: 700; color: #93c5fd; }
QLabel#boardClock { font-size: 30px; color: #93c5fd; }
QLabel#latest { font-size: 64px; font-weight: 800; color: #fde047; padding: 18px;
                border: 4px solid #334155; border-radius: 16px; }
QLabel#latest[flash="true"] { background: #854d0e; border-color: #fde047; }
QLabel#counterName { font-size: 36px; color: #cbd5e1; }
QLabel#counterNumber { font-size: 56px; font-weight: 800; color: #ffffff; }
QLabel#waiting { font-size: 28px; color: #cbd5e1; }
QLabel#boardNotice { font-size: 20px; color: #94a3b8; }
"""
FLASH_MS = 6000


def idle_text() -> str:
    """What the board says when nobody has been called today."""
    return tr("Xin mời lấy số thứ tự")


def call_sentence(number: str, counter: int) -> str:
    return tr("Mời số {n} đến quầy số {c}").format(n=number, c=counter)


class Voice:
    """The spoken call, when this Qt has the text-to-speech add-on and a Vietnamese voice;
    otherwise a short beep. Never a hard requirement (DESIGN.md §5)."""

    def __init__(self, enabled: bool) -> None:
        self.engine: Any = None
        if not enabled:
            return
        try:
            tts = importlib.import_module("PySide6.QtTextToSpeech")
        except ImportError:
            return
        engine = tts.QTextToSpeech()
        vietnamese = [loc for loc in engine.availableLocales() if loc.name().startswith("vi")]
        if vietnamese:
            engine.setLocale(vietnamese[0])
            self.engine = engine

    @property
    def available(self) -> bool:
        return self.engine is not None

    def say(self, text: str) -> None:
        if self.engine is not None:
            self.engine.say(text)
        else:
            QApplication.beep()


class BoardWindow(QWidget):
    """Polls the calls once a second; a new call is highlighted and announced."""

    def __init__(self, ctx: ServiceContext, unit_name: str, voice: bool = True) -> None:
        super().__init__()
        self.ctx = ctx
        self.led = ctx.adapters.led_board()  # None: no LED board configured
        self.setObjectName("board")
        self.setStyleSheet(BOARD_STYLE)
        self.setWindowTitle(tr("Bảng gọi số"))
        self.voice = Voice(voice)
        self.seen: tuple[str, int, datetime] | None = None
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        title = QLabel(unit_name)
        title.setObjectName("boardTitle")
        self.clock = QLabel()
        self.clock.setObjectName("boardClock")
        top.addWidget(title, 1)
        top.addWidget(self.clock)
        lay.addLayout(top)
        self.latest = QLabel(idle_text())
        self.latest.setObjectName("latest")
        self.latest.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.latest.setWordWrap(True)
        lay.addWidget(self.latest)
        self.counters = QGridLayout()
        lay.addLayout(self.counters, 1)
        self.waiting = QLabel()
        self.waiting.setObjectName("waiting")
        self.waiting.setWordWrap(True)
        lay.addWidget(self.waiting)
        self.led_status = QLabel()
        lay.addWidget(self.led_status)
        self.notice = QLabel()  # a background failure, quietly (ui.tasks logged it)
        self.notice.setObjectName("boardNotice")
        self.notice.setVisible(False)
        lay.addWidget(self.notice)
        self._unflash = QTimer(self)
        self._unflash.setSingleShot(True)
        self._unflash.timeout.connect(lambda: self._flash(False))
        self._poll = QTimer(self)
        self._poll.timeout.connect(self.refresh)
        self._poll.start(1000)
        self.refresh()

    def refresh(self) -> None:
        self.clock.setText(self.ctx.now().strftime("%H:%M  %d/%m/%Y"))

        def load() -> tuple[list[queue.CallInfo], list[queue.ServiceInfo]]:
            return queue.recent_calls(self.ctx, 12), queue.list_services(self.ctx)

        run_task(self, load, self._show)

    def show_task_error(self, _text: str) -> None:
        """The default for a failed background task (logged by ui.tasks): a quiet line for
        the room, no technical detail; cleared by the next good read."""
        self.notice.setText(tr("Thông tin trên bảng có thể chưa cập nhật."))
        self.notice.setVisible(True)

    def _show(self, data: tuple[list[queue.CallInfo], list[queue.ServiceInfo]]) -> None:
        calls, services = data
        self.notice.setVisible(False)
        if calls:
            newest = calls[0]
            key = (newest.number, newest.counter, newest.at)
            self.latest.setText(call_sentence(newest.number, newest.counter))
            if key != self.seen:
                if self.seen is not None or (self.ctx.now() - newest.at).total_seconds() < 30:
                    self._flash(True)
                    self.voice.say(call_sentence(newest.number, newest.counter))
                    self._to_led(newest.counter, newest.number)
                self.seen = key
        else:  # a new day (after midnight): yesterday's last call is no longer shown
            self.latest.setText(idle_text())
        self._fill_counters(calls)
        self.waiting.setText(
            tr("Đang chờ: ") + " · ".join(f"{s.name} {s.waiting}" for s in services)
        )

    def _to_led(self, counter: int, number: str) -> None:
        """The same call on the LED board, off the GUI thread; a failure shows, never blocks."""
        if self.led is None:
            return

        run_task(
            self,
            lambda: self.led.show(counter, number),
            lambda _r: self.led_status.setText(""),
            lambda e: self.led_status.setText(
                describe(e) if isinstance(e, CounterAppError) else tr("Bảng LED: {e}").format(e=e)
            ),
        )

    def _fill_counters(self, calls: list[queue.CallInfo]) -> None:
        latest: dict[int, queue.CallInfo] = {}
        for c in calls:  # newest first: keep each counter's newest call
            latest.setdefault(c.counter, c)
        while self.counters.count():
            item = self.counters.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        for row, counter in enumerate(sorted(latest)):
            name = QLabel(tr("Quầy {c}").format(c=counter))
            name.setObjectName("counterName")
            number = QLabel(latest[counter].number)
            number.setObjectName("counterNumber")
            self.counters.addWidget(name, row // 2, (row % 2) * 2)
            self.counters.addWidget(number, row // 2, (row % 2) * 2 + 1)

    def _flash(self, on: bool) -> None:
        self.latest.setProperty("flash", on)
        self.latest.style().unpolish(self.latest)
        self.latest.style().polish(self.latest)
        if on:
            self._unflash.start(FLASH_MS)

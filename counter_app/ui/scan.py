"""Scans anywhere in the window: a citizen-ID QR fills the applicant, a dossier code opens it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from counter_app.domain.cccd import CccdData, find_qr, parse_qr
from counter_app.domain.codes import CODE_SEARCH_RE
from counter_app.domain.errors import ValidationError
from counter_app.services.context import LineReader

# A wedge scanner types a character every few milliseconds; a person, every 80 ms or more
# (a fast roll of two keys can come 20-40 ms apart). Keys closer than BURST_GAP_MS are one
# burst; a burst of BURST_MIN_CHARS or more ending in Enter or Tab is a scan.
BURST_GAP_MS = 35.0
BURST_MIN_CHARS = 8
TEXT_INPUTS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)
ENDS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)

MODIFIER_KEYS = (
    Qt.Key.Key_Shift,
    Qt.Key.Key_Control,
    Qt.Key.Key_Alt,
    Qt.Key.Key_AltGr,
    Qt.Key.Key_Meta,
    Qt.Key.Key_CapsLock,
)


@dataclass(frozen=True)
class _Held:
    """A key held back from a widget that is not a text input, until we know whether it is
    a scanner's (then it never arrives) or a person's (then it is replayed, in order)."""

    widget: QWidget
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


def _ms() -> float:
    return time.monotonic() * 1000.0


class ScanDispatcher(QObject):
    """Application-wide event filter for keyboard-wedge scanners, plus an optional serial scanner.

    A wedge scanner types its payload into whatever field has focus and ends with Enter. On
    Enter we look for a QR payload or a dossier code in that field, take it back out (so the
    field keeps what the clerk typed) and announce it.
    """

    cccd_scanned = Signal(object)  # CccdData
    code_scanned = Signal(str)
    scan_failed = Signal(str)  # error code
    _serial_line = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._serial: LineReader | None = None
        self._serial_line.connect(self.handle_text)
        # Issue 14 item 7: a scan is caught wherever the focus is. The clock is an input
        # (milliseconds; tests give their own timestamps instead of sleeping).
        self.clock: Callable[[], float] = _ms
        # A card's dates are checked against the app's day, not the PC's (time is an input):
        # ui/main gives it the context's clock; tests give theirs.
        self.today: Callable[[], date] = date.today
        self._windows: list[QWidget] = []  # where keys may be held back (the counter window)
        self._held: list[_Held] = []
        self._last_at: float | None = None  # the last printable key's time
        self._run = 0  # printable keys in the current burst (any widget)
        self._replaying = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(int(BURST_GAP_MS * 3))
        self._flush_timer.timeout.connect(self.flush)

    def watch(self, window: QWidget) -> None:
        """Catch bursts in this window's lists, tables, combo boxes and buttons too."""
        self._windows.append(window)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not isinstance(event, QKeyEvent) or event.type() != QEvent.Type.KeyPress:
            return False
        if self._replaying or not isinstance(obj, QWidget):
            return False
        if event.key() in MODIFIER_KEYS:  # a scanner's Shift for capitals is part of the burst
            return False
        now = self.clock()
        fast = self._last_at is not None and now - self._last_at <= BURST_GAP_MS
        text = event.text()
        printable = bool(text) and text.isprintable() and not (event.modifiers() & MODIFIERS)
        if printable:
            self._run = self._run + 1 if fast else 1
            self._last_at = now
            if self._held and not fast:
                self.flush()  # a person's key after a pause: give the held ones back first
            # Held back from lists, tables, combos, buttons; a scan starts with a letter or digit.
            holdable = not isinstance(obj, TEXT_INPUTS) and self._watched(obj)
            if holdable and (self._held or text.isalnum()):
                self._hold(obj, event)
                return True
            return False
        ends_burst = event.key() in ENDS and fast and self._run >= BURST_MIN_CHARS
        self._run, self._last_at = 0, None
        if self._held:
            payload = "".join(h.text for h in self._held)
            if ends_burst and self._recognised(payload):
                self._held = []
                self._flush_timer.stop()
                self.handle_text(payload)
                return True
            self.flush()
        if isinstance(obj, QLineEdit) and (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            or (event.key() == Qt.Key.Key_Tab and ends_burst)
        ):
            return self._take_from(obj)
        return False

    def _watched(self, widget: QWidget) -> bool:
        top = widget.window()
        return any(shiboken6.isValid(w) and w is top for w in self._windows)

    def _hold(self, widget: QWidget, event: QKeyEvent) -> None:
        self._held.append(_Held(widget, event.key(), event.modifiers(), event.text()))
        self._flush_timer.start()

    @staticmethod
    def _recognised(text: str) -> bool:
        return find_qr(text) is not None or CODE_SEARCH_RE.search(text.upper()) is not None

    def flush(self) -> None:
        """Not a scan after all: the held keys go to their widgets, in the order typed."""
        held, self._held = self._held, []
        self._flush_timer.stop()
        self._replaying = True
        try:
            for h in held:
                if shiboken6.isValid(h.widget):
                    ev = QKeyEvent(QEvent.Type.KeyPress, h.key, h.modifiers, h.text)
                    QApplication.sendEvent(h.widget, ev)
        finally:
            self._replaying = False

    def _take_from(self, edit: QLineEdit) -> bool:
        text = edit.text()
        span = find_qr(text)
        if span is not None:
            edit.setText((text[: span[0]] + text[span[1] :]).strip())
            self._announce_qr(text[span[0] : span[1]])
            return True
        if edit.property("codeScanTarget") is False:
            return False
        m = CODE_SEARCH_RE.search(text.upper())
        if m:
            edit.setText((text[: m.start()] + text[m.end() :]).strip())
            self.code_scanned.emit(m.group(0))
            return True
        return False

    def _announce_qr(self, payload: str) -> None:
        try:
            data: CccdData = parse_qr(payload, today=self.today())
        except ValidationError as exc:
            self.scan_failed.emit(exc.code)
            return
        self.cccd_scanned.emit(data)

    def handle_text(self, text: str) -> None:
        """A whole scan from the serial port (already on the GUI thread)."""
        span = find_qr(text)
        if span is not None:
            self._announce_qr(text[span[0] : span[1]])
            return
        m = CODE_SEARCH_RE.search(text.upper())
        if m:
            self.code_scanned.emit(m.group(0))
        else:
            self.scan_failed.emit("scan_unrecognised")

    def install(self, app: QApplication) -> None:
        app.installEventFilter(self)

    def start_serial(self, scanner: LineReader) -> None:
        """Read a serial scanner on its own thread; lines come back through a queued signal."""
        self._serial = scanner
        if hasattr(scanner, "on_fault"):  # a scanner that reconnects by itself (retry_s)
            scanner.on_fault = self._serial_fault
        threading.Thread(
            target=self._serial_loop, args=(scanner,), name="serial-scanner", daemon=True
        ).start()

    def _serial_loop(self, scanner: LineReader) -> None:
        try:
            scanner.run(self._serial_line.emit)
        except Exception:  # port gone: tell the clerk, the keyboard path still works
            self.scan_failed.emit("scanner_port_failed")

    def _serial_fault(self, fault: object) -> None:
        """Tell the clerk once when the port is lost; reading goes on when it is back."""
        if fault is not None:
            self.scan_failed.emit("scanner_port_failed")

    @property
    def serial_attached(self) -> bool:
        """A serial scanner was started (a wedge scanner is just a keyboard: unseen)."""
        return self._serial is not None

    def stop_serial(self) -> None:
        if self._serial is not None:
            self._serial.stop()

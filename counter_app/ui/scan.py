"""Scans anywhere in the window: a citizen-ID QR fills the applicant, a dossier code opens it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from counter_app.domain.cccd import CccdData, find_qr, parse_qr
from counter_app.domain.codes import CODE_SEARCH_RE
from counter_app.domain.errors import ValidationError
from counter_app.services.context import LineReader


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

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not isinstance(event, QKeyEvent) or event.type() != QEvent.Type.KeyPress:
            return False
        if not isinstance(obj, QLineEdit):
            return False
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return False
        return self._take_from(obj)

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
            data: CccdData = parse_qr(payload)
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
        threading.Thread(
            target=self._serial_loop, args=(scanner,), name="serial-scanner", daemon=True
        ).start()

    def _serial_loop(self, scanner: LineReader) -> None:
        try:
            scanner.run(self._serial_line.emit)
        except Exception:  # port gone: tell the clerk, the keyboard path still works
            self.scan_failed.emit("scanner_port_failed")

    @property
    def serial_attached(self) -> bool:
        """A serial scanner was started (a wedge scanner is just a keyboard: unseen)."""
        return self._serial is not None

    def stop_serial(self) -> None:
        if self._serial is not None:
            self._serial.stop()

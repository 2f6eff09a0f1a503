"""The devices in the status bar: A4, label and ticket printers and the scanner, each
ok / not set / failing. A failure stays until the same device next succeeds; failures go to
the log (the printer and the error's code, never a dossier's or a citizen's data).

The states come from what the window already does (printing through services/printjobs, the
scan dispatcher): ui/ never imports devices/.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from counter_app.ui.i18n import tr

log = logging.getLogger("counter_app.devices")

DEVICES = ("a4", "label", "ticket", "scanner")
DEVICE_NAMES = {
    "a4": "Máy in A4",
    "label": "Máy in nhãn",
    "ticket": "Máy in vé",
    "scanner": "Máy quét",
}
SHORT_NAMES = {"a4": "A4", "label": "Nhãn", "ticket": "Vé", "scanner": "Quét"}
STATE_WORDS = {"ok": "tốt", "unset": "chưa đặt", "failing": "LỖI"}
# The status bar is shared with the sync state (which shortens itself to what is left): each
# device takes a word and a mark; the full words and the error are in the tooltip.
STATE_MARKS = {"ok": "✓", "unset": "–", "failing": "LỖI"}
STATE_COLOURS = {"ok": "#047857", "unset": "#6b7280", "failing": "#b91c1c"}


class DeviceStates(QObject):
    """Per device: (state, detail). One per counter window; the kiosk it opens reports here."""

    changed = Signal(str)  # the device

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.states: dict[str, tuple[str, str]] = {d: ("unset", "") for d in DEVICES}

    def state(self, device: str) -> str:
        return self.states[device][0]

    def configure(self, device: str, configured: bool, detail: str = "") -> None:
        """At start: set up (ok until it fails) or not set (papers saved as PDF)."""
        self._set(device, "ok" if configured else "unset", detail)

    def succeeded(self, device: str, configured: bool = True) -> None:
        """A print or a scan went through: clears a failure."""
        if self.state(device) == "failing":
            log.info("%s: working again", device)
        self._set(device, "ok" if configured else "unset", self.states[device][1])

    def failed(self, device: str, detail: str) -> None:
        log.warning("%s failed: %s", device, detail)
        self._set(device, "failing", detail)

    def _set(self, device: str, state: str, detail: str) -> None:
        if self.states[device] != (state, detail):
            self.states[device] = (state, detail)
            self.changed.emit(device)


class DeviceIndicator(QWidget):
    """Four short words in the status bar, next to the sync state; the detail in a tooltip."""

    def __init__(self, states: DeviceStates, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.states = states
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        self.labels: dict[str, QLabel] = {}
        for d in DEVICES:
            label = QLabel()
            label.setObjectName(f"device_{d}")
            self.labels[d] = label
            row.addWidget(label)
            self._show(d)
        states.changed.connect(self._show)

    def text(self, device: str) -> str:
        return self.labels[device].text()

    def _show(self, device: str) -> None:
        state, detail = self.states.states[device]
        label = self.labels[device]
        label.setText(f"{tr(SHORT_NAMES[device])} {tr(STATE_MARKS[state])}")
        label.setStyleSheet(
            f"color: {STATE_COLOURS[state]};" + (" font-weight: 700;" if state == "failing" else "")
        )
        tip = f"{tr(DEVICE_NAMES[device])}: {tr(STATE_WORDS[state])}"
        label.setToolTip(f"{tip}\n{detail}" if detail else tip)

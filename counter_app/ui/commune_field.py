"""A field choosing one 2025 commune by typing its name without accents ("my hoa hung"), or
its five-digit code: a plain list under it proposes up to 8 (AdminUnits.complete), Down/Up
move in it, Enter takes the highlighted one (the first by default), Esc closes the list.
Used by the first-run screen for the unit's own commune (issue 16 §4)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from counter_app.domain.admin_units import AdminUnits, Commune


class CommuneField(QWidget):
    chosen_changed = Signal(object)  # the Commune, or None when the text no longer names it

    def __init__(self, units: AdminUnits, placeholder: str = "", *, limit: int = 8) -> None:
        super().__init__()
        self.units = units
        self.limit = limit
        self.chosen: Commune | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay.addWidget(self.edit)
        lay.addWidget(self.error)
        # the list floats over the widgets below (a child of the window, raised), never
        # taking the focus: typing goes on in the line edit
        self.list = QListWidget()
        self.list.setObjectName("completions")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setVisible(False)
        self.list.itemClicked.connect(lambda item: self._take(self.list.row(item)))
        self._found: list[Commune] = []
        self.edit.textEdited.connect(self._typed)
        self.edit.installEventFilter(self)

    # -- the Entry interface of first_run ------------------------------------------------------
    def text(self) -> str:
        return self.edit.text().strip()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.edit.setProperty("invalid", bool(text))
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)
        self.adjustSize()

    # -- completion ----------------------------------------------------------------------------
    def _typed(self, text: str) -> None:
        if self.chosen is not None:
            self.chosen = None
            self.chosen_changed.emit(None)
        typed = text.strip()
        if typed.isdigit():
            one = self.units.commune(typed) if len(typed) == 5 else None
            self._found = [one] if one else []
        else:
            self._found = self.units.complete(typed, limit=self.limit) if typed else []
        self.list.clear()
        for c in self._found:
            QListWidgetItem(f"{c.label}   {c.code}", self.list)
        if self._found:
            self.list.setCurrentRow(0)
            self._place_list()
        else:
            self.list.setVisible(False)

    def _place_list(self) -> None:
        window = self.window()
        if self.list.parent() is not window:
            self.list.setParent(window)
            self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        at = self.edit.mapTo(window, QPoint(0, self.edit.height()))
        rows = max(1, self.list.count())
        height = self.list.sizeHintForRow(0) * rows + 2 * self.list.frameWidth() + 2
        self.list.setGeometry(at.x(), at.y(), max(self.edit.width(), 420), height)
        self.list.setVisible(True)
        self.list.raise_()

    def _take(self, row: int) -> None:
        if not (0 <= row < len(self._found)):
            return
        commune = self._found[row]
        self.list.setVisible(False)
        self.set_commune(commune)

    def set_commune(self, commune: Commune | None) -> None:
        self.chosen = commune
        self.edit.setText(commune.label if commune else "")
        self.edit.setCursorPosition(0)  # the name's start in view, not its province's end
        self.show_error("")
        self.chosen_changed.emit(commune)

    def eventFilter(self, obj: QObject, event: Any) -> bool:
        if obj is self.edit and event.type() == QEvent.Type.KeyPress and self.list.isVisible():
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = (self.list.currentRow() + step) % max(1, self.list.count())
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._take(max(0, self.list.currentRow()))
                return True
            if key == Qt.Key.Key_Escape:
                self.list.setVisible(False)
                return True
        if obj is self.edit and event.type() == QEvent.Type.FocusOut:
            self.list.setVisible(False)
        return super().eventFilter(obj, event)

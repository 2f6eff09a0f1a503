"""Form building blocks: a field with its error line, procedure picker, document checklist."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.model import DOCUMENT_KINDS
from counter_app.messages import field_message
from counter_app.services.catalogue import CatalogueEntry, search_catalogue
from counter_app.ui.i18n import tr
from counter_app.ui_text import DOCUMENT_KIND_LABELS


class Field(QWidget):
    """A line edit with its own error line underneath; errors never erase what was typed."""

    def __init__(self, placeholder: str = "") -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        # No maxLength: a scan typed into a short field must arrive whole, and an overlong
        # paste gets a message from validation instead of being cut silently.
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setVisible(False)
        lay.addWidget(self.edit)
        lay.addWidget(self.error)

    def text(self) -> str:
        return self.edit.text()

    def set_error(self, code: str | None) -> None:
        self.error.setText(field_message(code) if code else "")
        self.error.setVisible(bool(code))
        self.edit.setProperty("invalid", bool(code))
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)


class ProcedurePicker(QLineEdit):
    """Type a name without accents or a code; Up/Down and Enter choose; most used first."""

    chosen = Signal(object)  # CatalogueEntry
    # Enter found nothing to choose: the text typed ("" when the field is empty). Nothing
    # is chosen for the clerk and the focus stays here.
    nothing_chosen = Signal(str)

    def __init__(self, entries: tuple[CatalogueEntry, ...]) -> None:
        super().__init__()
        self.entries = list(entries)
        self.matches: list[CatalogueEntry] = list(entries)
        self.setPlaceholderText(tr("Gõ tên hoặc mã thủ tục, không cần dấu (ví dụ: khai sinh)"))
        self.setProperty("codeScanTarget", True)
        self.model = QStringListModel(self)
        self.completer_ = QCompleter(self.model, self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setMaxVisibleItems(10)
        self.completer_.setWidget(self)
        self.completer_.activated.connect(self._activated_index)
        self.textEdited.connect(self._refilter)

    @staticmethod
    def label(e: CatalogueEntry) -> str:
        p = e.procedure
        return f"{p.name}  ·  {p.code}  ·  {p.sector}"

    def _refilter(self, text: str) -> None:
        self.matches = search_catalogue(self.entries, text)
        self.model.setStringList([self.label(e) for e in self.matches])
        if self.matches and text.strip():
            self.completer_.complete()
        else:
            self.completer_.popup().hide()

    def _activated_index(self, value: Any) -> None:
        text = value if isinstance(value, str) else value.data()
        for e in self.matches:
            if self.label(e) == text:
                self.choose(e)
                return

    def choose(self, entry: CatalogueEntry) -> None:
        self.setText(entry.procedure.name)
        self.completer_.popup().hide()
        self.chosen.emit(entry)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self.completer_.popup()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not popup.isVisible():
            # An empty field lists every procedure: Enter there must not take the first.
            matches = search_catalogue(self.entries, self.text()) if self.text().strip() else []
            if matches:
                self.choose(matches[0])
            else:
                self.nothing_chosen.emit(self.text().strip())
            return
        if event.key() == Qt.Key.Key_Down and not popup.isVisible():
            self._refilter(self.text())
            self.completer_.complete()
            return
        super().keyPressEvent(event)


class DocumentTable(QTableWidget):
    """The procedure's checklist: Space ticks 'received'; kind and count are editable per row."""

    changed = Signal()
    COLS = ("Đã nhận", "Tên giấy tờ", "Loại", "Số lượng")

    def __init__(self) -> None:
        super().__init__(0, len(self.COLS))
        self.setHorizontalHeaderLabels([tr(c) for c in self.COLS])
        self.required: list[bool] = []
        h = self.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.itemChanged.connect(lambda _i: self.changed.emit())

    def load(self, documents: tuple[dict[str, Any], ...]) -> None:
        self.blockSignals(True)
        self.setRowCount(0)
        self.required = []
        for d in documents:
            self._add_row(d)
        self.blockSignals(False)
        if self.rowCount():
            self.setCurrentCell(0, 0)
        self.changed.emit()

    def _add_row(self, d: dict[str, Any]) -> None:
        row = self.rowCount()
        self.insertRow(row)
        check = QTableWidgetItem()
        check.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsSelectable
        )
        check.setCheckState(Qt.CheckState.Unchecked)
        self.setItem(row, 0, check)
        name = d["name"] + ("" if d.get("required", True) else tr(" (nếu có)"))
        item = QTableWidgetItem(name)
        item.setToolTip(d["name"])
        self.setItem(row, 1, item)
        kind = QComboBox()
        for k in DOCUMENT_KINDS:
            kind.addItem(tr(DOCUMENT_KIND_LABELS[k]), k)
        kind.setCurrentIndex(DOCUMENT_KINDS.index(d.get("kind", "original")))
        self.setCellWidget(row, 2, kind)
        count = QSpinBox()
        count.setRange(1, 99)
        count.setValue(int(d.get("count", 1)))
        self.setCellWidget(row, 3, count)
        self.required.append(bool(d.get("required", True)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and self.currentRow() >= 0:
            self.toggle(self.currentRow())
            return
        super().keyPressEvent(event)

    def toggle(self, row: int) -> None:
        item = self.item(row, 0)
        done = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if done else Qt.CheckState.Checked)

    def tick_required(self) -> None:
        """F3: every required document received; the optional "(nếu có)" ones stay as they
        are (Space ticks one handed in)."""
        for r, required in enumerate(self.required):
            if required:
                self.item(r, 0).setCheckState(Qt.CheckState.Checked)

    def set_all(self, received: bool) -> None:
        state = Qt.CheckState.Checked if received else Qt.CheckState.Unchecked
        for r in range(self.rowCount()):
            self.item(r, 0).setCheckState(state)

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for r in range(self.rowCount()):
            kind = self.cellWidget(r, 2)
            count = self.cellWidget(r, 3)
            assert isinstance(kind, QComboBox) and isinstance(count, QSpinBox)
            out.append(
                {
                    "name": self.item(r, 1).toolTip(),
                    "kind": kind.currentData(),
                    "count": count.value(),
                    "received": self.item(r, 0).checkState() == Qt.CheckState.Checked,
                    "required": self.required[r],
                }
            )
        return out

    def missing_required(self) -> list[str]:
        return [d["name"] for d in self.rows() if d["required"] and not d["received"]]

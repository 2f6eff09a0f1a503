"""Form building blocks: a field with its error line, a completion list under a field, the
procedure picker, the document checklist."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
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
        self.show_error(field_message(code) if code else "")

    def show_error(self, text: str) -> None:
        """The sentence under the field ("" hides it); the field is marked while it shows."""
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.edit.setProperty("invalid", bool(text))
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)


Row = tuple[str, Callable[[], None]]  # a completion's label, and what taking it does
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class CompletionList(QListWidget):
    """The choices under a line edit, drawn inside its window over the widgets below (above the
    field when there is no room below), never taking the focus: typing goes on in the field.
    Down/Up move, Enter (and any other `accept` key) takes the highlighted row, Esc closes the
    list alone (the window's own Esc waits while it is open), leaving the field closes it.

    `anchor` names the widget the list hangs under (the field by default; the address field
    puts it under its proposal line while that shows)."""

    def __init__(
        self,
        edit: QLineEdit,
        parent: QWidget,
        *,
        accept: Sequence[Qt.Key] = ENTER_KEYS,
        min_width: int = 360,
        anchor: Callable[[], QWidget] | None = None,
    ) -> None:
        super().__init__(parent)
        self.line = edit  # not `edit`: QAbstractItemView.edit() is a method
        self._accept = tuple(accept)
        self._nav = (*self._accept, Qt.Key.Key_Escape, Qt.Key.Key_Up, Qt.Key.Key_Down)
        self._min_width = min_width
        self._anchor = anchor or (lambda: edit)
        self._actions: list[Callable[[], None]] = []
        self.setObjectName("completions")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.itemClicked.connect(lambda _item: self.accept_current())
        self.hide()
        edit.installEventFilter(self)

    def labels(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

    def show_rows(self, rows: Sequence[Row]) -> None:
        """These rows, the first highlighted; no rows closes the list."""
        if not rows:
            self.hide()
            return
        self._actions = [action for _label, action in rows]
        labels = [label for label, _action in rows]
        if self.labels() != labels:
            self.clear()
            self.addItems(labels)
        self.setCurrentRow(0)
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        host = self.line.window()
        if self.parentWidget() is not host:
            self.setParent(host)
            self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row_h = self.sizeHintForRow(0) if self.count() else 24
        height = max(1, self.count()) * row_h + 2 * self.frameWidth() + 2
        anchor = self._anchor()
        below = anchor.mapTo(host, QPoint(0, anchor.height()))
        top = below.y()
        if top + height > host.height():
            top = max(0, self.line.mapTo(host, QPoint(0, 0)).y() - height)
        self.setGeometry(below.x(), top, max(self.line.width(), self._min_width), height)

    def accept_current(self) -> None:
        row = self.currentRow()
        actions = self._actions
        self.hide()
        if 0 <= row < len(actions):
            actions[row]()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is not self.line:
            return False
        kind = event.type()
        if kind == QEvent.Type.FocusOut:
            self.hide()
            return False
        if not self.isVisible() or kind not in (
            QEvent.Type.ShortcutOverride,
            QEvent.Type.KeyPress,
        ):
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() not in self._nav or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # the window's own shortcut (Esc clears the form) waits
            return True
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.hide()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = 1 if key == Qt.Key.Key_Down else -1
            self.setCurrentRow((self.currentRow() + step) % max(1, self.count()))
        else:
            self.accept_current()
        return True


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

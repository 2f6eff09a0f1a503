"""Login and look-up (Ctrl+F); the dossier view is in dossier_view.py."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.errors import CounterAppError
from counter_app.messages import describe
from counter_app.services import lookup
from counter_app.services.auth import UserInfo, login
from counter_app.services.context import ServiceContext
from counter_app.services.lookup import DossierSummary
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import run_task
from counter_app.ui_text import STATUS_LABELS, TIMELINESS_LABELS

TIMELINESS_COLOURS = {
    "paused": "#92400e",
    "overdue": "#b91c1c",
    "due_soon": "#b45309",
    "on_track": "#047857",
    "closed": "#4b5563",
}


class LoginDialog(QDialog):
    def __init__(self, ctx: ServiceContext, unit_name: str, hint: str = "") -> None:
        super().__init__()
        self.ctx = ctx
        self.user: UserInfo | None = None
        self.setWindowTitle(tr("Đăng nhập · Bộ phận Một cửa"))
        lay = QVBoxLayout(self)
        title = QLabel(unit_name)
        title.setObjectName("title")
        lay.addWidget(title)
        form = QFormLayout()
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("Tên đăng nhập"), self.username)
        form.addRow(tr("Mật khẩu"), self.password)
        lay.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        if hint:
            h = QLabel(hint)
            h.setObjectName("hint")
            lay.addWidget(h)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Đăng nhập"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Thoát"))
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.username.returnPressed.connect(self.password.setFocus)
        self.setMinimumWidth(420)

    def try_login(self) -> None:
        try:
            self.user = login(self.ctx, self.username.text(), self.password.text())
        except CounterAppError as exc:
            self.error.setText(describe(exc))
            self.password.selectAll()
            self.password.setFocus()
            return
        self.accept()


class ResultsTable(QTableWidget):
    """Dossier summaries with status colours; Enter opens the selected one."""

    open_code = Signal(str)
    HEADERS = ("Mã hồ sơ", "Người nộp", "Thủ tục", "Hẹn trả", "Tình trạng")

    def __init__(self) -> None:
        super().__init__(0, len(self.HEADERS))
        self.setHorizontalHeaderLabels([tr(h) for h in self.HEADERS])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.doubleClicked.connect(lambda _i: self._open_current())
        self.setTabKeyNavigation(False)

    def fill(self, rows: list[DossierSummary]) -> None:
        self.setRowCount(len(rows))
        for r, s in enumerate(rows):
            state = tr(STATUS_LABELS.get(s.status, s.status))
            when = tr(TIMELINESS_LABELS.get(s.timeliness, ""))
            values = (
                s.code,
                s.applicant_name,
                s.procedure_name,
                f"{s.due_at:%d/%m/%Y}",
                f"{state} · {when}" if when else state,
            )
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                if c == 4:
                    item.setForeground(
                        QBrush(QColor(TIMELINESS_COLOURS.get(s.timeliness, "#111827")))
                    )
                self.setItem(r, c, item)
        self.resizeColumnsToContents()
        self.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        if rows:
            self.selectRow(0)

    def _open_current(self) -> None:
        row = self.currentRow()
        if row >= 0:
            self.open_code.emit(self.item(row, 0).text())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._open_current()
            return
        super().keyPressEvent(event)


class LookupDialog(QDialog):
    """One search box: code, name without accents, citizen ID or phone."""

    def __init__(
        self, ctx: ServiceContext, open_code: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("Tìm hồ sơ (Ctrl+F)"))
        lay = QVBoxLayout(self)
        self.query = QLineEdit()
        self.query.setPlaceholderText(
            tr("Mã hồ sơ, họ tên (không cần dấu), số CCCD hoặc điện thoại")
        )
        self.query.setProperty("codeScanTarget", False)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.results = ResultsTable()
        self.results.open_code.connect(open_code)
        lay.addWidget(self.query)
        lay.addWidget(self.status)
        lay.addWidget(self.results, 1)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.run_search)
        self.query.textEdited.connect(lambda _t: self._debounce.start())
        self.query.returnPressed.connect(self._enter)
        self.resize(980, 520)
        self.show_today()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and self.query.hasFocus():
            self.results.setFocus()
            return
        super().keyPressEvent(event)

    def _enter(self) -> None:
        self._debounce.stop()
        if (
            self.results.rowCount()
            and self.results.currentRow() >= 0
            and not self.query.isModified()
        ):
            self.results._open_current()
            return
        self.query.setModified(False)
        self.run_search(open_single=True)

    def show_today(self) -> None:
        run_task(self, lambda: lookup.received_on_day(self.ctx), self._show_today, self._failed)

    def _show_today(self, rows: list[DossierSummary]) -> None:
        self.status.setText(tr("Hồ sơ nhận hôm nay: {n}").format(n=len(rows)))
        self.results.fill(rows)

    def run_search(self, open_single: bool = False) -> None:
        text = self.query.text()
        if not text.strip():
            self.show_today()
            return
        run_task(
            self,
            lambda: lookup.search(self.ctx, text),
            lambda rows: self._show(rows, open_single),
            self._failed,
        )

    def _show(self, rows: list[DossierSummary], open_single: bool) -> None:
        self.status.setText(
            tr("Tìm thấy {n} hồ sơ").format(n=len(rows))
            if rows
            else tr("Không tìm thấy hồ sơ nào.")
        )
        self.results.fill(rows)
        if open_single and len(rows) == 1:
            self.results.open_code.emit(rows[0].code)

    def _failed(self, exc: Exception) -> None:
        self.status.setText(describe(exc) if isinstance(exc, CounterAppError) else str(exc))

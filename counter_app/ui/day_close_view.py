"""The supervisor's day close in the counter window (Ctrl+Shift+K; UI.md "Day close").

Pick the day (today by default; any day not yet closed), read the table per clerk and the
anomalies, tick each anomaly to acknowledge it (Space on the list, Ctrl+A all of them), then
one button — Ctrl+Enter "Khóa sổ và in" — closes the day and prints the day sheet on the A4
printer. A closed day shows who closed it and when, and F8 prints its sheet again. The
summary, the close and the print run off the GUI thread (ui.tasks), like the report view.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.dayclose import COLUMNS, anomaly_text, cell
from counter_app.domain.errors import CounterAppError
from counter_app.messages import describe
from counter_app.services import dayclose as svc
from counter_app.services import printjobs as pj
from counter_app.services.context import ServiceContext
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import run_task

SHORTCUT = "Ctrl+Shift+K"
ROLES = svc.CLOSER_ROLES


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _item(text: str, right: bool = False, bold: bool = False) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if right:
        it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = it.font()
        font.setBold(True)
        it.setFont(font)
    return it


class AnomalyList(QListWidget):
    """The anomalies; Enter ticks the current one like Space does (and never reaches the
    dialog, whose Enter reloads the day and would drop the ticks)."""

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            item = self.currentItem()
            if item is not None and item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                done = item.checkState() == Qt.CheckState.Checked
                item.setCheckState(Qt.CheckState.Unchecked if done else Qt.CheckState.Checked)
                self.setCurrentRow(min(self.currentRow() + 1, self.count() - 1))
            event.accept()
            return
        super().keyPressEvent(event)


class DayCloseDialog(QDialog):
    def __init__(
        self,
        ctx: ServiceContext,
        printers: pj.Printers,
        username: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.printers, self.username = ctx, printers, username
        self.summary: svc.DaySummary | None = None
        self.busy = False
        self.setWindowTitle(tr("Khóa sổ cuối ngày (Ctrl+Shift+K)"))
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Ngày:")))
        self.day = QDateEdit()
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setCalendarPopup(True)
        row.addWidget(self.day)
        self.view_button = QPushButton(tr("Enter  Xem"))
        self.view_button.clicked.connect(self.reload)
        row.addWidget(self.view_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.status = QLabel()
        self.status.setObjectName("title")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.table = QTableWidget(0, 1 + len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr("Cán bộ"), *(tr(h) for _k, h in COLUMNS)])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in range(1, 1 + len(COLUMNS)):
            head.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.table, 2)
        self.anomaly_label = QLabel(tr("ĐIỂM BẤT THƯỜNG"))
        self.anomaly_label.setObjectName("section")
        lay.addWidget(self.anomaly_label)
        self.anomalies = AnomalyList()
        self.anomalies.itemChanged.connect(lambda _i: self._update_button())
        lay.addWidget(self.anomalies, 2)
        buttons = QHBoxLayout()
        self.close_button = QPushButton(tr("Ctrl+Enter  Khóa sổ và in"))
        self.close_button.setObjectName("primary")
        self.close_button.clicked.connect(self.close_day)
        self.print_button = QPushButton(tr("F8  In lại phiếu khóa sổ"))
        self.print_button.clicked.connect(self.print_sheet)
        for b in (self.close_button, self.print_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.line = QLabel()
        self.line.setWordWrap(True)
        self.line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.line)
        hint = QLabel(
            tr(
                "Enter xem ngày · Space (hoặc Enter trong danh sách) đánh dấu đã xem "
                "điểm bất thường · Ctrl+A đánh dấu tất cả · Ctrl+Enter khóa sổ và in · "
                "F8 in lại · Esc đóng"
            )
        )
        hint.setObjectName("hint")
        lay.addWidget(hint)
        for keys, slot in (
            ("Ctrl+Return", self.close_day),
            ("Ctrl+Enter", self.close_day),
            ("Ctrl+A", self.acknowledge_all),
            ("F8", self.print_sheet),
        ):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
        self.day.setDate(_qdate(self.ctx.now().date()))
        self._update_button()
        self.resize(1100, 680)

    # ----- reading the day --------------------------------------------------------------------
    def keyPressEvent(self, event: Any) -> None:
        plain = event.modifiers() == Qt.KeyboardModifier.NoModifier
        if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.reload()
            return
        super().keyPressEvent(event)

    def reload(self) -> None:
        today = self.ctx.now().date()
        self.day.setMaximumDate(_qdate(today))
        day = _pydate(self.day.date())
        self.summary = None
        self._update_button()
        self.status.setText(tr("Đang tổng hợp ngày {d:%d/%m/%Y}…").format(d=day))
        run_task(self, lambda: svc.day_summary(self.ctx, day), self._show, self._failed)

    def _show(self, summary: svc.DaySummary) -> None:
        self.summary = summary
        rows = [*summary.per_clerk, {**summary.totals, "name": tr("Tổng cộng"), "username": ""}]
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            total = i == len(rows) - 1
            who = f"{r['name']} ({r['username']})" if r["username"] else r["name"]
            self.table.setItem(i, 0, _item(who, bold=total))
            for j, (k, _h) in enumerate(COLUMNS, start=1):
                self.table.setItem(i, j, _item(cell(r, k), right=True, bold=total))
        closed = summary.closed
        self.anomalies.blockSignals(True)
        self.anomalies.clear()
        for a in summary.anomalies:
            item = QListWidgetItem(anomaly_text(a))
            if closed is None:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            self.anomalies.addItem(item)
        self.anomalies.blockSignals(False)
        self.anomaly_label.setText(
            tr("ĐIỂM BẤT THƯỜNG ({n})").format(n=len(summary.anomalies))
            + ("" if closed else tr(" — đánh dấu từng điểm đã xem để khóa sổ"))
        )
        self.status.setText(self._status_text(summary))
        self._update_button()
        if closed is None and summary.anomalies:
            self.anomalies.setFocus()
            self.anomalies.setCurrentRow(0)

    def _status_text(self, s: svc.DaySummary) -> str:
        c = s.closed
        if c is not None:
            return tr(
                "Ngày {d:%d/%m/%Y}: Đã khóa sổ bởi {who} lúc {t:%H:%M} ngày {t:%d/%m/%Y}"
            ).format(d=s.day, who=c.full_name, t=c.at)
        if s.last_closed is not None and s.last_closed > s.day:
            return tr("Ngày {d:%d/%m/%Y}: không khóa được, đã khóa sổ đến {l:%d/%m/%Y}").format(
                d=s.day, l=s.last_closed
            )
        return tr("Ngày {d:%d/%m/%Y}: chưa khóa sổ · {n} hồ sơ tiếp nhận").format(
            d=s.day, n=s.totals.get("received", 0)
        )

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.status.setText(describe(exc) if isinstance(exc, CounterAppError) else str(exc))
        self._update_button()

    # ----- acknowledging and closing ----------------------------------------------------------
    def acknowledged(self) -> bool:
        return all(
            self.anomalies.item(i).checkState() == Qt.CheckState.Checked
            for i in range(self.anomalies.count())
        )

    def acknowledge_all(self) -> None:
        if self.summary is None or self.summary.closed is not None:
            return
        for i in range(self.anomalies.count()):
            self.anomalies.item(i).setCheckState(Qt.CheckState.Checked)

    def closable(self) -> bool:
        s = self.summary
        if s is None or s.closed is not None or self.busy:
            return False
        return (s.last_closed is None or s.last_closed < s.day) and self.acknowledged()

    def _update_button(self) -> None:
        self.close_button.setEnabled(self.closable())
        self.print_button.setEnabled(
            self.summary is not None and self.summary.closed is not None and not self.busy
        )

    def close_day(self) -> None:
        if not self.closable():
            if self.summary is not None and self.summary.closed is None:
                self.line.setText(tr("Hãy đánh dấu đã xem mọi điểm bất thường trước khi khóa sổ."))
            return
        shown = list(self.summary.anomalies) if self.summary else []
        day = self.summary.day if self.summary else None
        self.busy = True
        self._update_button()
        self.line.setText(tr("Đang khóa sổ…"))

        def work() -> svc.DaySummary:
            # The anomalies read inside the close must be those the supervisor ticked: one
            # that appeared meanwhile (a ticket called since) refuses the close.
            return svc.close_day(
                self.ctx, self.username, day, acknowledged=lambda now: now == shown
            )

        run_task(self, work, self._closed, self._close_failed)

    def _closed(self, summary: svc.DaySummary) -> None:
        self.busy = False
        self._show(summary)
        self.line.setText(tr("Đã khóa sổ. Đang in phiếu khóa sổ…"))
        self.print_sheet()

    def _close_failed(self, exc: Exception) -> None:
        self.busy = False
        msg = describe(exc) if isinstance(exc, CounterAppError) else str(exc)
        self.line.setText(tr("Chưa khóa sổ: {m}").format(m=msg))
        if isinstance(exc, CounterAppError) and exc.code == "close_day_anomalies_unacknowledged":
            self.reload()  # show what changed; the ticks start again
        else:
            self._update_button()

    def print_sheet(self) -> None:
        s = self.summary
        if s is None or s.closed is None:
            return

        def send() -> None:  # on the worker thread; reportlab loads with the first sheet
            from counter_app.printing.day_sheet import render_day_sheet

            self.printers.a4.send(render_day_sheet(s), copies=1, title=f"khoa so {s.day:%d%m%Y}")

        def done(_r: object) -> None:
            folder = pj.saved_folder(self.printers.a4)
            self.line.setText(
                tr(
                    "Đã khóa sổ. Chưa cấu hình máy in: đã lưu phiếu khóa sổ thành PDF trong {d}."
                ).format(d=folder)
                if folder is not None
                else tr("Đã khóa sổ và gửi phiếu khóa sổ tới máy in.")
            )

        def failed(exc: Exception) -> None:
            msg = describe(exc) if isinstance(exc, CounterAppError) else str(exc)
            self.line.setText(tr("Đã khóa sổ; chưa in được phiếu: {m} F8 in lại.").format(m=msg))

        run_task(self, send, done, failed)

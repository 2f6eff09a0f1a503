"""Máy in (Ctrl+Shift+P, supervisor): the A4 and label printers this install prints with, the
printers the operating system lists (with their state), and a test page for each printer
(issue 13 item 1). Listing and printing run on worker threads: the window never waits."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.errors import CounterAppError
from counter_app.messages import describe
from counter_app.services import printers as printers_svc
from counter_app.services import printjobs as pj
from counter_app.services.context import ServiceContext
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import run_task

SHORTCUT = "Ctrl+Shift+P"
ROLES = ("supervisor", "admin")
STATES = {
    "idle": "sẵn sàng",
    "printing": "đang in",
    "aborted": "đã hủy lệnh in",
    "error": "lỗi hoặc tạm dừng",
    "unknown": "không rõ",
}
DETAILS = {
    "rejecting": "từ chối lệnh in",
    "disabled": "bị tạm dừng",
    "media-empty": "hết giấy",
    "media-needed": "hết giấy",
    "input-tray-missing": "thiếu khay giấy",
    "paused": "bị tạm dừng",
    "offline": "mất kết nối",
    "jam": "kẹt giấy",
    "door-open": "mở nắp",
    "error": "báo lỗi",
}


def os_line(p: Any) -> str:
    state = tr(STATES.get(p.state, p.state))
    if p.detail:
        state += ", " + tr(DETAILS.get(p.detail, p.detail))
    mark = tr(" (mặc định)") if p.default else ""
    return f"{p.name}{mark}: {state}"


class PrintersDialog(QDialog):
    """Ctrl+Shift+P. Ctrl+1 test page on the A4 printer, Ctrl+2 on the label printer."""

    def __init__(
        self, ctx: ServiceContext, printers: pj.Printers, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.printers = ctx, printers
        self.setWindowTitle(tr("Máy in"))
        self.setMinimumWidth(760)
        lay = QVBoxLayout(self)
        self.a4_label = QLabel(tr("Máy in A4: {p}").format(p=pj.describe(printers.a4)))
        self.label_label = QLabel(tr("Máy in nhãn: {p}").format(p=pj.describe(printers.label)))
        lay.addWidget(self.a4_label)
        lay.addWidget(self.label_label)
        lay.addWidget(QLabel(tr("Máy in của máy tính:")))
        self.os_list = QListWidget()
        lay.addWidget(self.os_list, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("hint")
        lay.addWidget(self.message)
        row = QHBoxLayout()
        self.a4_button = QPushButton(tr("Ctrl+1  In thử máy in A4"))
        self.label_button = QPushButton(tr("Ctrl+2  In thử máy in nhãn"))
        self.reload_button = QPushButton(tr("F5  Tải lại danh sách"))
        close = QPushButton(tr("Esc  Đóng"))
        for b in (self.a4_button, self.label_button, self.reload_button, close):
            row.addWidget(b)
        lay.addLayout(row)
        self.a4_button.clicked.connect(lambda: self.test_page("a4"))
        self.label_button.clicked.connect(lambda: self.test_page("label"))
        self.reload_button.clicked.connect(self.reload)
        close.clicked.connect(self.close)
        for key, slot in (
            ("Ctrl+1", lambda: self.test_page("a4")),
            ("Ctrl+2", lambda: self.test_page("label")),
            ("F5", self.reload),
        ):
            QShortcut(QKeySequence(key), self).activated.connect(slot)
        self.busy = False

    def reload(self) -> None:
        """The OS's printers, listed on a worker thread (a network printer may be slow)."""

        def show(rows: list[Any]) -> None:
            self.os_list.clear()
            for p in rows:
                self.os_list.addItem(os_line(p))
            if not rows:
                self.os_list.addItem(tr("Máy tính không có máy in nào."))

        run_task(self, lambda: printers_svc.os_printers(self.ctx), show, self._failed)

    def test_page(self, kind: str) -> None:
        if self.busy:
            return
        self.busy = True
        spooler = self.printers.a4 if kind == "a4" else self.printers.label
        what = tr("máy in A4") if kind == "a4" else tr("máy in nhãn")
        self.message.setText(tr("Đang in thử {w}…").format(w=what))

        def done(report: printers_svc.TestPrint) -> None:
            self.busy = False
            if report.via == "pdf":
                text = tr("Chưa cấu hình {w}: đã lưu trang in thử thành PDF trong {p}.")
            else:
                text = tr("Đã gửi trang in thử tới {p} ({s:.1f} giây).")
            self.message.setText(text.format(w=what, p=report.printer, s=report.seconds))

        run_task(
            self, lambda: printers_svc.print_test_page(self.ctx, kind, spooler), done, self._failed
        )

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        msg = describe(exc) if isinstance(exc, CounterAppError) else str(exc)
        self.message.setText(tr("Không in được: {m}").format(m=msg))

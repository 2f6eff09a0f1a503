"""The ticket kiosk (touch, full screen): a button per service, a priority choice, the ticket."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.errors import CounterAppError
from counter_app.messages import describe, text_for
from counter_app.services import printjobs as pj
from counter_app.services import queue
from counter_app.services.context import ServiceContext
from counter_app.ui.device_status import DeviceStates
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import run_task
from counter_app.ui_text import PRIORITY_LABELS

KIOSK_STYLE = """
QWidget#kiosk { background: #0f3d6e; }
QLabel#kioskTitle { color: white; font-size: 34px; font-weight: 700; }
QLabel#kioskHint { color: #dbeafe; font-size: 22px; }
QPushButton#serviceButton {
    background: white; color: #0f3d6e; border-radius: 18px; font-size: 34px; font-weight: 700;
    padding: 24px; min-height: 150px;
}
QPushButton#serviceButton:pressed { background: #bfdbfe; }
QPushButton#serviceButton:disabled { background: #64748b; color: #e2e8f0; font-size: 28px; }
QLabel#kioskClosed {
    background: #fde68a; color: #1f2937; border-radius: 14px; font-size: 26px; font-weight: 600;
    padding: 14px;
}
QPushButton#priorityButton {
    background: #1e5a96; color: white; border: 2px solid #93c5fd; border-radius: 14px;
    font-size: 22px; padding: 14px;
}
QPushButton#priorityButton:disabled { background: #334155; color: #94a3b8; border-color: #475569; }
QPushButton#priorityButton:checked { background: #f59e0b; color: #1f2937; border-color: #fbbf24; }
QLabel#ticketNumber { color: white; font-size: 150px; font-weight: 800; }
QLabel#ticketInfo { color: white; font-size: 30px; }
QLabel#ticketWarn { color: #fde68a; font-size: 24px; }
QLabel#kioskNotice { color: #cbd5e1; font-size: 18px; }
"""
RETURN_AFTER_MS = 8000


class KioskWindow(QWidget):
    """Touch a service -> a ticket number, people ahead, estimated wait; the ticket prints."""

    def __init__(
        self, ctx: ServiceContext, unit_name: str, devices: DeviceStates | None = None
    ) -> None:
        super().__init__()
        self.ctx, self.unit_name = ctx, unit_name
        # The supervisor's status (the counter window's status bar when it opened this kiosk;
        # a kiosk on its own logs only).
        self.devices = devices if devices is not None else DeviceStates(self)
        self.setObjectName("kiosk")
        self.setStyleSheet(KIOSK_STYLE)
        self.setWindowTitle(tr("Lấy số thứ tự"))
        self.services: list[queue.ServiceInfo] = []
        self.last: queue.TicketInfo | None = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self._start_page())
        self.stack.addWidget(self._ticket_page())
        lay = QVBoxLayout(self)
        lay.addWidget(self.stack)
        self._back = QTimer(self)
        self._back.setSingleShot(True)
        self._back.timeout.connect(self.show_start)
        self._poll = QTimer(self)
        self._poll.timeout.connect(self.refresh)
        self._poll.start(5000)
        self.refresh()

    def _start_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        title = QLabel(f"{self.unit_name} · {tr('Mời chọn lĩnh vực')}")
        title.setObjectName("kioskTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        lay.addWidget(title)
        # Outside a service's hours: said before anyone touches a button (which is greyed out).
        self.closed_note = QLabel()
        self.closed_note.setObjectName("kioskClosed")
        self.closed_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.closed_note.setWordWrap(True)
        self.closed_note.setVisible(False)
        lay.addWidget(self.closed_note)
        self.grid = QGridLayout()
        self.grid.setSpacing(24)
        lay.addLayout(self.grid, 1)
        hint = QLabel(
            tr(
                "Người cao tuổi, người khuyết tật, phụ nữ mang thai, người có con nhỏ: "
                "chọn ƯU TIÊN trước"
            )
        )
        hint.setObjectName("kioskHint")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        lay.addWidget(hint)
        row = QHBoxLayout()
        self.priority = QButtonGroup(self)
        self.priority.setExclusive(False)
        for key, label in PRIORITY_LABELS.items():
            b = QPushButton(tr("Ưu tiên: {x}").format(x=tr(label).lower()))
            b.setObjectName("priorityButton")
            b.setCheckable(True)
            b.setProperty("priority", key)
            b.toggled.connect(lambda on, btn=b: self._only(btn) if on else None)
            self.priority.addButton(b)
            row.addWidget(b)
        lay.addLayout(row)
        # A background failure (the waiting counts could not be read): one quiet line.
        self.notice = QLabel()
        self.notice.setObjectName("kioskNotice")
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice.setVisible(False)
        lay.addWidget(self.notice)
        return page

    def show_task_error(self, _text: str) -> None:
        """The default for a failed background task (ui.tasks, already logged): a citizen
        needs no error text, only to know the counts may be stale; it clears on success."""
        self.notice.setText(tr("Số người chờ có thể chưa cập nhật. Mời báo cán bộ nếu cần."))
        self.notice.setVisible(True)

    def _only(self, chosen: QPushButton) -> None:
        for b in self.priority.buttons():
            if b is not chosen:
                b.setChecked(False)

    def _ticket_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addStretch(1)
        self.t_caption = QLabel(tr("Số của bạn"))
        self.t_caption.setObjectName("ticketInfo")
        self.t_number = QLabel()
        self.t_number.setObjectName("ticketNumber")
        self.t_info = QLabel()
        self.t_info.setObjectName("ticketInfo")
        self.t_warn = QLabel()
        self.t_warn.setObjectName("ticketWarn")
        self.t_warn.setWordWrap(True)
        for w in (self.t_caption, self.t_number, self.t_info, self.t_warn):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(w)
        self.reprint = QPushButton(tr("In lại vé"))
        self.reprint.setObjectName("priorityButton")
        self.reprint.clicked.connect(lambda: self._print(self.last))
        self.reprint.setVisible(False)
        lay.addWidget(self.reprint, 0, Qt.AlignmentFlag.AlignCenter)
        lay.addStretch(1)
        return page

    def refresh(self) -> None:
        run_task(self, lambda: queue.list_services(self.ctx), self._fill)

    def _fill(self, services: list[queue.ServiceInfo]) -> None:
        self.services = services
        self.notice.setVisible(False)
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        cols = 3 if len(services) > 4 else 2
        for i, s in enumerate(services):
            if s.open_now:
                line = tr("{n} người chờ").format(n=s.waiting)
            else:
                line = tr("Phát số từ {opens} đến {closes}").format(opens=s.opens, closes=s.closes)
            b = QPushButton(f"{s.name.upper()}\n{line}")
            b.setObjectName("serviceButton")
            b.setProperty("service", s.code)
            b.setEnabled(s.open_now)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            b.clicked.connect(lambda _c=False, code=s.code: self.take(code))
            self.grid.addWidget(b, i // cols, i % cols)
        self._closed_notice(services)

    def _closed_notice(self, services: list[queue.ServiceInfo]) -> None:
        closed = [s for s in services if not s.open_now]
        hours = {(s.opens, s.closes) for s in closed}
        if closed and len(closed) == len(services) and len(hours) == 1:
            opens, closes = hours.pop()
            lines = [
                tr("Hiện đang ngoài giờ phát số thứ tự."),
                tr("Các lĩnh vực phát số từ {opens} đến {closes}.").format(
                    opens=opens, closes=closes
                ),
            ]
        else:
            lines = [
                tr(text_for("service_closed", name=s.name, opens=s.opens, closes=s.closes))
                for s in closed
            ]
        self.closed_note.setText("\n".join(lines))
        self.closed_note.setVisible(bool(lines))
        for b in self.priority.buttons():  # nothing to choose a priority for
            b.setEnabled(len(closed) < len(services))

    def service_buttons(self) -> list[QPushButton]:
        """The service buttons in kiosk order (for tests and accessibility checks)."""
        out = []
        for i in range(self.grid.count()):
            item = self.grid.itemAt(i)
            w = item.widget() if item is not None else None
            if isinstance(w, QPushButton):
                out.append(w)
        return out

    def chosen_priority(self) -> str:
        for b in self.priority.buttons():
            if b.isChecked():
                return str(b.property("priority"))
        return ""

    def take(self, service_code: str) -> None:
        priority = self.chosen_priority()
        run_task(
            self, lambda: queue.issue(self.ctx, service_code, priority), self._issued, self._failed
        )

    def _issued(self, ticket: queue.TicketInfo) -> None:
        self.last = ticket
        for b in self.priority.buttons():
            b.setChecked(False)
        self.t_caption.setVisible(True)
        self.t_number.setText(ticket.number)
        self.t_number.setVisible(True)
        self.t_info.setText(
            tr("{service} · Trước bạn {n} người · Dự kiến {m} phút").format(
                service=ticket.service_name, n=ticket.ahead, m=ticket.estimated_wait_min
            )
        )
        self.t_warn.setText(tr("Đang in vé…"))
        self.reprint.setVisible(False)
        self.stack.setCurrentIndex(1)
        self._print(ticket)
        self._back.start(RETURN_AFTER_MS)

    def _print(self, ticket: queue.TicketInfo | None) -> None:
        if ticket is None:
            return
        counters = next((s.counters for s in self.services if s.name == ticket.service_name), ())
        data = pj.ticket_data(ticket, self.unit_name, counters)

        def failed(exc: Exception) -> None:
            # Issue 14 item 11: the citizen reads calm Vietnamese, never a URL or an OS error;
            # the details go to the log and the supervisor's status bar (no personal data:
            # a ticket number is not one).
            detail = describe(exc) if isinstance(exc, CounterAppError) else str(exc)
            self.devices.failed("ticket", detail)
            self.t_warn.setText(
                tr(
                    "Vé chưa in được, mời ghi nhớ số {n} hoặc lấy số tại quầy. "
                    "Số của bạn vẫn được giữ."
                ).format(n=ticket.number)
            )
            self.reprint.setVisible(True)
            self._back.start(RETURN_AFTER_MS * 2)

        def done(_where: object) -> None:
            self.devices.succeeded("ticket", bool(self.ctx.settings.ticket_printer))
            self.t_warn.setText(tr("Mời nhận vé bên dưới."))

        run_task(
            self,
            lambda: pj.print_ticket(data, self.ctx.settings, self.ctx.adapters),
            done,
            failed,
        )

    def _failed(self, exc: Exception) -> None:
        # No number was given: never "Số của bạn" above an empty space.
        self.t_caption.setVisible(False)
        self.t_number.setText("")
        self.t_number.setVisible(False)
        self.reprint.setVisible(False)
        self.t_info.setText(describe(exc) if isinstance(exc, CounterAppError) else str(exc))
        self.t_warn.setText(tr("Xin lỗi, chưa lấy được số. Mời thử lại hoặc báo cán bộ."))
        self.stack.setCurrentIndex(1)
        self._back.start(RETURN_AFTER_MS)

    def show_start(self) -> None:
        self.stack.setCurrentIndex(0)
        self.refresh()

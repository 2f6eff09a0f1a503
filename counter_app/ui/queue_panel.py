"""The call panel in the counter window: the ticket being served, waiting counts, F-key actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.errors import CounterAppError
from counter_app.messages import describe
from counter_app.services import queue
from counter_app.services.context import ServiceContext
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import run_task
from counter_app.ui_text import PRIORITY_LABELS

# Keys from UI.md's sketch: F1 call, F2 recall, F4 no-show, F5 transfer, F6 hold, F7 finish.
ACTIONS = (
    ("F1", "Gọi số tiếp", "call_next"),
    ("F2", "Gọi lại", "recall"),
    ("F4", "Vắng mặt", "skip"),
    ("F5", "Chuyển", "transfer"),
    ("F6", "Giữ lại", "hold"),
    ("F7", "Kết thúc", "finish"),
    ("Shift+F6", "Gọi số đang giữ", "resume"),
)


def waited_text(seconds: int) -> str:
    minutes = max(0, seconds) // 60
    return tr("chờ {m} phút").format(m=minutes) if minutes else tr("chờ dưới 1 phút")


class TransferDialog(QDialog):
    """Choose where the ticket goes: another service's queue, or a counter (↑/↓, Enter)."""

    def __init__(self, services: list[queue.ServiceInfo], counter: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Chuyển số"))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(tr("Chuyển sang lĩnh vực hoặc quầy:")))
        self.choices = QListWidget()
        for s in services:
            item = QListWidgetItem(
                tr("Lĩnh vực {name} ({n} người chờ)").format(name=s.name, n=s.waiting)
            )
            item.setData(Qt.ItemDataRole.UserRole, ("service", s.code))
            self.choices.addItem(item)
        others = sorted({c for s in services for c in s.counters} - {counter})
        for c in others:
            item = QListWidgetItem(tr("Quầy số {c}").format(c=c))
            item.setData(Qt.ItemDataRole.UserRole, ("counter", c))
            self.choices.addItem(item)
        self.choices.setCurrentRow(0)
        self.choices.itemActivated.connect(lambda _i: self.accept())
        lay.addWidget(self.choices)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def choice(self) -> tuple[str, Any] | None:
        item = self.choices.currentItem()
        if item is None:
            return None
        kind, target = item.data(Qt.ItemDataRole.UserRole)
        return str(kind), target


class HeldDialog(QDialog):
    """Choose a held ticket to call back (↑/↓, Enter); the oldest is chosen first."""

    def __init__(self, held: list[queue.TicketInfo], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Gọi số đang giữ"))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(tr("Số đang giữ lại hôm nay:")))
        self.choices = QListWidget()
        for t in held:
            item = QListWidgetItem(
                tr("Số {n} · {service} · giữ ở quầy số {c} · lấy số lúc {at}").format(
                    n=t.number, service=t.service_name, c=t.counter, at=f"{t.issued_at:%H:%M}"
                )
            )
            item.setData(Qt.ItemDataRole.UserRole, t.number)
            self.choices.addItem(item)
        self.choices.setCurrentRow(0)
        self.choices.itemActivated.connect(lambda _i: self.accept())
        lay.addWidget(self.choices)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def choice(self) -> str | None:
        item = self.choices.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))


class QueuePanel(QFrame):
    """Shows and drives this counter's queue; every action runs off the GUI thread."""

    ticket_changed = Signal(object)  # TicketInfo | None: the intake links dossiers to it
    message = Signal(str)
    ticket_finished = Signal(object)  # TicketInfo done here (F7, or F1 ending it): rate it

    def __init__(self, ctx: ServiceContext, counter: int, username: str) -> None:
        super().__init__()
        self.setObjectName("panel")
        self.ctx, self.counter, self.username = ctx, counter, username
        self.ticket: queue.TicketInfo | None = None
        self.services: list[queue.ServiceInfo] = []
        self.held: list[queue.TicketInfo] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        head = QLabel(tr("HÀNG ĐỢI"))
        head.setObjectName("section")
        lay.addWidget(head)
        self.now_serving = QLabel(tr("Chưa gọi số nào"))
        self.now_serving.setObjectName("serving")
        self.now_serving.setWordWrap(True)
        lay.addWidget(self.now_serving)
        self.waiting = QLabel()
        self.waiting.setWordWrap(True)
        self.waiting.setObjectName("hint")
        lay.addWidget(self.waiting)
        self.held_line = QLabel()
        self.held_line.setWordWrap(True)
        self.held_line.setObjectName("hint")
        self.held_line.hide()
        lay.addWidget(self.held_line)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for i, (key, label, action) in enumerate(ACTIONS):
            b = QPushButton(f"{key}  {tr(label)}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys are the way; focus stays in the form
            b.clicked.connect(lambda _c=False, a=action: self.act(a))
            self.buttons[action] = b
            grid.addWidget(b, i // 2, i % 2)
        lay.addLayout(grid)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(4000)
        self._update_buttons()
        self.refresh()

    def shortcuts(self) -> list[tuple[str, Callable[[], None]]]:
        def bound(action: str) -> Callable[[], None]:
            return lambda: self.act(action)

        return [(key, bound(action)) for key, _label, action in ACTIONS]

    def refresh(self) -> None:
        def load() -> tuple[
            list[queue.ServiceInfo], queue.TicketInfo | None, list[queue.TicketInfo]
        ]:
            return (
                queue.list_services(self.ctx),
                queue.current(self.ctx, self.counter),
                queue.held_tickets(self.ctx),
            )

        run_task(self, load, self._show)

    def _show(
        self,
        data: tuple[list[queue.ServiceInfo], queue.TicketInfo | None, list[queue.TicketInfo]],
    ) -> None:
        self.services, ticket, self.held = data
        if self.held:
            numbers = ", ".join(
                t.number if t.counter == self.counter else f"{t.number} (quầy {t.counter})"
                for t in self.held
            )
            self.held_line.setText(tr("Đang giữ: {n} · Shift+F6 gọi lại").format(n=numbers))
            self.held_line.show()
        else:
            self.held_line.hide()
        mine = [s for s in self.services if self.counter in s.counters]
        parts = []
        for s in mine:
            extra = tr(" ({n} ưu tiên)").format(n=s.waiting_priority) if s.waiting_priority else ""
            parts.append(f"{s.name} {s.waiting}{extra}")
        self.waiting.setText(
            tr("Chờ: ") + (" · ".join(parts) if parts else tr("quầy chưa phục vụ lĩnh vực nào"))
        )
        self._set_ticket(ticket)

    def _set_ticket(self, ticket: queue.TicketInfo | None) -> None:
        changed = (ticket.id if ticket else None) != (self.ticket.id if self.ticket else None)
        self.ticket = ticket
        if ticket is None:
            self.now_serving.setText(tr("Chưa gọi số nào · F1 gọi số tiếp"))
        else:
            prio = tr(PRIORITY_LABELS[ticket.priority]) if ticket.priority else ""
            waited = (
                waited_text(int((ticket.called_at - ticket.issued_at).total_seconds()))
                if ticket.called_at
                else ""
            )
            # Called before midnight and not finished yet: still this counter's (F7 ends it).
            earlier = ticket.issued_at.date() < self.ctx.now().date()
            since = tr("gọi từ ngày {d}").format(d=f"{ticket.issued_at:%d/%m}") if earlier else ""
            bits = [b for b in (ticket.service_name, waited, prio, since) if b]
            self.now_serving.setText(
                tr("Đang phục vụ: <b>{n}</b><br>{rest}").format(
                    n=ticket.number, rest=" · ".join(bits)
                )
            )
        self._update_buttons()
        if changed:
            self.ticket_changed.emit(ticket)

    def _update_buttons(self) -> None:
        has = self.ticket is not None
        for action, b in self.buttons.items():
            if action == "resume":
                b.setEnabled(bool(self.held))
            else:
                b.setEnabled(action == "call_next" or has)

    def act(self, action: str) -> None:
        kwargs: dict[str, Any] = {"user": self.username}
        if action == "transfer":
            if self.ticket is None:
                return
            dlg = TransferDialog(self.services, self.counter, self)
            if not dlg.exec() or dlg.choice() is None:
                return
            kind, target = dlg.choice()  # type: ignore[misc]
            kwargs["to_service" if kind == "service" else "to_counter"] = target
        if action == "resume":
            if not self.held:
                self.message.emit(tr("Không có số nào đang giữ."))
                return
            held = HeldDialog(self.held, self)
            number = held.choice() if held.exec() else None
            if number is None:
                return
            run_task(
                self,
                lambda: queue.resume(self.ctx, number, self.counter, **kwargs),
                lambda t: self._done(action, t),
                self._failed,
            )
            return
        fn = getattr(queue, action)
        serving = self.ticket  # call-next finishes it first
        run_task(
            self,
            lambda: fn(self.ctx, self.counter, **kwargs),
            lambda t: self._done(action, t, serving),
            self._failed,
        )

    def _done(
        self,
        action: str,
        ticket: queue.TicketInfo | None,
        serving: queue.TicketInfo | None = None,
    ) -> None:
        if action == "finish" and ticket is not None:
            self.ticket_finished.emit(ticket)
        elif action == "call_next" and serving is not None:
            self.ticket_finished.emit(serving)
        if action in ("call_next", "recall", "resume"):
            if ticket is None:
                self.message.emit(tr("Không còn ai chờ."))
            else:
                self.message.emit(
                    tr("Mời số {n} đến quầy số {c}").format(n=ticket.number, c=self.counter)
                )
            self._set_ticket(ticket)
        else:
            self._set_ticket(None)
            words = {
                "skip": "vắng mặt",
                "finish": "đã xong",
                "hold": "đang giữ",
                "transfer": "đã chuyển",
            }
            if ticket is not None:
                self.message.emit(tr("Số {n}: {w}.").format(n=ticket.number, w=tr(words[action])))
        self.refresh()

    def _failed(self, exc: Exception) -> None:
        self.message.emit(describe(exc) if isinstance(exc, CounterAppError) else str(exc))

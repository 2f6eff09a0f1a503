"""The intake screen: procedure, applicant, checklist, live due date; Ctrl+S saves and prints."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.cccd import CccdData, validate_email, validate_id_number, validate_phone
from counter_app.domain.errors import ValidationError
from counter_app.domain.model import RECEIVE_CHANNELS, RETURN_CHANNELS
from counter_app.domain.text import clean_address, clean_name, fold
from counter_app.domain.workdays import compute_due
from counter_app.services.catalogue import CatalogueEntry
from counter_app.services.context import ServiceContext
from counter_app.services.intake import IntakeSetup, parse_intake, returning_applicant
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import run_task
from counter_app.ui.widgets import DocumentTable, Field, ProcedurePicker
from counter_app.ui_text import (
    RECEIVE_CHANNEL_LABELS,
    RETURN_CHANNEL_LABELS,
    WEEKDAYS,
    fee_text,
    processing_time,
)

FIELD_CHECKS: dict[str, Any] = {
    "name": lambda v: clean_name(v, "applicant.name"),
    "id_number": lambda v: validate_id_number(v, "applicant.id_number") if v.strip() else "",
    "phone": lambda v: validate_phone(v, "applicant.phone"),
    "address": lambda v: clean_address(v, "applicant.address"),
    "email": lambda v: validate_email(v, "applicant.email"),
}


def due_text(due: Any) -> str:
    return tr("{hh} giờ {mm}, {wd} {date}").format(
        hh=f"{due.hour:02d}",
        mm=f"{due.minute:02d}",
        wd=WEEKDAYS[due.weekday()],
        date=due.strftime("%d/%m/%Y"),
    )


class IntakeForm(QWidget):
    """Emits `save_requested(raw intake dict)`; the window saves it off the GUI thread."""

    save_requested = Signal(dict)
    message = Signal(str)

    def __init__(self, ctx: ServiceContext, setup: IntakeSetup) -> None:
        super().__init__()
        self.ctx = ctx
        self.setup = setup
        self.entry: CatalogueEntry | None = None
        self.offer: dict[str, str] | None = None
        self.ticket_id: str | None = None  # the queue ticket being served, if any
        self.fields: dict[str, Field] = {}
        self._build()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh_due)
        self._timer.start(30_000)

    # ----- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(6)
        lay.addWidget(self._section(tr("TIẾP NHẬN HỒ SƠ")))
        lay.addLayout(self._procedure_row())
        lay.addWidget(self._section(tr("NGƯỜI NỘP HỒ SƠ")))
        lay.addLayout(self._applicant_grid())
        lay.addWidget(self._offer_bar())
        lay.addWidget(
            self._section(tr("THÀNH PHẦN HỒ SƠ  (Space: đánh dấu đã nhận · F3: nhận đủ)"))
        )
        self.docs = DocumentTable()
        self.docs.changed.connect(self._update_save_mode)
        lay.addWidget(self.docs, 1)
        lay.addLayout(self._options_row())
        lay.addLayout(self._summary_row())
        lay.addLayout(self._buttons_row())
        self._shortcuts()

    @staticmethod
    def _section(text: str) -> QLabel:
        lbl = QLabel(text)
        lbl.setObjectName("section")
        return lbl

    def _procedure_row(self) -> QFormLayout:
        form = QFormLayout()
        self.picker = ProcedurePicker(self.setup.entries)
        self.picker.chosen.connect(self.set_procedure)
        self.proc_info = QLabel(tr("Chưa chọn thủ tục"))
        self.proc_info.setObjectName("procInfo")
        self.proc_error = QLabel()
        self.proc_error.setObjectName("error")
        self.proc_error.setVisible(False)
        form.addRow(tr("Thủ tục"), self.picker)
        form.addRow("", self.proc_info)
        form.addRow("", self.proc_error)
        return form

    def _applicant_grid(self) -> QGridLayout:
        grid = QGridLayout()
        specs = [
            ("name", tr("Họ và tên"), tr("Quét mã QR trên CCCD hoặc gõ họ tên"), 0, 0),
            ("id_number", tr("Số CCCD"), tr("12 chữ số"), 0, 2),
            ("phone", tr("Điện thoại"), tr("Ví dụ 0912345678"), 1, 0),
            ("email", tr("Email"), tr("Không bắt buộc"), 1, 2),
            ("address", tr("Địa chỉ"), tr("Số nhà, đường/ấp, xã/phường, tỉnh"), 2, 0),
        ]
        for key, label, hint, row, col in specs:
            f = Field(hint)
            f.edit.setProperty("codeScanTarget", True)
            f.edit.returnPressed.connect(self.focusNextChild)
            f.edit.editingFinished.connect(lambda k=key: self.check_field(k))
            self.fields[key] = f
            grid.addWidget(QLabel(label), row, col, Qt.AlignmentFlag.AlignTop)
            span = 3 if key == "address" else 1
            grid.addWidget(f, row, col + 1, 1, span)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        self.fields["id_number"].edit.editingFinished.connect(self._look_up_applicant)
        return grid

    def _offer_bar(self) -> QFrame:
        self.offer_frame = QFrame()
        self.offer_frame.setObjectName("banner")
        self.offer_frame.setProperty("kind", "busy")
        row = QHBoxLayout(self.offer_frame)
        row.setContentsMargins(8, 2, 8, 2)
        self.offer_label = QLabel()
        self.offer_button = QPushButton(tr("Dùng thông tin đã lưu (Ctrl+D)"))
        self.offer_button.clicked.connect(self.accept_offer)
        row.addWidget(self.offer_label, 1)
        row.addWidget(self.offer_button)
        self.offer_frame.setVisible(False)
        return self.offer_frame

    def _options_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.sets = QSpinBox()
        self.sets.setRange(1, 99)
        self.sets.setFixedWidth(60)
        self.receive = QComboBox()
        for c in RECEIVE_CHANNELS:
            self.receive.addItem(tr(RECEIVE_CHANNEL_LABELS[c]), c)
        self.ret = QComboBox()
        for c in RETURN_CHANNELS:
            self.ret.addItem(tr(RETURN_CHANNEL_LABELS[c]), c)
        self.ret.currentIndexChanged.connect(self._return_changed)
        self.return_address = Field(tr("Địa chỉ nhận kết quả qua bưu điện"))
        self.return_address.setEnabled(False)
        for label, w in (
            (tr("Số bộ"), self.sets),
            (tr("Nhận qua"), self.receive),
            (tr("Trả qua"), self.ret),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(w)
        row.addWidget(self.return_address, 1)
        return row

    def _summary_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.fee = QLabel()
        self.fee.setObjectName("fee")
        self.due = QLabel()
        self.due.setObjectName("due")
        row.addWidget(self.fee)
        row.addStretch(1)
        row.addWidget(self.due)
        return row

    def _buttons_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.save_button = QPushButton()
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.request_save)
        self.clear_button = QPushButton(tr("Esc  Làm mới"))
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.save_button, 1)
        row.addWidget(self.clear_button)
        self._update_save_mode()
        return row

    def _shortcuts(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            ("Ctrl+S", self.request_save),
            ("Ctrl+D", self.accept_offer),
            ("F3", lambda: self.docs.set_all(True)),
            ("Ctrl+T", self.picker.setFocus),
        ):
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(ctx)
            sc.activated.connect(slot)

    # ----- behaviour ----------------------------------------------------------------------
    def set_procedure(self, entry: CatalogueEntry) -> None:
        self.entry = entry
        p = entry.procedure
        level = tr("Cấp xã") if p.level == "commune" else tr("Cấp tỉnh")
        days = processing_time(p.processing_days, p.time_unit)
        self.proc_info.setText(f"{p.code} · {p.sector} · {level} · {days}")
        self.proc_error.setVisible(False)
        self.fee.setText(
            tr("Phí, lệ phí: {fee}").format(fee=fee_text(p.fee, p.fee_unit))
            if p.fee
            else tr("Không thu phí")
        )
        self.docs.load(entry.documents)
        self.refresh_due()
        self.fields["name"].edit.setFocus()

    def refresh_due(self) -> None:
        if self.entry is None:
            self.due.setText("")
            return
        plan = compute_due(
            self.ctx.now(),
            self.entry.procedure.processing_days,
            self.setup.calendar,
            self.setup.hours,
            time_unit=self.entry.procedure.time_unit,
        )
        self.due.setText(tr("Hẹn trả: {due}").format(due=due_text(plan.due_at)))
        summary = plan.skipped_summary()
        self.due.setToolTip(tr("Lùi do nghỉ: {s}").format(s=summary) if summary else "")

    def _update_save_mode(self) -> None:
        missing = self.docs.missing_required() if self.entry else []
        self.save_button.setProperty("supplement", bool(missing))
        text = (
            tr("Ctrl+S  Lưu và in phiếu yêu cầu bổ sung (thiếu {n} giấy tờ)").format(n=len(missing))
            if missing
            else tr("Ctrl+S  Lưu và in giấy tiếp nhận")
        )
        self.save_button.setText(text)
        self.save_button.style().unpolish(self.save_button)
        self.save_button.style().polish(self.save_button)

    def _return_changed(self) -> None:
        postal = self.ret.currentData() == "postal"
        self.return_address.setEnabled(postal)
        if postal and not self.return_address.text():
            self.return_address.edit.setText(self.fields["address"].text())

    def check_field(self, key: str) -> bool:
        f = self.fields[key]
        try:
            if key == "id_number" and f.text().strip():  # the birth year against ctx's today
                validate_id_number(f.text(), "applicant.id_number", today=self.ctx.now().date())
            else:
                FIELD_CHECKS[key](f.text())
        except ValidationError as exc:
            f.set_error(next(iter(exc.field_errors.values()), exc.code))
            return False
        f.set_error(None)
        return True

    def _look_up_applicant(self) -> None:
        idn = self.fields["id_number"].text().strip()
        if len(idn) != 12 or not self.check_field("id_number"):
            return
        run_task(self, lambda: returning_applicant(self.ctx, idn), self._show_offer)

    def _show_offer(self, found: dict[str, str] | None) -> None:
        self.offer = found
        if not found:
            self.offer_frame.setVisible(False)
            return
        typed = self.fields["name"].text()
        details = tr("{name} · {phone} · {address}").format(
            name=found["name"], phone=found["phone"] or "—", address=found["address"] or "—"
        )
        if typed.strip() and fold(typed) != fold(found["name"]):
            # Same ID, another name: most often a mistyped ID. Say so before it is saved.
            text = tr("Số CCCD này đã được ghi cho người khác: {d}. Kiểm tra lại số CCCD.")
            kind = "error"
        else:
            text = tr("Người nộp đã từng nộp hồ sơ: {d}")
            kind = "busy"
        self.offer_label.setText(text.format(d=details))
        self.offer_label.setWordWrap(True)
        self.offer_frame.setProperty("kind", kind)
        self.offer_frame.style().unpolish(self.offer_frame)
        self.offer_frame.style().polish(self.offer_frame)
        self.offer_frame.setVisible(True)

    def accept_offer(self) -> None:
        if not self.offer:
            return
        for key in ("name", "phone", "address", "email"):
            if self.offer.get(key) and not self.fields[key].text().strip():
                self.fields[key].edit.setText(self.offer[key])
                self.fields[key].set_error(None)
        self.offer_frame.setVisible(False)

    def fill_from_cccd(self, data: CccdData) -> None:
        """A scanned ID card fills name, ID and address; phone and email stay as typed."""
        self.fields["name"].edit.setText(data.name)
        self.fields["id_number"].edit.setText(data.id_number)
        if data.address:
            self.fields["address"].edit.setText(data.address)
        for key in ("name", "id_number", "address"):
            self.check_field(key)
        self.message.emit(tr("Đã đọc CCCD của {name}").format(name=data.name))
        self._look_up_applicant()
        self.fields["phone"].edit.setFocus()

    def raw(self) -> dict[str, Any]:
        return {
            "procedure": self.entry.procedure.code if self.entry else "",
            "applicant": {k: f.text() for k, f in self.fields.items()},
            "documents": self.docs.rows(),
            "sets": self.sets.value(),
            "receive_channel": self.receive.currentData(),
            "return_channel": self.ret.currentData(),
            "return_address": self.return_address.text()
            if self.ret.currentData() == "postal"
            else "",
            "ticket_id": self.ticket_id,
        }

    def show_errors(self, errors: dict[str, str]) -> None:
        """Errors sit next to their fields; the first one gets the focus; nothing is erased."""
        first: QWidget | None = None
        for key, f in self.fields.items():
            code = errors.get(f"applicant.{key}")
            f.set_error(code)
            first = first or (f.edit if code else None)
        self.return_address.set_error(errors.get("return_address"))
        if errors.get("return_address"):
            first = first or self.return_address.edit
        if "procedure" in errors:
            self.proc_error.setText(tr("Chọn thủ tục trước khi lưu."))
            self.proc_error.setVisible(True)
            first = self.picker
        if first is not None:
            first.setFocus()

    def request_save(self) -> None:
        raw = self.raw()
        try:
            parse_intake(raw, self.ctx.now().date())
        except ValidationError as exc:
            self.show_errors(exc.field_errors or {"procedure": exc.code})
            self.message.emit(tr("Hồ sơ chưa lưu: kiểm tra các ô báo đỏ."))
            return
        self.show_errors({})
        self.save_requested.emit(raw)

    def clear(self) -> None:
        self.entry = None
        self.offer = None
        self.offer_frame.setVisible(False)
        self.picker.clear()
        self.proc_info.setText(tr("Chưa chọn thủ tục"))
        for f in (*self.fields.values(), self.return_address):
            f.edit.clear()
            f.set_error(None)
        self.docs.load(())
        self.sets.setValue(1)
        self.receive.setCurrentIndex(0)
        self.ret.setCurrentIndex(0)
        self.fee.setText("")
        self.due.setText("")
        self.picker.setFocus()

    def is_dirty(self) -> bool:
        return self.entry is not None or any(f.text().strip() for f in self.fields.values())

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)

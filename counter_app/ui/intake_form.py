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
    QMessageBox,
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
from counter_app.services.address_entry import address_setup
from counter_app.services.catalogue import CatalogueEntry
from counter_app.services.context import ServiceContext
from counter_app.services.intake import (
    IntakeRequest,
    IntakeSetup,
    parse_intake,
    returning_applicant,
)
from counter_app.services.repeats import same_day_dossiers
from counter_app.ui.address_field import CHOICE_KEYS, PROPOSAL_KEY, AddressField
from counter_app.ui.document_pages import DocumentPages
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


# After a scan or Ctrl+D the focus goes to the first of these left empty (the name is
# required, the phone is asked of everyone), else to the document checklist.
NEXT_FIELDS = ("name", "phone")


def no_focus(button: QPushButton) -> QPushButton:
    """A button with its own key stays out of the Enter/Tab path: a Space or Enter meant for
    a field or the checklist must never press it."""
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setAutoDefault(False)
    button.setDefault(False)
    return button


def same_person(typed_name: str, saved_name: str) -> bool:
    """Saved details belong to the person at the counter when the ID matched and the name
    typed (if any yet) is the saved one, accents and case aside."""
    return not typed_name.strip() or fold(typed_name) == fold(saved_name)


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
    procedure_chosen = Signal(str)  # its code: the window lays its receipt out ahead

    def __init__(self, ctx: ServiceContext, setup: IntakeSetup) -> None:
        super().__init__()
        self.ctx = ctx
        self.setup = setup
        self.entry: CatalogueEntry | None = None
        self.offer: dict[str, str] | None = None  # saved details Ctrl+D may copy
        self.found: dict[str, str] | None = None  # what the ID look-up found, whoever's
        self.repeat_box: QMessageBox | None = None  # "filed again today?" (item 4)
        self._checking = False
        self._generation = 0  # bumped by clear(): late answers for a cleared form are dropped
        self._clearing = False
        self.ticket_id: str | None = None  # the queue ticket being served, if any
        self.fields: dict[str, Field] = {}
        self._build()
        # The 2025 list (about a second to load) comes off the GUI thread, once per form.
        run_task(
            self, lambda: address_setup(ctx), self.address.set_setup, self.address.set_unavailable
        )
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
            self._section(
                tr("THÀNH PHẦN HỒ SƠ  (Space: đánh dấu đã nhận · F3: nhận đủ giấy tờ bắt buộc)")
            )
        )
        self.docs = DocumentTable()
        self.docs.changed.connect(self._update_save_mode)
        lay.addWidget(self.docs, 1)
        # Scanned pages per checklist line (issue 15): F11 scan, Ctrl+F11 files, the strip.
        self.pages = DocumentPages(
            self.docs,
            self.ctx.adapters.document_scanner,
            dpi=self.ctx.settings.scan_dpi,
            max_mb=self.ctx.settings.file_max_mb,
        )
        self.pages.message.connect(self.message)
        lay.addWidget(self.pages)
        QWidget.setTabOrder(self.docs, self.pages.strip)  # Tab from the checklist: its pages
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
        self.picker.nothing_chosen.connect(self._nothing_chosen)
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
            f = AddressField(hint) if key == "address" else Field(hint)
            f.edit.setProperty("codeScanTarget", True)
            f.edit.returnPressed.connect(self.focusNextChild)
            f.edit.editingFinished.connect(lambda k=key: self.check_field(k))
            self.fields[key] = f
            grid.addWidget(QLabel(label), row, col, Qt.AlignmentFlag.AlignTop)
            span = 3 if key == "address" else 1
            grid.addWidget(f, row, col + 1, 1, span)
        self.address: AddressField = self.fields["address"]  # type: ignore[assignment]
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        self.fields["id_number"].edit.editingFinished.connect(self._look_up_applicant)
        self.fields["name"].edit.editingFinished.connect(self._recheck_offer)
        return grid

    def _offer_bar(self) -> QFrame:
        self.offer_frame = QFrame()
        self.offer_frame.setObjectName("banner")
        self.offer_frame.setProperty("kind", "busy")
        row = QHBoxLayout(self.offer_frame)
        row.setContentsMargins(8, 2, 8, 2)
        self.offer_label = QLabel()
        self.offer_button = no_focus(QPushButton(tr("Dùng thông tin đã lưu (Ctrl+D)")))
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
        self.save_button = no_focus(QPushButton())
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.request_save)
        self.clear_button = no_focus(QPushButton(tr("Esc  Làm mới")))
        self.clear_button.clicked.connect(self.confirm_clear)
        row.addWidget(self.save_button, 1)
        row.addWidget(self.clear_button)
        self._update_save_mode()
        return row

    def _shortcuts(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            ("Ctrl+S", self.request_save),
            ("Ctrl+D", self.accept_offer),
            ("F3", self.docs.tick_required),
            ("Ctrl+T", self.picker.setFocus),
            ("F11", self.pages.scan_or_stop),
            ("Ctrl+F11", self.pages.choose_files),
            # Issue 16: the card's old address converted (Ctrl+Enter), a split commune's
            # candidates (Alt+1..9).
            (PROPOSAL_KEY, self.address.accept_proposal),
            ("Ctrl+Enter", self.address.accept_proposal),
            *((k, lambda n=i: self.address.choose(n)) for i, k in enumerate(CHOICE_KEYS, 1)),
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
        self.pages.clear()
        self.docs.load(entry.documents)
        self.refresh_due()
        self.focus_next_step()  # the name on a fresh form; past what a scan already filled
        self.procedure_chosen.emit(p.code)

    def _nothing_chosen(self, typed: str) -> None:
        """Enter in the procedure field with nothing to choose: say so there, stay there."""
        if typed:
            text = tr("Không có thủ tục nào khớp “{q}”: gõ tên khác hoặc mã thủ tục.").format(
                q=typed
            )
        else:
            text = tr("Chọn thủ tục: gõ tên (không cần dấu) hoặc mã thủ tục, rồi Enter.")
        self.proc_error.setText(text)
        self.proc_error.setVisible(True)
        self.picker.setFocus()

    def focus_next_step(self) -> None:
        """Where the clerk goes on after a scan or Ctrl+D: the procedure if none is chosen,
        else the first of the name and phone left empty, else the document checklist."""
        if self.entry is None:
            self.picker.setFocus()
            return
        for key in NEXT_FIELDS:
            if not self.fields[key].text().strip():
                self.fields[key].edit.setFocus()
                return
        self.docs.setFocus()

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
        if self._clearing:  # the field left while the form is emptied: nothing to say
            return True
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
            self._show_offer(None)  # what was said of an earlier number no longer holds
            return
        generation = self._generation

        def found(details: dict[str, str] | None) -> None:
            if generation == self._generation and self.fields["id_number"].text().strip() == idn:
                self._show_offer(details)  # else the form was cleared or the ID changed since

        run_task(self, lambda: returning_applicant(self.ctx, idn), found)

    def _show_offer(self, found: dict[str, str] | None) -> None:
        self.found = found
        self.offer = None
        if not found:
            self.offer_frame.setVisible(False)
            return
        if not same_person(self.fields["name"].text(), found["name"]):
            # Same ID, another name: most often a mistyped ID. Say so before it is saved, and
            # offer nothing: that person's phone and address are not this one's (not shown).
            text = tr("Số CCCD này đã được ghi cho người khác: {d}. Kiểm tra lại số CCCD.")
            details = found["name"]
            kind = "error"
        else:
            self.offer = found
            text = tr("Người nộp đã từng nộp hồ sơ: {d}")
            details = tr("{name} · {phone} · {address}").format(
                name=found["name"], phone=found["phone"] or "—", address=found["address"] or "—"
            )
            kind = "busy"
        self.offer_button.setVisible(self.offer is not None)
        self.offer_label.setText(text.format(d=details))
        self.offer_label.setWordWrap(True)
        self.offer_frame.setProperty("kind", kind)
        self.offer_frame.style().unpolish(self.offer_frame)
        self.offer_frame.style().polish(self.offer_frame)
        self.offer_frame.setVisible(True)

    def _recheck_offer(self) -> None:
        """The name typed after the look-up decides again whose details these are."""
        if self.found is not None and self.offer_frame.isVisible():
            self._show_offer(self.found)

    def accept_offer(self) -> None:
        """Ctrl+D: copy the saved details into the empty fields, only for the same person."""
        if self.found is not None:
            self._show_offer(self.found)  # the name may have been typed since the offer
        if not self.offer:
            return
        for key in ("name", "phone", "address", "email"):
            if self.offer.get(key) and not self.fields[key].text().strip():
                if key == "address":  # with its commune, as saved (or as recognised)
                    self.address.set_address(
                        self.offer[key],
                        self.offer.get("commune_code"),
                        self.offer.get("address_card") or "",
                    )
                else:
                    self.fields[key].edit.setText(self.offer[key])
                self.fields[key].set_error(None)
        self.offer_frame.setVisible(False)
        self.focus_next_step()

    def fill_from_cccd(self, data: CccdData) -> None:
        """A scanned ID card fills name, ID and address; phone and email stay as typed."""
        self.fields["name"].edit.setText(data.name)
        self.fields["id_number"].edit.setText(data.id_number)
        if data.address:
            self.fields["address"].edit.setText(data.address)
            self.address.card_scanned(data.address)  # issue 16: old address → 2025 units
        for key in ("name", "id_number", "address"):
            self.check_field(key)
        self.message.emit(tr("Đã đọc CCCD của {name}").format(name=data.name))
        self._look_up_applicant()
        self.focus_next_step()

    def raw(self) -> dict[str, Any]:
        return {
            "procedure": self.entry.procedure.code if self.entry else "",
            "applicant": {
                **{k: f.text() for k, f in self.fields.items()},
                **self.address.applicant_extra(),  # commune_code, address_card (issue 16)
            },
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
        if self._checking or not self.save_button.isEnabled():
            return  # a second Ctrl+S while the first is being checked or saved
        if self.repeat_box is not None and self.repeat_box.isVisible():
            return
        raw = self.raw()
        try:
            req = parse_intake(raw, self.ctx.now().date())
        except ValidationError as exc:
            self.show_errors(exc.field_errors or {"procedure": exc.code})
            self.message.emit(tr("Hồ sơ chưa lưu: kiểm tra các ô báo đỏ."))
            return
        self.show_errors({})
        self._checking = True
        generation = self._generation
        run_task(
            self,
            lambda: same_day_dossiers(self.ctx, req),
            lambda codes: self._checked(generation, raw, req, codes),
            lambda exc: self._check_failed(generation, raw, exc),
        )

    def _checked(
        self, generation: int, raw: dict[str, Any], req: IntakeRequest, codes: list[str]
    ) -> None:
        self._checking = False
        if generation != self._generation:
            return  # the form was cleared meanwhile
        if not codes:
            self.save_requested.emit(raw)
            return
        self._ask_repeat(raw, req, codes)

    def _check_failed(self, generation: int, raw: dict[str, Any], _exc: Exception) -> None:
        # The look-up is a courtesy: when it cannot be read the save itself says what is wrong.
        self._checking = False
        if generation == self._generation:
            self.save_requested.emit(raw)

    def _ask_repeat(self, raw: dict[str, Any], req: IntakeRequest, codes: list[str]) -> None:
        """Item 4: the same person, the same procedure, already today. Enter saves a new
        dossier all the same; Esc goes back to the form, nothing saved."""
        back_to = self.focusWidget()
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("Hồ sơ đã nhận hôm nay"))
        earlier = ", ".join(codes)
        box.setText(
            tr(
                "{name} đã nộp thủ tục này hôm nay: hồ sơ {codes}.\n"
                "Thường là nhập trùng. Vẫn lưu thành hồ sơ mới?"
            ).format(name=req.name, codes=earlier)
        )
        go_on = box.addButton(tr("Enter  Vẫn lưu hồ sơ mới"), QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton(tr("Esc  Quay lại"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(go_on)
        box.setEscapeButton(back)
        generation = self._generation

        def done(_result: int) -> None:
            if generation != self._generation:
                return
            if box.clickedButton() is go_on:
                self.save_requested.emit(raw)
            else:
                self.message.emit(
                    tr("Chưa lưu: hồ sơ {codes} đã nhận hôm nay.").format(codes=earlier)
                )
                if back_to is not None:
                    back_to.setFocus()

        box.finished.connect(done)
        self.repeat_box = box
        box.open()
        go_on.setFocus()

    def confirm_clear(self) -> None:
        """Esc or the button: clear the form, asking first when something was typed."""
        if self.is_dirty():
            answer = QMessageBox.question(
                self, tr("Làm mới"), tr("Xóa thông tin đang nhập để tiếp nhận hồ sơ khác?")
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.clear()

    def clear(self) -> None:
        """Ready for the next citizen: no entry, no leftover error, no leftover message."""
        self._generation += 1
        self._clearing = True
        try:
            # The focus leaves the field first: its check on leaving would otherwise run on
            # the emptied field and print "Không được để trống." on the clean form.
            self.picker.setFocus()
            self._clear_fields()
        finally:
            self._clearing = False

    def _clear_fields(self) -> None:
        self.entry = None
        self.offer = None
        self.found = None
        self._checking = False
        if self.repeat_box is not None:
            self.repeat_box.close()
            self.repeat_box = None
        self.offer_frame.setVisible(False)
        self.picker.clear()
        self.proc_info.setText(tr("Chưa chọn thủ tục"))
        self.proc_error.setVisible(False)
        self.message.emit("")  # "Hồ sơ chưa lưu: …" of an earlier try no longer applies
        for f in (*self.fields.values(), self.return_address):
            f.edit.clear()
            f.set_error(None)
        self.address.reset()
        self.pages.clear()
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

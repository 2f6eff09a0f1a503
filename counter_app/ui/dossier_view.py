"""A dossier's life in the window: its view with history and the actions its status allows,
the small form each action asks for, and the clerk's "due today / overdue" list.

Keyboard first: in the dossier view the digits 1–9 pick an action (Tab and Enter work too);
each form starts in its first field, Enter moves on and on the last field records the
action; Esc closes. Every action runs `services.actions.perform` off the GUI thread with the
number of history steps the clerk saw, so a change made meanwhile elsewhere is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.cccd import CccdData, validate_id_number
from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.domain.lifecycle import REASON_REQUIRED, is_open
from counter_app.domain.model import Applicant, DossierView
from counter_app.domain.text import clean_name
from counter_app.messages import describe, text_for
from counter_app.services import file_sync, lookup
from counter_app.services.actions import (
    CORRECTABLE,
    DOCUMENT_CORRECTIONS,
    ActionDone,
    ActionRequest,
    allowed_actions,
    perform,
)
from counter_app.services.context import ServiceContext
from counter_app.services.lookup import DossierSummary
from counter_app.ui.dialogs import TIMELINESS_COLOURS, ResultsTable
from counter_app.ui.i18n import tr
from counter_app.ui.intake_form import FIELD_CHECKS
from counter_app.ui.tasks import run_task
from counter_app.ui.widgets import Field
from counter_app.ui_text import (
    ACTION_LABELS,
    CORRECTION_FIELD_LABELS,
    DOCUMENT_CORRECTION_LABELS,
    EVENT_LABELS,
    RETURN_CHANNEL_LABELS,
    STATUS_LABELS,
    document_kind_label,
    document_line_text,
    event_details,
    money,
)

# A refusal's code -> the form field it is about (shown beside it, in the form's words).
CODE_FIELDS = {
    "reason_required": "reason",
    "agency_required": "to",
    "tracking_required": "tracking",
    "new_due_required": "new_due",
    "new_due_not_later": "new_due",
    "return_to_invalid": "collector_name",
    "fee_invalid": "fee",
    "correction_unchanged": "value",
    "correction_document_format": "value",
    "correction_document_kind": "value",
    "correction_document_count": "value",
    "correction_document_absent": "value",
    "correction_document_required": "value",
    "correction_document_supplement": "value",
}
# A refusal's field (ValidationError.field_errors) -> the form field.
ERROR_FIELDS = {
    "reason": "reason",
    "to": "to",
    "tracking": "tracking",
    "new_due": "new_due",
    "return_to.name": "collector_name",
    "return_to.id_number": "collector_id",
    "result": "result",
    **{key: "value" for key in CORRECTABLE},
    "document": "value",
}
# The form's own words where the CLI's messages name its flags (--tracking, --to, …);
# the form's other codes are in messages.MESSAGES.
FORM_MESSAGES = {
    "reason_required": "Cần ghi rõ lý do.",
    "agency_required": "Cần ghi cơ quan nhận hồ sơ.",
    "tracking_required": "Trả qua bưu chính cần mã vận đơn.",
    "new_due_required": "Cần ngày hẹn trả mới, dạng ngày/tháng/năm.",
    "return_to_invalid": "Cần họ tên người nhận thay.",
    "fee_invalid": "Phí, lệ phí là số tiền không âm (ví dụ 8000).",
    "correction_unchanged": "Giống thông tin hiện có: không có gì để sửa.",
}


def form_message(code: str, **params: object) -> str:
    if code == "new_due_not_later":
        return tr("Phải sau ngày hẹn hiện tại {due}.").format(due=params.get("due", ""))
    if code in FORM_MESSAGES:
        return tr(FORM_MESSAGES[code])
    return text_for(code, **params)


UNVERIFIED_COLOUR = "#92400e"  # a calm amber: a note, not an error


def address_html(a: Applicant) -> str:
    """Issue 16: the address, its 2025 commune or a calm "chưa xác minh" mark (the text
    matched no commune: kept as typed), and the ID card's own address when its 2025
    conversion was accepted."""
    out = f"{tr('Địa chỉ')}: {escape(a.address) or '—'}"
    if a.commune is not None:
        out += f" · {tr('Xã/phường')}: <b>{escape(a.commune.label)}</b>"
    elif a.address:
        note = tr("chưa xác minh xã/phường")
        out += f" · <span style='color:{UNVERIFIED_COLOUR}'>{note}</span>"
    if a.address_card:
        out += f"<br>{tr('Địa chỉ trên thẻ')}: {escape(a.address_card)}"
    return out


def history_rows(view: DossierView) -> list[tuple[str, str, str, str]]:
    """Each step: when, what (and the status it left), who, why and its details in words."""
    rows = []
    for e in view.events:
        what = tr(EVENT_LABELS.get(e.kind, e.kind))
        status = tr(STATUS_LABELS.get(e.status, e.status))
        notes = "; ".join(x for x in (e.reason, event_details(e)) if x)
        rows.append((f"{e.at:%H:%M  %d/%m/%Y}", f"{what}  →  {status}", e.by, notes))
    return rows


def parse_day(text: str) -> date:
    """'9/12/2026', '09-12-2026' or '2026-12-09' -> a date; ValueError otherwise."""
    t = text.strip().replace("-", "/").replace(".", "/")
    parts = t.split("/")
    if len(parts) == 3 and len(parts[0]) == 4:
        parts = parts[::-1]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    d, m, y = (int(p) for p in parts)
    return date(y, m, d)


def _enter_clicks_focused_button(dialog: QDialog, event: QKeyEvent) -> bool:
    """Enter on a focused button presses it (the buttons are not auto-default: Enter in a
    line edit must not also press one)."""
    focus = dialog.focusWidget()
    if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(focus, QPushButton):
        focus.click()
        return True
    return False


# ----- the action forms ------------------------------------------------------------------------
class ActionForm(QDialog):
    """What one action needs, checked beside each field; Enter on the last field records it.

    `id_check` (a returning citizen's code was scanned): the collector's CCCD must be
    scanned or typed; if it is not the applicant's, the collector's name is asked for.
    """

    recorded = Signal(object)  # ActionDone

    def __init__(
        self,
        ctx: ServiceContext,
        username: str,
        view: DossierView,
        action: str,
        parent: QWidget | None = None,
        *,
        id_check: bool = False,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.username, self.view, self.action = ctx, username, view, action
        self.id_check = id_check
        self.busy = False
        self.fields: dict[str, Field] = {}
        self.setWindowTitle(f"{tr(ACTION_LABELS[action])} · {view.code}")
        lay = QVBoxLayout(self)
        title = QLabel(tr(ACTION_LABELS[action]))
        title.setObjectName("title")
        lay.addWidget(title)
        who = QLabel(
            f"{view.code} · {view.applicant.name} · {view.procedure.name}<br>"
            + tr("Hẹn trả {due} · {status}").format(
                due=f"{view.due_at:%H:%M %d/%m/%Y}",
                status=tr(STATUS_LABELS.get(view.status, view.status)),
            )
        )
        who.setObjectName("procInfo")
        who.setWordWrap(True)
        lay.addWidget(who)
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(14)
        self.form.setVerticalSpacing(6)
        lay.addLayout(self.form)
        self.field_combo: QComboBox | None = None
        self.collector = QLabel()
        self._build()
        self.general_error = QLabel()
        self.general_error.setObjectName("error")
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        lay.addWidget(self.general_error)
        row = QHBoxLayout()
        self.ok = QPushButton(tr("Enter  Ghi nhận"))
        self.ok.setObjectName("primary")
        self.ok.setAutoDefault(False)
        self.ok.clicked.connect(self.submit)
        cancel = QPushButton(tr("Esc  Hủy"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        row.addWidget(self.ok, 1)
        row.addWidget(cancel)
        lay.addLayout(row)
        self._chain()
        self.setMinimumWidth(620)

    # ----- layout per action ----------------------------------------------------------------
    def _add(self, key: str, label: str, hint: str = "", text: str = "") -> Field:
        f = Field(hint)
        f.edit.setText(text)
        # A reason may quote a dossier code: the scan dispatcher must not take it out.
        f.edit.setProperty("codeScanTarget", False)
        self.fields[key] = f
        self.form.addRow(label, f)
        return f

    def _build(self) -> None:
        a, v = self.action, self.view
        if a == "handover":
            self._add("to", tr("Chuyển đến"), tr("Cơ quan giải quyết, ví dụ Phòng Tư pháp"))
        elif a == "receive-back":
            self._add("result", tr("Kết quả"), tr("Không bắt buộc, ví dụ: đã ký giấy khai sinh"))
        elif a == "supplement":
            self._add("documents", tr("Cần bổ sung"), tr("Các giấy tờ, cách nhau bởi dấu ;"))
        elif a == "apologize":
            self._add(
                "new_due",
                tr("Hẹn trả mới"),
                tr("ngày/tháng/năm, sau {d}").format(d=f"{v.due_at:%d/%m/%Y}"),
            )
        elif a == "return":
            self._build_return()
        elif a == "correct":
            self._build_correct()
        required = a in REASON_REQUIRED
        self._add(
            "reason",
            tr("Lý do") if required else tr("Ghi chú"),
            tr("Bắt buộc") if required else tr("Không bắt buộc"),
        )

    def _build_return(self) -> None:
        v = self.view
        self.collector.setWordWrap(True)
        self.form.addRow(tr("Người nhận"), self.collector)
        hint = (
            tr("Quét CCCD người đến nhận hoặc gõ 12 số")
            if self.id_check
            else tr("Để trống nếu người nộp nhận; quét CCCD nếu người khác nhận")
        )
        idf = self._add("collector_id", tr("CCCD người nhận"), hint)
        idf.edit.textChanged.connect(lambda _t: self._collector_changed())
        name = self._add("collector_name", tr("Họ tên người nhận"), tr("Người nhận thay"))
        name.edit.textChanged.connect(lambda _t: self._show_collector())
        self._add("fee", tr("Phí, lệ phí (đồng)"), tr("Số tiền đã thu"), str(v.fee))
        if v.return_channel == "postal":
            self._add("tracking", tr("Mã vận đơn"), tr("Mã bưu gửi của bưu chính"))
        self._collector_changed()

    def _build_correct(self) -> None:
        """What to correct (↑↓ in the first field): an applicant field or the documents."""
        combo = QComboBox()
        for key in CORRECTABLE:
            combo.addItem(tr(CORRECTION_FIELD_LABELS[key]), key)
        for key in DOCUMENT_CORRECTIONS:
            combo.addItem(tr(DOCUMENT_CORRECTION_LABELS[key]), key)
        combo.currentIndexChanged.connect(lambda _i: self._show_current())
        self.field_combo = combo
        self.form.addRow(tr("Sửa"), combo)
        self.current = QLabel()
        self.current.setObjectName("hint")
        self.current.setWordWrap(True)
        self.form.addRow(tr("Hiện tại"), self.current)
        self._add("value", tr("Thông tin mới"), tr("Giá trị đúng"))
        self._show_current()

    def _chain(self) -> None:
        """Enter moves to the next field; on the last one it records the action."""
        edits = [f.edit for f in self.fields.values()]
        for i, e in enumerate(edits):
            e.returnPressed.connect(lambda i=i: self._enter(i))
        first: QWidget = self.field_combo or (edits[0] if edits else self.ok)
        first.setFocus()
        if self.field_combo is not None:
            self.field_combo.installEventFilter(self)

    def eventFilter(self, obj: object, event: object) -> bool:
        if (
            obj is self.field_combo
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.fields["value"].edit.setFocus()
            return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not _enter_clicks_focused_button(self, event):
            super().keyPressEvent(event)

    def _enter(self, i: int) -> None:
        current = list(self.fields.values())[i]
        order = self._enter_order()
        later = order[order.index(current) + 1 :] if current in order else []
        if self.id_check and current is self.fields["collector_id"] and not self._collector_id():
            self.show_errors({"collector_id": "collector_id_required"})
        elif later:
            later[0].edit.setFocus()
        else:
            self.submit()

    def _enter_order(self) -> list[Field]:
        """The fields Enter walks through. The ID check at the return (a scanned code) is
        quick: the collector's CCCD, their name if another person, the tracking number if
        postal — then Enter records it (fee and note stay reachable by Tab)."""
        visible = [f for f in self.fields.values() if f.isVisibleTo(self)]
        if self.id_check:
            keep = ("collector_id", "collector_name", "tracking")
            return [f for k, f in self.fields.items() if k in keep and f in visible]
        return visible

    # ----- the collector of a result --------------------------------------------------------
    def _collector_id(self) -> str:
        return self.fields["collector_id"].text().replace(" ", "")

    def _other_person(self) -> bool:
        idn = self._collector_id()
        return bool(idn) and idn != self.view.applicant.id_number

    def _collector_changed(self) -> None:
        other = self._other_person()
        name = self.fields["collector_name"]
        name.setVisible(other)
        label = self.form.labelForField(name)
        if label is not None:
            label.setVisible(other)
        self._show_collector()

    def _show_collector(self) -> None:
        a = self.view.applicant
        idn = self._collector_id()
        if self._other_person():
            typed = self.fields["collector_name"].text().strip()
            self.collector.setText(
                tr("<b>Người nhận thay</b>: {name} · CCCD {idn}").format(name=typed or "…", idn=idn)
            )
        elif idn:
            self.collector.setText(
                tr("<b>Người nộp</b> {name} · CCCD {idn} <b>✓ đúng người nộp</b>").format(
                    name=a.name, idn=idn
                )
            )
        else:
            self.collector.setText(
                tr("<b>Người nộp</b>: {name} · CCCD {idn}").format(
                    name=a.name, idn=a.id_number or "—"
                )
            )

    def accept_cccd(self, data: CccdData) -> bool:
        """A CCCD scanned while this form is open: it is the collector's (return only)."""
        if self.action != "return":
            return False
        self.fields["collector_id"].edit.setText(data.id_number)
        if self._other_person():
            self.fields["collector_name"].edit.setText(data.name)
        self.fields["collector_id"].set_error(None)
        order = self._enter_order()
        idf = self.fields["collector_id"]
        later = order[order.index(idf) + 1 :] if idf in order else []
        if later:
            later[0].edit.setFocus()
        else:
            self.ok.setFocus()  # Enter records it
        return True

    def _show_current(self) -> None:
        assert self.field_combo is not None
        key = self.field_combo.currentData()
        value = self.fields["value"].edit
        if key in DOCUMENT_CORRECTIONS:
            lines = [
                document_line_text(x.name, x.kind, x.count, x.received) for x in self.view.documents
            ]
            self.current.setText("; ".join(lines) or "—")
            value.setPlaceholderText(
                tr("Tên giấy tờ|loại|số lượng — loại: original, copy, certified-copy; SL 1–99")
                if key == "document"
                else tr("Tên giấy tờ, như trong danh sách trên")
            )
            return
        current = getattr(self.view.applicant, key, "")
        self.current.setText(current or "—")
        value.setPlaceholderText(tr("Giá trị đúng"))

    # ----- checking and recording -----------------------------------------------------------
    def _errors(self) -> tuple[dict[str, str], ActionRequest | None]:
        """The form's own checks (the service checks again); the request when all is well."""
        errors: dict[str, str] = {}
        text = {k: f.text().strip() for k, f in self.fields.items()}
        a = self.action
        if a in REASON_REQUIRED and not text["reason"]:
            errors["reason"] = "reason_required"
        details: dict[str, object] = {}
        if a == "handover":
            if not text["to"]:
                errors["to"] = "agency_required"
            details["to"] = text["to"]
        elif a == "receive-back":
            details["result"] = text["result"]
        elif a == "supplement":
            docs = tuple(x.strip() for x in text["documents"].split(";") if x.strip())
            if not docs:
                errors["documents"] = "documents_required"
            details["documents"] = docs
        elif a == "apologize":
            details.update(self._apology_details(text, errors))
        elif a == "return":
            details.update(self._return_details(text, errors))
        elif a == "correct":
            details.update(self._correction_details(text, errors))
        if errors:
            return errors, None
        return {}, ActionRequest(
            code=self.view.code,
            action=a,
            by=self.username,
            reason=text["reason"],
            seen_steps=len(self.view.events),
            **details,  # type: ignore[arg-type]
        )

    def _apology_details(self, text: dict[str, str], errors: dict[str, str]) -> dict[str, object]:
        if not text["new_due"]:
            errors["new_due"] = "new_due_required"
            return {}
        try:
            day = parse_day(text["new_due"])
        except ValueError:
            errors["new_due"] = "new_due_bad"
            return {}
        if day <= self.view.due_date:
            errors["new_due"] = "new_due_not_later"
        return {"new_due": day}

    def _correction_details(
        self, text: dict[str, str], errors: dict[str, str]
    ) -> dict[str, object]:
        assert self.field_combo is not None
        key = str(self.field_combo.currentData())
        if key in DOCUMENT_CORRECTIONS:
            # The format, the kind, the count and the line are checked by the service:
            # its refusal is shown beside the value, and nothing is written.
            if not text["value"]:
                errors["value"] = "correction_document_format"
            return {"changes": ((key, text["value"]),)}
        try:
            value = (
                validate_id_number(text["value"], "id_number", today=self.ctx.now().date())
                if key == "id_number"
                else FIELD_CHECKS[key](text["value"])
            )
        except ValidationError as exc:
            errors["value"] = next(iter(exc.field_errors.values()), exc.code)
        else:
            if value == getattr(self.view.applicant, key, None):
                errors["value"] = "correction_unchanged"
        return {"changes": ((key, text["value"]),)}

    def _return_details(self, text: dict[str, str], errors: dict[str, str]) -> dict[str, object]:
        out: dict[str, object] = {}
        idn = self._collector_id()
        if self.id_check and not idn:
            errors["collector_id"] = "collector_id_required"
        elif idn and idn != self.view.applicant.id_number:
            try:
                validate_id_number(idn, "collector_id", today=self.ctx.now().date())
            except ValidationError as exc:
                errors["collector_id"] = next(iter(exc.field_errors.values()), exc.code)
            name = text["collector_name"]
            if not name:
                errors["collector_name"] = "return_to_invalid"
            else:
                try:
                    name = clean_name(name, "collector_name")
                except ValidationError as exc:
                    errors["collector_name"] = next(iter(exc.field_errors.values()), exc.code)
            out["to"] = f"{name}|{idn}"
        fee = text["fee"].replace(".", "").replace(",", "")
        if not fee.isdigit():
            errors["fee"] = "fee_invalid"
        else:
            out["fee"] = int(fee)
        if "tracking" in text:
            if not text["tracking"]:
                errors["tracking"] = "tracking_required"
            out["tracking"] = text["tracking"]
        return out

    def show_errors(self, errors: dict[str, str], params: dict[str, object] | None = None) -> None:
        first: QWidget | None = None
        for key, f in self.fields.items():
            code = errors.get(key)
            if code:
                f.error.setText(form_message(code, **(params or {})))
                f.error.setVisible(True)
                f.edit.setProperty("invalid", True)
            else:
                f.set_error(None)
            f.edit.style().unpolish(f.edit)
            f.edit.style().polish(f.edit)
            if code and first is None and f.isVisibleTo(self):
                first = f.edit
        if first is not None:
            first.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        self.general_error.setVisible(False)
        errors, req = self._errors()
        params: dict[str, object] = {"due": f"{self.view.due_at:%d/%m/%Y}"}
        self.show_errors(errors, params)
        if req is None:
            return
        self.busy = True
        self.ok.setEnabled(False)
        self.ok.setText(tr("Đang ghi…"))
        run_task(self, lambda: perform(self.ctx, req), self._done, self._refused)

    def _done(self, done: ActionDone) -> None:
        self.busy = False
        self.recorded.emit(done)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        """Nothing was written: say why, beside the field when there is one."""
        self.busy = False
        self.ok.setEnabled(True)
        self.ok.setText(tr("Enter  Ghi nhận"))
        if not isinstance(exc, CounterAppError):
            self.general_error.setText(
                tr("Chưa ghi được ({e}). Đã ghi vào nhật ký; hãy thử lại.").format(e=exc)
            )
            self.general_error.setVisible(True)
            return
        fields = {
            ERROR_FIELDS[k]: c
            for k, c in getattr(exc, "field_errors", {}).items()
            if k in ERROR_FIELDS and ERROR_FIELDS[k] in self.fields
        }
        target = CODE_FIELDS.get(exc.code)
        if target in self.fields and not fields:
            fields[target] = exc.code
        if fields:
            self.show_errors(fields, dict(exc.params))
        else:
            self.general_error.setText(describe(exc))
            self.general_error.setVisible(True)


ACTIONS_PER_ROW = 4


# ----- the dossier view -----------------------------------------------------------------------
class DossierDialog(QDialog):
    """A dossier with its documents, its history in words and the actions its status allows
    (digits 1–9); F8 reprints, F9 label, F10 preview."""

    changed = Signal(object)  # DossierView after an action

    def __init__(
        self,
        view: DossierView,
        prints: dict[str, Callable[[DossierView], None]],
        parent: QWidget | None = None,
        *,
        ctx: ServiceContext | None = None,
        username: str = "",
    ) -> None:
        super().__init__(parent)
        self.ctx, self.username, self.prints = ctx, username, prints
        self.view = view
        self.action_form: ActionForm | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        lay = QVBoxLayout(self)
        lay.setSpacing(6)
        self.head = QLabel()
        self.head.setObjectName("title")
        self.head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.head)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.info)
        self.docs = _table(1, (tr("Đã nhận"), tr("Giấy tờ"), tr("Loại"), tr("SL")))
        self.docs.setMaximumHeight(130)
        lay.addWidget(self.docs)
        # Issue 15: the digitised documents' archive PDFs (shown when there are any).
        self.files_title = _section(tr("TỆP SỐ HÓA"))
        lay.addWidget(self.files_title)
        self.files = _table(
            0, (tr("Tệp"), tr("Giấy tờ"), tr("Trang"), tr("Dung lượng"), tr("SHA-256"))
        )
        self.files.setMaximumHeight(110)
        # Enter (or a double click) on a file opens its archive PDF: from this PC's store, or
        # fetched from central when the blob is not here (a worker; the dialog stays live).
        self.files.activated.connect(lambda index: self.open_file(index.row()))
        lay.addWidget(self.files)
        lay.addWidget(_section(tr("LỊCH SỬ XỬ LÝ")))
        self.history = _table(
            3, (tr("Thời gian"), tr("Bước xử lý"), tr("Người thực hiện"), tr("Chi tiết"))
        )
        lay.addWidget(self.history, 1)
        lay.addWidget(_section(tr("THAO TÁC  (phím số để chọn)")))
        # A grid, not one row: eight actions must fit a 1366-pixel screen.
        self.actions_row = QGridLayout()
        self.actions_row.setSpacing(6)
        lay.addLayout(self.actions_row)
        self.no_actions = QLabel()
        self.no_actions.setObjectName("hint")
        lay.addWidget(self.no_actions)
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        for key, label in (
            ("F8", tr("F8  In lại giấy")),
            ("F9", tr("F9  In nhãn")),
            ("F10", tr("F10  Xem trước")),
        ):
            if key in prints:
                b = QPushButton(label)
                b.setAutoDefault(False)
                b.clicked.connect(lambda _c=False, k=key: self.prints[k](self.view))
                row.addWidget(b)
                QShortcut(QKeySequence(key), self).activated.connect(
                    lambda k=key: self.prints[k](self.view)
                )
        close = QPushButton(tr("Esc  Đóng"))
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        row.addStretch(1)
        row.addWidget(close)
        lay.addLayout(row)
        for n in range(1, 10):
            QShortcut(QKeySequence(str(n)), self).activated.connect(lambda n=n: self._pick(n - 1))
        self.set_view(view)
        self.resize(1040, 640)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not _enter_clicks_focused_button(self, event):
            super().keyPressEvent(event)

    def set_view(self, view: DossierView) -> None:
        self.view = view
        self.setWindowTitle(tr("Hồ sơ {code}").format(code=view.code))
        state = tr(STATUS_LABELS.get(view.status, view.status))
        late = (
            self.ctx is not None
            and is_open(view.status)
            and view.status != "supplement_requested"  # paused: the clock waits
            and view.due_at < self.ctx.now()
        )
        self.head.setText(
            f"{view.code}  ·  {state}"
            + (f"  ·  <span style='color:#b91c1c'>{tr('Quá hạn')}</span>" if late else "")
        )
        a = view.applicant
        channel = tr(RETURN_CHANNEL_LABELS.get(view.return_channel, view.return_channel))
        self.info.setText(
            f"<b>{view.procedure.name}</b> ({view.procedure.code})<br>"
            f"{tr('Người nộp')}: <b>{a.name}</b> · CCCD {a.id_number or '—'} · "
            f"{tr('ĐT')} {a.phone or '—'}<br>{address_html(a)}<br>"
            f"{tr('Nhận lúc')} {view.received_at:%H:%M %d/%m/%Y} · {tr('Hẹn trả')} "
            f"<b>{view.due_at:%H:%M %d/%m/%Y}</b> · {tr('Trả kết quả')} {channel.lower()} · "
            + (tr("Phí, lệ phí {m}").format(m=money(view.fee)) if view.fee else tr("Không thu phí"))
            + f" · {tr('Cán bộ tiếp nhận')}: {view.received_by}"
        )
        _fill(
            self.docs,
            [
                (
                    "✓" if d.received else tr("thiếu"),
                    d.name + (f"  ({tr('đã số hóa')})" if d.digitised else ""),
                    tr(document_kind_label(d.kind)),
                    str(d.count),
                )
                for d in view.documents
            ],
        )
        _fill(self.files, file_rows(view))
        self.files_title.setVisible(bool(view.files))
        self.files.setVisible(bool(view.files))
        _fill(self.history, history_rows(view))
        self.history.scrollToBottom()
        self._fill_actions()

    def open_file(self, row: int) -> None:
        if self.ctx is None or not 0 <= row < len(self.view.files):
            return
        ctx, code, name = self.ctx, self.view.code, self.view.files[row].name
        folder = ctx.settings.effective_print_dir / "tep-so-hoa"
        self.message.setText(tr("Đang mở tệp {name}…").format(name=name))
        run_task(
            self,
            lambda: file_sync.open_copy(ctx, code, name, folder),
            self._file_opened,
            lambda exc: self.message.setText(
                describe(exc) if isinstance(exc, CounterAppError) else str(exc)
            ),
        )

    def _file_opened(self, path: Path) -> None:
        if self.open_url(QUrl.fromLocalFile(str(path))):
            self.message.setText(tr("Đã mở tệp {name}.").format(name=path.name))
        else:
            self.message.setText(
                tr("Máy này chưa có phần mềm xem PDF. Tệp đã lưu: {path}").format(path=path)
            )

    @staticmethod
    def open_url(url: QUrl) -> bool:
        """The OS's viewer (tests replace this)."""
        return QDesktopServices.openUrl(url)

    def _fill_actions(self) -> None:
        while self.actions_row.count():
            item = self.actions_row.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.action_buttons = {}
        allowed = allowed_actions(self.view) if self.ctx is not None else []
        for i, action in enumerate(allowed[:9]):
            b = QPushButton(f"{i + 1}  {tr(ACTION_LABELS[action])}")
            b.setAutoDefault(False)
            b.setProperty("action", action)
            b.clicked.connect(lambda _c=False, a=action: self.start_action(a))
            self.action_buttons[action] = b
            self.actions_row.addWidget(b, i // ACTIONS_PER_ROW, i % ACTIONS_PER_ROW)
        self.no_actions.setText(
            ""
            if allowed
            else tr("Hồ sơ đã kết thúc ({s}): không còn thao tác nào.").format(
                s=tr(STATUS_LABELS.get(self.view.status, self.view.status))
            )
        )
        self.no_actions.setVisible(not allowed)
        first = next(iter(self.action_buttons.values()), None)
        if first is not None:
            first.setFocus()

    def _pick(self, index: int) -> None:
        actions = list(self.action_buttons)
        if 0 <= index < len(actions):
            self.start_action(actions[index])

    def start_action(self, action: str, *, id_check: bool = False) -> ActionForm | None:
        if self.ctx is None or action not in self.action_buttons:
            return None
        if self.action_form is not None:
            self.action_form.close()
        form = ActionForm(self.ctx, self.username, self.view, action, self, id_check=id_check)
        form.recorded.connect(self._action_done)
        self.action_form = form
        form.open()
        return form

    def _action_done(self, done: ActionDone) -> None:
        self.action_form = None
        label = tr(EVENT_LABELS.get(done.event.kind, done.event.kind))
        text = tr("Đã ghi: {what} lúc {at}.").format(what=label, at=f"{done.event.at:%H:%M}")
        if done.event.kind == "corrected" and "F8" in self.prints:
            # The paper the citizen holds shows the old details: offer the corrected one.
            text += " " + tr("F8 in lại giấy cho người nộp với thông tin đã sửa.")
        self.message.setText(text)
        self.set_view(done.dossier)
        self.changed.emit(done.dossier)


def file_rows(view: DossierView) -> list[tuple[str, str, str, str, str]]:
    """The dossier's archive PDFs: name, document, pages, size, the hash's first 12 digits."""
    return [
        (
            f.name,
            f.document or "—",
            str(f.pages),
            f"{f.size / 1024:,.0f} KB".replace(",", "."),
            f.sha256[:12] + ("  OCR" if f.ocr else ""),
        )
        for f in view.files
    ]


def _section(text: str) -> QLabel:
    lbl = QLabel(text)
    lbl.setObjectName("section")
    return lbl


def _table(stretch: int, headers: tuple[str, ...]) -> QTableWidget:
    """A read-only table; column `stretch` takes the spare width and wraps its text."""
    t = QTableWidget(0, len(headers))
    t.setWordWrap(True)
    t.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    t.setHorizontalHeaderLabels(list(headers))
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys go to the actions
    header = t.horizontalHeader()
    for c in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if c == stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(c, mode)
    return t


def _fill(t: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    t.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            item = QTableWidgetItem(v)
            item.setToolTip(v)
            if v == tr("thiếu"):
                item.setForeground(QColor(TIMELINESS_COLOURS["paused"]))
            t.setItem(r, c, item)
    t.resizeRowsToContents()


# ----- due today / overdue ----------------------------------------------------------------------
class DueDialog(QDialog):
    """Open dossiers due today or overdue, the oldest due first; Enter opens one."""

    def __init__(
        self, ctx: ServiceContext, open_code: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("Hồ sơ đến hạn hôm nay và quá hạn (Ctrl+H)"))
        lay = QVBoxLayout(self)
        self.status = QLabel(tr("Đang tải…"))
        self.status.setObjectName("title")
        lay.addWidget(self.status)
        self.results = ResultsTable()
        self.results.open_code.connect(open_code)
        lay.addWidget(self.results, 1)
        hint = QLabel(tr("↑↓ chọn · Enter mở hồ sơ · Esc đóng"))
        hint.setObjectName("hint")
        lay.addWidget(hint)
        self.resize(1040, 520)

    def reload(self) -> None:
        run_task(self, lambda: lookup.due_by_today(self.ctx), self._show, self._failed)

    def _show(self, rows: list[DossierSummary]) -> None:
        overdue = sum(1 for r in rows if r.timeliness == "overdue")
        self.status.setText(
            tr("{n} hồ sơ đến hạn hôm nay hoặc quá hạn · {o} quá hạn").format(
                n=len(rows), o=overdue
            )
            if rows
            else tr("Không có hồ sơ nào đến hạn hôm nay hay quá hạn.")
        )
        self.results.fill(rows)
        self.results.setFocus()

    def _failed(self, exc: Exception) -> None:
        self.status.setText(describe(exc) if isinstance(exc, CounterAppError) else str(exc))


__all__ = ["ActionForm", "DossierDialog", "DueDialog", "history_rows", "parse_day"]

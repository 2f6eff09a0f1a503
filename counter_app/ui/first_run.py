"""The first-run screen: a database with no unit (and no --demo) is set up here — the unit,
the first supervisor, the counters and the queue services — with the same service
functions and messages as the command line (services/unit_setup.first_run), then the
normal login. Keyboard first: Tab moves on, Ctrl+S saves, Esc leaves."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.admin_units import Commune
from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.domain.setup_rules import counter_list, number_range
from counter_app.domain.unit_names import commune_names
from counter_app.messages import describe, field_label, field_message
from counter_app.services import unit_setup
from counter_app.services.admin_units import units
from counter_app.services.catalogue import import_catalogue
from counter_app.services.context import ServiceContext
from counter_app.services.setup import load_catalogue_file, sample_catalogue_path
from counter_app.ui.commune_field import CommuneField
from counter_app.ui.i18n import tr
from counter_app.ui.widgets import Field

# The usual services of a commune's one-stop counter, to start from (edit, clear a code to
# drop a row).
DEFAULT_SERVICES = (
    ("HT", "Hộ tịch", "1", "1,2", "07:30-17:00"),
    ("CT", "Chứng thực", "2", "1,2", "07:30-17:00"),
    ("DD", "Đất đai", "3", "2", "07:30-17:00"),
    ("KD", "Đăng ký kinh doanh", "4", "2", "07:30-17:00"),
)
SERVICE_COLUMNS = ("Mã", "Tên lĩnh vực", "Tiền tố", "Quầy", "Giờ phát số")


class Entry(Field):
    """A line edit with a red sentence under it when refused (what was typed stays)."""

    def __init__(self, placeholder: str = "", text: str = "", *, secret: bool = False) -> None:
        super().__init__(placeholder)
        self.edit.setText(text)
        if secret:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error.setWordWrap(True)

    def text(self) -> str:
        return self.edit.text().strip()

    def show_error(self, text: str) -> None:
        super().show_error(text)
        self.adjustSize()  # give back the room a hidden error line took


class FirstRunDialog(QDialog):
    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.username = ""  # the first supervisor, for the login that follows
        self.setWindowTitle(tr("Thiết lập đơn vị lần đầu · Bộ phận Một cửa"))
        root = QVBoxLayout(self)
        title = QLabel(tr("Thiết lập đơn vị lần đầu"))
        title.setObjectName("title")
        root.addWidget(title)
        intro = QLabel(
            tr(
                "Máy này chưa có đơn vị. Nhập thông tin đơn vị, tài khoản giám sát đầu tiên, "
                "các quầy và lĩnh vực lấy số; sau này sửa được bằng lệnh counter-app unit set, "
                "user, counter, service."
            )
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        root.addWidget(intro)
        grid = QGridLayout()
        root.addLayout(grid, 1)

        # the unit
        unit_box = QVBoxLayout()
        head = QLabel(tr("ĐƠN VỊ"))
        head.setObjectName("section")
        unit_box.addWidget(head)
        form = QFormLayout()
        self.agency = Entry(tr("ví dụ 000.20.25.H01"))
        # the unit's own commune from the 2025 list (issue 16 §4): the names below follow it
        self.commune = CommuneField(
            units(ctx), tr("gõ tên không dấu (my hoa hung) hoặc mã 5 số, Enter chọn")
        )
        self.commune.chosen_changed.connect(self._commune_chosen)
        self._derived_address = ""
        self.name = Entry(tr("UBND XÃ …"))
        self.parent_name = Entry(tr("UBND TỈNH …"))
        self.place_name = Entry(tr("địa danh ghi ở ngày tháng trên giấy tờ"))
        self.address = Entry()
        self.phone = Entry()
        self.opens = Entry("07:30", "07:30")
        self.closes = Entry("17:00", "17:00")
        self.cutoff = Entry("15:00", "15:00")
        self.code_range = Entry("1-89999", "1-89999")
        hours = QHBoxLayout()
        for label, entry in ((tr("mở cửa"), self.opens), (tr("đóng cửa"), self.closes)):
            hours.addWidget(QLabel(label), 0, Qt.AlignmentFlag.AlignTop)
            hours.addWidget(entry, 1, Qt.AlignmentFlag.AlignTop)
        form.addRow(tr("Mã định danh"), self.agency)
        form.addRow(tr("Xã, phường, đặc khu"), self.commune)
        form.addRow(tr("Tên đơn vị"), self.name)
        form.addRow(tr("Cơ quan cấp trên"), self.parent_name)
        form.addRow(tr("Địa danh"), self.place_name)
        form.addRow(tr("Địa chỉ"), self.address)
        form.addRow(tr("Điện thoại"), self.phone)
        form.addRow(tr("Giờ làm việc"), hours)
        form.addRow(tr("Giờ chốt nhận hồ sơ"), self.cutoff)
        form.addRow(tr("Dải số mã hồ sơ của máy này"), self.code_range)
        unit_box.addLayout(form)
        self.preview = QLabel()
        self.preview.setObjectName("hint")
        self.preview.setWordWrap(True)
        self.preview.setVisible(False)
        unit_box.addWidget(self.preview)
        note = QLabel(
            tr(
                "Nhiều máy của một đơn vị chạy riêng (không chung máy chủ): mỗi máy một dải "
                "không trùng, ví dụ 1-4999 và 5000-9999."
            )
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        unit_box.addWidget(note)
        unit_box.addStretch(1)
        grid.addLayout(unit_box, 0, 0, 2, 1)

        # the first supervisor
        sv_box = QVBoxLayout()
        head = QLabel(tr("TÀI KHOẢN GIÁM SÁT ĐẦU TIÊN"))
        head.setObjectName("section")
        sv_box.addWidget(head)
        sv = QFormLayout()
        self.sv_user = Entry(tr("chữ không dấu, ví dụ giamsat"))
        self.sv_name = Entry(tr("Họ và tên"))
        self.sv_pw = Entry(secret=True)
        self.sv_pw2 = Entry(secret=True)
        sv.addRow(tr("Tên đăng nhập"), self.sv_user)
        sv.addRow(tr("Họ tên"), self.sv_name)
        sv.addRow(tr("Mật khẩu"), self.sv_pw)
        sv.addRow(tr("Nhập lại mật khẩu"), self.sv_pw2)
        sv_box.addLayout(sv)
        grid.addLayout(sv_box, 0, 1)

        # counters and queue services
        q_box = QVBoxLayout()
        head = QLabel(tr("QUẦY VÀ LĨNH VỰC LẤY SỐ"))
        head.setObjectName("section")
        q_box.addWidget(head)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Số quầy (đánh số từ 1)")))
        self.counters = QSpinBox()
        self.counters.setRange(1, 30)
        self.counters.setValue(2)
        row.addWidget(self.counters)
        row.addStretch(1)
        q_box.addLayout(row)
        self.services = QTableWidget(len(DEFAULT_SERVICES) + 2, len(SERVICE_COLUMNS))
        self.services.setHorizontalHeaderLabels([tr(c) for c in SERVICE_COLUMNS])
        self.services.verticalHeader().setVisible(False)
        self.services.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.services.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.services.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside
        for r, values in enumerate(DEFAULT_SERVICES):
            for c, value in enumerate(values):
                self.services.setItem(r, c, QTableWidgetItem(value))
        q_box.addWidget(self.services)
        hint = QLabel(
            tr(
                "Mỗi dòng một lĩnh vực: số thứ tự = tiền tố + 3 chữ số (1001, 1002 …). "
                "Xoá mã để bỏ dòng. F2 sửa ô."
            )
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        q_box.addWidget(hint)
        self.services_error = QLabel()
        self.services_error.setObjectName("error")
        self.services_error.setWordWrap(True)
        q_box.addWidget(self.services_error)
        self.sample = QCheckBox(
            tr("Nạp danh mục thủ tục mẫu kèm phần mềm (cập nhật sau từ máy chủ trung tâm)")
        )
        self.sample.setChecked(True)
        q_box.addWidget(self.sample)
        grid.addLayout(q_box, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        root.addWidget(self.error)
        buttons = QHBoxLayout()
        self.save = QPushButton(tr("Ctrl+S  Lưu và đăng nhập"))
        self.save.setObjectName("primary")
        self.save.clicked.connect(self.submit)
        leave = QPushButton(tr("Esc  Thoát"))
        leave.clicked.connect(self.reject)
        buttons.addWidget(self.save, 1)
        buttons.addWidget(leave)
        root.addLayout(buttons)
        for keys in ("Ctrl+S", "Ctrl+Return"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.submit)
        self._entries: dict[str, Entry | CommuneField] = {
            "agency": self.agency,
            "commune": self.commune,
            "unit.name": self.name,
            "unit.parent_name": self.parent_name,
            "unit.place_name": self.place_name,
            "unit.address": self.address,
            "unit.phone": self.phone,
            "opens": self.opens,
            "closes": self.closes,
            "cutoff": self.cutoff,
            "code_range": self.code_range,
            "username": self.sv_user,
            "full_name": self.sv_name,
            "password": self.sv_pw,
            "password2": self.sv_pw2,
        }
        self.setMinimumSize(1100, 640)
        self.agency.edit.setFocus()

    # -- the unit's commune --------------------------------------------------------------------
    def _commune_chosen(self, commune: Commune | None) -> None:
        """The names the forms will print, filled in for the supervisor to confirm (or edit)."""
        if commune is None:
            self.preview.setVisible(False)
            return
        street = self.address.text()
        if self._derived_address and street.endswith(self._derived_address):
            street = street[: -len(self._derived_address)].rstrip(" ,")
        names = commune_names(commune, street)
        for entry, value in (
            (self.name, names.name),
            (self.parent_name, names.parent_name),
            (self.place_name, names.place_name),
            (self.address, names.address),
        ):
            entry.edit.setText(value)
            entry.show_error("")
        self._derived_address = commune.label
        self.address.edit.setCursorPosition(0)  # the street part goes before the commune
        self.preview.setText(
            "\n".join(
                (
                    tr("Đầu giấy tờ: ") + f"{names.name} / {names.receiving_name.upper()}",
                    tr("Dòng ngày tháng: ") + f"{names.place_name}, ngày … tháng … năm …",
                    tr("Nhận kết quả tại: ") + names.receiving_name,
                )
            )
        )
        self.preview.setVisible(True)

    # -- reading the form ------------------------------------------------------------------
    def _cell(self, r: int, c: int) -> str:
        item = self.services.item(r, c)
        return item.text().strip() if item is not None else ""

    def _service_rows(self) -> list[dict[str, Any]]:
        out = []
        for r in range(self.services.rowCount()):
            code = self._cell(r, 0)
            if not code:
                continue
            hours = self._cell(r, 4) or "07:30-17:00"
            opens, _, closes = hours.partition("-")
            out.append(
                {
                    "code": code,
                    "name": self._cell(r, 1),
                    "prefix": self._cell(r, 2),
                    "counters": counter_list(self._cell(r, 3) or "1"),
                    "opens": opens.strip(),
                    "closes": closes.strip() or "?",
                }
            )
        return out

    def plan(self) -> unit_setup.FirstRun:
        if self.sv_pw.edit.text() != self.sv_pw2.edit.text():
            raise ValidationError("password_mismatch")
        try:
            code_range = number_range(self.code_range.text())
        except ValidationError as exc:
            exc.params["field"] = "code_range"
            raise
        try:
            services = self._service_rows()
        except ValidationError as exc:
            exc.params["field"] = "services"
            raise
        chosen = self.commune.chosen
        typed = chosen.code if chosen is not None else self.commune.text()

        def given(entry: Entry) -> str | None:  # a commune derives what is left empty
            return entry.text() or (None if typed else "")

        return unit_setup.FirstRun(
            unit={
                "agency_id": self.agency.text(),
                "commune": typed or None,
                "name": given(self.name),
                "parent_name": given(self.parent_name),
                "place_name": given(self.place_name),
                "address": given(self.address),
                "phone": self.phone.text(),
                "office_open": self.opens.text(),
                "office_close": self.closes.text(),
                "cutoff": self.cutoff.text(),
                "code_range": code_range,
            },
            username=self.sv_user.text(),
            full_name=self.sv_name.text(),
            password=self.sv_pw.edit.text(),
            counters=tuple(range(1, self.counters.value() + 1)),
            services=tuple(services),
        )

    # -- saving ----------------------------------------------------------------------------
    def _clear(self) -> None:
        for e in self._entries.values():
            e.show_error("")
        self.services_error.setText("")
        self.error.setText("")

    def _where(self, exc: CounterAppError) -> str:
        """The field a refusal belongs to ("" = the services table or none)."""
        code = exc.code
        if "field" in exc.params:
            return str(exc.params["field"])
        if "service" in exc.params:
            return "services"
        if code == "agency_id_invalid" or code == "unit_agency_taken":
            return "agency"
        if code in ("unit_commune_unknown", "unit_commune_ambiguous"):
            return "commune"
        if code in ("hours_reversed", "time_invalid"):
            what = str(exc.params.get("what", ""))
            if "chốt" in what:
                return "cutoff"
            return "closes" if code == "hours_reversed" or "đóng" in what else "opens"
        if code == "cutoff_outside_hours":
            return "cutoff"
        if code == "password_mismatch":
            return "password2"
        if code == "user_exists":
            return "username"
        return "services"

    def _show(self, exc: CounterAppError) -> None:
        if exc.code == "counter_unknown_for_service":  # here counters come from "Số quầy"
            exc = ValidationError("first_run_counter_unknown", **exc.params)
        self._clear()
        first: QWidget | None = None
        if isinstance(exc, ValidationError) and exc.field_errors:
            for f, c in exc.field_errors.items():
                entry = self._entries.get(f)
                if entry is not None:
                    entry.show_error(field_message(c))
                    first = first or entry.edit
                else:
                    self.services_error.setText(f"{field_label(f)}: {field_message(c)}")
        else:
            where = self._where(exc)
            entry = self._entries.get(where)
            if entry is not None:
                entry.show_error(describe(exc))
                first = entry.edit
            else:
                self.services_error.setText(describe(exc))
                first = self.services
        self.error.setText(tr("Chưa lưu gì: ") + describe(exc))
        if first is not None:
            first.setFocus()

    def submit(self) -> None:
        try:
            plan = self.plan()
            unit_setup.first_run(self.ctx, plan)
        except CounterAppError as exc:
            self._show(exc)
            return
        self.username = plan.username.strip().lower()
        if self.sample.isChecked():
            try:
                import_catalogue(self.ctx, load_catalogue_file(sample_catalogue_path()))
            except CounterAppError as exc:  # the unit is saved; the catalogue can come later
                self.error.setText(describe(exc))
        self.accept()

    def keyPressEvent(self, event: Any) -> None:  # Enter in a field moves on, never submits
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.focusNextChild()
            return
        super().keyPressEvent(event)

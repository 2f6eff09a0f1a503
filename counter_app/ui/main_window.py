"""The counter window: today's list, the intake form, the last dossier's paper actions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from counter_app.config import data_dir
from counter_app.domain.cccd import CccdData
from counter_app.domain.errors import CounterAppError
from counter_app.domain.model import DossierView
from counter_app.domain.workdays import preload_years
from counter_app.messages import describe, text_for
from counter_app.printing.spool import Spooler
from counter_app.services import lookup
from counter_app.services import printjobs as pj
from counter_app.services.auth import UserInfo
from counter_app.services.context import ServiceContext
from counter_app.services.intake import IntakeSetup, parse_intake, register
from counter_app.services.lookup import DossierSummary
from counter_app.ui.backup_view import ROLES as BACKUP_ROLES
from counter_app.ui.backup_view import SHORTCUT as BACKUP_KEY
from counter_app.ui.backup_view import BackupController, BackupDialog
from counter_app.ui.day_close_view import ROLES as DAY_CLOSE_ROLES
from counter_app.ui.day_close_view import SHORTCUT as DAY_CLOSE_KEY
from counter_app.ui.day_close_view import DayCloseDialog
from counter_app.ui.device_status import DeviceIndicator, DeviceStates
from counter_app.ui.dialogs import LookupDialog
from counter_app.ui.document_pages import render_scans, scan_source, with_scans
from counter_app.ui.dossier_view import DossierDialog, DueDialog
from counter_app.ui.i18n import tr
from counter_app.ui.intake_form import IntakeForm, due_text
from counter_app.ui.printers_view import ROLES as PRINTERS_ROLES
from counter_app.ui.printers_view import SHORTCUT as PRINTERS_KEY
from counter_app.ui.printers_view import PrintersDialog
from counter_app.ui.queue_panel import QueuePanel
from counter_app.ui.rating_window import SHORTCUT as RATING_KEY
from counter_app.ui.rating_window import RatingPrompter
from counter_app.ui.report_view import ROLES as REPORT_ROLES
from counter_app.ui.report_view import SHORTCUT as REPORT_KEY
from counter_app.ui.report_view import ReportDialog
from counter_app.ui.scan import ScanDispatcher
from counter_app.ui.sync_status import SHORTCUT as SYNC_KEY
from counter_app.ui.sync_status import SyncController, SyncIndicator, TransportFactory
from counter_app.ui.tasks import run_task
from counter_app.ui_text import STATUS_LABELS

ROLE_NAMES = {"clerk": "cán bộ", "supervisor": "giám sát", "admin": "quản trị"}


class Banner(QFrame):
    """What happened to the last dossier: saved, printing, printed, or a print failure to retry."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("banner")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.text, 1)
        self.buttons: dict[str, QPushButton] = {}
        for key, label in (
            ("F8", tr("F8  In lại")),
            ("F9", tr("F9  In nhãn")),
            ("F10", tr("F10  Xem trước")),
        ):
            b = QPushButton(label)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.buttons[key] = b
            row.addWidget(b)
        self.setVisible(False)

    def show_state(self, kind: str, text: str) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.text.setText(text)
        self.setVisible(True)


def _warm_up(today: date) -> None:
    """What the first save would otherwise wait for: the working-day calendar of this year
    and the next (the due date), then the forms' and labels' code and fonts (the receipt)."""
    preload_years(today)
    pj.preload()


class CounterWindow(QMainWindow):
    def __init__(
        self,
        ctx: ServiceContext,
        user: UserInfo,
        setup: IntakeSetup,
        printers: pj.Printers,
        scan: ScanDispatcher | None = None,
        sync_transport: TransportFactory | None = None,
    ) -> None:
        super().__init__()
        self.ctx, self.user, self.setup, self.printers = ctx, user, setup, printers
        self.last: DossierView | None = None
        self.saving = False
        self.lookup_dialog: LookupDialog | None = None
        self.dossier_dialog: DossierDialog | None = None
        self.due_dialog: DueDialog | None = None
        self.report_dialog: ReportDialog | None = None
        self.day_close_dialog: DayCloseDialog | None = None
        self.backup_dialog: BackupDialog | None = None
        self.printers_dialog: PrintersDialog | None = None
        counter = ctx.settings.counter_number
        role = ROLE_NAMES.get(user.role, user.role)
        self.setWindowTitle(
            f"{tr('Quầy')} {counter} · {user.full_name} ({role}) · {setup.unit.name}"
        )
        self.form = IntakeForm(ctx, setup)
        self.form.save_requested.connect(self.save)
        self.form.procedure_chosen.connect(self._prepare_receipt)
        self._prepared: set[tuple[str, date]] = set()
        self.form.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.banner = Banner()
        self.banner.buttons["F8"].clicked.connect(lambda: self.reprint(self.last))
        self.banner.buttons["F9"].clicked.connect(lambda: self.print_label(self.last))
        self.banner.buttons["F10"].clicked.connect(lambda: self.preview(self.last))
        self.queue = QueuePanel(ctx, ctx.settings.counter_number, user.username)
        self.queue.ticket_changed.connect(self._ticket_changed)
        self.queue.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.extra_windows: list[QWidget] = []
        self._force_close = False  # after a restore: close without asking
        self.close_box: QMessageBox | None = None  # the "close and lose typed data?" question
        self.today = QListWidget()
        self.today.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.today.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.today.itemActivated.connect(
            lambda item: self.open_code(item.data(Qt.ItemDataRole.UserRole))
        )
        self._build(counter)
        self._shortcuts()
        self.scan = scan
        self.devices = DeviceStates(self)
        if scan is not None:
            scan.watch(self)
            scan.cccd_scanned.connect(self.on_cccd)
            scan.code_scanned.connect(lambda code: self.open_code(code, scanned=True))
            scan.scan_failed.connect(
                lambda code: self.statusBar().showMessage(text_for(code), 8000)
            )
            scan.cccd_scanned.connect(lambda _d: self.devices.succeeded("scanner"))
            scan.code_scanned.connect(lambda _c: self.devices.succeeded("scanner"))
            scan.scan_failed.connect(self._scan_failed)
        self.sync = SyncController(ctx, sync_transport, self)
        self._status_bar()
        self._ratings(counter)
        self.sync.start()
        self.backups.start()
        self.refresh_today()
        self.form.picker.setFocus()
        # the calendar and the printing code load once the window is up, not before it (issue
        # 17 start-up), so neither waits for the first save; a failure here is logged and
        # shows again, in words, when a due date is computed or something printed
        today = ctx.now().astimezone(ctx.tz).date()
        QTimer.singleShot(
            0, lambda: run_task(self, lambda: _warm_up(today), lambda _r: None, lambda _e: None)
        )

    def _build(self, counter: int) -> None:
        left = QWidget()
        left.setMaximumWidth(340)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(8, 8, 8, 8)
        who = QLabel(f"{tr('Quầy')} {counter}\n{self.user.full_name}")
        who.setObjectName("title")
        lv.addWidget(who)
        lv.addWidget(self.queue)
        self.today_label = QLabel(tr("HỒ SƠ HÔM NAY"))
        self.today_label.setObjectName("section")
        lv.addWidget(self.today_label)
        lv.addWidget(self.today, 1)
        hint = QLabel(
            tr(
                "Ctrl+F  Tìm hồ sơ\nCtrl+L  Danh sách hôm nay\nCtrl+H  Hạn trả, quá hạn\n"
                "Ctrl+T  Chọn thủ tục\n"
                "Ctrl+R  Báo cáo định kỳ (giám sát)\n"
                "Ctrl+K  Màn hình lấy số · Ctrl+B  Bảng gọi số\n"
                "Ctrl+G  Màn hình đánh giá (người dân)\n"
                "F12  Tình trạng đồng bộ\n"
                "Ctrl+Shift+K  Khóa sổ cuối ngày (giám sát)\n"
                "Ctrl+Shift+S  Sao lưu / Khôi phục (giám sát)\n"
                "Ctrl+Shift+P  Máy in, in thử (giám sát)"
            )
        )
        hint.setObjectName("hint")
        lv.addWidget(hint)
        # The last backup, calmly, under the keys (the status bar is the sync's).
        self.backup_label = QLabel()
        self.backup_label.setObjectName("hint")
        lv.addWidget(self.backup_label)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.form, 1)
        rv.addWidget(self.banner)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([280, 1000])
        split.setChildrenCollapsible(False)
        self.setCentralWidget(split)
        self.setMinimumSize(1024, 680)

    def _shortcuts(self) -> None:
        for keys, slot in (
            ("Ctrl+F", self.open_lookup),
            ("Ctrl+L", self.today.setFocus),
            ("Ctrl+H", self.open_due),
            (REPORT_KEY, self.open_report),
            ("F8", lambda: self.reprint(self.last)),
            ("F9", lambda: self.print_label(self.last)),
            ("F10", lambda: self.preview(self.last)),
            ("Escape", self.clear_form),
            ("Ctrl+K", lambda: self.open_window("kiosk")),
            ("Ctrl+B", lambda: self.open_window("board")),
            (SYNC_KEY, lambda: self.sync_indicator.open_details()),
            (DAY_CLOSE_KEY, self.open_day_close),
            (RATING_KEY, lambda: self.rating.open()),
            (BACKUP_KEY, self.open_backup),
            (PRINTERS_KEY, self.open_printers),
            *self.queue.shortcuts(),
        ):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
        # Issue 14 item 7: the form's own keys (Ctrl+S, Ctrl+T, F3, Ctrl+D) work wherever the
        # focus is in this window (today's list, a combo box, the call panel), not only inside
        # the form.
        for sc in self.form.findChildren(QShortcut):
            sc.setContext(Qt.ShortcutContext.WindowShortcut)

    def _status_bar(self) -> None:
        self.printer_label = QLabel(tr("Máy in A4: {p}").format(p=pj.describe(self.printers.a4)))
        self.count_label = QLabel()
        self.statusBar().addPermanentWidget(self.count_label)
        self._configure_devices()
        self.device_indicator = DeviceIndicator(self.devices)
        self.statusBar().addPermanentWidget(self.device_indicator)
        self.sync_indicator = SyncIndicator(self.sync)
        self.statusBar().addPermanentWidget(self.sync_indicator)
        self.backups = BackupController(self.ctx, self)
        self.backups.changed.connect(lambda: self.backup_label.setText(self.backups.status_text()))

    def _configure_devices(self) -> None:
        """Issue 14 item 13: what each device is at start (set up or not)."""
        d = self.devices
        d.configure("a4", pj.saved_folder(self.printers.a4) is None, pj.describe(self.printers.a4))
        d.configure(
            "label", pj.saved_folder(self.printers.label) is None, pj.describe(self.printers.label)
        )
        ticket = self.ctx.settings.ticket_printer
        d.configure("ticket", bool(ticket), ticket)
        serial = self.scan is not None and self.scan.serial_attached
        d.configure("scanner", serial, tr("máy quét nối cổng COM") if serial else "")

    def _scan_failed(self, code: str) -> None:
        if code == "scanner_port_failed":
            self.devices.failed("scanner", text_for(code))

    def _printed(self, device: str, spooler: Spooler) -> None:
        self.devices.succeeded(device, pj.saved_folder(spooler) is None)

    def _print_failed(self, device: str, exc: Exception) -> str:
        """The clerk's words for a print failure; the device turns red and the log says why."""
        msg = describe(exc) if isinstance(exc, CounterAppError) else str(exc)
        self.devices.failed(device, msg)  # logged there (and by ui.tasks with the traceback)
        return msg

    # ----- saving and printing ---------------------------------------------------------------
    def _prepare_receipt(self, procedure_code: str) -> None:
        """Lay the chosen procedure's receipt out on a worker thread while the clerk types
        the applicant's details (once a day per procedure; the save's receipt then copies
        what it shares). A failure is only logged: the save draws the receipt in full."""
        key = (procedure_code, self.ctx.local(self.ctx.now()).date())
        if key in self._prepared:
            return
        self._prepared.add(key)
        username = self.user.username
        run_task(
            self,
            lambda: pj.prepare_intake_paper(self.ctx, procedure_code, username),
            lambda _r: None,
            lambda _e: None,
        )

    def save(self, raw: dict[str, object]) -> None:
        if self.saving:
            return
        req = parse_intake(raw, self.ctx.now().date())
        self._saving_under_ticket = self.form.ticket_id is not None
        self.saving = True
        self.form.set_busy(True)
        self.banner.show_state("busy", tr("Đang lưu hồ sơ…"))
        pages = self.form.pages.scans()  # issue 15: the scanned pages go with the dossier
        source = scan_source(pages)
        run_task(
            self,
            lambda: register(
                self.ctx, [with_scans(req, render_scans(pages), source)], self.user.username
            )[0],
            self._saved,
            self._save_failed,
        )

    def _saved(self, view: DossierView) -> None:
        self.saving = False
        self.form.set_busy(False)
        self.last = view
        self.form.clear()
        self.refresh_today()
        self.sync.refresh()
        paper = (
            tr("phiếu yêu cầu bổ sung") if view.missing_documents else tr("giấy tiếp nhận (2 liên)")
        )
        self._saved_text = tr("Đã lưu hồ sơ <b>{code}</b> · {name} · hẹn trả {due}").format(
            code=view.code, name=view.applicant.name, due=due_text(view.due_at)
        )
        self.banner.show_state("busy", f"{self._saved_text}<br>{tr('Đang in')} {paper}…")
        self._print(view, paper)
        self.rating.dossier_saved(view, self._saving_under_ticket)

    def _save_failed(self, exc: Exception) -> None:
        self.saving = False
        self.form.set_busy(False)
        msg = (
            describe(exc)
            if isinstance(exc, CounterAppError)
            else tr("Lỗi không mong đợi: {e}").format(e=exc)
        )
        if isinstance(exc, CounterAppError) and getattr(exc, "field_errors", None):
            self.form.show_errors(exc.field_errors)  # type: ignore[attr-defined]
        self.banner.show_state(
            "error", tr("Hồ sơ CHƯA được lưu: {m}. Thông tin đã nhập vẫn còn.").format(m=msg)
        )

    def _print(self, view: DossierView, paper: str) -> None:
        def done(_kind: object) -> None:
            self._printed("a4", self.printers.a4)
            folder = pj.saved_folder(self.printers.a4)
            if folder is not None:
                what = tr("Chưa cấu hình máy in: đã lưu {paper} thành PDF trong {dir}.").format(
                    paper=paper, dir=folder
                )
            else:
                what = tr("Đã gửi {paper} tới máy in.").format(paper=paper)
            self.banner.show_state("ok", f"{self._saved_text}<br>{what} " + tr("F9 in nhãn hồ sơ."))

        def failed(exc: Exception) -> None:
            msg = self._print_failed("a4", exc)
            self.banner.show_state(
                "error",
                f"{self._saved_text}<br>"
                + tr("Không in được: {m} Hồ sơ đã lưu. F8 in lại.").format(m=msg),
            )

        run_task(
            self,
            lambda: pj.print_intake_paper(view, self.printers, self.ctx, self.user.username),
            done,
            failed,
        )

    def reprint(self, view: DossierView | None) -> None:
        if view is None:
            return
        self._saved_text = tr("Hồ sơ <b>{code}</b>").format(code=view.code)
        self.banner.show_state("busy", f"{self._saved_text}<br>{tr('Đang in lại…')}")
        self._print(view, tr("giấy tờ"))

    def print_label(self, view: DossierView | None) -> None:
        if view is None:
            return

        def failed(exc: Exception) -> None:
            msg = self._print_failed("label", exc)
            self.banner.show_state(
                "error",
                tr("Không in được nhãn {code}: {m} F9 thử lại.").format(code=view.code, m=msg),
            )

        def done(_r: object) -> None:
            # Issue 14 item 10: "printed" only when it was; a folder target says where it went.
            self._printed("label", self.printers.label)
            folder = pj.saved_folder(self.printers.label)
            if folder is not None:
                text = tr(
                    "Chưa cấu hình máy in nhãn: đã lưu nhãn hồ sơ {code} thành PDF trong {dir}."
                ).format(code=view.code, dir=folder)
            else:
                text = tr("Đã in nhãn hồ sơ {code}.").format(code=view.code)
            self.banner.show_state("ok", text)

        run_task(self, lambda: pj.print_label(view, self.printers), done, failed)

    def preview(self, view: DossierView | None) -> None:
        if view is None:
            return
        folder = Path(self.ctx.settings.effective_print_dir) / "preview"
        run_task(
            self,
            lambda: pj.preview_file(view, folder),
            self._open_file,
            lambda exc: self.statusBar().showMessage(str(exc), 8000),
        )

    def show_task_error(self, text: str) -> None:
        """The default for a background task that failed (ui.tasks): a line in the status bar."""
        self.statusBar().showMessage(text, 15000)

    def _open_file(self, path: Path) -> None:
        """F10: the PDF in the PC's viewer; without one (openUrl fails), say so, give the
        path and open the folder so the file can be copied or opened another way."""
        if self.open_url(QUrl.fromLocalFile(str(path))):
            return
        opened = self.open_url(QUrl.fromLocalFile(str(path.parent)))
        text = tr("Máy này chưa có phần mềm xem PDF. Tệp đã lưu: {path}").format(path=path)
        if opened:
            text += " " + tr("(đã mở thư mục)")
        self.banner.show_state("error", text)
        self.statusBar().showMessage(text, 15000)

    @staticmethod
    def open_url(url: QUrl) -> bool:
        """The desktop's opener (a test replaces it: the edge of software we do not have)."""
        return bool(QDesktopServices.openUrl(url))

    # ----- look-up ------------------------------------------------------------------------
    def refresh_today(self) -> None:
        run_task(self, lambda: lookup.received_on_day(self.ctx), self._fill_today)

    def _fill_today(self, rows: list[DossierSummary]) -> None:
        self.today.clear()
        for s in rows:
            item = QListWidgetItem(
                f"{s.code[-4:]}  {s.applicant_name}\n      {s.procedure_name[:38]}"
            )
            item.setData(Qt.ItemDataRole.UserRole, s.code)
            item.setToolTip(f"{s.code}\n{s.procedure_name}")
            self.today.addItem(item)
        self.count_label.setText(tr("Hôm nay: {n} hồ sơ").format(n=len(rows)))

    def open_lookup(self) -> None:
        if self.lookup_dialog is None:
            self.lookup_dialog = LookupDialog(self.ctx, self.open_code, self)
            self._forward_form_keys(self.lookup_dialog)
        else:
            self.lookup_dialog.show_today()
        self.lookup_dialog.query.clear()
        self.lookup_dialog.open()
        self.lookup_dialog.query.setFocus()

    def _forward_form_keys(self, dialog: QWidget) -> None:
        """Issue 14 item 7: the form's keys (Ctrl+S, Ctrl+T, F3, Ctrl+D) from the look-up too:
        the look-up closes and the form's own shortcut does what it does in the window."""
        for sc in self.form.findChildren(QShortcut):
            fwd = QShortcut(sc.key(), dialog)

            def forward(target: QShortcut = sc) -> None:
                dialog.close()
                self.activateWindow()
                target.activated.emit()

            fwd.activated.connect(forward)

    def open_due(self) -> None:
        """Ctrl+H: open dossiers due today or overdue, the oldest due first."""
        if self.due_dialog is None:
            self.due_dialog = DueDialog(self.ctx, self.open_code, self)
        self.due_dialog.reload()
        self.due_dialog.open()

    def open_report(self) -> None:
        """Ctrl+R: the periodic report, for a supervisor or an admin; a clerk reads why not."""
        if self.user.role not in REPORT_ROLES:
            self.statusBar().showMessage(tr("Chỉ giám sát xem báo cáo"), 8000)
            return
        if self.report_dialog is None:
            self.report_dialog = ReportDialog(self.ctx, self.printers, self)
        self.report_dialog.open()
        self.report_dialog.kind.setFocus()
        self.report_dialog.reload()

    def open_day_close(self) -> None:
        """Ctrl+Shift+K: the day close, for a supervisor or an admin; a clerk reads why not."""
        if self.user.role not in DAY_CLOSE_ROLES:
            self.statusBar().showMessage(tr("Chỉ giám sát khóa sổ cuối ngày"), 8000)
            return
        if self.day_close_dialog is None:
            self.day_close_dialog = DayCloseDialog(
                self.ctx, self.printers, self.user.username, self
            )
        self.day_close_dialog.open()
        self.day_close_dialog.reload()

    def open_backup(self) -> None:
        """Ctrl+Shift+S: back up now, restore, the recovery range; supervisors only."""
        if self.user.role not in BACKUP_ROLES:
            self.statusBar().showMessage(tr("Chỉ giám sát sao lưu và khôi phục"), 8000)
            return
        if self.backup_dialog is None:
            self.backup_dialog = BackupDialog(
                self.ctx, self.user, self.backups, self._restored, self
            )
        self.backups.refresh()
        self.backup_dialog.open()
        self.backup_dialog.backup_button.setFocus()

    def open_printers(self) -> None:
        """Ctrl+Shift+P: the printers and a test page for each; supervisors only."""
        if self.user.role not in PRINTERS_ROLES:
            self.statusBar().showMessage(tr("Chỉ giám sát xem và in thử máy in"), 8000)
            return
        if self.printers_dialog is None:
            self.printers_dialog = PrintersDialog(self.ctx, self.printers, self)
        self.printers_dialog.open()
        self.printers_dialog.a4_button.setFocus()
        self.printers_dialog.reload()

    def _restored(self) -> None:
        """After a restore the database under this window is another one: close."""
        QMessageBox.information(
            self,
            tr("Đã khôi phục"),
            tr("Đã khôi phục cơ sở dữ liệu. Phần mềm sẽ đóng lại; hãy mở lại để tiếp tục."),
        )
        self._force_close = True
        self.close()

    def open_code(self, code: str, scanned: bool = False) -> None:
        """Open a dossier's view. A scanned code of a dossier whose result is ready is a
        citizen come to collect it: the return form opens at once, asking for the ID."""
        run_task(
            self,
            lambda: lookup.get_dossier(self.ctx, code),
            lambda view: self._show_dossier(view, scanned),
            lambda exc: self.statusBar().showMessage(
                describe(exc) if isinstance(exc, CounterAppError) else str(exc), 8000
            ),
        )

    def _show_dossier(self, view: DossierView, scanned: bool = False) -> None:
        self.last = view
        if self.dossier_dialog is not None:
            self.dossier_dialog.close()
        self.dossier_dialog = DossierDialog(
            view,
            {"F8": self.reprint, "F9": self.print_label, "F10": self.preview},
            self,
            ctx=self.ctx,
            username=self.user.username,
        )
        self.dossier_dialog.changed.connect(self._dossier_changed)
        self.dossier_dialog.open()
        if scanned and view.status == "result_ready":
            self.dossier_dialog.start_action("return", id_check=True)

    def _dossier_changed(self, view: DossierView) -> None:
        self.last = view
        self.statusBar().showMessage(
            tr("Hồ sơ {code}: {status}").format(
                code=view.code, status=tr(STATUS_LABELS.get(view.status, view.status))
            ),
            8000,
        )
        self.refresh_today()
        self.sync.refresh()
        if self.due_dialog is not None and self.due_dialog.isVisible():
            self.due_dialog.reload()
        self.rating.dossier_changed(view)

    def _ticket_changed(self, ticket: object) -> None:
        """The dossier taken now belongs to the ticket being served (wait/service times)."""
        self.form.ticket_id = getattr(ticket, "id", None)

    def open_window(self, which: str) -> None:
        """Single-PC tier: the kiosk and the board run from the same install (Ctrl+K, Ctrl+B)."""
        from counter_app.ui.board import BoardWindow
        from counter_app.ui.kiosk import KioskWindow

        unit = self.setup.unit.name
        w: QWidget = (
            KioskWindow(self.ctx, unit, self.devices)
            if which == "kiosk"
            else BoardWindow(self.ctx, unit, self.ctx.settings.board_voice)
        )
        w.resize(1280, 720)
        w.show()
        self.extra_windows.append(w)

    def on_cccd(self, data: CccdData) -> None:
        """A scanned CCCD fills the return form's collector when one is open, else intake."""
        d = self.dossier_dialog
        form = d.action_form if d is not None else None
        if form is not None and form.isVisible() and form.accept_cccd(data):
            return
        self.form.fill_from_cccd(data)

    def clear_form(self) -> None:
        self.form.confirm_clear()  # asks first when something was typed (as its button does)

    def ask_before_closing(self) -> None:
        """Issue 14 item 5: typed data is not lost by Alt+F4 or the close button. Enter and
        Esc stay (the safe default); closing takes Tab to the other button, then Enter.
        The question is window-modal and asynchronous (no nested event loop)."""
        if self.close_box is not None:
            self.close_box.raise_()
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("Đóng phần mềm?"))
        box.setText(
            tr(
                "Hồ sơ đang nhập chưa được lưu. Đóng phần mềm sẽ mất thông tin đã nhập.\n"
                "Enter: ở lại để lưu (Ctrl+S). Tab rồi Enter: đóng và bỏ thông tin."
            )
        )
        stay = box.addButton(tr("Ở lại"), QMessageBox.ButtonRole.RejectRole)
        leave = box.addButton(tr("Đóng, bỏ thông tin đã nhập"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)

        def answered() -> None:
            self.close_box = None
            box.deleteLater()
            if box.clickedButton() is leave:
                self._force_close = True
                self.close()
            else:
                self.form.setFocus()

        box.finished.connect(answered)
        self.close_box = box
        box.open()
        stay.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._force_close and self.form.is_dirty():
            event.ignore()
            self.ask_before_closing()
            return
        window_settings().setValue("counter/geometry", self.saveGeometry())
        self.backups.stop()
        if self.backup_dialog is not None:
            self.backup_dialog.close()
        dialogs = (self.dossier_dialog, self.due_dialog, self.lookup_dialog, self.report_dialog)
        for d in (*dialogs, self.day_close_dialog):
            if d is not None:
                if isinstance(d, DossierDialog) and d.action_form is not None:
                    d.action_form.close()
                d.close()
        self.rating.close()
        # The counter window is the app: the kiosk and the board it opened close with it, so
        # no window is left running without a counter (and the app's event loop ends).
        for w in self.extra_windows:
            w.close()
        self.sync.stop()
        if self.scan is not None:
            self.scan.stop_serial()
        super().closeEvent(event)

    def _ratings(self, counter: int) -> None:
        """The citizen's rating screen (ui/rating_window.py): Ctrl+G opens it, the
        `rating_screen` setting at start; finished tickets and dossiers ask it to rate."""
        self.rating = RatingPrompter(
            self.ctx, self.setup.unit.name, counter, self.user.username, self.user.full_name, self
        )
        self._saving_under_ticket = False
        self.queue.ticket_finished.connect(self.rating.ticket_finished)
        if self.ctx.settings.rating_screen:
            self.rating.open()

    def restore_geometry(self) -> bool:
        """The last size and place; False on first start (the caller then maximises)."""
        geo = window_settings().value("counter/geometry")
        return geo is not None and bool(self.restoreGeometry(geo))


def window_settings() -> QSettings:
    """Window geometry lives beside the database (per data dir), not in a global registry."""
    return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)

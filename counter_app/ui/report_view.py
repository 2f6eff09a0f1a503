"""The periodic report in the counter window, for the supervisor (Ctrl+R; DOMAIN.md §6).

Pick the period by keyboard (today, this month, quarter, year, or from–to; days come from
the context's clock), read the totals, the on-time rate and the lines by sector, then save
the PDF or CSV into the print folder or print the PDF on the A4 printer. The report and
the files are made off the GUI thread (ui.tasks); the words are the printed report's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.errors import CounterAppError
from counter_app.domain.ratings import ratings_text
from counter_app.domain.report import COUNT_KEYS, Period
from counter_app.domain.report_communes import rows_for_print
from counter_app.messages import describe
from counter_app.printing.report_text import COLUMNS, LABELS, UNIT_TITLE, cell, render_csv
from counter_app.services import printjobs as pj
from counter_app.services.context import ServiceContext
from counter_app.services.report import UnitReport, unit_report
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import run_task

SHORTCUT = "Ctrl+R"
ROLES = ("supervisor", "admin")
# (key, words); "custom" enables the two date fields.
PERIODS = (
    ("today", "Hôm nay"),
    ("month", "Tháng này"),
    ("quarter", "Quý này"),
    ("year", "Năm nay"),
    ("custom", "Từ ngày … đến ngày …"),
)


def period_for(kind: str, today: date) -> tuple[date, date]:
    """From the first day of the period to today (a report never reaches into the future)."""
    if kind == "today":
        return today, today
    if kind == "month":
        return today.replace(day=1), today
    if kind == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
    if kind == "year":
        return today.replace(month=1, day=1), today
    raise ValueError(kind)


@dataclass(frozen=True)
class Made:
    """A report as the dialog keeps it: its JSON (DESIGN.md §4) and what the PDF header needs."""

    report: UnitReport
    data: dict[str, Any]


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _item(text: str, right: bool = False) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if right:
        it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return it


def _table(columns: int) -> QTableWidget:
    t = QTableWidget(0, columns)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
    head = t.horizontalHeader()
    for i in range(columns):
        head.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
    return t


class ReportDialog(QDialog):
    def __init__(
        self, ctx: ServiceContext, printers: pj.Printers, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.printers = ctx, printers
        self.made: Made | None = None
        self.setWindowTitle(tr("Báo cáo tình hình tiếp nhận, giải quyết hồ sơ (Ctrl+R)"))
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Kỳ báo cáo:")))
        self.kind = QComboBox()
        for key, words in PERIODS:
            self.kind.addItem(tr(words), key)
        row.addWidget(self.kind)
        self.start, self.end = QDateEdit(), QDateEdit()
        for label, edit in ((tr("từ"), self.start), (tr("đến"), self.end)):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
            row.addWidget(QLabel(label))
            row.addWidget(edit)
        self.run_button = QPushButton(tr("Enter  Xem"))
        self.run_button.clicked.connect(self.reload)
        row.addWidget(self.run_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.status = QLabel()
        self.status.setObjectName("title")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        # Two label–value pairs a row, as on the printed report.
        self.totals = _table(4)
        self.totals.horizontalHeader().setVisible(False)
        for i in (0, 2):
            self.totals.horizontalHeader().setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.totals, 3)
        sector = QLabel(tr("THEO LĨNH VỰC"))
        sector.setObjectName("section")
        lay.addWidget(sector)
        self.sectors = _table(1 + len(COLUMNS))
        self.sectors.setHorizontalHeaderLabels([tr("Lĩnh vực"), *(tr(h) for h, _ in COLUMNS)])
        self.sectors.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.sectors, 2)
        # Issue 16: by the applicant's 2025 commune (the 30 largest, the others, unverified).
        commune = QLabel(tr("THEO XÃ/PHƯỜNG CỦA NGƯỜI NỘP"))
        commune.setObjectName("section")
        lay.addWidget(commune)
        self.communes = _table(1 + len(COLUMNS))
        self.communes.setHorizontalHeaderLabels([tr("Xã/phường"), *(tr(h) for h, _ in COLUMNS)])
        self.communes.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.communes, 2)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (
            ("Ctrl+S", tr("Ctrl+S  Lưu PDF"), lambda: self.save("pdf")),
            ("Ctrl+E", tr("Ctrl+E  Lưu CSV"), lambda: self.save("csv")),
            ("F8", tr("F8  In báo cáo (A4)"), self.print_a4),
        ):
            b = QPushButton(label)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            QShortcut(QKeySequence(key), self).activated.connect(slot)
            self.buttons[key] = b
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.line = QLabel()
        self.line.setWordWrap(True)
        self.line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.line)
        hint = QLabel(
            tr("↑↓ chọn kỳ · Enter xem · Ctrl+S lưu PDF · Ctrl+E lưu CSV · F8 in · Esc đóng")
        )
        hint.setObjectName("hint")
        lay.addWidget(hint)
        self.kind.setCurrentIndex(1)  # this month
        self._period_changed()
        self.kind.currentIndexChanged.connect(lambda _i: self._period_changed(reload=True))
        self._enable(False)
        self.resize(980, 720)  # fits a 1366×768 screen

    # ----- the period -------------------------------------------------------------------------
    def today(self) -> date:
        return self.ctx.now().date()

    def period(self) -> tuple[date, date]:
        kind = str(self.kind.currentData())
        if kind == "custom":
            return _pydate(self.start.date()), _pydate(self.end.date())
        return period_for(kind, self.today())

    def choose(self, kind: str) -> None:
        self.kind.setCurrentIndex(next(i for i, (k, _w) in enumerate(PERIODS) if k == kind))

    def _period_changed(self, reload: bool = False) -> None:
        custom = self.kind.currentData() == "custom"
        if not custom:
            start, end = self.period()
            self.start.setDate(_qdate(start))
            self.end.setDate(_qdate(end))
        for edit in (self.start, self.end):
            edit.setEnabled(custom)
        if custom:
            self.start.setFocus()
        elif reload:
            self.reload()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.reload()
            return
        super().keyPressEvent(event)

    # ----- making and showing ----------------------------------------------------------------
    def reload(self) -> None:
        start, end = self.period()
        try:
            Period(start, end)
        except CounterAppError as exc:
            self.status.setText(describe(exc))
            return
        self.status.setText(tr("Đang lập báo cáo…"))
        self._enable(False)
        run_task(self, lambda: self._make(start, end), self._show, self._failed)

    def _make(self, start: date, end: date) -> Made:
        rep = unit_report(self.ctx, start, end)
        return Made(rep, rep.as_json())

    def _show(self, made: Made) -> None:
        self.made = made
        t = made.data["totals"]
        p = made.report.period
        self.status.setText(
            tr("{unit} · từ ngày {a:%d/%m/%Y} đến ngày {b:%d/%m/%Y} · đúng hạn {r}").format(
                unit=made.report.unit.name, a=p.start, b=p.end, r=cell(t, "on_time_rate")
            )
            + (tr(" · đánh giá: {x}").format(x=ratings_text(t["ratings"])) if t["ratings"] else "")
        )
        keys = [*COUNT_KEYS, "on_time_rate"]
        half = (len(keys) + 1) // 2
        self.totals.setRowCount(half)
        for n, k in enumerate(keys):
            row, col = n % half, 2 * (n // half)
            label = LABELS[k]
            indent = "      " if label.startswith("—") else ""
            self.totals.setItem(row, col, _item(indent + label))
            self.totals.setItem(row, col + 1, _item(cell(t, k), right=True))
        rows = made.data["by_sector"]
        self.sectors.setRowCount(len(rows))
        for i, r in enumerate(rows):
            self.sectors.setItem(i, 0, _item(r["sector"] or "—"))
            for j, (_h, k) in enumerate(COLUMNS, start=1):
                self.sectors.setItem(i, j, _item(cell(r, k), right=True))
        rows = rows_for_print(made.data.get("by_commune", []))
        self.communes.setRowCount(len(rows))
        for i, r in enumerate(rows):
            name = _item(r["name"])
            name.setToolTip(r["name"])  # a long name is cut in the column
            self.communes.setItem(i, 0, name)
            for j, (_h, k) in enumerate(COLUMNS, start=1):
                self.communes.setItem(i, j, _item(cell(r, k), right=True))
        self._enable(True)

    def _failed(self, exc: Exception) -> None:
        self.status.setText(describe(exc) if isinstance(exc, CounterAppError) else str(exc))

    def _enable(self, on: bool) -> None:
        for b in self.buttons.values():
            b.setEnabled(on)

    # ----- saving and printing ---------------------------------------------------------------
    def _pdf(self, made: Made) -> bytes:
        from counter_app.printing.report import render_pdf  # reportlab, loaded when needed

        return render_pdf(made.data, made.report.unit, self.today(), UNIT_TITLE)

    def folder(self) -> Path:
        return Path(self.ctx.settings.effective_print_dir) / "reports"

    def save(self, fmt: str) -> None:
        made = self.made
        if made is None:
            return
        folder = self.folder()

        def write() -> Path:
            from counter_app.filemodes import make_dir, write_private

            body = self._pdf(made) if fmt == "pdf" else render_csv(made.data)
            p = made.report.period
            make_dir(folder)
            path = folder / f"bao-cao-{p.start:%Y%m%d}-{p.end:%Y%m%d}.{fmt}"
            write_private(path, body)
            return path

        self.line.setText(tr("Đang lưu…"))
        run_task(
            self,
            write,
            lambda path: self.line.setText(tr("Đã lưu {path}").format(path=path)),
            self._file_failed,
        )

    def print_a4(self) -> None:
        made = self.made
        if made is None:
            return

        def send() -> None:
            p = made.report.period
            title = f"bao cao {p.start:%d%m%Y}-{p.end:%d%m%Y}"
            self.printers.a4.send(self._pdf(made), copies=1, title=title)

        def done(_r: object) -> None:
            folder = pj.saved_folder(self.printers.a4)
            self.line.setText(
                tr("Chưa cấu hình máy in: đã lưu báo cáo thành PDF trong {dir}.").format(dir=folder)
                if folder is not None
                else tr("Đã gửi báo cáo tới máy in.")
            )

        self.line.setText(tr("Đang in…"))
        run_task(self, send, done, self._file_failed)

    def _file_failed(self, exc: Exception) -> None:
        msg = describe(exc) if isinstance(exc, CounterAppError) else str(exc)
        self.line.setText(tr("Chưa làm được: {m}").format(m=msg))

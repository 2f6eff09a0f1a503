"""Ctrl+R: the periodic report in the counter window, for the supervisor only."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest
from pinned_clock import PINNED_DAY, VN
from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from counter_app.db.models import Dossier
from counter_app.services.auth import login
from counter_app.services.context import ServiceContext
from counter_app.services.intake import intake_setup
from counter_app.services.printjobs import Printers
from counter_app.ui.main_window import CounterWindow
from counter_app.ui.report_view import ReportDialog, period_for
from counter_app.ui.tasks import pending_tasks


def received_since(ctx: ServiceContext, day: date) -> int:
    """Dossiers received from local midnight of `day` on, counted straight from the table."""
    since = datetime.combine(day, time(), VN).astimezone(UTC)
    with ctx.uow.read() as s:
        q = select(func.count()).select_from(Dossier).where(Dossier.received_at >= since)
        return int(s.scalar(q) or 0)


def open_window(qtbot: QtBot, ctx: ServiceContext, printers: Printers, user: str) -> CounterWindow:
    win = CounterWindow(ctx, login(ctx, user, "demo"), intake_setup(ctx), printers)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    return win


@pytest.fixture
def supervisor(qtbot: QtBot, ui_ctx: ServiceContext, printers: Printers) -> Iterator[CounterWindow]:
    win = open_window(qtbot, ui_ctx, printers, "giamsat")
    yield win
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


def open_report(qtbot: QtBot, win: CounterWindow) -> ReportDialog:
    qtbot.keyClick(win, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = win.report_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.made is not None, timeout=10_000)
    return dialog


def total(dialog: ReportDialog, label_start: str) -> str:
    t = dialog.totals
    for row in range(t.rowCount()):
        for col in (0, 2):
            item = t.item(row, col)
            if item is not None and item.text().strip().startswith(label_start):
                return t.item(row, col + 1).text()
    raise AssertionError(label_start)


def test_periods_come_from_the_given_day() -> None:
    day = date(2026, 12, 2)
    assert period_for("today", day) == (day, day)
    assert period_for("month", day) == (date(2026, 12, 1), day)
    assert period_for("quarter", day) == (date(2026, 10, 1), day)
    assert period_for("year", day) == (date(2026, 1, 1), day)
    assert period_for("quarter", date(2027, 3, 31)) == (date(2027, 1, 1), date(2027, 3, 31))


def test_supervisor_reads_this_month_and_saves_the_pdf_and_csv(
    qtbot: QtBot, supervisor: CounterWindow
) -> None:
    dialog = open_report(qtbot, supervisor)
    made = dialog.made
    assert made is not None
    # This month by default, from the context's (pinned) clock, not the real one.
    assert (made.data["from"], made.data["to"]) == ("2026-12-01", PINNED_DAY.isoformat())
    expected = received_since(supervisor.ctx, PINNED_DAY.replace(day=1))
    assert expected > 0
    assert made.data["totals"]["received"] == expected
    assert total(dialog, "Tiếp nhận mới trong kỳ") == f"{expected:,}".replace(",", ".")
    assert total(dialog, "Tỷ lệ giải quyết đúng hạn")
    assert "đúng hạn" in dialog.status.text()
    assert dialog.sectors.rowCount() == len(made.data["by_sector"]) > 0
    # issue 16: the lines by the applicant's commune, as printed
    communes = made.data["by_commune"]
    assert dialog.communes.rowCount() == len(communes) > 0
    assert dialog.communes.item(0, 0).text() == communes[0]["name"]
    dialog.grab().save("/tmp/repwin.png")

    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Đã lưu" in dialog.line.text(), timeout=15_000)
    pdf = dialog.folder() / "bao-cao-20261201-20261202.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "BÁO CÁO" in text and "01/12/2026" in text

    qtbot.keyClick(dialog, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    csv = dialog.folder() / "bao-cao-20261201-20261202.csv"
    qtbot.waitUntil(csv.exists, timeout=10_000)
    assert "Tổng cộng" in csv.read_bytes().decode("utf-8-sig")

    # F8 prints the PDF on the window's A4 printer.
    qtbot.keyClick(dialog, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: len(supervisor.printers.a4.jobs) == 1, timeout=15_000)
    assert (
        "BÁO CÁO"
        in PdfReader(io.BytesIO(supervisor.printers.a4.jobs[0].pdf)).pages[0].extract_text()
    )


def test_today_and_a_custom_range(qtbot: QtBot, supervisor: CounterWindow) -> None:
    dialog = open_report(qtbot, supervisor)
    dialog.made = None
    dialog.choose("today")  # choosing a period runs it
    qtbot.waitUntil(lambda: dialog.made is not None, timeout=10_000)
    assert dialog.made is not None
    assert dialog.made.data["from"] == dialog.made.data["to"] == PINNED_DAY.isoformat()
    assert dialog.made.data["totals"]["received"] == received_since(supervisor.ctx, PINNED_DAY)
    # A range the wrong way round is refused calmly, nothing runs.
    dialog.choose("custom")
    assert dialog.start.isEnabled() and dialog.end.isEnabled()
    dialog.start.setDate(dialog.end.date().addDays(1))
    made = dialog.made
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.made is made and dialog.status.text()


def test_a_clerk_is_refused(qtbot: QtBot, window: CounterWindow) -> None:
    assert window.user.role == "clerk"
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.report_dialog is None
    assert window.statusBar().currentMessage() == "Chỉ giám sát xem báo cáo"

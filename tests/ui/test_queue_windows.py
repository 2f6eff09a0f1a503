"""Kiosk, call panel and board working together on one database (the single-PC tier)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from counter_app.db.models import Dossier
from counter_app.services import queue
from counter_app.services.context import ServiceContext
from counter_app.ui.board import BoardWindow
from counter_app.ui.kiosk import KioskWindow
from counter_app.ui.main_window import CounterWindow


def test_kiosk_issues_a_ticket_and_saves_a_pdf_ticket_without_a_printer(
    qtbot: QtBot, ui_ctx: ServiceContext, tmp_path: Path
) -> None:
    ui_ctx.settings = dataclasses.replace(ui_ctx.settings, print_dir=str(tmp_path / "prints"))
    kiosk = KioskWindow(ui_ctx, "UBND XÃ MỸ HÒA HƯNG")
    qtbot.addWidget(kiosk)
    qtbot.waitUntil(lambda: len(kiosk.services) == 4, timeout=5000)
    kiosk.priority.buttons()[0].setChecked(True)  # elderly
    kiosk.take("HT")
    qtbot.waitUntil(lambda: kiosk.last is not None, timeout=5000)
    assert kiosk.last.number == "1001" and kiosk.last.priority == "elderly"
    assert kiosk.stack.currentIndex() == 1 and kiosk.t_number.text() == "1001"
    qtbot.waitUntil(
        lambda: "vé" in kiosk.t_warn.text() and "Đang in" not in kiosk.t_warn.text(), timeout=10_000
    )
    assert list((tmp_path / "prints" / "tickets").glob("*.pdf"))
    assert not kiosk.chosen_priority()  # the priority choice is not left on for the next person


def test_f1_calls_the_next_ticket_and_the_dossier_taken_is_linked(
    qtbot: QtBot, window: CounterWindow
) -> None:
    ctx = window.ctx
    first = queue.issue(ctx, "HT")
    queue.issue(ctx, "HT")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.queue.ticket is not None, timeout=5000)
    assert window.queue.ticket.number == first.number
    assert window.form.ticket_id == first.id
    # take a dossier from the called ticket
    picker = window.form.picker
    qtbot.keyClicks(picker, "khai sinh")
    qtbot.keyClick(picker.completer_.popup(), Qt.Key.Key_Return)
    window.form.fields["name"].edit.setText("Đỗ Văn Hùng")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F3)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.last is not None, timeout=10_000)
    with ctx.uow.read() as s:
        assert (
            s.scalar(select(Dossier.ticket_id).where(Dossier.code == window.last.code)) == first.id
        )
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F7)  # finish
    qtbot.waitUntil(lambda: window.queue.ticket is None, timeout=5000)
    assert queue.current(ctx, window.queue.counter) is None


def test_board_shows_and_highlights_a_new_call(qtbot: QtBot, ui_ctx: ServiceContext) -> None:
    board = BoardWindow(ui_ctx, "UBND XÃ MỸ HÒA HƯNG", voice=False)
    qtbot.addWidget(board)
    t = queue.issue(ui_ctx, "DD")
    queue.call_next(ui_ctx, 3)
    qtbot.waitUntil(lambda: t.number in board.latest.text(), timeout=5000)
    assert board.latest.text() == f"Mời số {t.number} đến quầy số 3"
    assert board.latest.property("flash") is True


def test_board_sends_each_new_call_to_the_led_board(qtbot: QtBot, ui_ctx: ServiceContext) -> None:
    import serial

    from counter_app.app import build_adapters
    from counter_app.devices.led_board import parse_frames

    ui_ctx.settings = dataclasses.replace(ui_ctx.settings, led_board="loop://")
    ui_ctx.adapters = build_adapters(ui_ctx.settings)  # the composition root builds the board
    board = BoardWindow(ui_ctx, "UBND", voice=False)
    qtbot.addWidget(board)
    port = serial.serial_for_url("loop://", timeout=0.2)
    board.led.use_port(port)  # the board's own loop:// port, read back here
    t = queue.issue(ui_ctx, "KD")
    queue.call_next(ui_ctx, 3)
    qtbot.waitUntil(lambda: port.in_waiting > 0, timeout=5000)
    frames = parse_frames(port.read(port.in_waiting), checksum=False)
    assert frames and frames[-1][0] == 3 and frames[-1][1].strip() == t.number

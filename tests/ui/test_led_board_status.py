"""The board window says in words why the LED board got no call (issue 13 item 3)."""

from __future__ import annotations

import os

from pytestqt.qtbot import QtBot

from counter_app.devices.led_board import EdiLedBoard
from counter_app.services import queue
from counter_app.services.context import ServiceContext
from counter_app.ui.board import BoardWindow


def test_an_unplugged_usb_board_is_named_in_vietnamese(
    qtbot: QtBot, ui_ctx: ServiceContext
) -> None:
    ui_ctx.adapters.led_board = lambda: EdiLedBoard("usb:0483:5740:B1", comports=list)
    board = BoardWindow(ui_ctx, "UBND", voice=False)
    qtbot.addWidget(board)
    queue.issue(ui_ctx, "KD")
    queue.call_next(ui_ctx, 3)
    qtbot.waitUntil(lambda: board.led_status.text() != "", timeout=5000)
    text = board.led_status.text()
    assert text.startswith("Bảng LED: không thấy thiết bị usb:0483:5740:B1"), text
    assert "{" not in text and "device_not_found" not in text
    if shot := os.environ.get("LOOK_SHOT"):  # look at it: LOOK_SHOT=board.png
        board.resize(1280, 720)
        board.grab().save(shot)

"""The queue windows at three pinned moments of a working day (pinned_clock.MOMENTS).

The demo services issue tickets 07:00-17:30: at 16:59 the kiosk issues, at 03:00 and
23:59:30 it says when each service issues numbers and greys its button out.
"""

from __future__ import annotations

import os

from pinned_clock import PINNED_DAY, TestClock, at
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from counter_app.db.models import Ticket
from counter_app.services import queue
from counter_app.services.context import ServiceContext
from counter_app.services.units import local_unit
from counter_app.ui.board import BoardWindow
from counter_app.ui.kiosk import KioskWindow
from counter_app.ui.main_window import CounterWindow

OPEN_AT = {"03:00": False, "16:59": True, "23:59:30": False}
CLOSED_LINE = "Lĩnh vực Hộ tịch chỉ phát số từ 07:00 đến 17:30."


def is_open(clock: TestClock) -> bool:
    return OPEN_AT[next(k for k in OPEN_AT if clock.local().time().isoformat().startswith(k))]


def ticket_count(ctx: ServiceContext) -> int:
    with ctx.uow.read() as s:
        return int(s.scalar(select(func.count()).select_from(Ticket)) or 0)


def kiosk_for(qtbot: QtBot, ctx: ServiceContext) -> KioskWindow:
    kiosk = KioskWindow(ctx, "UBND XÃ MỸ HÒA HƯNG")
    qtbot.addWidget(kiosk)
    kiosk.resize(1280, 800)
    kiosk.show()
    qtbot.waitUntil(lambda: len(kiosk.service_buttons()) == 4, timeout=5000)
    return kiosk


def test_kiosk_at_each_moment(qtbot: QtBot, ui_ctx: ServiceContext, moment: TestClock) -> None:
    kiosk = kiosk_for(qtbot, ui_ctx)
    buttons = kiosk.service_buttons()
    if is_open(moment):
        assert all(b.isEnabled() for b in buttons)
        assert not kiosk.closed_note.isVisible()
        kiosk.take("HT")
        qtbot.waitUntil(lambda: kiosk.last is not None, timeout=5000)
        assert kiosk.last.number == "1001"
        assert kiosk.t_caption.isVisible() and kiosk.t_number.text() == "1001"
        return
    # Said before anyone touches anything; the buttons cannot be pressed.
    assert kiosk.stack.currentIndex() == 0
    assert kiosk.closed_note.isVisible()
    assert kiosk.closed_note.text().splitlines() == [
        "Hiện đang ngoài giờ phát số thứ tự.",
        "Các lĩnh vực phát số từ 07:00 đến 17:30.",
    ]
    assert not any(b.isEnabled() for b in buttons)
    assert not any(b.isEnabled() for b in kiosk.priority.buttons())
    assert "Phát số từ 07:00 đến 17:30" in buttons[0].text()
    if os.environ.get("KIOSK_SCREENSHOT"):  # for a person to look at: KIOSK_SCREENSHOT=/tmp/x.png
        kiosk.grab().save(os.environ["KIOSK_SCREENSHOT"])
    # A touch that got through anyway (a stale screen) is refused without "Số của bạn".
    kiosk.take("HT")
    qtbot.waitUntil(lambda: kiosk.stack.currentIndex() == 1, timeout=5000)
    assert kiosk.last is None and ticket_count(ui_ctx) == 0
    assert not kiosk.t_caption.isVisible() and not kiosk.t_number.isVisible()
    assert kiosk.t_info.text() == CLOSED_LINE


def test_kiosk_opens_by_itself_at_opening_time(qtbot: QtBot, ui_ctx: ServiceContext) -> None:
    ui_ctx.clock.set(at(6, 59, 59))
    kiosk = kiosk_for(qtbot, ui_ctx)
    assert not any(b.isEnabled() for b in kiosk.service_buttons())
    ui_ctx.clock.advance(seconds=1)
    kiosk.refresh()  # the kiosk polls every few seconds
    qtbot.waitUntil(lambda: all(b.isEnabled() for b in kiosk.service_buttons()), timeout=5000)
    assert not kiosk.closed_note.isVisible()
    assert "0 người chờ" in kiosk.service_buttons()[0].text()


def test_kiosk_and_board_across_midnight(
    qtbot: QtBot, ui_ctx: ServiceContext, clock: TestClock
) -> None:
    """A service open around the clock: yesterday's queue is gone after midnight."""
    with ui_ctx.uow.write() as s:
        ht = {"code": "HT", "name": "Hộ tịch", "prefix": "1", "counters": [1, 2]}
        queue.set_up_services(s, local_unit(s).id, [{**ht, "opens": "00:00", "closes": "23:59"}])
    clock.set(at(23, 50))
    queue.issue(ui_ctx, "HT")
    queue.issue(ui_ctx, "HT")
    queue.call_next(ui_ctx, 1)
    board = BoardWindow(ui_ctx, "UBND", voice=False)
    qtbot.addWidget(board)
    qtbot.waitUntil(lambda: "1001" in board.latest.text(), timeout=5000)
    clock.set(at(23, 59, 30))
    kiosk = kiosk_for(qtbot, ui_ctx)
    ht_button = kiosk.service_buttons()[0]
    assert not ht_button.isEnabled() and "Phát số từ 00:00 đến 23:59" in ht_button.text()
    assert kiosk.closed_note.text().splitlines() == [  # each service with its own hours
        "Lĩnh vực Hộ tịch chỉ phát số từ 00:00 đến 23:59.",
        "Lĩnh vực Chứng thực chỉ phát số từ 07:00 đến 17:30.",
        "Lĩnh vực Đất đai chỉ phát số từ 07:00 đến 17:30.",
        "Lĩnh vực Đăng ký kinh doanh chỉ phát số từ 07:00 đến 17:30.",
    ]
    clock.advance(seconds=60)  # 00:00:30 on Thursday
    assert clock.today() > PINNED_DAY
    kiosk.refresh()
    qtbot.waitUntil(lambda: kiosk.service_buttons()[0].isEnabled(), timeout=5000)
    assert kiosk.closed_note.text().count("\n") == 2  # the three others are still closed
    assert "0 người chờ" in kiosk.service_buttons()[0].text()  # yesterday's 1002 is not counted
    kiosk.take("HT")
    qtbot.waitUntil(lambda: kiosk.last is not None, timeout=5000)
    assert kiosk.last.number == "1001"  # numbers start again each day
    board.refresh()
    qtbot.waitUntil(lambda: "1001" not in board.latest.text(), timeout=5000)  # today's calls only
    assert board.clock.text().startswith("00:00")


def test_counter_window_due_date_at_each_moment(
    qtbot: QtBot, window: CounterWindow, moment: TestClock
) -> None:
    """The live due date follows the test clock (3 working days, cut-off 15:00)."""
    expected = {
        "03:00": "Hẹn trả: 07 giờ 30, thứ Hai 07/12/2026",
        "16:59": "Hẹn trả: 16 giờ 59, thứ Ba 08/12/2026",
        "23:59:30": "Hẹn trả: 17 giờ 00, thứ Ba 08/12/2026",
    }
    key = next(k for k in expected if moment.local().time().isoformat().startswith(k))
    picker = window.form.picker
    qtbot.keyClicks(picker, "1.004873")
    qtbot.waitUntil(lambda: picker.completer_.popup().isVisible(), timeout=5000)
    qtbot.keyClick(picker.completer_.popup(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.form.entry is not None, timeout=5000)
    window.form.refresh_due()
    assert window.form.due.text() == expected[key]

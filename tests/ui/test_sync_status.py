"""The sync indicator, its details dialog (F12) and the periodic rounds, offscreen.

Central is either absent (the app works locally), unreachable (a real PgTransport to a
closed port), or a small in-memory fake that takes every batch.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from counter_app.services.auth import login
from counter_app.services.context import ServiceContext
from counter_app.services.intake import IntakeRequest, intake_setup, register
from counter_app.services.printjobs import Printers
from counter_app.services.sync import local_status
from counter_app.sync.transport import PgTransport, PushReply
from counter_app.ui.main_window import CounterWindow
from counter_app.ui.sync_status import SyncView, duration_text, indicator_text, last_error_text
from counter_app.ui.tasks import pending_tasks

OTHER_UNIT = "000.20.25.H09"


class FakeCentral:
    """In memory: takes every batch and answers its last seq; can reject, clash, skew, stall."""

    def __init__(self, unit: str, clock: Callable[[], datetime]) -> None:
        self.unit = unit
        self.clock = clock  # central's clock: the counter's (the test clock) plus `skew`
        self.events: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.threads: set[int] = set()
        self.closed = 0
        self.skew = timedelta(0)
        self.reject_next = 0
        self.clash_rows: list[dict[str, Any]] = []
        self.privileged = False
        self.gate: threading.Event | None = None

    def _note(self, call: str) -> None:
        self.calls.append(call)
        self.threads.add(threading.get_ident())

    def hello(self) -> dict[str, Any]:
        self._note("hello")
        if self.gate is not None:
            self.gate.wait(5)  # released by the test (or given up on if it failed)
        return {
            "unit": self.unit,
            "role": "admin" if self.privileged else "unit_test",
            "privileged": self.privileged,
            "server_time": self.clock() + self.skew,
        }

    def push(self, unit: str, source: str, events_json: str) -> PushReply:
        self._note("push")
        batch = json.loads(events_json)
        self.events += batch
        rejected = [
            {
                "event_id": e["event_id"],
                "seq": e["seq"],
                "kind": e["kind"],
                "reason": "code_clash",
                "detail": {"code": e["payload"].get("code", "")},
            }
            for e in batch[: self.reject_next]
        ]
        self.reject_next = 0
        last = batch[-1]["seq"]
        return PushReply(last, last, [], rejected, self.clock() + self.skew)

    def fetch(self, table: str, after: int, limit: int) -> list[dict[str, Any]]:
        self._note("fetch")
        return []

    def clashes(self) -> list[dict[str, Any]]:
        self._note("clashes")
        return self.clash_rows

    def close(self) -> None:
        self.closed += 1


def take_dossier(ctx: ServiceContext, i: int = 0) -> None:
    req = IntakeRequest(
        procedure="1.004873",
        name="Trần Thị Bích Ngọc",
        id_number=f"07909000{i:04d}",
        phone="0912345678",
        address="Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang",
    )
    register(ctx, [req], "canbo1")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


MakeWindow = Callable[..., CounterWindow]


@pytest.fixture
def make_window(qtbot: QtBot, ui_ctx: ServiceContext, printers: Printers) -> Iterator[MakeWindow]:
    """A counter window whose settings point at a central, with the given transport."""

    def wind_down(win: CounterWindow) -> None:  # before qtbot closes and deletes it
        win.close()
        qtbot.waitUntil(lambda: not win.sync.running, timeout=10_000)

    def make(factory: Callable[[], Any], url: str = "postgresql://u:p@central.test/x") -> Any:
        ui_ctx.settings = replace(ui_ctx.settings, central_url=url)
        user = login(ui_ctx, "canbo1", "demo")
        win = CounterWindow(ui_ctx, user, intake_setup(ui_ctx), printers, sync_transport=factory)
        qtbot.addWidget(win, before_close_func=wind_down)
        win.resize(1366, 768)
        with qtbot.waitActive(win):
            win.show()
            win.activateWindow()
        return win

    yield make
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


@pytest.fixture
def fake(ui_ctx: ServiceContext) -> FakeCentral:
    return FakeCentral(intake_setup(ui_ctx).unit.agency_id, ui_ctx.clock)


def indicator(win: CounterWindow) -> str:
    return win.sync_indicator.text()


def waiting(win: CounterWindow) -> int:
    return local_status(win.ctx).waiting


# ----- no central: local only, grey, the waiting count moves ---------------------------------
def test_no_central_shows_waiting_count_after_a_save(qtbot: QtBot, window: CounterWindow) -> None:
    assert not window.sync.configured
    qtbot.waitUntil(lambda: "Chưa nối máy chủ trung tâm" in indicator(window))
    assert window.sync_indicator.tone == "idle"
    assert not window.sync.round_timer.isActive()  # no rounds without a central
    before = waiting(window)
    picker = window.form.picker
    picker.setFocus()
    qtbot.keyClicks(picker, "dang ky khai sinh")
    qtbot.keyClick(picker.completer_.popup(), Qt.Key.Key_Return)
    name = window.form.fields["name"].edit
    name.setText("Nguyễn Thị Ánh Tuyết")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    qtbot.keyClicks(QApplication.focusWidget(), "089301000777")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F3)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.last is not None, timeout=10_000)
    after = waiting(window)
    assert after > before
    qtbot.waitUntil(lambda: f"{after} chờ gửi" in indicator(window), timeout=3000)
    assert "lỗi" not in indicator(window).lower() and window.sync_indicator.tone == "idle"


def test_indicator_is_reachable_by_keyboard(qtbot: QtBot, window: CounterWindow) -> None:
    ind = window.sync_indicator
    assert ind.focusPolicy() & Qt.FocusPolicy.TabFocus
    ind.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(ind.hasFocus)
    qtbot.keyClick(ind, Qt.Key.Key_Return)
    assert ind.dialog is not None
    qtbot.waitUntil(ind.dialog.isVisible)
    assert not ind.dialog.sync_button.isVisible()  # nothing to sync with, no button
    qtbot.waitUntil(ind.dialog.close_button.hasFocus)
    qtbot.keyClick(ind.dialog.close_button, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not ind.dialog.isVisible())


def test_periodic_refresh_picks_up_writes_made_elsewhere(
    qtbot: QtBot, window: CounterWindow
) -> None:
    window.sync.refresh_timer.setInterval(100)
    take_dossier(window.ctx)  # e.g. the queue or a second process: no save signal here
    n = waiting(window)
    qtbot.waitUntil(lambda: f"{n} chờ gửi" in indicator(window), timeout=3000)


# ----- unreachable central ----------------------------------------------------------------
def test_unreachable_central_shows_offline_keeps_events_and_backs_off(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    url = f"postgresql://u:p@127.0.0.1:{closed_port()}/x"
    win = make_window(lambda: PgTransport(url, timeout_s=2), url)
    take_dossier(win.ctx)
    before = waiting(win)
    assert before > 0
    assert win.sync.sync_now()
    qtbot.waitUntil(lambda: win.sync.rounds == 1, timeout=10_000)
    assert win.sync.outcome == "offline"
    qtbot.waitUntil(lambda: "Mất kết nối" in indicator(win), timeout=3000)
    assert f"{before} sự kiện chờ gửi" in indicator(win)
    assert "chưa đồng bộ lần nào" in indicator(win)
    assert win.sync_indicator.tone == "warn"
    assert "Không kết nối được máy chủ trung tâm" in win.sync_indicator.toolTip()
    assert waiting(win) == before  # nothing lost, nothing marked sent
    st = local_status(win.ctx)
    assert not st.online and last_error_text(st).startswith("Không kết nối được")
    # Backoff, not the 60 s interval: at least MIN_RETRY_S, well under the interval.
    assert win.sync.backoff.failures == 1
    assert win.sync.round_timer.isActive()
    assert 5000 <= win.sync.round_timer.interval() < 60_000


def test_rounds_run_off_the_gui_thread_one_at_a_time(
    qtbot: QtBot, make_window: MakeWindow, fake: FakeCentral
) -> None:
    fake.gate = threading.Event()
    win = make_window(lambda: fake)
    assert win.sync.sync_now()
    # While hello() is stuck on the link, the GUI keeps processing events (waitUntil spins
    # the event loop) and a second round is refused.
    qtbot.waitUntil(lambda: fake.calls == ["hello"], timeout=3000)
    assert win.sync.busy and not win.sync.sync_now()
    win.sync_indicator.click()
    qtbot.waitUntil(lambda: win.sync_indicator.dialog.isVisible())
    qtbot.waitUntil(lambda: win.sync_indicator.dialog.sync_button.text() == "Đang đồng bộ…")
    fake.gate.set()
    qtbot.waitUntil(lambda: win.sync.rounds == 1, timeout=5000)
    assert threading.get_ident() not in fake.threads
    assert fake.calls.count("hello") == 1


# ----- a central that answers -------------------------------------------------------------
def test_successful_round_goes_online_with_nothing_waiting(
    qtbot: QtBot, make_window: MakeWindow, fake: FakeCentral
) -> None:
    win = make_window(lambda: fake)
    take_dossier(win.ctx)
    n = waiting(win)
    # The first round starts by itself shortly after the window opens.
    qtbot.waitUntil(lambda: win.sync.rounds == 1, timeout=5000)
    assert win.sync.outcome == "ok", win.sync.error
    assert len(fake.events) == n and waiting(win) == 0
    qtbot.waitUntil(lambda: "Trực tuyến" in indicator(win), timeout=3000)
    assert "đồng bộ lúc" in indicator(win) and "chờ gửi" not in indicator(win)
    assert win.sync_indicator.tone == "ok"
    assert win.sync.round_timer.interval() == 60_000 and win.sync.round_timer.isActive()
    # A save after the round shows up as waiting while staying online.
    take_dossier(win.ctx, 1)
    win.sync.refresh()
    qtbot.waitUntil(lambda: "chờ gửi" in indicator(win), timeout=3000)
    assert "Trực tuyến" in indicator(win)


def test_rejections_clashes_and_clock_warning_render(
    qtbot: QtBot, make_window: MakeWindow, fake: FakeCentral
) -> None:
    fake.skew = timedelta(minutes=62)
    fake.reject_next = 1
    fake.clash_rows = [
        {
            "id": 7,
            "code": "000.20.25.H01-261126-0001",
            "unit_id": fake.unit,
            "dossier_id": "d1",
            "other_unit_id": OTHER_UNIT,
            "other_dossier_id": "d2",
            "at": fake.clock(),
        }
    ]
    win = make_window(lambda: fake)
    win.resize(1920, 1080)  # room for the long line whatever the test machine's font
    take_dossier(win.ctx)
    assert win.sync.sync_now()
    qtbot.waitUntil(lambda: win.sync.rounds == 1, timeout=5000)
    assert win.sync.outcome == "ok", win.sync.error
    qtbot.waitUntil(lambda: "bị trung tâm từ chối" in indicator(win), timeout=3000)
    text = indicator(win)
    assert "1 bị trung tâm từ chối" in text
    assert "1 trùng mã hồ sơ" in text
    assert "Đồng hồ máy lệch 62 phút so với máy chủ" in text
    assert win.sync_indicator.tone == "alert"
    # On the smallest window the same facts in fewer words; the full line in the tooltip.
    win.resize(1024, 768)
    qtbot.waitUntil(lambda: "1 bị từ chối · 1 trùng mã · Đồng hồ lệch" in indicator(win))
    assert "so với máy chủ" in win.sync_indicator.toolTip()
    bar = win.statusBar()
    assert win.sync_indicator.geometry().right() <= bar.width()
    # The dialog lists both issues in words.
    win.sync_indicator.open_details()
    dialog = win.sync_indicator.dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=3000)
    cells = {dialog.table.item(r, c).text() for r in range(2) for c in range(4)}
    assert {"Bị từ chối", "Trùng mã hồ sơ", "Mã hồ sơ đã được đơn vị khác dùng"} <= cells
    assert any(OTHER_UNIT in c for c in cells)
    assert "chậm hơn máy chủ 62 phút" in dialog.fields["clock"].text()


def test_refused_sync_is_shown_and_retried_at_the_normal_interval(
    qtbot: QtBot, make_window: MakeWindow, fake: FakeCentral
) -> None:
    fake.privileged = True  # an administrator's URL on a counter: refused
    win = make_window(lambda: fake)
    assert win.sync.sync_now()
    qtbot.waitUntil(lambda: win.sync.rounds == 1, timeout=5000)
    assert win.sync.outcome == "error"
    qtbot.waitUntil(lambda: "Chưa đồng bộ được" in indicator(win), timeout=3000)
    assert "tài khoản quản trị" in win.sync_indicator.toolTip()
    assert win.sync.backoff.failures == 0
    assert win.sync.round_timer.interval() == 60_000


def test_dialog_opens_by_f12_and_enter_syncs_now(
    qtbot: QtBot, make_window: MakeWindow, fake: FakeCentral
) -> None:
    win = make_window(lambda: fake)
    win.sync.round_timer.stop()  # only the button starts a round here
    win.form.picker.setFocus()
    qtbot.keyClick(win.form.picker, Qt.Key.Key_F12)
    dialog = win.sync_indicator.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(dialog.sync_button.hasFocus)  # Enter is for "Đồng bộ ngay"
    assert fake.calls == []
    qtbot.keyClick(dialog.sync_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.sync.rounds == 1, timeout=5000)
    assert fake.calls[0] == "hello"
    qtbot.waitUntil(lambda: "Trực tuyến" in dialog.head.text(), timeout=3000)
    assert dialog.fields["error"].text() == "không có"


def test_closing_the_window_stops_timers_and_hangs_up(
    qtbot: QtBot, make_window: MakeWindow, fake: FakeCentral
) -> None:
    fake.gate = threading.Event()
    win = make_window(lambda: fake)
    assert win.sync.sync_now()
    qtbot.waitUntil(lambda: fake.calls == ["hello"], timeout=3000)
    win.close()  # while a round is in flight
    assert not win.sync.round_timer.isActive() and not win.sync.refresh_timer.isActive()
    fake.gate.set()
    qtbot.waitUntil(lambda: not win.sync.running, timeout=5000)
    assert fake.closed >= 1
    assert win.sync.pool.activeThreadCount() == 0
    assert not win.sync.sync_now()  # nothing starts again after closing
    assert not win.sync.round_timer.isActive()


# ----- the words ----------------------------------------------------------------------------
def test_indicator_words() -> None:
    from zoneinfo import ZoneInfo

    from counter_app.services.sync import LocalStatus

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    now = datetime(2026, 11, 26, 2, 15, tzinfo=UTC)  # 09:15 local
    st = LocalStatus(False, 0, 0, None, None, None, False, 0, 0, None)
    assert indicator_text(SyncView(st, None, "", False, None), tz, now) == (
        "idle",
        "Chưa nối máy chủ trung tâm",
    )
    st = replace(st, central_configured=True, waiting=37, last_ok_at=now - timedelta(hours=1))
    tone, text = indicator_text(SyncView(st, "offline", "x", False, None), tz, now)
    assert (tone, text) == ("warn", "● Mất kết nối · 37 sự kiện chờ gửi · lần cuối 08:15")
    st = replace(st, waiting=0, last_ok_at=now, clock_offset_s=-3720.0)
    tone, text = indicator_text(SyncView(st, "ok", "", False, None), tz, now)
    assert tone == "warn"
    assert text == "● Trực tuyến · đồng bộ lúc 09:15 · Đồng hồ máy lệch 62 phút so với máy chủ"
    _tone, text = indicator_text(SyncView(st, "ok", "", False, None), tz, now, compact=True)
    assert text == "● Trực tuyến · 09:15 · Đồng hồ lệch 62 phút"
    assert duration_text(3 * 3600 + 300) == "3 giờ 5 phút"
    assert duration_text(3 * 86400) == "3 ngày"


def test_indicator_warns_of_an_unencrypted_link() -> None:
    from zoneinfo import ZoneInfo

    from counter_app.services.sync import LocalStatus

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    now = datetime(2026, 11, 26, 2, 15, tzinfo=UTC)  # 09:15 local
    st = LocalStatus(True, 0, 0, now, now, None, True, 0, 0, 2.0, insecure_link=True)
    tone, text = indicator_text(SyncView(st, "ok", "", False, None), tz, now)
    assert tone == "warn"
    assert text == (
        "● Trực tuyến · đồng bộ lúc 09:15 · Kết nối tới máy chủ trung tâm không được mã hoá"
    )
    _tone, text = indicator_text(SyncView(st, "ok", "", False, None), tz, now, compact=True)
    assert text.endswith("Kết nối không mã hoá")

"""Digitised files waiting for central in the sync indicator and its dialog (issue 15)."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from counter_app.services.auth import login
from counter_app.services.context import ServiceContext
from counter_app.services.intake import IntakeRequest, intake_setup, register
from counter_app.services.printjobs import Printers
from counter_app.services.records import emit
from counter_app.services.sync import LocalStatus
from counter_app.services.units import find_local_unit
from counter_app.sync.transport import PgTransport
from counter_app.ui.main_window import CounterWindow
from counter_app.ui.sync_status import SyncView, indicator_text


def test_indicator_counts_the_pages_waiting() -> None:
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    now = datetime(2026, 11, 26, 2, 15, tzinfo=UTC)  # 09:15 local
    files = {"files": 3, "pages": 14, "bytes": 5_300_000}
    st = LocalStatus(True, 0, 12, now, now, None, True, 0, 0, 2.0, files_waiting=files)
    tone, text = indicator_text(SyncView(st, "ok", "", False, None), tz, now)
    assert (tone, text) == ("ok", "● Trực tuyến · đồng bộ lúc 09:15 · 14 trang số hóa chờ gửi")
    _tone, text = indicator_text(SyncView(st, "ok", "", False, None), tz, now, compact=True)
    assert text == "● Trực tuyến · 09:15 · 14 trang chờ gửi"
    st = replace(st, waiting=2)
    _tone, text = indicator_text(SyncView(st, "offline", "x", False, None), tz, now)
    assert text == "● Mất kết nối · 2 sự kiện chờ gửi · 14 trang số hóa chờ gửi · lần cuối 09:15"
    # Nothing waiting: nothing said.
    st = replace(st, waiting=0, files_waiting={"files": 0, "pages": 0, "bytes": 0})
    assert "trang" not in indicator_text(SyncView(st, "ok", "", False, None), tz, now)[1]


def test_dialog_shows_files_pages_and_size_waiting(
    qtbot: QtBot, ui_ctx: ServiceContext, printers: Printers, tmp_path: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    url = f"postgresql://u:p@127.0.0.1:{port}/x"  # nobody there: the files stay waiting
    ui_ctx.settings = replace(ui_ctx.settings, central_url=url)
    register(
        ui_ctx,
        [
            IntakeRequest(
                procedure="1.004873",
                name="Nguyễn Văn An",
                id_number="079090001234",
                phone="0912345678",
                address="Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang",
            )
        ],
        "canbo1",
    )
    with ui_ctx.uow.write() as s:
        unit = find_local_unit(s)
        assert unit is not None
        for i, (pages, size) in enumerate(((3, 900_000), (8, 2_400_000))):
            payload = {
                "code": "X",
                "document": "Tờ khai",
                "sha256": f"{i + 1:064x}",
                "size": size,
                "pages": pages,
                "name": f"X_{i + 1:02d}_to-khai.pdf",
            }
            emit(s, unit.id, "document_digitised", payload, ui_ctx.clock())
    user = login(ui_ctx, "canbo1", "demo")
    win = CounterWindow(
        ui_ctx,
        user,
        intake_setup(ui_ctx),
        printers,
        sync_transport=lambda: PgTransport(url, timeout_s=2),
    )

    def wind_down(w: CounterWindow) -> None:
        w.close()
        qtbot.waitUntil(lambda: not w.sync.running, timeout=10_000)

    qtbot.addWidget(win, before_close_func=wind_down)
    win.resize(1366, 768)
    win.show()
    win.sync.round_timer.stop()
    qtbot.waitUntil(lambda: "11 trang số hóa chờ gửi" in win.sync_indicator.text(), timeout=5000)
    win.sync_indicator.open_details()
    dialog = win.sync_indicator.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.fields["files"].text() == "2 tệp, 11 trang, 3,1 MB")
    dialog.grab().save(str(tmp_path / "sync_dialog_files.png"))
    win.grab().save(str(tmp_path / "window_files.png"))

"""Ctrl+Shift+S: Sao lưu / Khôi phục in the counter window (supervisor), the daily backup in
the background, the backup time in the status bar, and a restore that closes the window."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from counter_app.db.models import SyncIssue
from counter_app.services import backup as backup_svc
from counter_app.services import resume
from counter_app.services.auth import login
from counter_app.services.context import ServiceContext
from counter_app.services.intake import intake_setup
from counter_app.services.printjobs import Printers
from counter_app.ui.main_window import CounterWindow
from counter_app.ui.tasks import pending_tasks

SHOTS = Path(os.environ.get("COUNTER_APP_SHOTS", "/tmp/counter-shots"))


@pytest.fixture
def folder(ui_ctx: ServiceContext, tmp_path: Path) -> Path:
    f = tmp_path / "backups"
    ui_ctx.settings = dataclasses.replace(ui_ctx.settings, backup_dir=str(f), backup_keep=3)
    return f


def _open(qtbot: QtBot, ctx: ServiceContext, printers: Printers, user: str) -> CounterWindow:
    win = CounterWindow(ctx, login(ctx, user, "demo"), intake_setup(ctx), printers)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    return win


@pytest.fixture
def supervisor(
    qtbot: QtBot, ui_ctx: ServiceContext, printers: Printers, folder: Path
) -> Iterator[CounterWindow]:
    win = _open(qtbot, ui_ctx, printers, "giamsat")
    yield win
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


def _shot(widget: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))  # type: ignore[attr-defined]


def test_supervisor_backs_up_now_and_sees_it(
    qtbot: QtBot, supervisor: CounterWindow, folder: Path
) -> None:
    qtbot.waitUntil(lambda: supervisor.backup_label.text() != "", timeout=5000)
    assert supervisor.backup_label.text() == "Chưa sao lưu"
    qtbot.keyClick(
        supervisor,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = supervisor.backup_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.message.text() not in ("", "Đang sao lưu…"), timeout=20_000)
    assert "Đã sao lưu" in dialog.message.text(), dialog.message.text()
    files = list(folder.glob("counter-backup-*.db"))
    assert len(files) == 1 and backup_svc.read_info(files[0]) is not None
    qtbot.waitUntil(lambda: "hôm nay" in supervisor.backup_label.text(), timeout=5000)
    assert supervisor.backup_label.text().startswith("Sao lưu: 09:00")
    _shot(dialog, "backup-dialog.png")
    _shot(supervisor, "backup-status.png")


def test_the_daily_backup_runs_once_in_the_background(
    qtbot: QtBot, supervisor: CounterWindow, folder: Path
) -> None:
    supervisor.backups.tick()
    qtbot.waitUntil(lambda: not supervisor.backups.busy, timeout=20_000)
    assert len(list(folder.glob("counter-backup-*.db"))) == 1
    supervisor.backups.tick()  # the same day: nothing more
    qtbot.waitUntil(lambda: not supervisor.backups.busy, timeout=20_000)
    assert len(list(folder.glob("counter-backup-*.db"))) == 1


def test_a_clerk_is_told_why_not(
    qtbot: QtBot, ui_ctx: ServiceContext, printers: Printers, folder: Path
) -> None:
    win = _open(qtbot, ui_ctx, printers, "canbo1")
    win.open_backup()
    assert win.backup_dialog is None
    assert "Chỉ giám sát" in win.statusBar().currentMessage()
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


def test_restore_closes_the_window_and_intake_waits_for_the_check(
    qtbot: QtBot,
    supervisor: CounterWindow,
    ui_ctx: ServiceContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_context: object,
) -> None:
    b = tmp_path / "b.db"
    backup_svc.backup(ui_ctx, b)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: told.append(text))
    supervisor.open_backup()
    dialog = supervisor.backup_dialog
    assert dialog is not None
    supervisor.sync.stop()
    dialog.confirm_restore(b, ask=False)
    qtbot.waitUntil(lambda: bool(told), timeout=20_000)
    assert "đóng lại" in told[0]
    qtbot.waitUntil(lambda: not supervisor.isVisible(), timeout=5000)
    # Reopened: the restore waits for its check; what was lost is listed.
    live = backup_svc.live_path(ui_ctx.uow.engine)
    ctx = make_context(live)  # type: ignore[operator]
    ctx.settings = ui_ctx.settings
    with ctx.uow.write() as s:
        s.add(
            SyncIssue(
                id="lost:000.20.25.H01-261126-0009",
                kind="lost",
                seq=41,
                event_kind="dossier",
                reason="lost_in_restore",
                detail={
                    "code": "000.20.25.H01-261126-0009",
                    "new": True,
                    "name": "Trần Thị Bích Ngọc",
                    "status": "accepted",
                },
                at=ctx.clock(),
            )
        )
    assert resume.state(ctx).pending is not None
    win = _open(
        qtbot, ctx, Printers(a4=supervisor.printers.a4, label=supervisor.printers.label), "giamsat"
    )
    qtbot.waitUntil(lambda: "khôi phục" in win.backup_label.text(), timeout=5000)
    win.open_backup()
    d2 = win.backup_dialog
    assert d2 is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is d2, timeout=5000)
    qtbot.waitUntil(lambda: d2.lost.count() == 1, timeout=5000)
    assert d2.fresh_button.isEnabled()
    _shot(d2, "backup-dialog-after-restore.png")
    qtbot.keyClick(d2, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "dự phòng" in d2.message.text(), timeout=5000)
    assert resume.state(ctx).fresh is not None
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)
    win.close()

"""Sao lưu / Khôi phục (Ctrl+Shift+S, supervisor): back up now, restore a backup (the window
closes afterwards), the recovery code range, the dossiers lost with the old database; and
the daily automatic backup, run in the background, with its time shown under the key list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.errors import CounterAppError
from counter_app.messages import describe
from counter_app.services import backup as backup_svc
from counter_app.services import resume
from counter_app.services.auth import UserInfo
from counter_app.services.context import ServiceContext
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import run_task
from counter_app.ui_text import STATUS_LABELS

SHORTCUT = "Ctrl+Shift+S"  # free in the counter window (Ctrl+S saves a dossier)
ROLES = ("supervisor", "admin")
FIRST_CHECK_MS = 60_000  # a minute after the window opens, then every hour
CHECK_EVERY_MS = 3_600_000


def _error_text(exc: Exception) -> str:
    return describe(exc) if isinstance(exc, CounterAppError) else str(exc)


def when_text(at: str | None, ctx: ServiceContext) -> str:
    if not at:
        return ""
    try:
        moment = ctx.local(datetime.fromisoformat(at))
    except ValueError:
        return ""
    if moment.date() == ctx.now().date():
        return f"{moment:%H:%M} " + tr("hôm nay")
    return f"{moment:%H:%M %d/%m/%Y}"


class BackupController(QObject):
    """The daily backup in the background and what the window says about backups."""

    changed = Signal()

    def __init__(self, ctx: ServiceContext, owner: QWidget) -> None:
        super().__init__(owner)
        self.ctx, self.owner = ctx, owner
        self.last: dict[str, Any] | None = None
        self.state: resume.PendingState | None = None
        self.busy = False
        self.error = ""
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.refresh()
        QTimer.singleShot(FIRST_CHECK_MS, self.tick)
        self.timer.start(CHECK_EVERY_MS)

    def stop(self) -> None:
        self.timer.stop()

    def refresh(self) -> None:
        ctx = self.ctx
        run_task(
            self.owner,
            lambda: (backup_svc.last_backup(ctx), resume.state(ctx)),
            self._read,
            lambda exc: None,
        )

    def _read(self, data: tuple[dict[str, Any] | None, resume.PendingState]) -> None:
        self.last, self.state = data
        self.changed.emit()

    def tick(self) -> None:
        """The automatic backup, if today's has not run: on the thread pool, never here."""
        if self.busy:
            return
        self.busy = True
        ctx = self.ctx

        def job() -> dict[str, Any] | None:
            return backup_svc.auto_backup(ctx) if backup_svc.due_today(ctx) else None

        run_task(self.owner, job, self._done, self._failed)

    def _done(self, _result: Any) -> None:
        self.busy, self.error = False, ""
        self.refresh()

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.error = _error_text(exc)
        self.changed.emit()

    def status_text(self) -> str:
        if self.state is not None and self.state.pending is not None:
            if self.state.fresh:
                return tr("Dải số dự phòng sau khôi phục")
            return tr("Chờ đối chiếu sau khôi phục")
        if self.error:
            return tr("Sao lưu lỗi")
        when = when_text((self.last or {}).get("at"), self.ctx)
        return tr("Sao lưu: {when}").format(when=when) if when else tr("Chưa sao lưu")


class BackupDialog(QDialog):
    """Ctrl+Shift+S. `on_restored` is called after a restore: the window closes then."""

    def __init__(
        self,
        ctx: ServiceContext,
        user: UserInfo,
        controller: BackupController,
        on_restored: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.user, self.controller, self.on_restored = ctx, user, controller, on_restored
        self.setWindowTitle(tr("Sao lưu / Khôi phục"))
        self.setMinimumWidth(620)
        self.setMinimumHeight(220)
        lay = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.lost_label = QLabel(
            tr("Hồ sơ ghi sau bản sao lưu, mất cùng cơ sở dữ liệu cũ (trung tâm vẫn giữ):")
        )
        self.lost = QListWidget()
        lay.addWidget(self.lost_label)
        lay.addWidget(self.lost, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("hint")
        lay.addWidget(self.message)
        row = QHBoxLayout()
        self.backup_button = QPushButton(tr("Ctrl+S  Sao lưu ngay"))
        self.restore_button = QPushButton(tr("Ctrl+O  Khôi phục từ tệp…"))
        self.fresh_button = QPushButton(tr("Ctrl+D  Dùng dải số dự phòng"))
        close = QPushButton(tr("Esc  Đóng"))
        for b in (self.backup_button, self.restore_button, self.fresh_button, close):
            row.addWidget(b)
        lay.addLayout(row)
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button.clicked.connect(self.choose_restore)
        self.fresh_button.clicked.connect(self.fresh_range)
        close.clicked.connect(self.close)
        for key, slot in (
            ("Ctrl+S", self.back_up_now),
            ("Ctrl+O", self.choose_restore),
            ("Ctrl+D", self.fresh_range),
        ):
            QShortcut(QKeySequence(key), self).activated.connect(slot)
        controller.changed.connect(self.show_state)
        self.show_state()

    def show_state(self) -> None:
        c = self.controller
        last = c.last or {}
        folder = backup_svc.backup_folder(self.ctx)
        lines = [
            tr("Lần sao lưu gần nhất: {when}").format(
                when=when_text(last.get("at"), self.ctx) or tr("chưa có")
            )
            + (f" — {last['path']}" if last.get("path") else ""),
            tr("Tự động mỗi ngày vào thư mục {folder}, giữ {n} bản gần nhất.").format(
                folder=folder, n=self.ctx.settings.backup_keep
            ),
        ]
        st = c.state
        pending = st is not None and st.pending is not None
        if pending and st is not None:
            if st.fresh:
                lines.append(
                    tr(
                        "Đang nhận hồ sơ bằng dải số dự phòng {a}–{b} cho tới khi đối chiếu "
                        "được với trung tâm."
                    ).format(a=st.fresh["start"], b=st.fresh["end"])
                )
            else:
                lines.append(
                    tr(
                        "Máy vừa được khôi phục: chưa nhận hồ sơ mới cho tới khi đối chiếu mã "
                        "với trung tâm (tự động ở lần đồng bộ tới). Không có mạng: Ctrl+D để "
                        "dùng dải số dự phòng."
                    )
                )
        if c.error:
            lines.append(tr("Lần sao lưu tự động gần nhất lỗi: {e}").format(e=c.error))
        self.summary.setText("\n".join(lines))
        self.fresh_button.setEnabled(pending and st is not None and not st.fresh)
        self.lost.clear()
        lost = st.lost if st is not None else []
        for e in lost:
            status = STATUS_LABELS.get(e.get("status", ""), e.get("status", ""))
            kind = tr("hồ sơ mới") if e.get("new") else tr("thay đổi trạng thái")
            name = f" — {e['name']}" if e.get("name") else ""
            self.lost.addItem(f"{e['code']}{name}: {kind}" + (f" ({status})" if status else ""))
        self.lost.setVisible(bool(lost))
        self.lost_label.setVisible(bool(lost))
        self.adjustSize()

    def _busy(self, busy: bool) -> None:
        for b in (self.backup_button, self.restore_button):
            b.setEnabled(not busy)

    def back_up_now(self) -> None:
        self._busy(True)
        self.message.setText(tr("Đang sao lưu…"))
        ctx = self.ctx
        run_task(
            self,
            lambda: backup_svc.auto_backup(ctx, force=True),
            self._backed_up,
            self._failed,
        )

    def _backed_up(self, result: dict[str, Any]) -> None:
        self._busy(False)
        self.message.setText(
            tr("Đã sao lưu vào {path} ({mb:.1f} MB, đã kiểm tra).").format(
                path=result["path"], mb=result["bytes"] / 1_048_576
            )
        )
        self.controller.refresh()

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        self.message.setText(_error_text(exc))

    def choose_restore(self) -> None:
        folder = str(backup_svc.backup_folder(self.ctx))
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Chọn bản sao lưu"), folder, tr("Bản sao lưu (*.db *.sqlite *.bak)")
        )
        if path:
            self.confirm_restore(Path(path))

    def confirm_restore(self, path: Path, *, ask: bool = True) -> None:
        if ask:
            answer = QMessageBox.question(
                self,
                tr("Khôi phục"),
                tr(
                    "Thay cơ sở dữ liệu bằng bản sao lưu {name}?\n\nCơ sở dữ liệu hiện tại "
                    "được giữ lại bên cạnh. Sau khi khôi phục, phần mềm sẽ đóng lại; mở lại để "
                    "tiếp tục. Hồ sơ mới chỉ được nhận sau khi đối chiếu với trung tâm."
                ).format(name=path.name),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.controller.stop()
        self._busy(True)
        self.message.setText(tr("Đang khôi phục…"))
        ctx, who = self.ctx, self.user.username
        run_task(
            self,
            lambda: backup_svc.restore(ctx, path, username=who),
            self._restored,
            self._failed,
        )

    def _restored(self, result: backup_svc.RestoreResult) -> None:
        self.message.setText(
            tr("Đã khôi phục từ {name}. Phần mềm sẽ đóng lại; mở lại để tiếp tục.").format(
                name=Path(result.restored_from).name
            )
        )
        self.on_restored()

    def fresh_range(self) -> None:
        if not self.fresh_button.isEnabled():
            return
        ctx, who = self.ctx, self.user.username
        run_task(self, lambda: resume.use_fresh_range(ctx, who), self._fresh, self._failed)

    def _fresh(self, rng: dict[str, Any]) -> None:
        self.message.setText(
            tr("Nhận hồ sơ bằng dải số dự phòng {a}–{b}.").format(a=rng["start"], b=rng["end"])
        )
        self.controller.refresh()

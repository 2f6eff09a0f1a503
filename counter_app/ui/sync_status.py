"""Sync in the counter window: the status-bar indicator, its details dialog (F12), the timer.

Rounds (`Syncer.run_once`) run on the thread pool, never on the GUI thread, one at a time:
every `sync_interval_s` while central answers, after a jittered backoff while it does not.
The indicator reads only the local database (`local_status`), every 10 s and after
each round or save, so the "chờ gửi" count moves as the clerk works. No central configured
is a normal way to run (everything stays on this machine), shown in grey, never as an error.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QEvent, QMetaObject, QObject, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizeGrip,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.errors import CounterAppError
from counter_app.domain.redact import redact_secrets
from counter_app.messages import describe, describe_stored
from counter_app.services.context import ServiceContext
from counter_app.services.file_sync import size_text
from counter_app.services.sync import (
    Backoff,
    LocalStatus,
    Syncer,
    SyncReport,
    SyncTransport,
    is_offline,
    list_issues,
    local_status,
)
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import failure_text, report_failure
from counter_app.ui_text import (
    INSECURE_LINK_TEXT,
    SYNC_EVENT_KIND_LABELS,
    SYNC_ISSUE_KIND_LABELS,
    SYNC_REASON_LABELS,
)

log = logging.getLogger(__name__)

TransportFactory = Callable[[], SyncTransport]
SHORTCUT = "F12"  # free in the counter window and the queue panel (F1–F10, Ctrl+…)
# The local read for the indicator. Saves and rounds refresh at once; this catches the rest
# (queue events, other processes) and runs all day, so not more often than needed.
REFRESH_MS = 10_000
FIRST_READ_MS = 500  # the window's own loads go first
FIRST_ROUND_MS = 1500  # let the window paint before the first round
MIN_INTERVAL_S = 5
MIN_RETRY_S = 5.0  # after a failure never retry sooner than this, whatever the jitter says


@dataclass(frozen=True)
class SyncView:
    """What the indicator and the dialog show: the local record plus this session's rounds."""

    status: LocalStatus
    outcome: str | None  # "ok" | "offline" | "error"; None until this session's first round
    error: str  # the last failure's message ("" = none)
    busy: bool
    next_round_at: datetime | None
    rounds: int = 0  # finished this session


class SyncController(QObject):
    """Runs sync rounds off the GUI thread and keeps a fresh SyncView for the widgets.

    Its work runs on a pool of its own (one round and one local read at most), as
    run_task does but apart from the shared pool: a round waiting on a dead link (up to
    the connect timeout) must not hold a thread that saves, prints and look-ups need.
    Results come back through a queue and one queued slot call rather than a signal per
    result: with PySide6 6.12 on Python 3.11 every Python-side `emit()` leaks a reference
    to True, and this runs all day (`changed` is emitted only when the view changes).
    """

    changed = Signal(object)  # SyncView

    def __init__(
        self,
        ctx: ServiceContext,
        transport_factory: TransportFactory | None = None,
        parent: QObject | None = None,
        *,
        refresh_ms: int = REFRESH_MS,
        first_round_ms: int = FIRST_ROUND_MS,
        min_retry_s: float = MIN_RETRY_S,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.transport_factory = transport_factory or self._attached_link
        self.interval_s = max(MIN_INTERVAL_S, int(ctx.settings.sync_interval_s))
        self.backoff = Backoff(cap_s=self.interval_s * 5.0)
        self.min_retry_s = min_retry_s
        self.first_round_ms = first_round_ms
        self.status: LocalStatus | None = None
        self.outcome: str | None = None
        self.error = ""
        self.busy = False
        self.rounds = 0  # finished this session
        self.next_round_at: datetime | None = None
        self._syncer: Syncer | None = None
        self._stopped = True
        self._reading = False
        self._read_again = False
        self._results: queue.SimpleQueue[tuple[Callable[[Any], None], Any]] = queue.SimpleQueue()
        self._inflight = 0
        self._shown: SyncView | None = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.round_timer = QTimer(self)
        self.round_timer.setSingleShot(True)
        self.round_timer.timeout.connect(self.sync_now)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(refresh_ms)
        self.refresh_timer.timeout.connect(self.refresh)
        self.first_read = QTimer(self)
        self.first_read.setSingleShot(True)
        self.first_read.setInterval(FIRST_READ_MS)
        self.first_read.timeout.connect(self.refresh)

    def _attached_link(self) -> SyncTransport:
        """The link app.py attached to the context, to the configured central."""
        return self.ctx.adapters.sync_link(self.ctx.settings.central_url)

    @property
    def configured(self) -> bool:
        return bool(self.ctx.settings.central_url)

    # ----- life cycle ----------------------------------------------------------------------
    def start(self) -> None:
        self._stopped = False
        self.first_read.start()
        self.refresh_timer.start()
        if self.configured:
            self._schedule(self.first_round_ms / 1000)

    def stop(self) -> None:
        """No more rounds or reads; a round in flight ends on its own and closes the link."""
        self._stopped = True
        self.round_timer.stop()
        self.refresh_timer.stop()
        self.first_read.stop()
        self.next_round_at = None
        if not self.busy:
            self._close_transport()
        self._release_threads()

    def _release_threads(self) -> None:
        """Once stopped and idle, end the pool's threads now rather than after 30 s."""
        if self._stopped and not self._inflight:
            self.pool.waitForDone(1000)  # nothing runs: only joins the idle threads

    @property
    def running(self) -> bool:
        """Anything left: a timer, a round or a read in flight."""
        return bool(self._inflight or self.round_timer.isActive() or self.refresh_timer.isActive())

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """run_task on this controller's pool: `fn` off the GUI thread, the callback on it."""
        self._inflight += 1

        def job() -> None:
            try:
                item: tuple[Callable[[Any], None], Any] = (on_done, fn())
            except Exception as exc:  # delivered to the GUI thread, shown there
                item = (on_error, exc)
            self._results.put(item)
            if shiboken6.isValid(self):  # not once the window is gone
                QMetaObject.invokeMethod(self, "_deliver", Qt.ConnectionType.QueuedConnection)

        self.pool.start(job)

    @Slot()
    def _deliver(self) -> None:
        ready = []
        while not self._results.empty():
            ready.append(self._results.get_nowait())
        self._inflight -= len(ready)
        for callback, value in ready:
            callback(value)
        self._release_threads()

    # ----- rounds --------------------------------------------------------------------------
    def sync_now(self) -> bool:
        """Start a round now; False when one is running, sync is off, or the window closed."""
        if self._stopped or self.busy or not self.configured:
            return False
        self.round_timer.stop()
        self.busy = True
        self.next_round_at = None
        self._emit()
        self.run(self._round, self._round_done, self._round_failed)
        return True

    def _round(self) -> SyncReport:
        """On a pool thread: the Syncer (and its link) lives across rounds."""
        if self._syncer is None:
            self._syncer = Syncer(self.ctx, self.transport_factory())
        syncer = self._syncer
        try:
            return syncer.run_once()
        finally:
            if self._stopped:  # the window closed meanwhile: hang up from this thread
                self._close_transport()

    def _round_done(self, _report: SyncReport) -> None:
        self.busy = False
        self.rounds += 1
        self.outcome, self.error = "ok", ""
        self.backoff.success()
        self._after_round(float(self.interval_s))

    def _round_failed(self, exc: Exception) -> None:
        self.busy = False
        self.rounds += 1
        delay = float(self.interval_s)
        if is_offline(exc):
            self.outcome = "offline"
            delay = max(self.min_retry_s, self.backoff.failure())
        else:
            # Refused, admin credentials, unit mismatch, a bad URL: shown, retried at the
            # normal pace (a person has to act; hammering central would not help).
            self.outcome = "error"
            if not isinstance(exc, CounterAppError):
                log.error("sync round failed", exc_info=exc)
        self.error = redact_secrets(
            describe(exc)
            if isinstance(exc, CounterAppError)
            else tr("Lỗi không mong đợi: {e}").format(e=exc)
        )
        self._after_round(delay)

    def _after_round(self, delay_s: float) -> None:
        if self._stopped:
            self._close_transport()
            return
        self._schedule(delay_s)
        self.refresh()

    def _schedule(self, delay_s: float) -> None:
        self.next_round_at = self.ctx.now() + timedelta(seconds=delay_s)
        self.round_timer.start(max(0, int(delay_s * 1000)))

    def _close_transport(self) -> None:
        syncer, self._syncer = self._syncer, None
        if syncer is None:
            return
        try:
            syncer.transport.close()
        except Exception:  # closing a dead link must not break closing the window
            log.exception("closing the sync transport")

    # ----- the local read ------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the local status (off the GUI thread: the database may be on the LAN)."""
        if self._stopped:
            return
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        self.run(lambda: local_status(self.ctx), self._status_read, self._status_failed)

    def _status_read(self, st: LocalStatus) -> None:
        self.status = st
        self._read_done()
        self._emit()

    def _status_failed(self, exc: Exception) -> None:
        log.warning("reading the sync status failed: %s", exc)
        self._read_done()

    def _read_done(self) -> None:
        self._reading = False
        if self._read_again:
            self._read_again = False
            self.refresh()

    def view(self) -> SyncView | None:
        if self.status is None:
            return None
        error = self.error if self.outcome is not None else last_error_text(self.status)
        return SyncView(
            self.status, self.outcome, error, self.busy, self.next_round_at, self.rounds
        )

    def _emit(self) -> None:
        """Tell the widgets, only when something they show has changed."""
        v = self.view()
        if v is not None and v != self._shown:
            self._shown = v
            self.changed.emit(v)


# ----- words --------------------------------------------------------------------------------
def last_error_text(st: LocalStatus) -> str:
    """The last failed round in words (stored as a code and its parameters)."""
    e = st.last_error
    return describe_stored(e.code, e.params, e.field_errors, e.text) if e else ""


def duration_text(seconds: float) -> str:
    """62 phút, 3 giờ 5 phút, 2 ngày."""
    minutes = round(abs(seconds) / 60)
    if minutes < 120:
        return tr("{n} phút").format(n=minutes)
    hours, rest = divmod(minutes, 60)
    if hours >= 48:
        return tr("{n} ngày").format(n=round(hours / 24))
    if rest:
        return tr("{h} giờ {m} phút").format(h=hours, m=rest)
    return tr("{h} giờ").format(h=hours)


def when_text(moment: datetime | None, tz: ZoneInfo, now: datetime) -> str:
    """09:15 today, else 17:02 25/11."""
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return f"{local:%H:%M}"
    return f"{local:%H:%M %d/%m}"


def indicator_text(
    view: SyncView, tz: ZoneInfo, now: datetime, *, compact: bool = False
) -> tuple[str, str]:
    """The indicator's tone (ok, idle, warn, alert) and its one line; `compact` for a
    narrow window (same facts, fewer words)."""
    st = view.status
    tone, parts = _state_parts(view, tz, now, compact)
    if st.central_configured:
        if st.rejected or st.clashes:
            tone = "alert"  # red only here: something central would not take
        if st.rejected:
            word = "{n} bị từ chối" if compact else "{n} bị trung tâm từ chối"
            parts.append(tr(word).format(n=st.rejected))
        if st.clashes:
            word = "{n} trùng mã" if compact else "{n} trùng mã hồ sơ"
            parts.append(tr(word).format(n=st.clashes))
        if st.clock_warning and st.clock_offset_s is not None:
            tone = "alert" if tone == "alert" else "warn"
            word = "Đồng hồ lệch {d}" if compact else "Đồng hồ máy lệch {d} so với máy chủ"
            parts.append(tr(word).format(d=duration_text(st.clock_offset_s)))
        if st.insecure_link:
            tone = "alert" if tone == "alert" else "warn"
            parts.append(tr("Kết nối không mã hoá") if compact else tr(INSECURE_LINK_TEXT))
    return tone, " · ".join(parts)


def _state_parts(
    view: SyncView, tz: ZoneInfo, now: datetime, compact: bool = False
) -> tuple[str, list[str]]:
    st = view.status
    waiting = [tr("{n} chờ gửi").format(n=st.waiting)] if st.waiting else []
    pages = st.files_waiting.get("pages", 0) if st.central_configured else 0
    files: list[str] = []
    if pages:  # digitised pages not yet at central (issue 15)
        word = "{p} trang chờ gửi" if compact else "{p} trang số hóa chờ gửi"
        files.append(tr(word).format(p=pages))
    waiting += files
    last_ok = when_text(st.last_ok_at, tz, now)
    if not st.central_configured:
        return "idle", [tr("Chưa nối máy chủ trung tâm"), *waiting]
    if view.outcome is None:
        return "idle", ["● " + tr("Đang kết nối máy chủ trung tâm…"), *waiting]
    if view.outcome == "ok":
        word = "{t}" if compact else "đồng bộ lúc {t}"
        synced = [tr(word).format(t=last_ok)] if last_ok else []
        return "ok", ["● " + tr("Trực tuyến"), *synced, *waiting]
    head = tr("Mất kết nối") if view.outcome == "offline" else tr("Chưa đồng bộ được")
    count = tr("{n} chờ gửi" if compact else "{n} sự kiện chờ gửi").format(n=st.waiting)
    last = tr("lần cuối {t}").format(t=last_ok) if last_ok else tr("chưa đồng bộ lần nào")
    return "warn", ["● " + head, count, *files, last]


def clock_text(offset_s: float | None) -> str:
    if offset_s is None:
        return tr("chưa đo (cần đồng bộ thành công một lần)")
    if abs(offset_s) < 60:
        return tr("khớp với máy chủ (lệch {s:.0f} giây)").format(s=abs(offset_s))
    # offset = server − this machine: positive means this machine is behind.
    way = tr("chậm hơn") if offset_s > 0 else tr("nhanh hơn")
    text = tr("đồng hồ máy này {way} máy chủ {d}").format(way=way, d=duration_text(offset_s))
    if abs(offset_s) > 300:
        text += tr(" — hãy chỉnh lại giờ máy: giờ nhận và hẹn trả dựa vào nó")
    return text


def issue_row(issue: dict[str, Any], tz: ZoneInfo) -> tuple[str, str, str, str]:
    """(kind, reason, code/detail, time) of one list_issues row, in words."""
    d = issue.get("detail") or {}
    kind = tr(SYNC_ISSUE_KIND_LABELS.get(issue["kind"], issue["kind"]))
    reason = tr(SYNC_REASON_LABELS.get(issue["reason"], issue["reason"]))
    if issue["kind"] == "clash":
        if d.get("ours_refused"):
            what = tr("{code} · đơn vị {u} đã dùng mã này trước").format(
                code=d.get("code", ""), u=d.get("kept_by", "?")
            )
        else:
            what = tr("{code} · đơn vị {u} dùng trùng mã").format(
                code=d.get("code", ""), u=d.get("refused_from", "?")
            )
    else:
        bits = [tr(SYNC_EVENT_KIND_LABELS.get(issue["event_kind"], issue["event_kind"]))]
        if d.get("code"):
            bits.append(str(d["code"]))
        if issue.get("seq") is not None:
            bits.append(tr("sự kiện số {n}").format(n=issue["seq"]))
        if d.get("error"):
            bits.append(redact_secrets(str(d["error"]))[:80])
        what = " · ".join(b for b in bits if b)
    at = datetime.fromisoformat(issue["at"])
    when = f"{at.astimezone(tz):%H:%M %d/%m/%Y}" if at.tzinfo else f"{at:%H:%M %d/%m/%Y}"
    return kind, reason, what, when


# ----- widgets ------------------------------------------------------------------------------
INDICATOR_STYLE = """
QPushButton#syncIndicator {
    border: 1px solid #d1d5db; border-radius: 4px; padding: 1px 10px; margin: 1px 2px 1px 8px;
    font-size: 14px; background: #f3f4f6; color: #374151; text-align: left;
}
QPushButton#syncIndicator[tone="ok"] { background: #ecfdf5; border-color: #a7f3d0; color: #047857; }
QPushButton#syncIndicator[tone="warn"] {
    background: #fffbeb; border-color: #fcd34d; color: #92400e;
}
QPushButton#syncIndicator[tone="alert"] {
    background: #fef2f2; border-color: #fca5a5; color: #991b1b;
}
QPushButton#syncIndicator:focus { border: 2px solid #2563eb; }
"""


class SyncIndicator(QPushButton):
    """One line on the right of the status bar; click, Enter or F12 opens the details."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.tone = ""
        self.view: SyncView | None = None
        self._watching = False
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._rerender)
        self.dialog: SyncDialog | None = None
        self.setObjectName("syncIndicator")
        self.setStyleSheet(INDICATOR_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setAutoDefault(True)  # Enter opens the details too, not only Space
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(tr("Tình trạng đồng bộ"))
        self._set("idle", tr("Đồng bộ: đang đọc tình trạng…"), "")
        controller.changed.connect(self.show_view)
        self.clicked.connect(self.open_details)

    def show_view(self, view: SyncView) -> None:
        self.view = view
        ctx = self.controller.ctx
        now = ctx.clock()
        tone, text = indicator_text(view, ctx.tz, now)
        room = self._room()
        if self._width(text) > room:
            tone, text = indicator_text(view, ctx.tz, now, compact=True)
            if self._width(text) > room:
                text = self.fontMetrics().elidedText(
                    text, Qt.TextElideMode.ElideRight, room - self._width("")
                )
        tip = []
        if view.error and view.status.central_configured:
            tip.append(tr("Lỗi gần nhất: {m}").format(m=view.error))
        elif not view.status.central_configured:
            tip.append(tr("Dữ liệu chỉ lưu trên máy này (chưa cấu hình central_url)."))
        if text != indicator_text(view, ctx.tz, now)[1]:
            tip.insert(0, indicator_text(view, ctx.tz, now)[1])
        tip.append(tr("{k} hoặc nhấn vào đây: chi tiết đồng bộ").format(k=SHORTCUT))
        self._set(tone, text, "\n".join(tip))

    def _width(self, text: str) -> int:
        """Pixels the button needs for `text` (padding, border and margins included)."""
        return self.fontMetrics().horizontalAdvance(text) + 40

    def _room(self) -> int:
        """What the status bar can give: its width less its other widgets and some room
        for the messages it shows on the left."""
        bar = self.parentWidget()
        if bar is None or bar.width() < 200:
            return 10_000
        others = sum(
            w.sizeHint().width()
            for w in bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if w is not self and w.isVisible() and not isinstance(w, QSizeGrip)
        )
        return max(240, bar.width() - others - 220)

    def showEvent(self, event: QShowEvent) -> None:
        bar = self.parentWidget()
        if not self._watching and bar is not None:
            self._watching = True
            bar.installEventFilter(self)  # the status bar's width decides the wording
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._refit.start()  # after the status bar has laid itself out
        return False

    def _rerender(self) -> None:
        if self.view is not None:
            self.show_view(self.view)

    def _set(self, tone: str, text: str, tip: str) -> None:
        if tone != self.tone:
            self.tone = tone
            self.setProperty("tone", tone)
            self.style().unpolish(self)
            self.style().polish(self)
        if text != self.text():
            self.setText(text)
            self.setAccessibleDescription(text)
        if tip != self.toolTip():
            self.setToolTip(tip)

    def open_details(self) -> None:
        if self.dialog is None:
            self.dialog = SyncDialog(self.controller, self.window())
        self.dialog.reload()
        self.dialog.open()
        d = self.dialog
        (d.sync_button if self.controller.configured else d.close_button).setFocus()


NO_ISSUES_TEXT = "Không có sự kiện nào bị từ chối hay trùng mã."


class SyncDialog(QDialog):
    """The state in full, the sync issues, and Enter = sync now."""

    HEADERS = ("Loại", "Lý do", "Mã hồ sơ / chi tiết", "Thời gian")
    ROWS = (
        ("central", "Máy chủ trung tâm"),
        ("waiting", "Chờ gửi"),
        ("files", "Tệp số hóa chờ gửi"),
        ("last_ok", "Đồng bộ thành công lần cuối"),
        ("next", "Lần tiếp theo"),
        ("error", "Lỗi gần nhất"),
        ("clock", "Đồng hồ"),
    )
    LOCAL_ROWS = ("central", "waiting")  # all that applies without a central

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.issue_count = 0
        self.setWindowTitle(tr("Đồng bộ với máy chủ trung tâm ({k})").format(k=SHORTCUT))
        lay = QVBoxLayout(self)
        self.head = QLabel()
        self.head.setObjectName("title")
        self.head.setWordWrap(True)
        lay.addWidget(self.head)
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(16)
        self.fields: dict[str, QLabel] = {}
        for key, label in self.ROWS:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            self.form.addRow(tr(label), value)
        lay.addLayout(self.form)
        lay.addSpacing(8)
        self.section = QLabel(tr("VẤN ĐỀ ĐỒNG BỘ"))
        self.section.setObjectName("section")
        lay.addWidget(self.section)
        self.issues_error = ""  # the issues could not be read (said instead of "none")
        self.no_issues = QLabel(tr(NO_ISSUES_TEXT))
        self.no_issues.setObjectName("hint")
        lay.addWidget(self.no_issues)
        self.table = self._table()
        lay.addWidget(self.table, 1)
        lay.addStretch(0)  # takes the room while the table is hidden
        lay.addSpacing(6)
        row = QHBoxLayout()
        self.sync_button = QPushButton(tr("Enter  Đồng bộ ngay"))
        self.sync_button.setObjectName("primary")
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(self.controller.sync_now)
        self.close_button = QPushButton(tr("Esc  Đóng"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.sync_button.setVisible(controller.configured)
        row.addWidget(self.sync_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        lay.addLayout(row)
        self.rounds_seen = 0
        controller.changed.connect(self._changed)
        self._fill([])
        self.resize(860, 520)

    def _table(self) -> QTableWidget:
        t = QTableWidget(0, len(self.HEADERS))
        t.setHorizontalHeaderLabels([tr(h) for h in self.HEADERS])
        t.verticalHeader().setVisible(False)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setTabKeyNavigation(False)
        t.setWordWrap(True)
        t.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = t.horizontalHeader()
        for c in range(len(self.HEADERS)):
            mode = QHeaderView.ResizeMode.Stretch if c == 2 else QHeaderView.ResizeMode.Interactive
            header.setSectionResizeMode(c, mode)
        return t

    def _changed(self, view: SyncView) -> None:
        if not self.isVisible():
            return
        self.show_view(view)
        if view.rounds != self.rounds_seen:  # a round ended: issues may have come in
            self.rounds_seen = view.rounds
            self._load_issues()

    def reload(self) -> None:
        """The issues table and the state, both read off the GUI thread."""
        self.controller.refresh()
        view = self.controller.view()
        if view is not None:
            self.rounds_seen = view.rounds
            self.show_view(view)
        self._load_issues()

    def _load_issues(self) -> None:
        ctx = self.controller.ctx
        self.controller.run(lambda: list_issues(ctx), self._fill, self._issues_failed)

    def _issues_failed(self, exc: Exception) -> None:
        """Logged with its traceback like every background failure; said in the dialog."""
        report_failure("SyncDialog.list_issues", exc)
        self.issues_error = failure_text(exc)
        self.no_issues.setText(self.issues_error)
        self._show_issues()

    def _fill(self, issues: list[dict[str, Any]]) -> None:
        self.issues_error = ""
        self.no_issues.setText(tr(NO_ISSUES_TEXT))
        tz = self.controller.ctx.tz
        t = self.table
        t.setRowCount(len(issues))
        for r, issue in enumerate(issues):
            for c, v in enumerate(issue_row(issue, tz)):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                t.setItem(r, c, item)
        t.resizeColumnToContents(0)
        t.resizeColumnToContents(3)
        t.setColumnWidth(1, min(300, max(160, t.sizeHintForColumn(1))))
        t.resizeRowsToContents()
        for r in range(len(issues)):
            t.setRowHeight(r, t.rowHeight(r) + 8)  # air around wrapped lines
        self.issue_count = len(issues)
        self._show_issues()
        self._fit()

    def _fit(self) -> None:
        """Tall enough for the table when there are issues, compact when there are none."""
        if self.issue_count:
            self.resize(self.width(), max(self.height(), 520))
        else:
            h = self.heightForWidth(self.width())  # wrapped labels need their real height
            self.resize(self.width(), h if h > 0 else self.sizeHint().height())

    def _show_issues(self) -> None:
        configured = self.controller.configured
        self.section.setVisible(configured or self.issue_count > 0)
        self.table.setVisible(self.issue_count > 0)
        self.no_issues.setVisible(bool(self.issues_error) or (configured and self.issue_count == 0))

    def show_view(self, view: SyncView) -> None:
        ctx = self.controller.ctx
        now = ctx.clock()
        st = view.status
        _tone, parts = _state_parts(view, ctx.tz, now)
        self.head.setText(" · ".join(parts).removeprefix("● "))
        f = self.fields
        f["central"].setText(
            redact_secrets(ctx.settings.central_url)
            + (" — " + tr(INSECURE_LINK_TEXT) if st.insecure_link else "")
            if st.central_configured
            else tr(
                "chưa cấu hình. Phần mềm chạy riêng trên máy này; dữ liệu được giữ lại "
                "để gửi khi có máy chủ (central_url trong tệp cấu hình)."
            )
        )
        sent = tr(" (đã gửi tới số {a})").format(a=st.acked_seq) if st.acked_seq else ""
        f["waiting"].setText(tr("{n} sự kiện").format(n=st.waiting) + sent)
        fw = st.files_waiting
        f["files"].setText(
            tr("{f} tệp, {p} trang, {s}").format(
                f=fw["files"], p=fw["pages"], s=size_text(fw["bytes"])
            )
            if fw.get("files")
            else tr("không có")
        )
        f["last_ok"].setText(
            f"{st.last_ok_at.astimezone(ctx.tz):%H:%M:%S %d/%m/%Y}"
            if st.last_ok_at
            else tr("chưa lần nào")
        )
        f["next"].setText(self._next_text(view))
        f["error"].setText(view.error or tr("không có"))
        f["clock"].setText(clock_text(st.clock_offset_s))
        for key, _label in self.ROWS:
            self.form.setRowVisible(f[key], st.central_configured or key in self.LOCAL_ROWS)
        self.sync_button.setVisible(st.central_configured)
        self.sync_button.setText(tr("Đang đồng bộ…") if view.busy else tr("Enter  Đồng bộ ngay"))
        self._show_issues()
        self._fit()

    @staticmethod
    def _next_text(view: SyncView) -> str:
        if view.busy:
            return tr("đang đồng bộ…")
        if view.next_round_at is None:
            return "—"
        return tr("lúc {t}").format(t=f"{view.next_round_at:%H:%M:%S}")

"""Run service calls on the thread pool and deliver the result back on the GUI thread.

No background failure is lost: every one is logged with its traceback (report_failure)
before the caller's `on_error` sees it; a caller that gives no `on_error` gets the window's
default — a short calm line where the user is (`show_task_error` on the owner's window:
the counter window's status bar, a quiet line on the kiosk and the board), never a dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from counter_app.domain.errors import CounterAppError
from counter_app.domain.redact import redact_secrets
from counter_app.messages import describe
from counter_app.ui.i18n import tr

log = logging.getLogger("counter_app.ui")

# A poll that fails every second (the board, while the database is unreachable) would
# otherwise fill the rotating log with one traceback a second and push out the first one.
# The first failure of a run of identical ones is logged with its traceback; the repeats as
# one line each up to REPEATS_IN_FULL, then one line every REPEAT_EVERY.
REPEATS_IN_FULL = 10
REPEAT_EVERY = 100
_last_failure: dict[str, tuple[str, int]] = {}  # site -> (signature, times in a row)


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # delivered to the GUI thread, logged and shown there
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


_pending: set[_Relay] = set()


def site_of(fn: Callable[..., Any]) -> str:
    """Where a task comes from, for the log: 'CounterWindow.refresh_today.<locals>.<lambda>'."""
    return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', repr(fn))}"


def report_failure(site: str, exc: BaseException) -> None:
    """Log a background failure with its traceback (GUI thread; the traceback travelled
    with the exception). Identical failures in a row from one site are counted, not
    repeated in full."""
    signature = f"{type(exc).__qualname__}: {exc}"
    previous, times = _last_failure.get(site, ("", 0))
    times = times + 1 if previous == signature else 1
    _last_failure[site] = (signature, times)
    if times == 1:
        log.error(
            "background task %s failed: %s",
            site,
            redact_secrets(signature),
            exc_info=(type(exc), exc, exc.__traceback__),
        )
    elif times <= REPEATS_IN_FULL or times % REPEAT_EVERY == 0:
        log.error("background task %s failed again (%d in a row)", site, times)


def report_success(site: str) -> None:
    """A site that failed works again: say how many failures the run had."""
    failed = _last_failure.pop(site, None)
    if failed is not None and failed[1] > 1:
        log.warning("background task %s works again after %d failures", site, failed[1])


def failure_text(exc: BaseException) -> str:
    """The short line a clerk reads: the error's own sentence, or a calm generic one."""
    if isinstance(exc, CounterAppError):
        return describe(exc)
    detail = redact_secrets(str(exc) or type(exc).__name__)
    if len(detail) > 120:
        detail = detail[:117] + "…"
    return tr("Chưa làm được việc này ({e}). Đã ghi vào nhật ký.").format(e=detail)


def show_in_window(owner: QObject, exc: BaseException) -> None:
    """The default `on_error`: the owner's window shows the line (`show_task_error`)."""
    window = owner.window() if isinstance(owner, QWidget) else None
    show = getattr(window, "show_task_error", None)
    if callable(show):
        show(failure_text(exc))


def run_task(
    owner: QObject,
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None] | None = None,
) -> None:
    """Workers never touch widgets: the callbacks run on the GUI thread via queued signals.

    A failure is always logged first (report_failure), then handed to `on_error`, or by
    default shown on the owner's window (show_in_window). When `owner` (the widget that
    asked) is gone by the time the work ends, for instance a window closed while a save was
    printing, the result is dropped instead of calling into it — a failure is still logged.
    """
    relay = _Relay()
    _pending.add(relay)
    site = site_of(fn)

    def finish(cb: Callable[[Any], None], value: Any) -> None:
        _pending.discard(relay)
        if not shiboken6.isValid(owner):
            return
        cb(value)

    def done(result: Any) -> None:
        report_success(site)
        finish(on_done, result)

    def failed(exc: Exception) -> None:
        report_failure(site, exc)
        finish(on_error or (lambda e: show_in_window(owner, e)), exc)

    relay.done.connect(done)
    relay.failed.connect(failed)
    QThreadPool.globalInstance().start(_Job(fn, relay))


def pending_tasks() -> int:
    return len(_pending)

"""Run service calls on the thread pool and deliver the result back on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


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
        except Exception as exc:  # delivered to the GUI thread, shown there
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


_pending: set[_Relay] = set()


def run_task(
    owner: QObject,
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
) -> None:
    """Workers never touch widgets: the callbacks run on the GUI thread via queued signals.

    When `owner` (the widget that asked) is gone by the time the work ends, for instance a
    window closed while a save was printing, the result is dropped instead of calling into it.
    """
    relay = _Relay()
    _pending.add(relay)

    def finish(cb: Callable[[Any], None], value: Any) -> None:
        _pending.discard(relay)
        if not shiboken6.isValid(owner):
            return
        cb(value)

    relay.done.connect(lambda r: finish(on_done, r))
    relay.failed.connect(lambda e: finish(on_error, e))
    QThreadPool.globalInstance().start(_Job(fn, relay))


def pending_tasks() -> int:
    return len(_pending)

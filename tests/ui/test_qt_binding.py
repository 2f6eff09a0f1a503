"""The Qt binding itself: PySide6 6.12.0 dropped a reference to True on every Python signal
emit, so a window that emits for hours aborted Python ("bool_dealloc"). Pinned below 6.12."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(int)


def test_signal_emits_do_not_leak_references(qapp: object) -> None:
    e = _Emitter()
    got: list[int] = []
    e.fired.connect(got.append)
    before_true, before_none = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(200):
        e.fired.emit(i)
    assert len(got) == 200
    assert abs(sys.getrefcount(True) - before_true) < 20
    assert abs(sys.getrefcount(None) - before_none) < 20

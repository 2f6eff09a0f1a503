"""The tests' clock: a pinned working day, the three moments of day, a settable clock.

No test may depend on the hour, weekday or date it runs at. Services and windows read
`ServiceContext.clock`; the command line (in-process or a child process) reads the
COUNTER_APP_NOW variable at its composition root. `TestClock` drives both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW_ENV = "COUNTER_APP_NOW"

# A Wednesday in a plain working week (no holiday, no make-up day from 26/11 to 10/12/2026).
PINNED_DAY = date(2026, 12, 2)
# Within the demo services' hours (07:00-17:30) and before the 15:00 intake cut-off.
DEFAULT_TIME = time(9)

# The moments the time-sensitive tests run at: before opening, a minute before the demo
# services close (and after the intake cut-off), and thirty seconds before midnight.
MOMENTS = {"03:00": time(3), "16:59": time(16, 59), "23:59:30": time(23, 59, 30)}


def at(hh: int, mm: int = 0, ss: int = 0, day: date = PINNED_DAY) -> datetime:
    """An aware local (Vietnam) moment on the pinned day unless `day` is given."""
    return datetime.combine(day, time(hh, mm, ss), VN)


class TestClock:
    """Callable like `ServiceContext.clock` (aware UTC); `set` / `advance` move it.

    With a monkeypatch it also keeps COUNTER_APP_NOW at the same instant, so CLI commands
    run in-process (or child processes started afterwards) read the same "now".
    """

    __test__ = False  # not a test class

    def __init__(self, moment: datetime, mp: pytest.MonkeyPatch | None = None) -> None:
        self._mp = mp
        self._at = moment
        self.set(moment)

    def __call__(self) -> datetime:
        return self._at

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the test clock needs an aware datetime")
        self._at = moment.astimezone(UTC)
        if self._mp is not None:
            self._mp.setenv(NOW_ENV, self.env_value)

    def advance(self, **delta: Any) -> datetime:
        self.set(self._at + timedelta(**delta))
        return self.local()

    def local(self) -> datetime:
        return self._at.astimezone(VN)

    def today(self) -> date:
        return self.local().date()

    @property
    def env_value(self) -> str:
        """The value of COUNTER_APP_NOW for this instant: 2026-12-02T09:00:00+07:00."""
        return self.local().isoformat()

"""What every use case needs: the unit of work, the clock and the local time zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from counter_app.config import Settings
from counter_app.db.uow import UnitOfWork


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    uow: UnitOfWork
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    clock: Callable[[], datetime] = _utcnow
    settings: Settings = field(default_factory=Settings)

    def now(self) -> datetime:
        """Now in the unit's local time zone (aware)."""
        return self.clock().astimezone(self.tz)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

"""What every use case needs: the unit of work, the clock, the local time zone, the adapters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn, Protocol
from zoneinfo import ZoneInfo

from counter_app.config import Settings
from counter_app.db.uow import UnitOfWork
from counter_app.domain.scanning import DocumentScanner
from counter_app.printing.spool import PrinterStatus, Spooler

if TYPE_CHECKING:  # psycopg and the sync code load only when a link opens (issue 17)
    from counter_app.devices.led_board import LedBoard  # pyserial
    from counter_app.sync.transport import Transport


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ByteSink(Protocol):
    """A thermal ticket printer: bytes out (devices.ticket_printer.TicketPrinter)."""

    def send(self, data: bytes) -> None: ...


class LineReader(Protocol):
    """A serial scanner (devices.scanner.SerialScanner): `run` blocks, delivering lines."""

    def run(self, on_scan: Callable[[str], None]) -> None: ...
    def stop(self) -> None: ...


def _not_attached(what: str) -> Any:
    def refuse(*_args: object) -> NoReturn:
        raise LookupError(f"no {what} attached to this context (app.build_adapters does that)")

    return refuse


_NO_A4 = _not_attached("A4 printer")
_NO_LABEL = _not_attached("label printer")
_NO_TICKET = _not_attached("ticket printer")
_NO_LINK = _not_attached("sync link")
_NO_OS_PRINTERS = _not_attached("operating system's printer list")


def _nothing() -> None:
    return None


@dataclass
class Adapters:
    """The outside world, built by app.py (build_adapters) and nowhere else.

    Each is a factory, called where it is used: opening a serial port or a network link has
    side effects, and a window that never shows a call never opens the LED board.
    """

    a4_printer: Callable[[], Spooler] = _NO_A4
    label_printer: Callable[[], Spooler] = _NO_LABEL
    # URL (the ticket_printer setting or --printer) -> the ESC/POS printer there.
    ticket_printer: Callable[[str], ByteSink] = _NO_TICKET
    led_board: Callable[[], LedBoard | None] = _nothing  # None: no LED board configured
    scanner: Callable[[], LineReader | None] = _nothing  # None: no serial scanner configured
    # The unit's central URL -> the link a sync round talks through.
    sync_link: Callable[[str], Transport] = _NO_LINK
    # The document scanner (issue 15): None when none is configured.
    document_scanner: Callable[[], DocumentScanner | None] = _nothing
    # The printers the operating system lists (through Qt: ui/qtprint.py): with their state,
    # and their names alone (a printer setting must name one of them).
    os_printers: Callable[[], list[PrinterStatus]] = _NO_OS_PRINTERS
    printer_names: Callable[[], list[str]] = _NO_OS_PRINTERS


@dataclass
class ServiceContext:
    uow: UnitOfWork
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    clock: Callable[[], datetime] = _utcnow
    settings: Settings = field(default_factory=Settings)
    adapters: Adapters = field(default_factory=Adapters)
    # The settings as the config file and the environment give them, before the printers a
    # supervisor stored in the database (services/unit_setup.effective_settings); None = same.
    configured: Settings | None = None

    def now(self) -> datetime:
        """Now in the unit's local time zone (aware)."""
        return self.clock().astimezone(self.tz)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

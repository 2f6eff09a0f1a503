"""Composition root: settings, logging, engine, services; the GUI is imported only when opened."""

from __future__ import annotations

import argparse
import io
import logging
import logging.handlers
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from counter_app import filemodes
from counter_app.cli import main as cli
from counter_app.config import Settings, config_path, data_dir, load_settings
from counter_app.domain.errors import ValidationError
from counter_app.domain.redact import redact_secrets
from counter_app.domain.scanning import DocumentScanner

if TYPE_CHECKING:  # loaded when a context is built: `--version` and `--help` need neither
    from counter_app.services.context import Adapters, ServiceContext

log = logging.getLogger("counter_app")

# A testing aid, not a user setting: pins "now" for one process so that checks and tests do
# not depend on the hour they run at (README, "Tests").
NOW_ENV = "COUNTER_APP_NOW"
SCANNER_RETRY_S = 2.0  # a serial scanner whose port failed tries it again this often


def db_url(value: str | None, settings: Settings) -> str:
    """`--db` takes a SQLAlchemy URL or, for convenience, a plain SQLite file path."""
    if not value:
        return settings.effective_db_url
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


class PrivateLogFile(logging.handlers.RotatingFileHandler):
    """The log, created 0600 (also each new file after a rotation; rotated ones keep it)."""

    def _open(self) -> io.TextIOWrapper:
        fd = filemodes.open_private(Path(self.baseFilename), os.O_WRONLY | os.O_APPEND)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


class RedactingFormatter(logging.Formatter):
    """Every line, traceback included, without a URL's or a DSN's password."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_secrets(super().format(record))


def setup_logging(settings: Settings) -> None:
    """One log file in the data dir; the CLI's stderr stays for its one-line messages.
    The data dir and the logs are private to this OS user (filemodes)."""
    root = logging.getLogger("counter_app")
    if root.handlers:
        return
    try:
        logs = filemodes.private_dir(filemodes.secure_data_dir(data_dir()) / "logs")
        for old in logs.glob("counter-app.log*"):  # an older version made them 0644
            filemodes.tighten(old, filemodes.FILE_MODE)
        handler: logging.Handler = PrivateLogFile(
            logs / "counter-app.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())


def protect_config(path: Path) -> None:
    """A config file holding a password (the central URL's): readable by this OS user only.
    The app never writes the file; one found open is tightened (POSIX) with a warning."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    if redact_secrets(text) != text:
        filemodes.tighten(path, filemodes.FILE_MODE)


def pinned_clock(value: str) -> Callable[[], datetime]:
    """A clock that reads `value` (ISO 8601 with an offset) at start, then runs on.

    It advances with the monotonic clock, so waits, timeouts and durations behave as usual;
    every process that reads the variable starts again at the same instant.
    """
    try:
        start = datetime.fromisoformat(value.strip())
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise ValidationError("now_invalid", value=value)
    start = start.astimezone(UTC)
    t0 = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - t0)


def _qtprint() -> ModuleType:
    """The printing adapter (ui/qtprint.py: Qt's print system), imported at its first use: a
    command that prints nothing never loads Qt."""
    from counter_app.ui import qtprint

    return qtprint


def build_adapters(settings: Settings) -> Adapters:
    """Every adapter to the outside world, from the settings. Devices and links open when a
    window or command first uses them (factories): building the context touches no port."""
    from counter_app.devices import ticket_printer as tp
    from counter_app.devices.led_board import EdiLedBoard
    from counter_app.devices.scanner import SerialScanner
    from counter_app.services.context import Adapters
    from counter_app.sync.transport import PgTransport

    s = settings
    folder = s.effective_print_dir
    # One printer object per setting for the process: tickets to it go one at a time, and a
    # usb: printer's port, once found, is kept until it fails (devices/ports.PortLocator).
    printers: dict[str, tp.TicketPrinter | tp.WinspoolPrinter] = {}

    def ticket_printer(url: str) -> tp.TicketPrinter | tp.WinspoolPrinter:
        if url not in printers:
            printers[url] = tp.connect(
                url, baudrate=s.ticket_printer_baud, dsrdtr=s.ticket_printer_dsrdtr
            )
        return printers[url]

    return Adapters(
        # The OS's printers through Qt (ui/qtprint), loaded when a paper is first printed.
        a4_printer=lambda: _qtprint().make_spooler(s.a4_printer, folder, kind="a4"),
        label_printer=lambda: _qtprint().make_spooler(s.label_printer, folder, kind="label"),
        os_printers=lambda: _qtprint().list_os_printers(),
        printer_names=lambda: _qtprint().printer_names(),
        ticket_printer=ticket_printer,
        led_board=lambda: (
            EdiLedBoard(s.led_board, checksum=s.led_board_checksum) if s.led_board else None
        ),
        # A serial scanner keeps trying its port (looked up again by USB id) after a failure.
        scanner=lambda: (
            SerialScanner(s.scanner_port, s.scanner_baud, retry_s=SCANNER_RETRY_S)
            if s.scanner_port
            else None
        ),
        sync_link=lambda url: PgTransport(url, sslmode=s.central_sslmode),
        document_scanner=lambda: document_scanner(s),
    )


def document_scanner(settings: Settings) -> DocumentScanner | None:
    """The counter's document scanner (issue 15): WIA on Windows, SANE (scanimage) elsewhere;
    None when `document_scanner` is empty. "auto" takes the first scanner found when a scan
    starts (on the worker thread: listing SANE devices may take seconds)."""
    name = settings.document_scanner.strip()
    if not name:
        return None
    if sys.platform == "win32":
        from counter_app.devices.wia_scanner import WiaScanner

        return WiaScanner("" if name == "auto" else name)
    from counter_app.devices.document_scanner import AutoSaneScanner, SaneScanner, sane_env

    env = sane_env(settings.sane_config_dir)
    if name == "auto":
        return AutoSaneScanner(env=env)
    return SaneScanner(name, env=env)


def _system_clock() -> datetime:
    return datetime.now(UTC)


def migration_backup_hook(
    settings: Settings, clock: Callable[[], datetime] | None
) -> Callable[..., None]:
    """Before Alembic upgrades an existing database (a new version's migrations): a copy in
    the backups folder (services/migration_backup.py)."""
    from counter_app.services import migration_backup

    folder = Path(settings.backup_dir).expanduser() if settings.backup_dir else None
    return migration_backup.hook(folder or data_dir() / "backups", clock or _system_clock)


def build_context(
    db: str | None = None,
    config: str | None = None,
    settings: Settings | None = None,
    *,
    create: bool = True,
) -> ServiceContext:
    """The context on `db` (else the configured database). `config` given is a file that must
    exist (a mistyped --config is refused, not replaced by the defaults); `create=False` refuses
    a missing or empty database file instead of starting a new one."""
    from counter_app.db.engine import open_database, require_existing
    from counter_app.db.uow import UnitOfWork
    from counter_app.services.context import ServiceContext

    if config and not Path(config).exists():
        raise ValidationError("config_missing", path=config)
    path = Path(config) if config else config_path()
    settings = settings or load_settings(path)
    setup_logging(settings)
    filemodes.flush_log()
    protect_config(path)
    pinned = os.environ.get(NOW_ENV, "")
    clock = pinned_clock(pinned) if pinned else None  # a bad value is refused before opening
    url = db_url(db, settings)
    if not create:
        require_existing(url)
    engine = open_database(url, before_migrate=migration_backup_hook(settings, clock))
    filemodes.flush_log()
    ctx = ServiceContext(UnitOfWork(engine), tz=ZoneInfo(settings.timezone))
    if clock is not None:
        ctx.clock = clock
    # Printers a supervisor set with `printer set` (kept in the database) stand in for the
    # config file's where that names none (services/unit_setup.effective_settings).
    from counter_app.services.unit_setup import effective_settings, stored_printers

    ctx.configured = settings
    ctx.settings = effective_settings(settings, stored_printers(ctx))
    # The scanner and LED board a supervisor set with `device set`, likewise (issue 13).
    from counter_app.services.devices import effective_device_settings, stored_devices

    ctx.settings = effective_device_settings(ctx.settings, stored_devices(ctx))
    ctx.adapters = build_adapters(ctx.settings)
    return ctx


def creates_database(args: argparse.Namespace) -> bool:
    """Whether this command may start a new database where there is none (or a 0-byte file).

    `init`, `unit set` (a real unit from nothing) and `restore` (a lost disk) create one. The
    window creates one with --demo, or at the configured path without --db: a new install's
    first run shows its set-up screen there; a --db naming no database is a typing mistake.
    Every other command refuses (db_missing) and says how to create one."""
    command = getattr(args, "command", None)
    if command in ("init", "restore"):
        return True
    if command == "unit":
        return getattr(args, "action", "") == "set"
    if command in (None, "gui"):
        return bool(getattr(args, "demo", False)) or not args.db
    return False


def open_context(args: argparse.Namespace) -> ServiceContext:
    """The context for one command, from its `--db` and `--config` (opened when it needs it)."""
    return build_context(db=args.db, config=args.config, create=creates_database(args))


def _gui_settings(args: argparse.Namespace) -> Settings | None:
    try:
        return load_settings(Path(args.config) if args.config else config_path())
    except ValidationError:
        return None  # the window's own start says what is wrong with the file


def installed_windows_build() -> bool:
    """A PyInstaller build on Windows (the Inno Setup install): updates install themselves."""
    return sys.platform == "win32" and bool(getattr(sys, "frozen", False))


def _launch_detached(argv: list[str]) -> object:
    import subprocess

    flags = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(
        subprocess, "CREATE_NEW_PROCESS_GROUP", 0
    )
    return subprocess.Popen([*argv, "/RESTARTAPP"], creationflags=flags, close_fds=True)


def start_updates(settings: Settings) -> object | None:
    """At the window's start: a verified update waiting is installed first (before the
    window opens, never mid-session); then a background thread checks and downloads."""
    from counter_app.services import updates

    folder = updates.updates_dir(data_dir())
    if updates.apply_at_start(folder, _launch_detached, can_install=installed_windows_build()):
        return "installing"
    if not settings.update_url:
        return None
    pinned = os.environ.get(NOW_ENV, "")
    updater = updates.Updater(
        settings.update_url,
        settings.update_public_key,
        folder,
        pinned_clock(pinned) if pinned else _system_clock,
    )
    worker = updates.UpdateWorker(updater, interval_s=max(60, settings.update_interval_s))
    worker.start()
    return worker


def run_gui(args: argparse.Namespace) -> int:
    settings = _gui_settings(args)
    if settings is not None and not getattr(args, "demo", False):
        setup_logging(settings)
        if start_updates(settings) == "installing":
            return 0  # the installer starts the app again when it is done
    # Qt is loaded only when a window opens: the command line never pays for it.
    from counter_app.gc_pause import gc_paused

    with gc_paused():
        from counter_app.ui.main import run

    return run(args, lambda: open_context(args))


def run_cli(argv: Sequence[str] | None = None) -> int:
    """One command (or the window), with this module's context; returns the exit code."""
    return cli.run(argv, open_context=open_context, open_gui=run_gui)


def main() -> None:
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # the windowed Windows build (counter-app-gui.exe)
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    sys.exit(run_cli())

"""Composition root: settings, logging, engine, services; the GUI is imported only when opened."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from counter_app.config import Settings, data_dir, load_settings
from counter_app.db.engine import open_database
from counter_app.db.uow import UnitOfWork
from counter_app.domain.errors import ValidationError
from counter_app.services.context import ServiceContext

log = logging.getLogger("counter_app")

# A testing aid, not a user setting: pins "now" for one process so that checks and tests do
# not depend on the hour they run at (README, "Tests").
NOW_ENV = "COUNTER_APP_NOW"


def db_url(value: str | None, settings: Settings) -> str:
    """`--db` takes a SQLAlchemy URL or, for convenience, a plain SQLite file path."""
    if not value:
        return settings.effective_db_url
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def setup_logging(settings: Settings) -> None:
    """One log file in the data dir; the CLI's stderr stays for its one-line messages."""
    root = logging.getLogger("counter_app")
    if root.handlers:
        return
    try:
        logs = data_dir() / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            logs / "counter-app.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())


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


def build_context(
    db: str | None = None, config: str | None = None, settings: Settings | None = None
) -> ServiceContext:
    settings = settings or load_settings(Path(config) if config else None)
    setup_logging(settings)
    pinned = os.environ.get(NOW_ENV, "")
    clock = pinned_clock(pinned) if pinned else None  # a bad value is refused before opening
    engine = open_database(db_url(db, settings))
    ctx = ServiceContext(UnitOfWork(engine), tz=ZoneInfo(settings.timezone))
    if clock is not None:
        ctx.clock = clock
    ctx.settings = settings
    return ctx


def run_gui(args: argparse.Namespace) -> int:
    from counter_app.ui.main import run

    return run(args)


def main() -> None:
    from counter_app.cli import run

    sys.exit(run())

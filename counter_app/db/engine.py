"""Opening a database: refuse what is not ours, set SQLite pragmas, migrate with Alembic."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from counter_app import filemodes
from counter_app.db import faults
from counter_app.db.checkpoint import AUTOCHECKPOINT_PAGES
from counter_app.domain.errors import DatabaseRefused

if TYPE_CHECKING:  # Alembic (with Mako, Pygments) loads only when a migration runs (issue 17)
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"


def __getattr__(name: str) -> Any:
    """`engine.command` (alembic.command, as tests patch it), imported on first use."""
    if name == "command":
        from alembic import command

        return command
    raise AttributeError(name)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Transactions are begun by us (see _on_begin), so the driver must not begin them itself.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # Per-connection settings only: journal_mode=WAL is written into the file, so it is set
    # once the file is known to be ours (enable_wal), never on a database we are refusing.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    # A background thread copies the -wal into the main file after each write (db/checkpoint):
    # the commit that fills the -wal no longer pays that copy, except as a safety net.
    cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cur.close()


def _on_sqlite_begin(conn: Any) -> None:
    # Writers take the lock up front so code allocation never meets a lock upgrade deadlock.
    immediate = conn.get_execution_options().get("write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def require_existing(url: str) -> None:
    """Refuse a SQLite file that is missing or empty (0 bytes): only the commands that create a
    database (init, unit set, restore, the window's first run) may start a new one; any other
    would silently work on a new empty database at a mistyped path."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return
    path = Path(u.database)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DatabaseRefused("db_missing", path=str(path)) from None
    except OSError:
        return  # the open that follows says what is wrong
    if path.is_file() and st.st_size == 0:
        raise DatabaseRefused("db_missing", path=str(path))


def _check_sqlite_file(path: Path) -> None:
    if path.is_dir() or (path.exists() and not path.is_file()):  # a directory, /dev/null …
        raise DatabaseRefused("db_not_a_database", path=str(path))
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as f:
            if f.read(16) != SQLITE_HEADER:
                raise DatabaseRefused("db_not_a_database", path=str(path))
    else:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)  # the user's choice: default mode
        # Ours from the start: 0600 before SQLite opens it, and SQLite gives its -wal/-shm
        # the main file's mode.
        filemodes.create_private_file(path)


def create_db_engine(url: str) -> Engine:
    """An engine with this app's connection settings; does not touch the schema. Only SQLite
    and PostgreSQL: any other URL (mysql://…, a typo) is refused in words."""
    try:
        u = make_url(url)
    except ArgumentError:
        raise DatabaseRefused("db_url_unsupported", url=url) from None
    if u.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseRefused("db_url_unsupported", url=u.render_as_string(hide_password=True))
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            _check_sqlite_file(Path(u.database))
        # hide_parameters: an error's text (logged on an unexpected failure) never carries an
        # applicant's name, ID number or phone from the statement's bound values.
        engine = create_engine(u, pool_pre_ping=False, hide_parameters=True)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(u, pool_pre_ping=True, hide_parameters=True)


# `revision = "0016"`, `down_revision: str | None = "0015"` at the start of a line
_REVISION_LINE = re.compile(
    r"^(?P<name>revision|down_revision)\s*(?::[^=\n]*)?=\s*(?P<value>[^#\n]*?)\s*(?:#.*)?$",
    re.MULTILINE,
)


@functools.cache
def _revision_links() -> dict[str, Any]:
    """Each migration's `revision` -> its `down_revision`, read from the files' text: the
    check at every open needs no Alembic runtime (~0.4 s of imports), and reads only the
    two assignments' lines (parsing each whole file was ~0.1 s of every start). The test
    test_revisions_read_like_alembic holds it to Alembic's own reading."""
    links: dict[str, Any] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = {
            m["name"]: ast.literal_eval(m["value"])
            for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8"))
        }
        if "revision" in found:
            links[str(found["revision"])] = found.get("down_revision")
    return links


def known_revisions() -> set[str]:
    return set(_revision_links())


def head_revision() -> str:
    links = _revision_links()
    downs = {d for v in links.values() for d in ((v,) if isinstance(v, str) else v or ())}
    heads = set(links) - downs
    assert len(heads) == 1, heads
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database; refuses a database that is not ours."""
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if "alembic_version" not in tables:
                if tables:
                    raise DatabaseRefused("db_foreign", tables=len(tables))
                return None
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except (DatabaseError, OperationalError) as exc:
        known = faults.classify(exc)  # read-only, locked, cannot open: said in words
        if known is not None:
            raise known from None
        raise DatabaseRefused("db_unreadable", detail=str(exc.orig)[:200]) from None
    if not rows:
        return None
    rev = str(rows[0][0])
    if rev not in known_revisions():
        raise DatabaseRefused("db_newer", revision=rev)
    return rev


# Called with the engine and the database's revision before Alembic upgrades a database that
# already has a schema (app.py: a backup into the backups folder); raising stops the upgrade.
BeforeMigrate = Callable[[Engine, str], None]


def migrate(engine: Engine, before: BeforeMigrate | None = None) -> None:
    """Bring the schema to head; refuses foreign or newer databases before touching them.
    `before` runs first when there are pending revisions on a database that has a schema
    (not on a new one: nothing to keep)."""
    current = current_revision(engine)
    if current == head_revision():
        return
    if before is not None and current is not None:
        before(engine, current)
    from alembic import command

    command.upgrade(_alembic_config(engine), "head")


def enable_wal(engine: Engine) -> None:
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        raw = engine.raw_connection()  # outside any transaction: WAL cannot be set inside one
        try:
            raw.cursor().execute("PRAGMA journal_mode=WAL")
        finally:
            raw.close()


def _make_private(engine: Engine) -> None:
    """Our SQLite file and its -wal/-shm/-journal: 0600 (an older version left them 0644)."""
    db = engine.url.database
    if engine.dialect.name == "sqlite" and db not in (None, "", ":memory:"):
        filemodes.tighten_sqlite(Path(str(db)))


def open_database(
    url: str, *, migrate_schema: bool = True, before_migrate: BeforeMigrate | None = None
) -> Engine:
    engine = create_db_engine(url)
    try:
        current_revision(engine)  # refuses what is not ours before anything is written
        _make_private(engine)
        enable_wal(engine)
        if migrate_schema:
            migrate(engine, before_migrate)
    except Exception:
        engine.dispose()
        raise
    return engine

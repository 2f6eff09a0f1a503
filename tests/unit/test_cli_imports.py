"""Issue 17: each CLI command imports only what it uses (one process per command, DESIGN.md §4).

Importing the command line (parser and dispatch table) loads none of the heavy libraries:
reportlab, psycopg, Alembic's Mako/Pygments, holidays, PIL, cryptography, pyserial, Qt.
They load inside the handlers that need them, and those still work (the CLI contract tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import serial
from alembic.script import ScriptDirectory

from counter_app.db import engine
from counter_app.devices.ports import PORT_ERRORS

HEAVY = (
    "reportlab",
    "psycopg",
    "pygments",
    "holidays",
    "PIL",
    "cryptography",
    "serial",
    "PySide6",
    "alembic",
    "segno",
    "pypdfium2",
)


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import counter_app.cli.main") == []
    # The entry point too (app.py: the context, the adapters' factories).
    assert _loaded_after("import counter_app.app") == []


def test_version_and_help_do_not_import_sqlalchemy() -> None:
    """The services (and so SQLAlchemy and the models) load with the command that uses them:
    the cli modules name them through counter_app/lazy.py, the choices come from domain/."""
    for flag in ("--version", "--help"):
        code = (
            "import sys\n"
            "from counter_app.app import run_cli\n"
            "try:\n"
            f"    run_cli([{flag!r}])\n"
            "except SystemExit:\n"
            "    pass\n"
            "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy loaded by ' + sys.argv[0]\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_revisions_read_like_alembic() -> None:
    """The open-time schema check reads the migration files' text; Alembic agrees with it."""
    script = ScriptDirectory.from_config(engine._alembic_config())
    assert engine.head_revision() == script.get_current_head()
    assert engine.known_revisions() == {r.revision for r in script.walk_revisions()}


def test_port_errors_still_catch_pyserial() -> None:
    """PORT_ERRORS names OSError instead of importing pyserial: its exceptions derive from it."""
    assert issubclass(serial.SerialException, PORT_ERRORS)
    assert issubclass(serial.SerialTimeoutException, PORT_ERRORS)


def test_revision_lines_are_read_in_the_forms_alembic_writes() -> None:
    text = (
        '"""Add a column\n\nRevision ID: 0099\nRevises: 0098\n"""\n'
        'revision: str = "0099"  # the id\n'
        "down_revision: str | Sequence[str] | None = ('0097', '0098')\n"
        "branch_labels = None\n"
    )
    found = {
        m["name"]: engine.ast.literal_eval(m["value"]) for m in engine._REVISION_LINE.finditer(text)
    }
    assert found == {"revision": "0099", "down_revision": ("0097", "0098")}


def test_a_counter_on_sqlite_loads_no_postgresql_dialect(demo_db: Path) -> None:
    """The upserts import their dialect when built (db/upsert.py): SQLAlchemy's PostgreSQL
    package (with its asyncpg and psycopg adapters' modules, ~0.1 s) stays out of a counter's
    start and of a save and a name search on SQLite. (Creating a database runs the
    migrations, which load it: the demo database is made here, the probe is a new process.)"""
    db = demo_db
    code = (
        "import sys\n"
        "from counter_app.app import build_context\n"
        "from counter_app.services import lookup\n"
        "from counter_app.services.intake import IntakeRequest, register\n"
        f"ctx = build_context(db={f'sqlite:///{db}'!r})\n"
        "req = IntakeRequest(procedure='2.000815', name='Nguyễn Thị Lan', address='Mỹ Hòa')\n"
        "register(ctx, [req], 'canbo1')\n"
        "assert lookup.search(ctx, 'nguyen thi lan')\n"
        "pg = 'sqlalchemy.dialects.postgresql'\n"
        "print(','.join(m for m in sys.modules if m.startswith(pg)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""

"""The central database, seen by its administrator: schema, unit roles, reference data, status.

Everything here connects with the administrator's URL (a role that may create roles); none of
it runs on a counter. A counter only ever holds the URL `add_unit` prints, whose role may
execute central.push_batch / central.hello and read reference data.
"""

from __future__ import annotations

import importlib
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import sqlalchemy.exc
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from psycopg.rows import dict_row
from sqlalchemy import create_engine

from counter_app.domain.accounts import check_account, hash_password
from counter_app.domain.catalogue import parse_catalogue
from counter_app.domain.codes import validate_agency_id
from counter_app.domain.errors import CounterAppError, NotFound, ValidationError
from counter_app.domain.redact import known_secrets, redact_secrets
from counter_app.domain.text import clean_name, clean_text

MIGRATIONS = Path(__file__).with_name("central_migrations")
SECURE_SQL = importlib.import_module(
    "counter_app.sync.central_migrations.versions.c0002_harden_roles"
).SECURE_SQL
# Grants of functions later revisions let a unit call; SECURE_SQL revokes every function
# from the units' role, so `central init` grants these again after it.
UNIT_GRANTS_SQL = (
    importlib.import_module(
        "counter_app.sync.central_migrations.versions.c0007_resume_point"
    ).GRANT_SQL,
)


def libpq_url(url: str) -> str:
    """A SQLAlchemy-style URL (postgresql+psycopg://…) as libpq takes it (postgresql://…)."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise ValidationError("central_url_invalid", url=redact(url))
    return "postgresql://" + rest


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + libpq_url(url).partition("://")[2]


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return redact_secrets(url)


def _connect_error(url: str, exc: Exception) -> CounterAppError:
    text = redact_secrets(str(exc), known=known_secrets(url)).strip()
    detail = text.splitlines()[0][:200] if text else type(exc).__name__
    return CounterAppError("central_unreachable", url=redact(url), detail=detail)


# Every administrator command gives up on a lock after this long, with a message, instead
# of hanging behind whatever holds it.
ADMIN_LOCK_TIMEOUT = "10s"
# A stand-alone counter holds one connection; a unit may run several counters (one stream
# each) and a second process at one of them. Enough for that, not enough to exhaust the server.
UNIT_CONNECTION_LIMIT = 10
UNIT_ROLE_SETTINGS = {
    "statement_timeout": "120s",
    "lock_timeout": "30s",
    "idle_in_transaction_session_timeout": "60s",
}


@contextmanager
def admin_connection(url: str) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    try:
        conn = psycopg.connect(
            libpq_url(url),
            autocommit=True,
            connect_timeout=10,
            row_factory=dict_row,
            options=f"-c lock_timeout={ADMIN_LOCK_TIMEOUT}",
        )
    except psycopg.Error as exc:
        raise _connect_error(url, exc) from None
    try:
        yield conn
    except psycopg.errors.LockNotAvailable:
        raise CounterAppError("central_busy", timeout=ADMIN_LOCK_TIMEOUT) from None
    finally:
        conn.close()


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _later_grants() -> list[str]:
    scripts = list(ScriptDirectory.from_config(_alembic_config()).walk_revisions())
    found = (getattr(sc.module, "GRANTS_SQL", None) for sc in reversed(scripts))
    return [g for g in found if isinstance(g, str)]


def _require_schema(conn: psycopg.Connection[dict[str, Any]]) -> None:
    row = conn.execute("SELECT to_regclass('central.alembic_version') IS NOT NULL AS ok").fetchone()
    if not row or not row["ok"]:
        raise NotFound("central_not_initialised")


def init_central(url: str) -> dict[str, Any]:
    """Create or upgrade the central schema (Alembic, version table in schema `central`)."""
    with admin_connection(url) as conn:
        priv = conn.execute(
            "SELECT rolsuper OR rolcreaterole AS ok FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        if not priv or not priv["ok"]:
            raise CounterAppError("central_needs_admin")
        conn.execute("CREATE SCHEMA IF NOT EXISTS central")
    engine = create_engine(
        sqlalchemy_url(url), connect_args={"options": f"-c lock_timeout={ADMIN_LOCK_TIMEOUT}"}
    )
    try:
        with engine.begin() as connection:
            cfg = _alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    except sqlalchemy.exc.OperationalError as exc:
        if isinstance(exc.orig, psycopg.errors.LockNotAvailable):
            raise CounterAppError("central_busy", timeout=ADMIN_LOCK_TIMEOUT) from None
        raise
    finally:
        engine.dispose()
    with admin_connection(url) as conn:
        # Owners, privileges and unit limits again: idempotent, and it repairs any drift
        # (a table added by hand, a grant to PUBLIC) on a central hardened before.
        conn.execute(SECURE_SQL)
        # SECURE_SQL grants the units' role a fixed list of tables; a later revision's
        # tables get theirs back from its GRANTS_SQL, oldest revision first.
        for grants in _later_grants():
            conn.execute(grants)
        # Two functions a unit may call (c0007): SECURE_SQL revoked them with the rest.
        for grant in UNIT_GRANTS_SQL:
            conn.execute(grant)
        roles = {
            r["key"]: r["value"]
            for r in conn.execute(
                "SELECT key, value FROM central.config WHERE key IN ('units_role', 'owner_role')"
            )
        }
    return {
        "schema": head_revision(),
        "units_role": roles.get("units_role"),
        "owner_role": roles.get("owner_role"),
    }


def _role_name(database: str, agency: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", agency.lower()).strip("_")
    name = f"{database[:30]}_u_{slug}"
    if len(name) > 63:
        name = name[:54] + "_" + secrets.token_hex(4)
    return name


def _unit_url(admin_url: str, role: str, password: str) -> str:
    parts = urlsplit(libpq_url(admin_url))
    host = parts.hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{quote(role, safe='')}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, ""))


@dataclass(frozen=True)
class UnitSpec:
    agency_id: str
    name: str
    parent_name: str = ""
    place_name: str = ""
    address: str = ""
    phone: str = ""


def add_unit(url: str, spec: UnitSpec) -> dict[str, Any]:
    """Provision a unit: its reference row and its own login role. Again = a new password."""
    agency = validate_agency_id(spec.agency_id)
    name = clean_text(spec.name, "name", max_len=200)
    with admin_connection(url) as conn:
        _require_schema(conn)
        with conn.transaction():
            db = conn.execute("SELECT current_database() AS d").fetchone()
            group = conn.execute(
                "SELECT value FROM central.config WHERE key = 'units_role'"
            ).fetchone()
            assert db is not None and group is not None
            existing = conn.execute(
                "SELECT role_name FROM central.units WHERE agency_id = %s", (agency,)
            ).fetchone()
            role = (existing or {}).get("role_name") or _role_name(db["d"], agency)
            password = _set_unit_role(conn, role, group["value"])
            conn.execute(
                """
                INSERT INTO central.units (agency_id, name, parent_name, place_name, address,
                                           phone, role_name)
                VALUES (%s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (agency_id) DO UPDATE SET
                  name = excluded.name,
                  parent_name = CASE WHEN excluded.parent_name = '' THEN units.parent_name
                                     ELSE excluded.parent_name END,
                  place_name = CASE WHEN excluded.place_name = '' THEN units.place_name
                                    ELSE excluded.place_name END,
                  address = CASE WHEN excluded.address = '' THEN units.address
                                 ELSE excluded.address END,
                  phone = CASE WHEN excluded.phone = '' THEN units.phone
                               ELSE excluded.phone END,
                  deleted_at = NULL
                """,
                (agency, name, spec.parent_name, spec.place_name, spec.address, spec.phone, role),
            )
            # Apart, and only when it changes: naming a unique column in ON CONFLICT's SET
            # locks the row against the key-share lock a unit's push holds on its own row.
            conn.execute(
                "UPDATE central.units SET role_name = %s "
                "WHERE agency_id = %s AND role_name IS DISTINCT FROM %s",
                (role, agency, role),
            )
    return {
        "unit": agency,
        "url": _unit_url(url, role, password),
        "role": role,
        "new": existing is None,
    }


def _set_unit_role(conn: psycopg.Connection[dict[str, Any]], role: str, group: str) -> str:
    """Create (or re-enable) a unit's login role with a new random password; returns it.

    The role owns nothing, may create nothing (central init revoked TEMPORARY and CREATE
    from PUBLIC), has a small connection limit and timeouts; its rights come from `group`.
    """
    password = secrets.token_urlsafe(24)
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    verb = "ALTER" if exists else "CREATE"
    ident = psycopg.sql.Identifier(role)
    conn.execute(
        psycopg.sql.SQL(
            verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION "
            "CONNECTION LIMIT {} PASSWORD {}"
        ).format(ident, psycopg.sql.Literal(UNIT_CONNECTION_LIMIT), psycopg.sql.Literal(password))
    )
    for key, value in UNIT_ROLE_SETTINGS.items():
        conn.execute(
            psycopg.sql.SQL("ALTER ROLE {} SET {} = {}").format(
                ident, psycopg.sql.Identifier(key), psycopg.sql.Literal(value)
            )
        )
    conn.execute(psycopg.sql.SQL("GRANT {} TO {}").format(psycopg.sql.Identifier(group), ident))
    return password


def _unit_role(conn: psycopg.Connection[dict[str, Any]], agency: str) -> str:
    row = conn.execute(
        "SELECT role_name FROM central.units WHERE agency_id = %s AND deleted_at IS NULL",
        (agency,),
    ).fetchone()
    if row is None or not row["role_name"]:
        raise NotFound("central_unit_unknown", unit=agency)
    return str(row["role_name"])


def _end_sessions(conn: psycopg.Connection[dict[str, Any]], role: str) -> int:
    """Close the role's open connections (a stolen URL in use keeps nothing open)."""
    row = conn.execute(
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity "
        "WHERE usename = %s AND pid <> pg_backend_pid()",
        (role,),
    ).fetchone()
    return int(row["n"]) if row else 0


def rotate_unit(url: str, unit: str) -> dict[str, Any]:
    """A new password for the unit's role (re-enabling it if it was disabled); the old one
    stops working at once and open sessions are closed. Prints the new URL."""
    agency = validate_agency_id(unit)
    with admin_connection(url) as conn:
        _require_schema(conn)
        with conn.transaction():
            role = _unit_role(conn, agency)
            group = conn.execute(
                "SELECT value FROM central.config WHERE key = 'units_role'"
            ).fetchone()
            assert group is not None
            password = _set_unit_role(conn, role, group["value"])
        ended = _end_sessions(conn, role)
    return {"unit": agency, "url": _unit_url(url, role, password), "sessions_ended": ended}


def disable_unit(url: str, unit: str) -> dict[str, Any]:
    """Revoke a unit's credentials: its role may no longer log in, open sessions end. The
    unit's data stays; `rotate-unit` issues new credentials."""
    agency = validate_agency_id(unit)
    with admin_connection(url) as conn:
        _require_schema(conn)
        role = _unit_role(conn, agency)
        conn.execute(
            psycopg.sql.SQL("ALTER ROLE {} NOLOGIN PASSWORD NULL").format(
                psycopg.sql.Identifier(role)
            )
        )
        ended = _end_sessions(conn, role)
    return {"unit": agency, "disabled": True, "sessions_ended": ended}


def import_catalogue(url: str, data: Any) -> dict[str, int]:
    """Publish procedures to every unit; an unchanged procedure keeps its row_version."""
    procs = parse_catalogue(data)
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    with admin_connection(url) as conn:
        _require_schema(conn)
        with conn.transaction():
            for p in procs:
                row = conn.execute(
                    """
                    INSERT INTO central.procedures (code, data) VALUES (%s, %s::jsonb)
                    ON CONFLICT (code) DO UPDATE SET data = excluded.data, deleted_at = NULL
                    WHERE procedures.data IS DISTINCT FROM excluded.data
                       OR procedures.deleted_at IS NOT NULL
                    RETURNING (xmax = 0) AS inserted
                    """,
                    (p["code"], json.dumps(p, ensure_ascii=False)),
                ).fetchone()
                if row is None:
                    counts["unchanged"] += 1
                else:
                    counts["added" if row["inserted"] else "updated"] += 1
    return counts


def set_calendar(url: str, day: date, kind: str, note: str = "") -> dict[str, Any]:
    """kind: off | work | none (none = remove the override, a tombstone for the units)."""
    note = clean_text(note, "note", max_len=200, required=False)
    with admin_connection(url) as conn:
        _require_schema(conn)
        if kind == "none":
            conn.execute(
                "UPDATE central.calendar_overrides SET deleted_at = now() "
                "WHERE day = %s AND deleted_at IS NULL",
                (day,),
            )
        else:
            conn.execute(
                """
                INSERT INTO central.calendar_overrides (day, is_workday, note) VALUES (%s, %s, %s)
                ON CONFLICT (day) DO UPDATE SET is_workday = excluded.is_workday,
                  note = excluded.note, deleted_at = NULL
                """,
                (day, kind == "work", note),
            )
    return {"date": day.isoformat(), "kind": kind, "note": note}


def set_user(
    url: str, unit: str, username: str, full_name: str, role: str, password: str
) -> dict[str, Any]:
    """Create or update a unit's account (the hash travels, never the password)."""
    unit = validate_agency_id(unit)
    username = check_account(username, role, password)
    full_name = clean_name(full_name, "full_name")
    with admin_connection(url) as conn:
        _require_schema(conn)
        if (
            conn.execute(
                "SELECT 1 FROM central.units WHERE agency_id = %s AND deleted_at IS NULL", (unit,)
            ).fetchone()
            is None
        ):
            raise NotFound("central_unit_unknown", unit=unit)
        conn.execute(
            """
            INSERT INTO central.users (username, unit_id, full_name, role, password_hash)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (username) DO UPDATE SET unit_id = excluded.unit_id,
              full_name = excluded.full_name, role = excluded.role,
              password_hash = excluded.password_hash, active = true, deleted_at = NULL
            """,
            (username, unit, full_name, role, hash_password(password)),
        )
    return {"username": username, "unit": unit, "role": role}


def remove_user(url: str, username: str) -> dict[str, Any]:
    username = username.strip().lower()
    with admin_connection(url) as conn:
        _require_schema(conn)
        row = conn.execute(
            "UPDATE central.users SET active = false, deleted_at = now() "
            "WHERE username = %s RETURNING unit_id",
            (username,),
        ).fetchone()
    if row is None:
        raise NotFound("user_unknown", username=username)
    return {"username": username, "unit": row["unit_id"], "removed": True}


def _gaps(
    conn: psycopg.Connection[dict[str, Any]], unit: str, source: str, after: int
) -> list[list[int]]:
    rows = conn.execute(
        """
        SELECT lo, hi FROM (
          SELECT coalesce(lag(seq) OVER (ORDER BY seq), %s) + 1 AS lo, seq - 1 AS hi
          FROM central.events WHERE unit_id = %s AND source_id = %s AND seq > %s) g
        WHERE hi >= lo ORDER BY lo LIMIT 100
        """,
        (after, unit, source, after),
    ).fetchall()
    return [[r["lo"], r["hi"]] for r in rows]


def status(url: str) -> list[dict[str, Any]]:
    """Per unit: dossiers, events, highest contiguous sequence, gaps, rejections, clashes."""
    with admin_connection(url) as conn:
        _require_schema(conn)
        units = conn.execute(
            "SELECT u.agency_id, u.name, coalesce(r.rolcanlogin, false) AS enabled "
            "FROM central.units u LEFT JOIN pg_roles r ON r.rolname = u.role_name "
            "WHERE u.deleted_at IS NULL ORDER BY u.agency_id"
        ).fetchall()
        out: list[dict[str, Any]] = []
        for u in units:
            unit = u["agency_id"]

            def count(sql: str, unit: str = unit) -> int:
                row = conn.execute(sql, (unit,)).fetchone()
                return int(row["n"]) if row else 0

            sources = conn.execute(
                "SELECT source_id, contiguous_seq, max_seq, last_push_at FROM central.sources "
                "WHERE unit_id = %s ORDER BY source_id",
                (unit,),
            ).fetchall()
            src = [
                {
                    "source": s["source_id"],
                    "contiguous_seq": s["contiguous_seq"],
                    "max_seq": s["max_seq"],
                    "gaps": _gaps(conn, unit, s["source_id"], s["contiguous_seq"]),
                    "last_push_at": s["last_push_at"].isoformat() if s["last_push_at"] else None,
                }
                for s in sources
            ]
            out.append(
                {
                    "unit": unit,
                    "name": u["name"],
                    "enabled": u["enabled"],  # false after `central disable-unit`
                    "dossiers": count(
                        "SELECT count(*) AS n FROM central.dossiers WHERE unit_id=%s"
                    ),
                    "events": count("SELECT count(*) AS n FROM central.events WHERE unit_id = %s"),
                    # One stream per local database; the usual unit has exactly one.
                    "contiguous_seq": sum(s["contiguous_seq"] for s in src),
                    "gaps": [g for s in src for g in s["gaps"]],
                    "rejected": count(
                        "SELECT count(*) AS n FROM central.rejections WHERE unit_id = %s"
                    ),
                    "clashes": count(
                        "SELECT count(*) AS n FROM central.code_clashes WHERE unit_id = %s"
                    ),
                    "future_stamped": count(
                        "SELECT count(*) AS n FROM central.events "
                        "WHERE unit_id = %s AND future_stamped"
                    ),
                    "sources": src,
                    # The unit's last closed day (its supervisor's close-day), None before any.
                    "closed_through": _closed_through(conn, unit),
                }
            )
    return out


def _closed_through(conn: psycopg.Connection[dict[str, Any]], unit: str) -> str | None:
    """The latest day the unit has closed, from its `day_closed` events (central.closed_days,
    migration c0005), as ISO text."""
    row = conn.execute(
        "SELECT max(day) AS day FROM central.closed_days WHERE unit_id = %s", (unit,)
    ).fetchone()
    return row["day"] if row else None

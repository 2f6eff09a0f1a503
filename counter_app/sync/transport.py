"""The link to central: the Transport a sync round talks through, and PgTransport (psycopg
straight to central as the unit's own role). The round itself is services/sync.py."""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.domain.redact import known_secrets, redact_secrets, url_userinfo

if TYPE_CHECKING:  # psycopg loads when a link first connects, not with the CLI (issue 17)
    import psycopg

log = logging.getLogger(__name__)


class SyncError(CounterAppError):
    code = "sync_failed"


class Offline(SyncError):
    """The link or the server is down: retry later, nothing was lost."""

    code = "central_unreachable"


@dataclass(frozen=True)
class PushReply:
    contiguous_seq: int
    max_seq: int
    gaps: list[list[int]]
    rejected: list[dict[str, Any]]
    server_time: datetime


class Transport(Protocol):
    def hello(self) -> dict[str, Any]: ...
    def push(self, unit: str, source: str, events_json: str) -> PushReply: ...
    def fetch(self, table: str, after: int, limit: int) -> list[dict[str, Any]]: ...
    def clashes(self) -> list[dict[str, Any]]: ...
    def close(self) -> None: ...
    # After a restore (services/resume.py): where the unit's stream and codes stand.
    def resume_point(self, source: str, lo: int, hi: int) -> dict[str, Any]: ...
    def source_events(self, source: str, after: int, limit: int) -> list[dict[str, Any]]: ...


def parse_reply(raw: dict[str, Any]) -> PushReply:
    st = raw["server_time"]
    return PushReply(
        contiguous_seq=int(raw["contiguous_seq"]),
        max_seq=int(raw["max_seq"]),
        gaps=[[int(a), int(b)] for a, b in raw.get("gaps") or []],
        rejected=list(raw.get("rejected") or []),
        server_time=datetime.fromisoformat(st) if isinstance(st, str) else st,
    )


class PgTransport:
    """psycopg straight to central as the unit's own role; TLS per `sslmode`."""

    _FETCH: ClassVar[dict[str, str]] = {
        "units": "agency_id, name, parent_name, place_name, address, phone, cutoff, "
        "office_open, office_close",
        "procedures": "code, data",
        "calendar_overrides": "day, is_workday, note",
        "users": "username, unit_id, full_name, role, password_hash, active",
        "service_counters": "unit_id, number, name",
        "queue_services": "unit_id, code, data",
        "admin_unit_overrides": "code, name, province_code, retired",  # c0009, issue 16
    }
    # Tables a central older than its revision c0004 (c0009) does not have: read as empty there.
    _OPTIONAL: ClassVar[frozenset[str]] = frozenset(
        {"service_counters", "queue_services", "admin_unit_overrides"}  # the last: c0009
    )

    def __init__(self, url: str, *, sslmode: str = "prefer", timeout_s: int = 15) -> None:
        self.url = url
        self.sslmode = sslmode
        self.timeout_s = timeout_s
        self._conn: psycopg.Connection[dict[str, Any]] | None = None
        # After a connection: True when it is not TLS and not to this machine.
        self.unencrypted: bool | None = None

    def _connect(self) -> psycopg.Connection[dict[str, Any]]:
        import psycopg
        from psycopg.rows import dict_row

        from counter_app.sync.central import libpq_url

        if self._conn is not None and not self._conn.closed:
            return self._conn
        kw: dict[str, Any] = {
            "autocommit": True,
            "connect_timeout": self.timeout_s,
            "row_factory": dict_row,
            "application_name": "counter-app sync",
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "options": "-c statement_timeout=120000",
        }
        check_central_url(self.url)
        conninfo = libpq_url(self.url)
        if "sslmode=" not in conninfo and self.sslmode:
            kw["sslmode"] = self.sslmode
        try:
            self._conn = psycopg.connect(conninfo, **kw)
        except psycopg.Error as exc:
            raise Offline(
                "central_unreachable", url=redact_secrets(self.url), detail=self._first(exc)
            ) from None
        self.unencrypted = link_unencrypted(self._conn.info.host, self._conn.pgconn.ssl_in_use)
        if self.unencrypted:
            log.warning(
                "the link to central (host %s) is not encrypted (no TLS)",
                redact_secrets(self._conn.info.host),
            )
        return self._conn

    def _call(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        import psycopg

        conn = self._connect()
        try:
            return conn.execute(sql, params).fetchall()
        except psycopg.errors.InsufficientPrivilege as exc:
            raise SyncError("sync_refused", detail=self._first(exc)) from None
        except psycopg.errors.RaiseException as exc:
            if exc.diag.message_hint == "central_outdated":
                raise SyncError("central_outdated") from None
            raise SyncError("sync_refused", detail=self._first(exc)) from None
        except (psycopg.errors.UndefinedFunction, psycopg.errors.InvalidSchemaName) as exc:
            raise SyncError("central_not_initialised") from exc
        except (psycopg.DataError, psycopg.IntegrityError) as exc:
            # Central answered and refused what was sent (a batch with a malformed event
            # raises 22023): the link is fine, so not "unreachable". The events stay here
            # and the next round sends them again; the status bar says central refused them.
            raise SyncError("sync_refused", detail=self._first(exc)) from None
        except psycopg.Error as exc:
            # Connection lost, server shutting down, backend terminated, timeout: the
            # transaction (one batch) rolled back or committed; either way a retry is safe.
            self.close()
            raise Offline(
                "central_unreachable", url=redact_secrets(self.url), detail=self._first(exc)
            ) from None

    def _first(self, exc: BaseException) -> str:
        return _first(exc, known_secrets(self.url))

    def hello(self) -> dict[str, Any]:
        rows = self._call("SELECT central.hello() AS h")
        return dict(rows[0]["h"])

    def push(self, unit: str, source: str, events_json: str) -> PushReply:
        rows = self._call(
            "SELECT central.push_batch(%s, %s, %s::jsonb) AS r", (unit, source, events_json)
        )
        return parse_reply(rows[0]["r"])

    def fetch(self, table: str, after: int, limit: int) -> list[dict[str, Any]]:
        cols = self._FETCH[table]
        if table in self._OPTIONAL:
            found = self._call("SELECT to_regclass(%s) IS NOT NULL AS ok", (f"central.{table}",))
            if not found or not found[0]["ok"]:
                return []
        return self._call(
            f"SELECT row_version, deleted_at, {cols} FROM central.{table} "
            "WHERE row_version > %s ORDER BY row_version LIMIT %s",
            (after, limit),
        )

    def clashes(self) -> list[dict[str, Any]]:
        return self._call(
            "SELECT id, code, unit_id, dossier_id::text, other_unit_id, other_dossier_id::text, "
            "at FROM central.code_clashes ORDER BY id"
        )

    def resume_point(self, source: str, lo: int, hi: int) -> dict[str, Any]:
        rows = self._call("SELECT central.resume_point(%s, %s, %s) AS r", (source, lo, hi))
        return dict(rows[0]["r"])

    def source_events(self, source: str, after: int, limit: int) -> list[dict[str, Any]]:
        return self._call(
            "SELECT seq, kind, payload, created_at FROM central.source_events(%s, %s, %s)",
            (source, after, limit),
        )

    # -- files (central c0008): the calling unit's own files only --------------------------
    def file_begin(self, sha256: str, size: int) -> dict[str, Any]:
        rows = self._call("SELECT central.file_begin(%s, %s) AS r", (sha256, size))
        return dict(rows[0]["r"])

    def file_put(self, sha256: str, offset: int, data: bytes) -> dict[str, Any]:
        rows = self._call("SELECT central.file_put(%s, %s, %s) AS r", (sha256, offset, data))
        return dict(rows[0]["r"])

    def file_read(self, sha256: str, offset: int, length: int) -> bytes | None:
        rows = self._call("SELECT central.file_read(%s, %s, %s) AS r", (sha256, offset, length))
        data = rows[0]["r"]
        return None if data is None else bytes(data)

    def file_find(self, code: str, name: str) -> dict[str, Any] | None:
        rows = self._call("SELECT central.file_find(%s, %s) AS r", (code, name))
        return dict(rows[0]["r"]) if rows and rows[0]["r"] is not None else None

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


def _first(exc: BaseException, known: tuple[str, ...] = ()) -> str:
    """The first line of an error, without any password it echoes (libpq quotes bad URLs)."""
    text = str(exc).strip()
    return redact_secrets(text.splitlines()[0], known)[:200] if text else type(exc).__name__


def check_central_url(url: str) -> None:
    """Refuse a URL that libpq would cut in the wrong place: a raw "@" or "/" in the
    password makes it read part of the password as the host, and echo it in its error."""
    info = url_userinfo(url)
    if info is not None and ("@" in info or "/" in info):
        raise ValidationError("central_url_invalid", url=redact_secrets(url))


def link_unencrypted(host: str | None, ssl_in_use: bool) -> bool:
    """Whether to warn about a link to central: no TLS, and central is not on this machine
    (a Unix socket, localhost or a loopback address never leaves it)."""
    if ssl_in_use:
        return False
    h = (host or "").strip().strip("[]").lower()
    if not h or h.startswith("/") or h.startswith("@") or h == "localhost":
        return False  # "" or a path: a Unix socket ("@…": Linux abstract namespace)
    try:
        return not ipaddress.ip_address(h).is_loopback
    except ValueError:
        return True  # a host name: it may resolve anywhere

"""A unit's role reaches only what DESIGN.md §6 allows: it executes push_batch and hello,
reads reference data and its own rows; it cannot read another unit's rows, write any
table, push for another unit, or log in without its password. A counter refuses to sync
with an administrator's credentials."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from sync_support import UNIT_A as A
from sync_support import UNIT_B as B
from sync_support import take_dossiers

from counter_app.services.sync import Syncer
from counter_app.sync import central
from counter_app.sync.transport import Offline, SyncError


@pytest.fixture
def both_pushed(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> dict[str, str]:
    for unit, name in ((A, "a"), (B, "b")):
        ctx = counter(unit, name)
        take_dossiers(ctx, 3)
        Syncer(ctx, transports(unit_urls[unit])).run_once()
    central.set_user(central_url, A, "an.nv", "Nguyễn Văn An", "clerk", "secret-a")
    central.set_user(central_url, B, "binh.tt", "Trần Thị Bình", "clerk", "secret-b")
    return unit_urls


def test_a_unit_reads_only_its_own_rows(both_pushed: dict[str, str]) -> None:
    with psycopg.connect(both_pushed[A], autocommit=True) as c:
        for table in ("dossiers", "events", "tickets", "sources", "rejections"):
            units = {r[0] for r in c.execute(f"SELECT DISTINCT unit_id FROM central.{table}")}
            assert units <= {A}, table
        assert c.execute("SELECT count(*) FROM central.dossiers").fetchone()[0] > 0  # type: ignore[index]
        assert c.execute(
            "SELECT count(*) FROM central.dossiers WHERE unit_id = %s", (B,)
        ).fetchone() == (0,)
        # Accounts (with their password hashes) of other units are invisible.
        assert [r[0] for r in c.execute("SELECT username FROM central.users")] == ["an.nv"]
        # Reference data is readable.
        assert c.execute("SELECT count(*) FROM central.units").fetchone() == (2,)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO central.procedures (code, data) VALUES ('9.999', '{}')",
        "UPDATE central.units SET name = 'X'",
        "INSERT INTO central.calendar_overrides (day, is_workday) VALUES ('2026-12-24', false)",
        "UPDATE central.users SET role = 'admin'",
        "DELETE FROM central.dossiers",
        "INSERT INTO central.events SELECT * FROM central.events LIMIT 1",
        "UPDATE central.sources SET contiguous_seq = 0",
        "SELECT central.project_range('000.20.25.H02', 'x', 0, 10)",
        "SELECT * FROM central.config",
        "CREATE TABLE central.mine (x int)",
    ],
)
def test_a_unit_writes_nothing_directly(both_pushed: dict[str, str], sql: str) -> None:
    with (
        psycopg.connect(both_pushed[A], autocommit=True) as c,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        c.execute(sql)


def test_a_unit_cannot_push_for_another_unit(both_pushed: dict[str, str], central_url: str) -> None:
    event = {
        "event_id": "01900000-0000-7000-8000-00000000abcd",
        "seq": 1,
        "kind": "dossier",
        "schema_version": 1,
        "created_at": "2026-11-26T09:00:00+07:00",
        "payload": {"id": "01900000-0000-7000-8000-00000000dcba", "code": "FORGED"},
    }
    with (
        psycopg.connect(both_pushed[A], autocommit=True) as c,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        c.execute("SELECT central.push_batch(%s, 'evil', %s::jsonb)", (B, json.dumps([event])))
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        assert c.execute(
            "SELECT count(*) FROM central.events WHERE source_id = 'evil'"
        ).fetchone() == (0,)


def test_a_unit_cannot_touch_another_units_dossier_through_its_own_stream(
    both_pushed: dict[str, str], central_url: str
) -> None:
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        row = c.execute(
            "SELECT id::text, status FROM central.dossiers WHERE unit_id = %s LIMIT 1", (B,)
        ).fetchone()
    assert row is not None
    forged = {
        "event_id": "01900000-0000-7000-8000-00000000beef",
        "seq": 1,
        "kind": "dossier_event",
        "schema_version": 1,
        "created_at": "2026-11-26T09:00:00+07:00",
        "payload": {"dossier_id": row[0], "status": "withdrawn"},
    }
    with psycopg.connect(both_pushed[A], autocommit=True) as c:
        reply = c.execute(
            "SELECT central.push_batch(%s, 'side', %s::jsonb)", (A, json.dumps([forged]))
        ).fetchone()
    assert reply is not None
    assert [r["reason"] for r in reply[0]["rejected"]] == ["dossier_unknown"]
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        status = c.execute("SELECT status FROM central.dossiers WHERE id = %s", (row[0],))
        assert status.fetchone() == (row[1],)


def test_a_wrong_password_is_refused(both_pushed: dict[str, str], counter: Any) -> None:
    parts = urlsplit(both_pushed[A])
    user = parts.username or ""
    bad = urlunsplit(parts._replace(netloc=f"{user}:wrong@{parts.hostname}:{parts.port}"))
    from counter_app.sync.transport import PgTransport

    t = PgTransport(bad, sslmode="disable")
    with pytest.raises(Offline) as exc:
        Syncer(counter(A, "pw"), t).run_once()
    assert "password" in str(exc.value.params["detail"])
    t.close()


def test_a_counter_refuses_administrator_credentials(
    central_url: str, counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    with pytest.raises(SyncError) as exc:
        Syncer(ctx, transports(central_url)).run_once()
    assert exc.value.code == "sync_admin_credentials"


def test_a_counter_of_another_unit_is_refused(
    unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    with pytest.raises(SyncError) as exc:
        Syncer(ctx, transports(unit_urls[B])).run_once()
    assert exc.value.code == "sync_unit_mismatch"


def test_roles_are_plain_logins(both_pushed: dict[str, str], central_url: str) -> None:
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        rows = c.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolinherit "
            "FROM pg_roles r JOIN central.units u ON u.role_name = r.rolname"
        ).fetchall()
    assert rows and all(r[:4] == (False, False, False, False) for r in rows)


def test_the_link_is_encrypted_when_the_server_offers_tls(
    unit_urls: dict[str, str], counter: Any, central_url: str
) -> None:
    from counter_app.sync.transport import PgTransport

    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        if c.execute("SHOW ssl").fetchone() != ("on",):
            pytest.skip("this test server runs without TLS (no openssl to make a certificate)")
    ctx = counter(A)
    t = PgTransport(unit_urls[A])  # the default sslmode: prefer
    try:
        Syncer(ctx, t).run_once()
        assert t._conn is not None
        row = t._conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        assert row.fetchone() == {"ssl": True}
    finally:
        t.close()

"""A hostile counter holding its unit's URL can do no more than push its own unit's events
and read its own rows (issue 8): no function it may call runs as a superuser, it can
create nothing to plant, it cannot claim another unit's codes, it cannot stall the
administrator, and its credentials can be rotated and revoked. Also: a central made by
the first schema is upgraded in place, data kept."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from sync_support import UNIT_A as A
from sync_support import UNIT_B as B
from sync_support import admin, as_unit, assert_in_step, central_at, central_counts, take_dossiers

from counter_app.domain.errors import CounterAppError
from counter_app.services.sync import Syncer
from counter_app.sync import central
from counter_app.sync.transport import Offline, PgTransport

OLD_ADVISORY_KEY = 7306983115417841729  # the reference writers' lock before c0002


def _role_flags(admin_url: str, role: str) -> tuple[Any, ...]:
    with admin(admin_url) as c:
        row = c.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication "
            "FROM pg_roles WHERE rolname = %s",
            (role,),
        ).fetchone()
    assert row is not None
    return tuple(row)


def _event(seq: int, kind: str, payload: dict[str, Any], n: int) -> dict[str, Any]:
    return {
        "event_id": f"01900000-0000-7000-8000-{n:012x}",
        "seq": seq,
        "kind": kind,
        "schema_version": 1,
        "created_at": "2026-11-26T09:00:00+07:00",
        "payload": payload,
    }


# The attack of the review: a temporary `batch_in` with a trigger that runs as whoever
# owns push_batch, then the objects a SECURITY DEFINER function might resolve by name.
PLANTS = [
    "CREATE TEMP TABLE batch_in (event_id uuid, seq bigint, kind text, schema_version int, "
    "payload jsonb, created_at timestamptz)",
    "CREATE FUNCTION pg_temp.evil() RETURNS trigger LANGUAGE plpgsql AS "
    "$$BEGIN EXECUTE 'ALTER ROLE ' || quote_ident(session_user) || ' SUPERUSER'; "
    "RETURN NEW; END$$",
    "CREATE TEMP VIEW events AS SELECT 1 AS x",
    "CREATE TABLE public.events (x int)",
    "CREATE FUNCTION public.starts_with(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = texteq)",
    "CREATE SCHEMA mine",
    "CREATE TABLE central.mine (x int)",
]
FORBIDDEN = [
    "COPY (SELECT 1) TO PROGRAM 'id'",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT * FROM central.config",
    "ALTER ROLE CURRENT_USER SUPERUSER",
    "ALTER ROLE CURRENT_USER CREATEROLE",
]


def _forget_source(admin_url: str, source: str) -> None:
    """Drop what a test pushed on a side stream, so the counter's stream compares alone."""
    with admin(admin_url) as c:
        for table in ("rejections", "tickets", "events", "sources"):
            c.execute(f"DELETE FROM central.{table} WHERE source_id = %s", (source,))


def _plant_and_call(unit_url: str) -> list[str]:
    """Try every plant, then call every function the role may execute; returns what
    the server let through (should be nothing)."""
    let_through = []
    with as_unit(unit_url) as c:
        for sql in PLANTS + FORBIDDEN:
            try:
                c.execute(sql)
                let_through.append(sql)
            except psycopg.errors.InsufficientPrivilege:
                pass
        c.execute("SELECT central.hello()")
        unit = c.execute("SELECT central.unit_of(session_user::text)").fetchone()
        assert unit is not None
        event = _event(1, "ticket", {"id": "01900000-0000-7000-8000-0000000000aa"}, 0xAA)
        c.execute(
            "SELECT central.push_batch(%s, 'plant', %s::jsonb)", (unit[0], json.dumps([event]))
        )
    return let_through


def test_security_definer_functions_run_as_a_plain_role_with_a_pinned_search_path(
    central_url: str, unit_urls: dict[str, str]
) -> None:
    role = urlsplit(unit_urls[A]).username
    with admin(central_url) as c:
        rows = c.execute(
            """
            SELECT p.proname, p.prosecdef, p.proconfig, o.rolname, o.rolsuper,
                   o.rolcreaterole, o.rolcreatedb, o.rolbypassrls, o.rolcanlogin,
                   has_function_privilege(%s, p.oid, 'EXECUTE') AS unit_may_execute
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            JOIN pg_roles o ON o.oid = p.proowner
            WHERE n.nspname = 'central'
            """,
            (role,),
        ).fetchall()
        schema_owner = c.execute(
            "SELECT r.rolsuper FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner "
            "WHERE n.nspname = 'central'"
        ).fetchone()
        super_owned_tables = c.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_roles r ON r.oid = c.relowner WHERE n.nspname = 'central' AND r.rolsuper"
        ).fetchone()
    assert schema_owner == (False,)
    assert super_owned_tables == (0,)
    executable = {r[0] for r in rows if r[9]}
    # c0007: a restored counter asks where its stream and codes stand (its own rows only).
    unit_callable = {"push_batch", "hello", "unit_of", "resume_point", "source_events"}
    # c0008: a unit uploads, finds and reads its own digitised files (issue 15).
    unit_callable |= {"file_begin", "file_put", "file_read", "file_find"}
    assert executable == unit_callable
    for name, _secdef, config, owner, *flags, _may in rows:
        assert flags == [False] * 5, (name, owner)  # no superuser, createrole, db, rls, login
        assert "search_path=pg_catalog, central, pg_temp" in (config or []), name
    assert {r[0] for r in rows if r[1]} == unit_callable


def test_planted_objects_never_raise_a_units_rights(
    central_url: str, unit_urls: dict[str, str]
) -> None:
    role = urlsplit(unit_urls[A]).username
    assert role
    assert _plant_and_call(unit_urls[A]) == []
    assert _role_flags(central_url, role) == (False,) * 5
    with as_unit(unit_urls[A]) as c:
        for table in ("dossiers", "events", "tickets", "sources", "rejections", "users"):
            units = {r[0] for r in c.execute(f"SELECT DISTINCT unit_id FROM central.{table}")}
            assert units <= {A}, table
        temp_ok = c.execute(
            "SELECT has_database_privilege(current_database(), 'TEMPORARY'), "
            "has_database_privilege(current_database(), 'CREATE'), "
            "bool_or(has_schema_privilege(oid, 'CREATE')) FROM pg_namespace"
        ).fetchone()
    assert temp_ok == (False, False, False)


def _old_central(url: str) -> None:
    """A central as `central init` made it before c0002."""
    central_at(url, "c0001")


def _exploit(unit_url: str, unit: str) -> None:
    """The review's attack, verbatim: plant batch_in with a trigger, call push_batch."""
    with as_unit(unit_url) as c:
        c.execute(PLANTS[0] + " ON COMMIT DELETE ROWS")
        c.execute(PLANTS[1])
        c.execute(
            "CREATE TRIGGER t BEFORE INSERT ON pg_temp.batch_in FOR EACH ROW "
            "EXECUTE FUNCTION pg_temp.evil()"
        )
        event = _event(1, "ticket", {"id": "01900000-0000-7000-8000-0000000000bb"}, 0xBB)
        c.execute("SELECT central.push_batch(%s, 'x', %s::jsonb)", (unit, json.dumps([event])))


def test_an_old_central_is_upgraded_in_place_and_the_attack_stops_working(
    pg_url: str, counter: Any, transports: Any
) -> None:
    _old_central(pg_url)
    urls = {
        u: central.add_unit(pg_url, central.UnitSpec(u, f"UBND XÃ {u[-3:]}"))["url"] for u in (A, B)
    }
    a = counter(A, "a")
    take_dossiers(a, 5)
    Syncer(a, transports(urls[A])).run_once()
    role = urlsplit(urls[A]).username
    assert role

    # Under the first schema the attack works: this is what the upgrade must stop.
    _exploit(urls[A], A)
    assert _role_flags(pg_url, role)[0] is True
    with admin(pg_url) as c:
        c.execute(f'ALTER ROLE "{role}" NOSUPERUSER')
    _forget_source(pg_url, "x")  # the attack's own pushed ticket

    before = central_counts(pg_url, A)
    result = central.init_central(pg_url)  # what an administrator runs to upgrade
    assert result["schema"] == central.head_revision()
    assert central_counts(pg_url, A) == before  # nothing lost

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _exploit(urls[A], A)
    assert _role_flags(pg_url, role) == (False,) * 5
    assert _plant_and_call(urls[A]) == []
    _forget_source(pg_url, "plant")
    # The same URLs keep working, and the streams carry on where they were.
    take_dossiers(a, 3, start=5)
    Syncer(a, transports(urls[A])).run_once()
    assert_in_step(a, pg_url, A)
    b = counter(B, "b")
    take_dossiers(b, 2)
    Syncer(b, transports(urls[B])).run_once()
    assert_in_step(b, pg_url, B)
    # A second `central init` is a no-op that keeps everything hardened.
    central.init_central(pg_url)
    assert _plant_and_call(urls[A]) == []


def test_a_unit_pushing_another_units_codes_is_rejected_and_the_other_unit_lands(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    b = counter(B, "b")
    take_dossiers(b, 3)
    with b.uow.read() as s:
        from sqlalchemy import select

        from counter_app.db.models import OutboxEvent

        genuine = [
            dict(e.payload)
            for e in s.scalars(
                select(OutboxEvent).where(OutboxEvent.kind == "dossier").order_by(OutboxEvent.seq)
            )
        ]
    forged = [
        _event(i + 1, "dossier", {**p, "id": f"01900000-0000-7000-8000-{0xF00 + i:012x}"}, i)
        for i, p in enumerate(genuine)
    ]
    assert len(forged) >= 3 and all(f["payload"]["code"].startswith(B + "-") for f in forged)
    with as_unit(unit_urls[A]) as c:
        reply = c.execute(
            "SELECT central.push_batch(%s, 'evil', %s::jsonb)", (A, json.dumps(forged))
        ).fetchone()
    assert reply is not None
    assert [r["reason"] for r in reply[0]["rejected"]] == ["foreign_code"] * len(forged)
    assert reply[0]["contiguous_seq"] == len(forged)  # acknowledged: never blocks A's stream
    assert central_counts(central_url, A)["codes"] == set()

    Syncer(b, transports(unit_urls[B])).run_once()
    assert_in_step(b, central_url, B)  # every code B's, no rejection, no clash
    with admin(central_url) as c:
        assert c.execute("SELECT count(*) FROM central.code_clashes").fetchone() == (0,)


def test_a_ticket_id_held_by_another_unit_is_rejected(
    central_url: str, unit_urls: dict[str, str]
) -> None:
    ticket = {
        "id": "01900000-0000-7000-8000-00000000c0de",
        "day": "2026-11-26",
        "display": "1001",
        "service": "HT",
    }
    with as_unit(unit_urls[B]) as c:
        c.execute(
            "SELECT central.push_batch(%s, 'b1', %s::jsonb)",
            (B, json.dumps([_event(1, "ticket", ticket, 1)])),
        )
    with as_unit(unit_urls[A]) as c:
        reply = c.execute(
            "SELECT central.push_batch(%s, 'a1', %s::jsonb)",
            (A, json.dumps([_event(1, "ticket", ticket, 2)])),
        ).fetchone()
    assert reply is not None
    assert [r["reason"] for r in reply[0]["rejected"]] == ["ticket_id_taken"]
    with admin(central_url) as c:
        assert c.execute("SELECT unit_id FROM central.tickets").fetchall() == [(B,)]


def test_a_unit_holding_every_lock_it_can_take_does_not_stall_the_administrator(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    a = counter(A, "a")
    take_dossiers(a, 2)
    Syncer(a, transports(unit_urls[A])).run_once()
    hold = psycopg.connect(unit_urls[A], sslmode="disable")  # one open transaction
    try:
        hold.execute("SELECT pg_advisory_lock(%s)", (OLD_ADVISORY_KEY,))
        for k in range(1, 50):
            hold.execute("SELECT pg_advisory_lock(%s), pg_advisory_lock(%s, %s)", (k, k, k))
        hold.execute("SELECT pg_advisory_xact_lock(%s)", (OLD_ADVISORY_KEY,))
        # Every table it may read, read inside the open transaction; push_batch too.
        for table in ("units", "procedures", "calendar_overrides", "users", "dossiers"):
            hold.execute(f"SELECT * FROM central.{table}").fetchall()
        hold.execute(
            "SELECT central.push_batch(%s, 'hold', %s::jsonb)",
            (
                A,
                json.dumps(
                    [_event(1, "ticket", {"id": "01900000-0000-7000-8000-00000000d00d"}, 9)]
                ),
            ),
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            hold.execute("SELECT * FROM central.version_lock FOR UPDATE")
        hold.rollback()
        hold.execute(
            "SELECT central.push_batch(%s, 'hold', %s::jsonb)",
            (
                A,
                json.dumps(
                    [_event(1, "ticket", {"id": "01900000-0000-7000-8000-00000000d00d"}, 9)]
                ),
            ),
        )

        t0 = time.monotonic()
        central.import_catalogue(
            central_url,
            {
                "procedures": [
                    {
                        "code": "9.000001",
                        "name": "Thủ tục thử",
                        "sector": "Thử",
                        "level": "commune",
                        "processing_days": 3,
                        "fee": 0,
                        "documents": [],
                    }
                ]
            },
        )
        central.set_calendar(central_url, date(2026, 12, 24), "off")
        central.add_unit(central_url, central.UnitSpec(A, "UBND XÃ ĐỔI TÊN"))
        central.set_user(central_url, A, "an.nv", "Nguyễn Văn An", "clerk", "secret-a")
        assert time.monotonic() - t0 < 5
    finally:
        hold.close()


def test_an_administrator_command_blocked_by_a_lock_fails_in_seconds_with_a_message(
    central_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(central, "ADMIN_LOCK_TIMEOUT", "1s")
    other = admin(central_url)  # another administrator's open transaction
    try:
        other.autocommit = False
        other.execute("SELECT * FROM central.version_lock FOR UPDATE")
        t0 = time.monotonic()
        with pytest.raises(CounterAppError) as exc:
            central.set_calendar(central_url, date(2026, 12, 24), "off")
        assert exc.value.code == "central_busy"
        assert time.monotonic() - t0 < 5
    finally:
        other.close()
    from counter_app.messages import describe

    assert "thử lại" in describe(exc.value)


def test_rotation_and_revocation(central_url: str, unit_urls: dict[str, str], counter: Any) -> None:
    old = unit_urls[A]
    open_session = psycopg.connect(old, autocommit=True, sslmode="disable")
    rotated = central.rotate_unit(central_url, A)
    assert rotated["unit"] == A and rotated["url"] != old
    assert rotated["sessions_ended"] >= 1
    with pytest.raises(psycopg.OperationalError):
        open_session.execute("SELECT 1")  # the stolen session is gone
    open_session.close()
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(old, sslmode="disable").close()
    ctx = counter(A, "rot")
    t = PgTransport(rotated["url"], sslmode="disable")
    Syncer(ctx, t).run_once()
    t.close()

    central.disable_unit(central_url, A)
    t = PgTransport(rotated["url"], sslmode="disable")
    with pytest.raises(Offline):
        Syncer(ctx, t).run_once()
    t.close()
    again = central.rotate_unit(central_url, A)  # issues new credentials, re-enables
    t = PgTransport(again["url"], sslmode="disable")
    Syncer(ctx, t).run_once()
    t.close()
    assert _role_flags(central_url, urlsplit(again["url"]).username or "") == (False,) * 5
    with pytest.raises(CounterAppError) as exc:
        central.rotate_unit(central_url, "000.20.25.H99")
    assert exc.value.code == "central_unit_unknown"


def test_rotate_and_disable_on_the_command_line(
    cli: Any, central_url: str, unit_urls: dict[str, str]
) -> None:
    res = cli("--json", "central", "rotate-unit", "--url", central_url, "--unit", A, db=None)
    assert res.rc == 0, res.err
    data = json.loads(res.out)
    assert data["unit"] == A and data["url"].startswith("postgresql://")
    res = cli("central", "disable-unit", "--url", central_url, "--unit", A, db=None)
    assert res.rc == 0, res.err
    assert "thu hồi" in res.out
    res = cli("--json", "central", "status", "--url", central_url, db=None)
    assert {r["unit"]: r["enabled"] for r in json.loads(res.out)} == {A: False, B: True}
    res = cli("central", "status", "--url", central_url, db=None)
    assert "thu hồi" in res.out.splitlines()[0] and "thu hồi" not in res.out.splitlines()[1]
    res = cli("central", "rotate-unit", "--url", central_url, "--unit", "nope", db=None)
    assert res.rc != 0 and len(res.err.strip().splitlines()) == 1


def test_concurrent_admin_writes_each_get_their_own_version(central_url: str) -> None:
    """The row lock serialises reference writers as the advisory lock did."""
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            central.set_calendar(central_url, date(2026, 12, 1 + i), "off")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors
    with admin(central_url) as c:
        versions = [r[0] for r in c.execute("SELECT row_version FROM central.calendar_overrides")]
    assert len(set(versions)) == 8


def test_verify_full_with_the_provinces_ca_as_the_readme_says(
    pg_server: Any, unit_urls: dict[str, str], counter: Any
) -> None:
    """The production set-up: sslmode=verify-full and the CA's certificate in the URL."""
    cert = pg_server.data / "server.crt"
    if not cert.exists():
        pytest.skip("this test server runs without TLS (no openssl to make a certificate)")
    ctx = counter(A, "tls")
    t = PgTransport(f"{unit_urls[A]}?sslrootcert={cert}", sslmode="verify-full")
    try:
        Syncer(ctx, t).run_once()
        assert t._conn is not None
        row = t._conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        assert row.fetchone() == {"ssl": True}
    finally:
        t.close()
    # Without the CA the server's certificate is not trusted: no sync, nothing sent.
    t = PgTransport(
        f"{unit_urls[A]}?sslrootcert={pg_server.base / 'missing.crt'}", sslmode="verify-full"
    )
    with pytest.raises(Offline):
        Syncer(ctx, t).run_once()
    t.close()

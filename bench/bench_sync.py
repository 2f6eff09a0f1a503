"""Sync to the central PostgreSQL: push throughput beside a raw COPY, a week offline on a LAN and
on a slow link, and ingest into a central that already holds millions of dossiers.

    uv run python bench/bench_sync.py                 # push 50,000 dossiers; central at 8,000,000
    uv run python bench/bench_sync.py --quick         # 5,000; central at 200,000; no slow link
    uv run python bench/bench_sync.py --central-dossiers 2000000 --runs 5 --fsync

The bench starts its own PostgreSQL (tests/pg/pgserver.py: a throw-away cluster in a temp dir
on 127.0.0.1) and restarts it with shared_buffers 1 GB, max_wal_size 16 GB and
pg_stat_statements loaded; like the test server it runs with fsync, synchronous_commit and
full_page_writes OFF unless --fsync (then all three are on). Counters are SQLite files made
by the app's own services (intake.register in transactions of 50, queue.issue / call_next /
finish), cached in bench/out/sync/ and copied afresh for every run, so every run pushes
the same events; every run gets a fresh central database (init_central + add_unit) unless
it is the pre-filled one. Figures are medians of --runs runs.

a. Push: `Syncer.run_once()` (hello, pull, push, clashes) of a counter holding N dossiers
   (2 events each), batch fixed at 500, fixed at 2000, and the app's default (500 doubling
   to 2000). Floor in the same run: COPY of the same event rows (event_id, unit, source, seq,
   kind, schema_version, payload, created_at; text format, prepared in memory) into a table
   made `LIKE central.events INCLUDING ALL` (same primary key and unique index). Budget
   (DESIGN.md §8): ≥ 10,000 dossiers/s and ≥ 10 % of the COPY rate (events/s). Where the
   time goes: the client's share (_pending: SQLite read + JSON text; _acknowledge: SQLite
   write, both done while central stores the batch before) is timed in every run; one extra
   run with pg_stat_statements.track = all and track_functions = all splits the server's
   share by statement.
b. A week offline at a busy unit: 5 days × (260 dossiers + 70 tickets issued, called and
   finished) ≈ 4,000 events, one `run_once()` on loopback (budget < 5 s) and through
   bench/linkproxy.py at 256 kbit/s each way with 300 ms one-way latency (no budget; bytes
   on the wire counted by the proxy).
c. Ingest at scale: a central pre-filled by INSERT … SELECT generate_series with
   --central-dossiers dossiers (2 events each, payloads shaped like the app's, 40 units,
   every third with two sources, five years 2021–2025; indexes dropped during the fill and
   rebuilt, then VACUUM ANALYZE), against an empty central: `run_once()` of the same
   counter (--ingest-dossiers) into each, interleaved; between runs the pushed unit's rows
   are deleted from the pre-filled central and the tables vacuumed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT_DIR, ROOT, Row, isolate_env, machine_line, print_rows, save_rows

sys.path.insert(0, str(ROOT / "tests" / "pg"))

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCY = "000.20.25.H01"
CACHE = OUT_DIR / "sync"
GENERATOR_VERSION = 1
PER_TXN = 50  # dossiers per register() transaction while building a counter
PER_DAY = 400  # dossiers per working day in the push counters (codes stay 4-digit)
WEEK = (date(2026, 11, 23), 5, 260, 70)  # Monday, days, dossiers a day, tickets a day

BUDGET_DOSSIERS_S = 10_000
BUDGET_COPY_SHARE = 0.10
BUDGET_WEEK_S = 5.0
SLOW_RATE_BPS = 256_000
SLOW_LATENCY_S = 0.300

FULL = {"push": 50_000, "ingest": 20_000, "central": 8_000_000}
QUICK = {"push": 5_000, "ingest": 2_000, "central": 200_000}


# --- the server ------------------------------------------------------------------------------


@dataclass
class Server:
    pg: Any  # pgserver.PgServer
    base: Path
    fsync: bool

    def conninfo(self, db: str = "postgres") -> str:
        return str(self.pg.conninfo(db))

    def url(self, db: str) -> str:
        return str(self.pg.url(db))

    def connect(self, db: str = "postgres", **kw: Any) -> Any:
        import psycopg

        kw.setdefault("autocommit", True)
        return psycopg.connect(self.conninfo(db), **kw)

    def create_db(self, name: str) -> str:
        with self.connect() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        return self.url(name)

    def drop_db(self, name: str) -> None:
        with self.connect() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def pg_server(fsync: bool) -> Iterator[Server]:
    from pgserver import PgServer, _bindir

    bindir = _bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL server programs (initdb, pg_ctl, postgres) not found")
    pg = PgServer.create(bindir, "counter-app-bench-pg-")
    base = pg.base
    try:
        dur = "on" if fsync else "off"
        try:
            pg.start(
                settings=f"-c fsync={dur} -c synchronous_commit={dur} -c full_page_writes={dur} "
                "-c max_connections=30 -c shared_buffers=1GB -c maintenance_work_mem=1GB "
                "-c max_wal_size=16GB -c checkpoint_timeout=30min "
                "-c shared_preload_libraries=pg_stat_statements"
            )
        except RuntimeError as exc:
            raise SystemExit(str(exc)) from None
        server = Server(pg, base, fsync)
        with server.connect() as c:
            version = c.execute("SHOW server_version").fetchone()[0]
        print(
            f"PostgreSQL {version} on 127.0.0.1:{pg.port} ({base}); fsync, synchronous_commit, "
            f"full_page_writes {dur.upper()}; shared_buffers 1GB",
            flush=True,
        )
        yield server
    finally:
        pg.remove()


def fresh_central(server: Server, name: str) -> tuple[str, str]:
    """A new database with the central schema and our unit: (admin URL, the unit's URL)."""
    from counter_app.sync import central

    admin = server.create_db(name)
    central.init_central(admin)
    unit = central.add_unit(admin, central.UnitSpec(AGENCY, "UBND XÃ MỸ HÒA HƯNG"))
    return admin, str(unit["url"])


EXPLAIN_MS = 25  # auto_explain logs nested statements slower than this in the profiled runs


def set_tracking(server: Server, on: bool) -> None:
    """pg_stat_statements (nested statements too), function timing and auto_explain (plans of
    slow nested statements, with row counts) for new sessions, server-wide."""
    settings = {
        "pg_stat_statements.track": "'all'",
        "track_functions": "'all'",
        "session_preload_libraries": "'auto_explain'",
        "auto_explain.log_min_duration": f"'{EXPLAIN_MS}ms'",
        "auto_explain.log_nested_statements": "on",
        "auto_explain.log_analyze": "on",
        "auto_explain.log_timing": "off",
    }
    with server.connect() as c:
        c.execute("LOAD 'auto_explain'")  # so that ALTER SYSTEM knows its settings
        for k, v in settings.items():
            c.execute(f"ALTER SYSTEM SET {k} = {v}" if on else f"ALTER SYSTEM RESET {k}")
        c.execute("SELECT pg_reload_conf()")
    time.sleep(0.3)


def slowest_plan(log_text: str) -> tuple[float, str] | None:
    """The slowest nested statement auto_explain logged (not the function calls themselves)."""
    best: tuple[float, str] | None = None
    for m in re.finditer(r"duration: ([0-9.]+) ms\s+plan:\n(.*?)(?=\n\S|\Z)", log_text, re.S):
        ms, plan = float(m.group(1)), m.group(2)
        if re.search(r"Query Text: SELECT central\.", plan):
            continue
        if best is None or ms > best[0]:
            best = (ms, plan)
    return best


# --- counters (local SQLite files), built once with the app's services ----------------------


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at.astimezone(UTC)


def _fingerprint() -> str:
    """What a cached counter depends on: this generator, the local schema, the services that
    write events and their payloads. Any change rebuilds the counters."""
    import counter_app

    pkg = Path(counter_app.__file__).resolve().parent
    files = [
        pkg / "db" / "models.py",
        *sorted((pkg / "db" / "migrations" / "versions").glob("*.py")),
    ]
    files += [pkg / "services" / f for f in ("intake.py", "queue.py", "records.py", "setup.py")]
    h = hashlib.sha256(f"bench_sync generator {GENERATOR_VERSION}".encode())
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _new_counter(path: Path, start: datetime) -> tuple[Any, Clock]:
    from counter_app.app import build_context
    from counter_app.services.setup import init_database

    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)
    ctx = build_context(db=f"sqlite:///{path}")
    clock = Clock(start)
    ctx.clock = clock
    init_database(ctx, demo=True, agency=AGENCY)
    return ctx, clock


def _requests(ctx: Any, n: int, seed: int) -> list[Any]:
    from bench_intake import make_requests

    from counter_app.services.catalogue import list_catalogue
    from counter_app.services.intake import parse_intake

    codes = [e.procedure.code for e in list_catalogue(ctx)]
    return [parse_intake(r) for r in make_requests(n, codes, seed=seed)]


def _working_days(start: date) -> Iterator[date]:
    d = start
    while True:
        if d.weekday() < 5:
            yield d
        d += timedelta(days=1)


def build_push_counter(path: Path, n: int) -> None:
    """N dossiers, PER_DAY a working day from 4 May 2026, registered PER_TXN per transaction."""
    from counter_app.services.intake import register

    ctx, clock = _new_counter(path, datetime(2026, 5, 4, 7, 30, tzinfo=VN))
    reqs = _requests(ctx, n, seed=11)
    days = _working_days(date(2026, 5, 4))
    day = next(days)
    for k in range(0, n, PER_TXN):
        if k and k % PER_DAY == 0:
            day = next(days)
        minute = (k % PER_DAY) * 540 // PER_DAY  # spread over 07:30 … 16:30
        clock.at = datetime.combine(day, dtime(7, 30), VN) + timedelta(minutes=minute)
        register(ctx, reqs[k : k + PER_TXN], "canbo1")
    ctx.uow.engine.dispose()


def build_week_counter(path: Path) -> None:
    """A busy unit's week: dossiers (some under the ticket being served) and tickets issued,
    called, finished at three counters; every ticket gets ticket + issued + called + finished."""
    from dataclasses import replace

    from counter_app.services import queue
    from counter_app.services.intake import register

    monday, ndays, per_day, tickets = WEEK
    ctx, clock = _new_counter(path, datetime.combine(monday, dtime(7, 30), VN))
    reqs = iter(_requests(ctx, ndays * per_day, seed=23))
    services = [s.code for s in queue.list_services(ctx)]
    for d in range(ndays):
        day = monday + timedelta(days=d)
        taken = 0
        for t in range(tickets):
            clock.at = datetime.combine(day, dtime(7, 30), VN) + timedelta(minutes=t * 7)
            queue.issue(ctx, services[t % len(services)], "elderly" if t % 9 == 0 else "")
            clock.at += timedelta(minutes=2)
            called = queue.call_next(ctx, t % 3 + 1, "canbo1")
            k = per_day * (t + 1) // tickets - taken
            batch = [next(reqs) for _ in range(k)]
            if called is not None and batch:
                batch[0] = replace(batch[0], ticket_id=called.id)
            for i in range(0, len(batch), 5):
                clock.at += timedelta(seconds=30)
                register(ctx, batch[i : i + 5], "canbo1")
            taken += k
        clock.at = datetime.combine(day, dtime(16, 45), VN)
        for counter in (1, 2, 3, 3, 3, 3):  # drain: counter 3 serves three services
            while queue.call_next(ctx, counter, "canbo1") is not None:
                clock.at += timedelta(seconds=20)
        for counter in (1, 2, 3):
            with contextlib.suppress(Exception):
                queue.finish(ctx, counter, "canbo1")
    ctx.uow.engine.dispose()


def _build(kind: str, path: Path, n: int) -> float:
    isolate_env()
    t0 = time.perf_counter()
    tmp = path.with_name(path.name + ".building")
    if kind == "week":
        build_week_counter(tmp)
    else:
        build_push_counter(tmp, n)
    with sqlite3.connect(tmp) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        tmp.with_name(tmp.name + suffix).unlink(missing_ok=True)
    tmp.replace(path)
    return time.perf_counter() - t0


def counters(wanted: dict[str, tuple[str, int]]) -> dict[str, Path]:
    """Cached counter files, {name: (kind, n)}; missing ones are built, two at a time."""
    CACHE.mkdir(parents=True, exist_ok=True)
    fp = _fingerprint()
    out: dict[str, Path] = {}
    todo: list[tuple[str, str, Path, int]] = []
    for name, (kind, n) in wanted.items():
        path = CACHE / (f"{kind}-{n}.db" if kind == "push" else "week.db")
        meta = path.with_name(path.name + ".bench.json")
        out[name] = path
        ok = False
        if path.exists() and meta.exists():
            with contextlib.suppress(OSError, ValueError):
                ok = json.loads(meta.read_text())["fingerprint"] == fp
        if not ok and all(p != path for _, _, p, _ in todo):
            todo.append((name, kind, path, n))
    if todo:
        print(
            "building counters with the app's services (cached in bench/out/sync/): "
            + ", ".join(f"{p.name}" for _, _, p, _ in todo),
            flush=True,
        )
        with ProcessPoolExecutor(max_workers=min(2, len(todo))) as pool:
            futures = [(p, pool.submit(_build, k, p, n)) for _, k, p, n in todo]
            for p, f in futures:
                secs = f.result()
                meta = p.with_name(p.name + ".bench.json")
                meta.write_text(json.dumps({"fingerprint": fp, "build_s": round(secs, 1)}))
                print(f"  {p.name}: {secs:.0f} s", flush=True)
    return out


@dataclass
class Outbox:
    events: int
    dossiers: int
    kinds: dict[str, int]
    payload_bytes: int
    rows: list[tuple[Any, ...]]


def read_outbox(path: Path) -> Outbox:
    with sqlite3.connect(path) as c:
        rows = c.execute(
            "SELECT seq, event_id, kind, schema_version, payload, created_at FROM outbox "
            "ORDER BY seq"
        ).fetchall()
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r[2]] = kinds.get(r[2], 0) + 1
    return Outbox(
        len(rows), kinds.get("dossier", 0), kinds, sum(len(r[4].encode()) for r in rows), rows
    )


# --- timing the client's parts -----------------------------------------------------------------


@dataclass
class Split:
    pending_s: float = 0.0  # SQLite read + JSON text of each batch
    wire_s: float = 0.0  # transport.push: the call, the network, central's function
    ack_s: float = 0.0  # marking the batch acknowledged locally
    # Syncer.push as a whole: the calls, and the reads and acks, which run while central
    # stores the batch before (services/sync.py), so the three overlap
    push_s: float = 0.0
    batches: int = 0
    body_bytes: int = 0
    calls: list[float] = field(default_factory=list)


class TimedTransport:
    def __init__(self, inner: Any, split: Split) -> None:
        self.inner, self.split = inner, split

    def hello(self) -> dict[str, Any]:
        return dict(self.inner.hello())

    def push(self, unit: str, source: str, events_json: str) -> Any:
        t0 = time.perf_counter()
        try:
            return self.inner.push(unit, source, events_json)
        finally:
            dt = time.perf_counter() - t0
            self.split.wire_s += dt
            self.split.calls.append(dt)
            self.split.batches += 1
            self.split.body_bytes += len(events_json.encode())

    def fetch(self, table: str, after: int, limit: int) -> list[dict[str, Any]]:
        return list(self.inner.fetch(table, after, limit))

    def clashes(self) -> list[dict[str, Any]]:
        return list(self.inner.clashes())

    def close(self) -> None:
        self.inner.close()


def overlap_gap(sp: Split) -> float:
    """The part of pushing spent outside the calls: the first read, the last ack, the waits
    for the client when its read and ack took longer than central's work."""
    return max(0.0, sp.push_s - sp.wire_s)


def timed_syncer(ctx: Any, transport: Any, split: Split, batch: int | None) -> Any:
    from counter_app.services.sync import Syncer

    class TimedSyncer(Syncer):
        def _pending(self, after: int, limit: int) -> tuple[list[int], str]:
            t0 = time.perf_counter()
            try:
                return super()._pending(after, limit)
            finally:
                split.pending_s += time.perf_counter() - t0

        def _acknowledge(self, old: int, reply: Any) -> int:
            t0 = time.perf_counter()
            try:
                return super()._acknowledge(old, reply)
            finally:
                split.ack_s += time.perf_counter() - t0

        def push(self, report: Any = None) -> Any:
            t0 = time.perf_counter()
            try:
                return super().push(report)
            finally:
                split.push_s += time.perf_counter() - t0

    if batch is None:
        return TimedSyncer(ctx, transport)
    return TimedSyncer(ctx, transport, batch=batch, min_batch=batch, max_batch=batch)


@dataclass
class SyncRun:
    seconds: float
    split: Split
    pushed: int
    report: Any


def sync_once(
    counter: Path, unit_url: str, batch: int | None = None, *, profile: Any = None
) -> SyncRun:
    """Copy the counter, then time one Syncer.run_once() of the copy against unit_url."""
    from counter_app.app import build_context
    from counter_app.sync.transport import PgTransport

    work = Path(tempfile.mkdtemp(prefix="bench-sync-", dir=OUT_DIR))
    try:
        local = work / "counter.db"
        shutil.copy(counter, local)
        ctx = build_context(db=f"sqlite:///{local}")
        split = Split()
        transport = TimedTransport(PgTransport(unit_url, sslmode="disable"), split)
        syncer = timed_syncer(ctx, transport, split, batch)
        gc.collect()
        if profile is not None:
            profile.enable()
        t0 = time.perf_counter()
        report = syncer.run_once()
        seconds = time.perf_counter() - t0
        if profile is not None:
            profile.disable()
        transport.close()
        ctx.uow.dispose()  # its checkpoint thread too: not beside the next run
        if report.waiting or report.rejected:
            raise SystemExit(f"sync left {report.waiting} waiting, {report.rejected} rejected")
        return SyncRun(seconds, split, report.pushed, report)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- a. push throughput and the COPY floor ---------------------------------------------------


def copy_text(ob: Outbox, unit: str, source: str) -> bytes:
    """The outbox rows as COPY text (tab-separated, backslash-escaped), prepared up front."""

    def esc(s: str) -> str:
        return (
            s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        )

    lines = [
        f"{eid}\t{unit}\t{source}\t{seq}\t{esc(kind)}\t{ver}\t{esc(payload)}\t{at}\n"
        for seq, eid, kind, ver, payload, at in ob.rows
    ]
    return "".join(lines).encode()


def copy_floor(server: Server, db: str, data: bytes, nrows: int) -> float:
    """Seconds to COPY the rows into an empty copy of central.events (indexes included)."""
    with server.connect(db) as c:
        c.execute("TRUNCATE bench_events")
        c.execute("CHECKPOINT")
    with server.connect(db, autocommit=False) as c:
        gc.collect()
        t0 = time.perf_counter()
        with (
            c.cursor() as cur,
            cur.copy(
                "COPY bench_events (event_id, unit_id, source_id, seq, kind, schema_version, "
                "payload, created_at) FROM STDIN"
            ) as cp,
        ):
            for i in range(0, len(data), 1 << 20):
                cp.write(data[i : i + (1 << 20)])
        c.commit()
        seconds = time.perf_counter() - t0
        n = c.execute("SELECT count(*) FROM bench_events").fetchone()[0]
    assert n == nrows, (n, nrows)
    return seconds


def bench_push(server: Server, counter: Path, runs: int) -> tuple[list[Row], dict[str, Any]]:
    ob = read_outbox(counter)
    print(
        f"\n## a. push: {ob.dossiers:,} dossiers, {ob.events:,} events "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(ob.kinds.items()))}), "
        f"payloads {ob.payload_bytes / ob.events:,.0f} B on average",
        flush=True,
    )
    from counter_app.sync import central

    copy_db = "bench_copy"
    server.create_db(copy_db)
    central.init_central(server.url(copy_db))
    with server.connect(copy_db) as c:
        c.execute("CREATE TABLE bench_events (LIKE central.events INCLUDING ALL)")
    data = copy_text(ob, AGENCY, "bench-copy-source")
    configs: list[tuple[str, int | None]] = [("500", 500), ("2000", 2000), ("default", None)]
    results: dict[str, list[SyncRun]] = {name: [] for name, _ in configs}
    copies: list[float] = []
    k = 0
    for r in range(runs):
        for name, batch in configs:
            k += 1
            db = f"bench_push_{k}"
            _, unit_url = fresh_central(server, db)
            with server.connect(db) as c:
                c.execute("CHECKPOINT")
            run = sync_once(counter, unit_url, batch)
            server.drop_db(db)
            results[name].append(run)
            assert run.pushed == ob.events, (run.pushed, ob.events)
            print(
                f"  run {r + 1} batch {name:>7}: {run.seconds:6.2f} s = "
                f"{ob.dossiers / run.seconds:8,.0f} dossiers/s, {ob.events / run.seconds:8,.0f} "
                f"events/s in {run.split.batches} batches (client read+JSON "
                f"{run.split.pending_s:.2f} s, push calls {run.split.wire_s:.2f} s, "
                f"ack {run.split.ack_s:.2f} s)",
                flush=True,
            )
        secs = copy_floor(server, copy_db, data, ob.events)
        copies.append(secs)
        print(
            f"  run {r + 1} COPY floor: {secs:.2f} s = {ob.events / secs:,.0f} rows/s", flush=True
        )
    server.drop_db(copy_db)

    copy_s = statistics.median(copies)
    copy_rate = ob.events / copy_s
    rows = []
    summary: dict[str, Any] = {"copy_rows_s": copy_rate, "outbox": ob}
    for name, _ in configs:
        rs = results[name]
        secs = statistics.median(x.seconds for x in rs)
        d_s, e_s = ob.dossiers / secs, ob.events / secs
        share = e_s / copy_rate
        ok = d_s >= BUDGET_DOSSIERS_S and share >= BUDGET_COPY_SHARE
        med = sorted(rs, key=lambda x: x.seconds)[len(rs) // 2]
        sp = med.split
        other = med.seconds - sp.push_s
        label = {"500": "batch 500", "2000": "batch 2000", "default": "batch 500→2000 (default)"}
        rows.append(
            Row(
                what=f"sync push, loopback, {label[name]} ({ob.dossiers:,} dossiers)",
                measured=f"{d_s:,.0f} dossiers/s ({e_s:,.0f} events/s)",
                floor=f"COPY {copy_rate:,.0f} rows/s",
                ratio=f"{share:.1%} of COPY",
                budget="≥ 10,000 dossiers/s and ≥ 10% of COPY",
                verdict="pass" if ok else "MISS",
                note=(
                    f"median of {len(rs)}: {secs:.2f} s; of the median run: pushing "
                    f"{sp.push_s:.2f} s = push calls (wire + central) {sp.wire_s:.2f} s, "
                    f"while they ran the client's read+JSON {sp.pending_s:.2f} s and local ack "
                    f"{sp.ack_s:.2f} s, and {overlap_gap(sp):.2f} s outside the calls; "
                    f"hello/pull/connect {other:.2f} s; "
                    f"{sp.body_bytes / 2**20:.1f} MiB JSON in {sp.batches} batches"
                ),
            )
        )
        summary[name] = {"seconds": secs, "dossiers_s": d_s, "events_s": e_s, "share": share}
    return rows, summary


def profile_push(
    server: Server,
    counter: Path,
    batch: int | None,
    *,
    into: tuple[str, str] | None = None,
    title: str = "",
    client: bool = True,
) -> None:
    """One more run with statement and function timing on: where central's time goes.
    `into` = (database, unit URL) of an existing central; else a fresh one (dropped after)."""
    import cProfile
    import pstats

    if into is None:
        db = "bench_push_profile"
        _, unit_url = fresh_central(server, db)
    else:
        db, unit_url = into
    set_tracking(server, True)
    try:
        with server.connect(db) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            c.execute("SELECT pg_stat_statements_reset()")
            c.execute("SELECT pg_stat_reset()")
        prof = cProfile.Profile()
        log_at = server.pg.log.stat().st_size
        run = sync_once(counter, unit_url, batch, profile=prof)
        time.sleep(0.8)  # function stats reach the collector when a backend goes idle
        with server.connect(db) as c:
            funcs = c.execute(
                "SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions "
                "ORDER BY total_time DESC"
            ).fetchall()
            stmts = c.execute(
                "SELECT toplevel, calls, total_exec_time, rows, query FROM pg_stat_statements "
                "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND query !~* 'pg_stat' ORDER BY total_exec_time DESC LIMIT 40"
            ).fetchall()
        with server.pg.log.open("rb") as f:
            f.seek(log_at)
            log_text = f.read().decode(errors="replace")
    finally:
        set_tracking(server, False)
        if into is None:
            server.drop_db(db)
    sp = run.split
    print(
        f"\n### where the push time goes{title} (batch {batch or '500→2000'}; one run with "
        f"tracking and cProfile on: {run.seconds:.2f} s)\n"
    )
    print(
        f"client: run_once {run.seconds:.2f} s = pushing {sp.push_s:.2f} s (push calls "
        f"{sp.wire_s:.2f} s, while they ran read+JSON (_pending) {sp.pending_s:.2f} s and local "
        f"ack {sp.ack_s:.2f} s; {overlap_gap(sp):.2f} s outside the calls) + hello/pull/connect "
        f"{run.seconds - sp.push_s:.2f} s; "
        f"{sp.batches} calls, {sp.body_bytes / 2**20:.1f} MiB of JSON"
    )
    top = next((s for s in stmts if s[0] and "push_batch" in s[4]), None)
    if top is not None:
        print(
            f"central: the push statement {top[2] / 1000:.2f} s over {top[1]} calls "
            f"(executor time; the rest of the push calls, "
            f"{sp.wire_s - top[2] / 1000:.2f} s, is the wire, parse/plan of the JSON "
            f"parameter and psycopg)"
        )
    for name, calls, total, self_t in funcs:
        print(
            f"  function {name}: {calls} calls, total {total / 1000:.2f} s, "
            f"self {self_t / 1000:.2f} s"
        )
    print("\nstatements inside central (nested included), by total time:")
    print("| s | calls | rows | statement |\n|---|---|---|---|")
    for toplevel, calls, total, nrows, query in stmts[:14]:
        q = re.sub(r"\s+", " ", query).strip()
        q = q if len(q) <= 110 else q[:107] + "…"
        print(f"| {total / 1000:.2f} | {calls} | {nrows} | {'' if toplevel else '↳ '}{q} |")
    worst = slowest_plan(log_text)
    if worst is None:
        print(f"\nno statement inside push_batch took over {EXPLAIN_MS} ms (auto_explain)")
    else:
        lines = [ln.strip("\t") for ln in worst[1].splitlines()]
        plan = lines[next(i for i, ln in enumerate(lines) if "(cost=" in ln) :][:16]
        print(f"\nslowest statement inside push_batch: {worst[0]:.0f} ms; its plan (auto_explain):")
        print("\n".join("    " + ln for ln in plan))
    if not client:
        return
    print("\nclient, cProfile by own time (inflated by the profiler):")
    st = pstats.Stats(prof)
    st.sort_stats("tottime")
    rows = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:12]
    for (fn, line, func), (_cc, nc, tt, ct, _callers) in rows:
        print(f"  {tt:6.2f} s own {ct:6.2f} s cum {nc:>8} × {Path(fn).name}:{line}({func})")


# --- b. a week offline, on a LAN and on a slow link ------------------------------------------


def bench_week(server: Server, counter: Path, runs: int, slow: bool) -> list[Row]:
    from linkproxy import LinkProxy

    ob = read_outbox(counter)
    print(
        f"\n## b. a week offline: {ob.events:,} events "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(ob.kinds.items()))}), "
        f"{ob.payload_bytes / 2**20:.2f} MiB of payloads",
        flush=True,
    )
    lan: list[SyncRun] = []
    for r in range(runs):
        db = f"bench_week_{r}"
        _, unit_url = fresh_central(server, db)
        run = sync_once(counter, unit_url)
        server.drop_db(db)
        lan.append(run)
        print(
            f"  run {r + 1} loopback: {run.seconds:.2f} s in {run.split.batches} batches",
            flush=True,
        )
    secs = statistics.median(x.seconds for x in lan)
    rows = [
        Row(
            what=f"a week offline ({ob.events:,} events), one run_once on loopback",
            measured=f"{secs:.2f} s",
            floor="",
            ratio="",
            budget="< 5 s",
            verdict="pass" if secs < BUDGET_WEEK_S else "MISS",
            note=(
                f"median of {len(lan)}; {ob.dossiers:,} dossiers, "
                f"{ob.kinds.get('ticket', 0)} tickets"
            ),
        )
    ]
    if not slow:
        print("  slow link: skipped (--quick; --slow-link runs it)")
        return rows
    db = "bench_week_slow"
    _, unit_url = fresh_central(server, db)
    with LinkProxy(
        "127.0.0.1", server.pg.port, rate_bps=SLOW_RATE_BPS, latency_s=SLOW_LATENCY_S
    ) as link:
        slow_url = re.sub(r"@127\.0\.0\.1:\d+/", f"@127.0.0.1:{link.port}/", unit_url)
        print(
            f"  through linkproxy: {SLOW_RATE_BPS // 1000} kbit/s each way, "
            f"{SLOW_LATENCY_S * 1000:.0f} ms one way …",
            flush=True,
        )
        run = sync_once(counter, slow_url)
        up, down = link.bytes_up, link.bytes_down
    server.drop_db(db)
    sp = run.split
    line_s = up * 8 / SLOW_RATE_BPS
    print(
        f"  slow link: {run.seconds:.1f} s; {up / 2**20:.2f} MiB up, {down / 1024:.0f} KiB down "
        f"(push bodies {sp.body_bytes / 2**20:.2f} MiB in {sp.batches} batches); the upload "
        f"alone needs {line_s:.1f} s at {SLOW_RATE_BPS // 1000} kbit/s; push calls "
        f"{sp.wire_s:.1f} s, hello/pull/connect "
        f"{run.seconds - sp.push_s:.1f} s",
        flush=True,
    )
    rows.append(
        Row(
            what=(
                f"the same week over {SLOW_RATE_BPS // 1000} kbit/s + "
                f"{SLOW_LATENCY_S * 1000:.0f} ms one way"
            ),
            measured=f"{run.seconds:.1f} s",
            floor=f"{line_s:.1f} s upload at line rate",
            ratio=f"{run.seconds / line_s:.2f}×",
            budget="— (report)",
            verdict="info",
            note=(
                f"one run; {up / 2**20:.2f} MiB up / {down / 1024:.0f} KiB down on the wire, "
                f"push calls {sp.wire_s:.1f} s, connect + hello + pull "
                f"{run.seconds - sp.push_s:.1f} s"
            ),
        )
    )
    return rows


# --- c. ingest at scale -----------------------------------------------------------------------

FILL_UNITS = 40
FILL_CHUNK = 100_000  # dossiers per INSERT … SELECT
FILL_START = date(2021, 1, 1)
FILL_DAYS = 1826  # 2021 … 2025
FILL_BYTES_PER_DOSSIER = 2_700  # heap + indexes, measured on a 200,000 fill; for the disk check

FILL_SQL = """
WITH g AS MATERIALIZED (
  SELECT i, ts, did, code,
         (lpad(to_hex(ms), 12, '0') || '7' || substr(r1, 1, 3) || '8' || substr(r1, 4, 15))::uuid
           AS eid1,
         (lpad(to_hex(ms), 12, '0') || '7' || substr(r2, 1, 3) || '9' || substr(r2, 4, 15))::uuid
           AS eid2,
         (lpad(to_hex(ms), 12, '0') || '7' || substr(r2, 19, 3) || 'a' || substr(r1, 19, 14)
           || substr(r2, 22, 1))::uuid AS evid
  FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS i
  CROSS JOIN LATERAL (SELECT %(start)s::date + ((i - 1) / %(per_day)s)::int AS day,
                             ((i - 1) %% %(per_day)s) + 1 + %(seq_off)s AS dseq) d
  CROSS JOIN LATERAL (SELECT (d.day + time '07:30' + ((i - 1) %% %(per_day)s)
                              * interval '3 minutes') AT TIME ZONE 'Asia/Ho_Chi_Minh' AS ts,
                             md5(%(source)s || ':' || i) AS r1, md5(i || ':' || %(source)s) AS r2) t
  CROSS JOIN LATERAL (SELECT (extract(epoch FROM t.ts) * 1000)::bigint AS ms) m
  CROSS JOIN LATERAL (SELECT (lpad(to_hex(m.ms), 12, '0') || '7' || substr(t.r1, 20, 3) || 'b'
                              || substr(t.r2, 5, 15))::uuid AS did,
                             %(agency)s || '-' || to_char(d.day, 'YYMMDD') || '-'
                              || lpad(d.dseq::text, 4, '0') AS code) k
), p AS MATERIALIZED (
  SELECT g.*, x.proc, x.name,
         jsonb_build_object(
           'id', did, 'code', code, 'procedure', x.proc, 'procedure_version', 1,
           'applicant', jsonb_build_object(
              'name', x.name,
              'id_number', '0891' || lpad(((i * 104729) %% 100000000)::text, 8, '0'),
              'phone', '09' || lpad(((i * 15485863) %% 100000000)::text, 8, '0'),
              'address', 'Tổ ' || (1 + i %% 30) || ', ấp Mỹ An, xã Mỹ Hòa Hưng, tỉnh An Giang',
              'email', ''),
           'documents', (%(docs)s::jsonb[])[1 + i %% %(ndocs)s],
           'sets', 1, 'receive_channel', 'counter', 'return_channel', 'counter',
           'return_address', '', 'fee', 0, 'received_at', ts, 'due_at', ts + interval '5 days',
           'received_by', %(clerk)s::uuid, 'ticket_id', NULL) AS p1,
         jsonb_build_object(
           'at', ts, 'business_day', (ts AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 'by',
           %(clerk)s::uuid, 'code', code, 'data', '{}'::jsonb, 'dossier_id', did, 'id', evid,
           'kind', 'received', 'reason', '', 'status', 'accepted') AS p2
  FROM g
  CROSS JOIN LATERAL (SELECT (%(procs)s::text[])[1 + g.i %% %(nprocs)s] AS proc,
                             (%(names)s::text[])[1 + (g.i * 7919) %% %(nnames)s] AS name) x
), ev AS (
  INSERT INTO central.events (event_id, unit_id, source_id, seq, kind, schema_version, payload,
                              created_at, received_at)
  SELECT x.* FROM p CROSS JOIN LATERAL (VALUES
    (p.eid1, %(agency)s, %(source)s, 2 * p.i - 1, 'dossier', 1, p.p1, p.ts, p.ts),
    (p.eid2, %(agency)s, %(source)s, 2 * p.i, 'dossier_event', 1, p.p2, p.ts, p.ts)) x
)
INSERT INTO central.dossiers (id, unit_id, code, procedure_code, applicant_name, received_at,
                              due_at, status, status_seq, source_id, event_id)
SELECT did, %(agency)s, code, proc, name, ts, ts + interval '5 days', 'accepted', 2 * i,
       %(source)s, eid1
FROM p
"""

INDEXES_DROP = """
ALTER TABLE central.events DROP CONSTRAINT events_pkey, DROP CONSTRAINT uq_events_stream;
ALTER TABLE central.dossiers DROP CONSTRAINT dossiers_pkey, DROP CONSTRAINT uq_dossiers_code;
DROP INDEX central.ix_dossiers_unit;
"""
INDEXES_ADD = (
    "ALTER TABLE central.events ADD CONSTRAINT events_pkey PRIMARY KEY (event_id)",
    "ALTER TABLE central.events ADD CONSTRAINT uq_events_stream UNIQUE (unit_id, source_id, seq)",
    "ALTER TABLE central.dossiers ADD CONSTRAINT dossiers_pkey PRIMARY KEY (id)",
    "ALTER TABLE central.dossiers ADD CONSTRAINT uq_dossiers_code UNIQUE (code)",
    "CREATE INDEX ix_dossiers_unit ON central.dossiers (unit_id)",
)


def _indexes(server: Server, db: str) -> list[str]:
    with server.connect(db) as c:
        return [
            r[0]
            for r in c.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'central' "
                "AND tablename IN ('events', 'dossiers') ORDER BY indexname"
            ).fetchall()
        ]


def _parallel(jobs: list[Callable[[], None]], workers: int = 2) -> None:
    """Run the jobs on `workers` threads (each job holds its own connection)."""
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        while True:
            with lock:
                if not jobs or errors:
                    return
                job = jobs.pop(0)
            try:
                job()
            except BaseException as exc:
                with lock:
                    errors.append(exc)
                return

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@dataclass
class Templates:
    """Payload parts taken from the app's own events, so filled rows have their sizes."""

    procs: list[str]
    docs: list[str]
    names: list[str]
    clerk: str

    @classmethod
    def of(cls, sample: Outbox) -> Templates:
        payloads = [json.loads(r[4]) for r in sample.rows if r[2] == "dossier"]
        return cls(
            procs=sorted({p["procedure"] for p in payloads}),
            docs=sorted({json.dumps(p["documents"], ensure_ascii=False) for p in payloads}),
            names=sorted({p["applicant"]["name"] for p in payloads})[:2000],
            clerk=str(payloads[0]["received_by"]),
        )


def _stream_jobs(
    server: Server,
    db: str,
    stream: tuple[str, str, int, int],
    tm: Templates,
    progress: Callable[[int], None],
) -> list[Callable[[], None]]:
    """INSERT … SELECT jobs for one stream (agency, source, code seq offset, dossiers), and its
    central.sources row (written now, contiguous to the end)."""
    agency, source, seq_off, n = stream
    per_day = max(1, -(-n // FILL_DAYS))
    with server.connect(db) as c:
        c.execute(
            "INSERT INTO central.sources (unit_id, source_id, contiguous_seq, max_seq, "
            "last_push_at) VALUES (%s, %s, %s, %s, now())",
            (agency, source, 2 * n, 2 * n),
        )
    jobs: list[Callable[[], None]] = []
    for lo in range(1, n + 1, FILL_CHUNK):
        params = {
            "lo": lo,
            "hi": min(n, lo + FILL_CHUNK - 1),
            "start": FILL_START,
            "per_day": per_day,
            "seq_off": seq_off,
            "agency": agency,
            "source": source,
            "procs": tm.procs,
            "docs": tm.docs,
            "names": tm.names,
            "clerk": tm.clerk,
            "nprocs": len(tm.procs),
            "ndocs": len(tm.docs),
            "nnames": len(tm.names),
        }

        def job(params: dict[str, Any] = params) -> None:
            with server.connect(db) as c:
                c.execute("SET work_mem = '256MB'")
                c.execute("SET jit = off")
                c.execute(FILL_SQL, params)
            progress(params["hi"] - params["lo"] + 1)

        jobs.append(job)
    return jobs


def _sql_job(server: Server, db: str, sql: str) -> Callable[[], None]:
    def run() -> None:
        with server.connect(db) as c:
            c.execute("SET maintenance_work_mem = '1GB'")
            c.execute(sql)

    return run


def fill_central(server: Server, db: str, dossiers: int, tm: Templates) -> dict[str, Any]:
    """`dossiers` dossiers (2 events each) over FILL_UNITS units straight into the tables."""
    from counter_app.sync import central

    need = dossiers * FILL_BYTES_PER_DOSSIER * 1.5
    free = shutil.disk_usage(server.base).free
    print(
        f"\n## c. ingest at scale: filling a central with {dossiers:,} dossiers "
        f"({2 * dossiers:,} events); disk free {free / 2**30:.0f} GiB, "
        f"needs ~{need / 2**30:.0f} GiB",
        flush=True,
    )
    if free < need:
        raise SystemExit("not enough disk for --central-dossiers; choose a smaller size")
    admin = server.create_db(db)
    central.init_central(admin)
    before = _indexes(server, db)
    # 40 units; every third has a second source (a second counter PC with its own file).
    streams: list[tuple[str, str, int]] = []
    for u in range(FILL_UNITS):
        agency = f"000.21.{u + 1:02d}.H01"
        for s in range(2 if u % 3 == 0 else 1):
            streams.append((agency, f"pc{s + 1}-{u + 1:02d}-fill", s * 5000))
    base, extra = divmod(dossiers, len(streams))
    t0 = time.perf_counter()
    with server.connect(db) as c:
        for agency in sorted({a for a, _, _ in streams}):
            c.execute(
                "INSERT INTO central.units (agency_id, name) VALUES (%s, %s)",
                (agency, f"UBND XÃ {agency[-6:]}"),
            )
        c.execute(INDEXES_DROP)
    done = [0]
    lock = threading.Lock()

    def progress(k: int) -> None:
        with lock:
            before = done[0]
            done[0] += k
            if done[0] // 1_000_000 > before // 1_000_000 or done[0] == dossiers:
                el = time.perf_counter() - t0
                print(f"  {done[0]:>10,} dossiers in {el:.0f} s", flush=True)

    jobs: list[Callable[[], None]] = []
    for k, (agency, source, seq_off) in enumerate(streams):
        n = base + (1 if k < extra else 0)
        jobs += _stream_jobs(server, db, (agency, source, seq_off, n), tm, progress)
    _parallel(jobs)
    t_fill = time.perf_counter() - t0

    t1 = time.perf_counter()
    _parallel([_sql_job(server, db, s) for s in INDEXES_ADD])
    t_index = time.perf_counter() - t1
    after = _indexes(server, db)
    if before != after:
        raise SystemExit(f"indexes differ after the rebuild:\n{before}\n{after}")
    t2 = time.perf_counter()
    _parallel(
        [
            _sql_job(server, db, "VACUUM (ANALYZE) central.events"),
            _sql_job(server, db, "VACUUM (ANALYZE) central.dossiers"),
        ]
    )
    with server.connect(db) as c:
        c.execute("VACUUM (ANALYZE) central.sources, central.units")
        c.execute("CHECKPOINT")
        size = c.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        avg = c.execute(
            "SELECT kind, avg(pg_column_size(payload))::int FROM "
            "(SELECT kind, payload FROM central.events TABLESAMPLE SYSTEM (0.1)) s GROUP BY kind "
            "ORDER BY kind"
        ).fetchall()
        counts = c.execute(
            "SELECT (SELECT count(*) FROM central.dossiers), (SELECT count(*) FROM central.events)"
        ).fetchone()
    t_vac = time.perf_counter() - t2
    info = {
        "dossiers": counts[0],
        "events": counts[1],
        "streams": len(streams),
        "fill_s": t_fill,
        "index_s": t_index,
        "vacuum_s": t_vac,
        "size_gib": size / 2**30,
        "payload_avg": dict(avg),
    }
    print(
        f"  filled {counts[0]:,} dossiers / {counts[1]:,} events over {FILL_UNITS} units, "
        f"{len(streams)} sources in {t_fill:.0f} s (2 connections), indexes {t_index:.0f} s, "
        f"VACUUM ANALYZE {t_vac:.0f} s; database {size / 2**30:.1f} GiB; jsonb payloads "
        + ", ".join(f"{k} {v} B" for k, v in avg)
        + " on average",
        flush=True,
    )
    return info


HISTORY_SOURCE = "pc1-history-fill"


def add_history(server: Server, db: str, n: int, tm: Templates) -> float:
    """Give our unit n dossiers of 2021–2025 history (its own source), then ANALYZE: central's
    statistics now know the unit, as they do any unit that has been pushing for a while."""
    t0 = time.perf_counter()
    _parallel(_stream_jobs(server, db, (AGENCY, HISTORY_SOURCE, 0, n), tm, lambda k: None))
    with server.connect(db) as c:
        c.execute("VACUUM (ANALYZE) central.events, central.dossiers, central.sources")
        c.execute("CHECKPOINT")
    return time.perf_counter() - t0


def _delete_unit(server: Server, db: str) -> None:
    """Remove what the bench pushed for our unit (not its filled history)."""
    with server.connect(db) as c:
        for table in ("events", "dossiers", "tickets", "rejections", "sources"):
            c.execute(
                f"DELETE FROM central.{table} WHERE unit_id = %s AND source_id <> %s",
                (AGENCY, HISTORY_SOURCE),
            )
        c.execute("DELETE FROM central.code_clashes WHERE unit_id = %s", (AGENCY,))
        c.execute(
            "VACUUM central.events, central.dossiers, central.tickets, central.rejections, "
            "central.sources"
        )
        c.execute("CHECKPOINT")


def bench_scale(
    server: Server,
    counter: Path,
    central_dossiers: int,
    runs: int,
    sample: Outbox,
    profile: bool = True,
) -> list[Row]:
    """Empty central vs the filled one, twice: first with our unit new to central (no rows
    of it when the tables were last analysed), then with a history of it analysed."""
    from counter_app.sync import central

    ob = read_outbox(counter)
    db = "bench_scale"
    tm = Templates.of(sample)
    info = fill_central(server, db, central_dossiers, tm)
    unit_url = str(central.add_unit(server.url(db), central.UnitSpec(AGENCY, "UBND XÃ"))["url"])
    empty: list[SyncRun] = []
    new: list[SyncRun] = []
    known: list[SyncRun] = []

    def show(r: int, label: str, run: SyncRun) -> None:
        print(
            f"  run {r + 1} {label}: {run.seconds:.2f} s = {ob.dossiers / run.seconds:,.0f} "
            f"dossiers/s (push calls {run.split.wire_s:.2f} s)",
            flush=True,
        )

    at = f"central at {info['dossiers']:,}"
    for r in range(runs):
        edb = f"bench_empty_{r}"
        _, eurl = fresh_central(server, edb)
        with server.connect(edb) as c:
            c.execute("CHECKPOINT")
        empty.append(sync_once(counter, eurl))
        server.drop_db(edb)
        show(r, "empty central", empty[-1])
        new.append(sync_once(counter, unit_url))
        show(r, f"{at}, unit new to its statistics", new[-1])
        _delete_unit(server, db)
    if profile:
        title = f" into the central holding {info['dossiers']:,} dossiers, unit new to it"
        profile_push(server, counter, None, into=(db, unit_url), title=title, client=False)
        _delete_unit(server, db)
    history = max(1, central_dossiers // (FILL_UNITS + 1))
    secs = add_history(server, db, history, tm)
    print(f"  gave our unit {history:,} dossiers of history + ANALYZE in {secs:.0f} s", flush=True)
    for r in range(runs):
        known.append(sync_once(counter, unit_url))
        show(r, f"{at}, unit known to its statistics", known[-1])
        _delete_unit(server, db)
    server.drop_db(db)

    e_s = statistics.median(x.seconds for x in empty)
    e_rate = ob.dossiers / e_s
    e_wire = statistics.median(x.split.wire_s for x in empty)
    fill = (
        f"fill {info['fill_s']:.0f} s + indexes {info['index_s']:.0f} s + VACUUM ANALYZE "
        f"{info['vacuum_s']:.0f} s, {info['size_gib']:.1f} GiB"
    )
    rows = []
    for label, runs_ in (
        ("our unit already in central's statistics", known),
        ("our unit new to central (not in its statistics)", new),
    ):
        f_s = statistics.median(x.seconds for x in runs_)
        f_rate = ob.dossiers / f_s
        f_wire = statistics.median(x.split.wire_s for x in runs_)
        rows.append(
            Row(
                what=(
                    f"sync ingest, central holding {info['dossiers']:,} dossiers, {label} "
                    f"({ob.dossiers:,} pushed, default batch)"
                ),
                measured=f"{f_rate:,.0f} dossiers/s",
                floor=f"{e_rate:,.0f} dossiers/s into an empty central",
                ratio=f"{f_rate / e_rate:.2f}× of empty",
                budget="— (report)",
                verdict="info",
                note=(
                    f"median of {len(runs_)} (empty: {len(empty)}, interleaved); push calls "
                    f"{f_wire:.2f} s vs {e_wire:.2f} s; {fill}"
                ),
            )
        )
    return rows


# --- main -------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> list[Row]:
    isolate_env()
    sizes = dict(QUICK if args.quick else FULL)
    for key in ("push", "ingest", "central"):
        v = getattr(args, f"{key}_dossiers")
        if v is not None:
            sizes[key] = v
    slow = args.slow_link if args.slow_link is not None else not args.quick
    print(
        f"# bench_sync — push {sizes['push']:,} dossiers; week offline; central at "
        f"{sizes['central']:,} dossiers; {args.runs} runs each\n\nmachine: {machine_line()}",
        flush=True,
    )
    wanted: dict[str, tuple[str, int]] = {
        "push": ("push", sizes["push"]),
        "week": ("week", 0),
    }
    if sizes["central"] > 0:
        wanted["ingest"] = ("push", sizes["ingest"])
    files = counters(wanted)
    rows: list[Row] = []
    with pg_server(args.fsync) as server:
        push_rows, _ = bench_push(server, files["push"], args.runs)
        rows += push_rows
        if not args.no_profile:
            profile_push(server, files["push"], 2000)
        rows += bench_week(server, files["week"], args.runs, slow)
        if sizes["central"] > 0:
            sample = read_outbox(files["week"])
            rows += bench_scale(
                server,
                files["ingest"],
                sizes["central"],
                args.runs,
                sample,
                profile=not args.no_profile,
            )
    durability = "fsync ON" if args.fsync else "fsync/synchronous_commit OFF"
    print(f"\nmachine: {machine_line()}; PostgreSQL {durability}")
    print_rows("sync", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes, no slow link")
    # Accepted for run_all.py (which passes them to every bench) and not used here:
    p.add_argument("--db", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--dossiers", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--per-day", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--results", type=Path, default=None, help="append rows to this JSON file")
    p.add_argument("--push-dossiers", type=int, default=None, help="default 50,000 (quick 5,000)")
    p.add_argument("--ingest-dossiers", type=int, default=None, help="default 20,000 (quick 2,000)")
    p.add_argument(
        "--central-dossiers",
        type=int,
        default=None,
        help="pre-filled central size, default 8,000,000 (quick 200,000); 0 skips part c",
    )
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--fsync", action="store_true", help="run PostgreSQL with fsync on")
    p.add_argument(
        "--slow-link",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the 256 kbit/s week (default: on, off with --quick)",
    )
    p.add_argument("--no-profile", action="store_true", help="skip the profiled push run")
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

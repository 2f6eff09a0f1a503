"""Digitised files to central (issue 15): upload throughput on loopback and on a slow link.

    uv run python bench/bench_file_sync.py            # 32 MiB on loopback, 1 MiB at 256 kbit/s
    uv run python bench/bench_file_sync.py --quick    # 8 MiB on loopback, 256 KiB slow

The bench starts its own PostgreSQL (bench_sync.pg_server: a throw-away cluster on
127.0.0.1, fsync off unless --fsync) and, per measurement, a fresh central (init_central +
add_unit). A counter (SQLite, the app's own services) holds one dossier and one stored file
of random bytes (incompressible, like a scanned page's JPEG) whose `document_digitised`
event has been pushed; the figure is `file_sync.upload()` of that file in 256 KiB chunks
(the app's CHUNK_BYTES), up to central's hash check of the whole file.

a. Loopback: MiB/s (median of --runs). No budget; the floor in the same run is one
   INSERT of the whole file as a single bytea into a table like central.file_chunks.
b. Through bench/linkproxy.py at 256 kbit/s each way and 300 ms one-way latency: the file's
   bytes per second over the line rate (budget ≥ 80 %), and the bytes that crossed the
   wire up over the file's size (protocol overhead).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, Row, isolate_env, machine_line, print_rows, save_rows

sys.path.insert(0, str(ROOT / "tests" / "pg"))

AGENCY = "000.20.25.H01"
SLOW_RATE_BPS = 256_000
SLOW_LATENCY_S = 0.300
BUDGET_LINE_SHARE = 0.80


def make_counter(folder: Path, size: int, seed: int) -> tuple[Any, str]:
    """A counter on a SQLite file with one dossier and one stored file of `size` bytes."""
    from counter_app.app import build_context
    from counter_app.services.intake import IntakeRequest, register
    from counter_app.services.records import emit
    from counter_app.services.setup import init_database
    from counter_app.services.units import find_local_unit

    ctx = build_context(db=f"sqlite:///{folder / 'counter.db'}")
    init_database(ctx, demo=True, agency=AGENCY)
    (d,) = register(
        ctx,
        [
            IntakeRequest(
                procedure="1.004873",
                name="Nguyễn Văn An",
                id_number="079090001234",
                phone="0912345678",
                address="Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang",
            )
        ],
        "canbo1",
    )
    from counter_app.services import files

    data = b"%PDF-1.4\n" + random.Random(seed).randbytes(size - 9)
    sha = hashlib.sha256(data).hexdigest()
    files.write_blob_at(files.files_dir(ctx), data)
    with ctx.uow.write() as s:
        unit = find_local_unit(s)
        assert unit is not None
        payload = {
            "code": d.code,
            "document": "Tờ khai",
            "sha256": sha,
            "size": size,
            "pages": 1,
            "name": f"{d.code}_01_to-khai.pdf",
        }
        emit(s, unit.id, "document_digitised", payload, ctx.clock())
    return ctx, sha


def push_events(ctx: Any, url: str) -> None:
    from sync_support import FaultyTransport

    from counter_app.services.sync import Syncer
    from counter_app.sync.transport import PgTransport

    t = PgTransport(url, sslmode="disable")
    try:
        Syncer(ctx, FaultyTransport(t)).run_once()  # no file methods: events only
    finally:
        t.close()


def upload_once(server: Any, name: str, size: int, seed: int, via: Any = None) -> float:
    """Seconds for file_sync.upload() of one file of `size` bytes into a fresh central."""
    from bench_sync import fresh_central

    from counter_app.services import file_sync
    from counter_app.sync.transport import PgTransport

    admin, unit_url = fresh_central(server, name)
    with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
        ctx, sha = make_counter(Path(tmp), size, seed)
        push_events(ctx, unit_url)
        url = unit_url if via is None else via(unit_url)
        link = PgTransport(url, sslmode="disable")
        try:
            link.hello()  # connected before the clock starts
            t0 = time.perf_counter()
            report = file_sync.upload(ctx, link, budget_bytes=size + 1)
            secs = time.perf_counter() - t0
        finally:
            link.close()
            ctx.uow.engine.dispose()
    assert report.files_done == 1 and report.bytes_sent == size, report
    import psycopg

    with psycopg.connect(admin.replace("+psycopg", ""), autocommit=True) as c:
        row = c.execute("SELECT complete FROM central.files WHERE sha256 = %s", (sha,)).fetchone()
    assert row == (True,)
    server.drop_db(name)
    return secs


def insert_floor(server: Any, size: int) -> float:
    """One INSERT of the whole file as a single bytea: what the loopback link and the
    server take for those bytes at all."""
    import psycopg

    name = "bench_files_floor"
    url = server.create_db(name)
    data = random.Random(1).randbytes(size)
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as c:
        c.execute("CREATE TABLE chunks (off bigint PRIMARY KEY, data bytea NOT NULL)")
        t0 = time.perf_counter()
        c.execute("INSERT INTO chunks VALUES (0, %s)", (data,))
        secs = time.perf_counter() - t0
    server.drop_db(name)
    return secs


def run(args: argparse.Namespace) -> list[Row]:
    from bench_sync import pg_server
    from linkproxy import LinkProxy

    isolate_env()
    big = (8 if args.quick else 32) * 2**20
    small = (256 if args.quick else 1024) * 2**10
    print(
        f"# bench_file_sync — {big // 2**20} MiB on loopback, {small // 2**10} KiB at "
        f"{SLOW_RATE_BPS // 1000} kbit/s; {args.runs} runs\n\nmachine: {machine_line()}",
        flush=True,
    )
    rows: list[Row] = []
    with pg_server(args.fsync) as server:
        times, floors = [], []
        for r in range(args.runs):
            times.append(upload_once(server, f"bench_files_{r}", big, r))
            floors.append(insert_floor(server, big))
            print(f"  run {r + 1}: {times[-1]:.2f} s (one INSERT {floors[-1]:.2f} s)", flush=True)
        secs, floor = statistics.median(times), statistics.median(floors)
        rows.append(
            Row(
                what=f"upload {big // 2**20} MiB in 256 KiB chunks, loopback",
                measured=f"{big / 2**20 / secs:.1f} MiB/s",
                floor=f"{big / 2**20 / floor:.1f} MiB/s",
                ratio=f"{floor / secs * 100:.0f} %",
                budget="",
                verdict="info",
                note=f"median of {args.runs}; {secs:.2f} s, floor one INSERT of the whole file",
            )
        )
        with LinkProxy(
            "127.0.0.1", server.pg.port, rate_bps=SLOW_RATE_BPS, latency_s=SLOW_LATENCY_S
        ) as link:

            def via(url: str) -> str:
                return re.sub(r"@127\.0\.0\.1:\d+/", f"@127.0.0.1:{link.port}/", url)

            up0 = link.bytes_up
            # The events were pushed before, straight to the server: through the proxy go
            # the upload's connection (hello) and the upload, which alone is timed.
            secs = upload_once(server, "bench_files_slow", small, 99, via)
            up = link.bytes_up - up0
        share = small * 8 / secs / SLOW_RATE_BPS
        rows.append(
            Row(
                what=(
                    f"upload {small // 2**10} KiB at {SLOW_RATE_BPS // 1000} kbit/s, "
                    f"{SLOW_LATENCY_S * 1000:.0f} ms one way"
                ),
                measured=f"{small / 1024 / secs:.1f} KiB/s ({secs:.1f} s)",
                floor=f"{SLOW_RATE_BPS / 8 / 1024:.1f} KiB/s (line rate)",
                ratio=f"{share * 100:.0f} %",
                budget=f"≥ {BUDGET_LINE_SHARE * 100:.0f} %",
                verdict="pass" if share >= BUDGET_LINE_SHARE else "MISS",
                note=(
                    f"{up / 1024:.0f} KiB crossed the proxy up (connection, hello, upload) "
                    f"for a {small // 1024} KiB file: chunks go as binary bytea"
                ),
            )
        )
    print_rows("file upload", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--fsync", action="store_true")
    p.add_argument("--results", type=Path, help="append the result rows to this JSON file")
    # run_all.py passes every bench these; this one makes its own data.
    p.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--dossiers", type=int, help=argparse.SUPPRESS)
    p.add_argument("--per-day", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    rows = run(args)
    save_rows(args.results, rows)
    return 0 if all(r.verdict != "MISS" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

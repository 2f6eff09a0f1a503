"""Run every benchmark on one database and print one Markdown table.

    uv run python bench/run_all.py            # 1,000,000 dossiers (built once, then reused)
    uv run python bench/run_all.py --quick    # 20,000 dossiers: a smoke run
    uv run python bench/run_all.py --sync-central-dossiers 8000000   # sync at full scale

Builds (or reuses) the database with make_db.py, then runs bench_intake, bench_lookup,
bench_memory, bench_startup, bench_ticket, bench_sync, bench_day_close and bench_keys, each
in its own fresh interpreter so that one does not warm caches for the next; each appends its
rows to a JSON file that this script turns into the table: what | measured (p50 / p95) |
floor | ratio | budget | verdict. Each script's own output (floors, notes, EXPLAIN of slow
queries) is printed as it runs. bench_sync starts its own PostgreSQL and ignores the SQLite
database; bench_day_close builds its own (2,000 dossiers on one day, once, ~12 min);
bench_keys drives the counter window offscreen on a fresh demo database (~10 s).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    BENCH_DIR,
    OUT_DIR,
    ROOT,
    default_db,
    machine,
    markdown_table,
    resolve_size,
)
from make_db import DEFAULT_PER_DAY, build_or_reuse

BENCHES = (
    "bench_intake.py",
    "bench_lookup.py",
    "bench_memory.py",
    "bench_startup.py",
    "bench_ticket.py",
    "bench_sync.py",
    "bench_day_close.py",  # builds its own database (2,000 dossiers on one day)
    "bench_keys.py",  # the counter window by real key events, on its own demo database
    "bench_file_sync.py",  # digitised files to central (issue 15); its own PostgreSQL
    "bench_address.py",  # the 2025 units (issue 16): load, completion, conversion; no database
    "bench_cli_startup.py",  # one process per CLI command (issue 17), on its own demo database
)
# bench_sync.py starts its own PostgreSQL and pre-fills a central database; the default here
# is a reduced central (about 3 minutes of filling); --sync-central-dossiers 8000000 is the
# DESIGN.md scale (five years of a province, ~20 GiB, ~15 minutes with the rest of the bench).
SYNC_CENTRAL_DEFAULT = 2_000_000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="20,000 dossiers")
    p.add_argument("--dossiers", type=int, default=None)
    p.add_argument("--db", type=Path, default=None)
    p.add_argument("--per-day", type=int, default=DEFAULT_PER_DAY, help="see make_db.py")
    p.add_argument("--only", nargs="*", default=None, help="e.g. --only bench_lookup.py")
    p.add_argument(
        "--sync-central-dossiers",
        type=int,
        default=None,
        help=f"bench_sync's pre-filled central (default {SYNC_CENTRAL_DEFAULT:,}; quick: its own)",
    )
    args = p.parse_args(argv)
    n = resolve_size(args)
    db = (args.db or default_db(n)).resolve()
    m = machine()
    print(f"# bench/run_all.py — {n:,} dossiers\n")
    print(
        f"machine: {m['cores']} cores ({m['cpu']}), {m['memory']} RAM, {m['os']}; "
        f"Python {m['python']}; SQLite {m['sqlite']}\n",
        flush=True,
    )
    t0 = time.perf_counter()
    meta = build_or_reuse(db, n, per_day=args.per_day)
    built = "reused (built earlier in" if meta["reused"] else "built in"
    db_line = (
        f"database: {db} — {n:,} dossiers, {meta.get('size_mb', '?'):,} MB, "
        f"{meta.get('first_day')} … {meta.get('last_day')} ({meta.get('working_days')} working "
        f"days × {args.per_day:,}); {built} {meta['build_s']} s"
        + (")" if meta["reused"] else "")
        + f" [this step {time.perf_counter() - t0:.1f} s]"
    )
    print(db_line, flush=True)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=OUT_DIR, delete=False) as f:
        results = Path(f.name)
    results.unlink()
    failures = []
    timings = {}
    for script in args.only or BENCHES:
        cmd = [
            sys.executable,
            str(BENCH_DIR / script),
            "--db",
            str(db),
            "--dossiers",
            str(n),
            "--results",
            str(results),
            "--per-day",
            str(args.per_day),
        ]
        if args.quick and script == "bench_lookup.py":
            cmd.append("--force-explain")  # exercise the EXPLAIN / fix code path in a smoke run
        if script == "bench_sync.py":
            if args.quick:
                cmd.append("--quick")
            central = args.sync_central_dossiers
            if central is None and not args.quick:
                central = SYNC_CENTRAL_DEFAULT
            if central is not None:
                cmd += ["--central-dossiers", str(central)]
        print(
            f"\n$ {' '.join(Path(c).name if c == sys.executable else c for c in cmd)}", flush=True
        )
        t1 = time.perf_counter()
        r = subprocess.run(cmd, cwd=ROOT)
        timings[script] = time.perf_counter() - t1
        if r.returncode != 0:
            failures.append(f"{script} exited {r.returncode}")
    rows = json.loads(results.read_text(encoding="utf-8")) if results.exists() else []
    results.unlink(missing_ok=True)

    print("\n\n# Summary\n")
    print(
        f"machine: {m['cores']} cores ({m['cpu']}), {m['memory']} RAM, {m['os']}; "
        f"Python {m['python']}; SQLite {m['sqlite']}"
    )
    print(db_line)
    print("bench times: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + "\n")
    print(markdown_table(rows))
    notes = [f"- {r['what']}: {r['note']}" for r in rows if r.get("note")]
    if notes:
        print("\nNotes:\n" + "\n".join(notes))
    missed = [r["what"] for r in rows if r["verdict"] == "MISS"]
    print(f"\nbudgets missed: {len(missed)}" + ("".join(f"\n- {w}" for w in missed)))
    if failures:
        print("\nFAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Shared helpers for the bench/ scripts: paths, statistics, result rows, machine facts.

Benchmarks print figures; they never assert. Each script can also append its rows to a
JSON file (`--results FILE`) so that run_all.py can print one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
FULL_DOSSIERS = 1_000_000
QUICK_DOSSIERS = 20_000

if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/ first, not the project
    sys.path.insert(0, str(ROOT))


def default_db(dossiers: int) -> Path:
    return OUT_DIR / f"bench-{dossiers}.db"


def add_common_args(p: argparse.ArgumentParser, *, db: bool = True) -> None:
    p.add_argument("--quick", action="store_true", help=f"smoke run at {QUICK_DOSSIERS:,} dossiers")
    p.add_argument("--dossiers", type=int, default=None, help=f"default {FULL_DOSSIERS:,}")
    if db:
        p.add_argument("--db", type=Path, default=None, help="default bench/out/bench-<N>.db")
    p.add_argument(
        "--results", type=Path, default=None, help="append result rows to this JSON file"
    )
    p.add_argument(
        "--per-day", type=int, default=None, help="dossiers per working day (make_db's default)"
    )


def resolve_size(args: argparse.Namespace) -> int:
    if args.dossiers is not None:
        return int(args.dossiers)
    return QUICK_DOSSIERS if args.quick else FULL_DOSSIERS


def isolate_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """Keep benches off the user's config and data dir: logs go to bench/out/appdata."""
    target = os.environ if env is None else env
    target.setdefault("COUNTER_APP_DATA_DIR", str(OUT_DIR / "appdata"))
    target.setdefault("COUNTER_APP_CONFIG", str(OUT_DIR / "no-config.toml"))
    return dict(target)


def ensure_db(args: argparse.Namespace) -> Path:
    """The benchmark database at the requested size, built (or reused) by make_db.py."""
    from make_db import DEFAULT_PER_DAY, build_or_reuse  # bench/ is on sys.path here

    n = resolve_size(args)
    path = args.db or default_db(n)
    build_or_reuse(path, n, per_day=getattr(args, "per_day", None) or DEFAULT_PER_DAY)
    return path


# --- statistics -------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): p95 of 200 samples is the 190th smallest."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = max(1, math.ceil(q / 100 * len(xs)))
    return xs[k - 1]


def p50(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    return pct(values, 95)


def p99(values: Sequence[float]) -> float:
    return pct(values, 99)


def ms(seconds: float) -> float:
    return seconds * 1000.0


def time_calls(fn: Callable[[], Any], n: int, warmup: int = 5) -> list[float]:
    """Wall time of n calls of fn, in milliseconds, after a few untimed warm-up calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def fmt_ms(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if x >= 100:
        return f"{x:,.0f} ms"
    if x >= 10:
        return f"{x:.1f} ms"
    if x >= 1:
        return f"{x:.2f} ms"
    return f"{x:.3f} ms"


# --- result rows ------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    measured: str  # "p50 / p95" or a single figure, already formatted
    floor: str
    ratio: str
    budget: str
    verdict: str  # "pass", "MISS", or "info" (no budget)
    note: str = ""


def verdict(value: float, limit: float | None) -> str:
    if limit is None:
        return "info"
    return "pass" if value < limit else "MISS"


def ratio_text(value: float, floor: float | None) -> str:
    if not floor or floor <= 0 or math.isnan(value):
        return "—"
    return f"{value / floor:.1f}×"


def pair(xs: Sequence[float]) -> str:
    """ "p50 / p95" of samples in ms."""
    return f"{fmt_ms(p50(xs))} / {fmt_ms(p95(xs))}"


def triple(xs: Sequence[float]) -> str:
    """ "p50 / p95 / p99" of samples in ms."""
    return f"{pair(xs)} / {fmt_ms(p99(xs))}"


def ratio_pair(m50: float, m95: float, f50: float, f95: float) -> str:
    """Measured over floor, p50 to p50 and p95 to p95."""
    if f50 <= 0 or f95 <= 0:
        return "—"
    return f"{m50 / f50:.1f}× / {m95 / f95:.1f}×"


def save_rows(path: Path | None, rows: list[Row]) -> None:
    if path is None:
        return
    existing: list[dict[str, Any]] = []
    if path.exists():
        existing = json.loads(path.read_text(encoding="utf-8"))
    existing.extend(asdict(r) for r in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(existing, ensure_ascii=False, indent=1), encoding="utf-8")


def markdown_table(rows: Sequence[Row | dict[str, Any]]) -> str:
    head = (
        "| what | measured (p50 / p95) | floor (p50 / p95) | ratio (p50 / p95) | budget | verdict |"
    )
    lines = [head, "|---|---|---|---|---|---|"]
    for r in rows:
        d = asdict(r) if isinstance(r, Row) else r
        lines.append(
            f"| {d['what']} | {d['measured']} | {d['floor']} | {d['ratio']} | {d['budget']} "
            f"| {d['verdict']} |"
        )
    return "\n".join(lines)


def print_rows(title: str, rows: list[Row]) -> None:
    print(f"\n## {title}\n")
    print(markdown_table(rows))
    notes = [f"- {r.what}: {r.note}" for r in rows if r.note]
    if notes:
        print()
        print("\n".join(notes))


# --- machine ----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    mem = ""
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    except ImportError:
        pass
    return {
        "cores": str(cores),
        "cpu": cpu,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def machine_line() -> str:
    m = machine()
    return (
        f"{m['cores']} cores ({m['cpu']}), {m['memory']} RAM, {m['os']}, "
        f"Python {m['python']}, SQLite {m['sqlite']}"
    )


def warm_os_cache(db: Path) -> str:
    """Read the database (and its -wal) through once, so that the timed look-ups and saves
    find its pages in the OS cache as a counter's do after a while; a file too large to stay
    cached is left. Returns the line the bench's note prints."""
    files = [f for f in (db, db.with_name(db.name + "-wal")) if f.exists()]
    size = sum(f.stat().st_size for f in files)
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not on this OS: do not guess
        return "OS cache not warmed (memory size unknown here)"
    if size > memory / 2:
        return (
            f"OS cache not warmed: {size / 2**30:.1f} GiB does not fit in half of "
            f"{memory / 2**30:.1f} GiB of memory; first reads come from disk"
        )
    t0 = time.perf_counter()
    buf = bytearray(8 << 20)
    for f in files:
        with f.open("rb", buffering=0) as fh:
            while fh.readinto(buf):
                pass
    return f"OS cache warmed: read {size / 1e6:,.0f} MB once in {time.perf_counter() - t0:.1f} s"

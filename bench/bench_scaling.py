"""How the save and the look-ups grow with the database: 10 k, 100 k and 1 M dossiers.

    uv run python bench/bench_scaling.py                      # 10k, 100k, 1M in bench/out
    uv run python bench/bench_scaling.py --dir /data/bench    # where the databases live
    uv run python bench/bench_scaling.py --sizes 10000,100000 # a quick look

For each size the database is built (or reused) by make_db.py, then bench_intake.py and
bench_lookup.py run on it, each in a fresh interpreter as run_all.py runs them, and at the
largest size bench_startup.py measures the cold start of the window. This script reads their
rows back (`--results`) and prints one table: save, open a dossier by code, search by code,
the slowest name-search pattern, each p50 / p95, and how each p95 grew against the smallest
size. Flat or logarithmic growth is what an indexed design gives (DESIGN.md §8: the figures
hold at 1 M and stay usable at 10 M); a figure that grows with N points at a scan.

10,000,000 is not among the defaults, only because its build takes over an hour and ~55 GB:
`--sizes 10000,100000,1000000,10000000`. One unit cannot hold that many (its codes' yymmdd
reads back as 20yy, its register allows 99,999 a year), so make_db.py puts it in five units
of 2 M, each with its own codes, day sequences and register, all receiving on the same days;
the app works as the first (the demo unit), and its look-ups search all of them. The
sizes already built (same generator and schema head) are reused. Each run adds its own
intake iterations (today's date) to the database, as bench_intake.py does.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH_DIR, OUT_DIR, ROOT, Row, fmt_ms, machine_line, print_rows, save_rows
from make_db import DEFAULT_PER_DAY, build_or_reuse

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
_MS = re.compile(r"([\d,]+(?:\.\d+)?) ms")


def figures(text: str) -> list[float]:
    """The millisecond figures of a measured cell as fmt_ms wrote them ("1,021 ms" → 1021.0)."""
    return [float(m.replace(",", "")) for m in _MS.findall(text)]


def child(script: str, args: list[str]) -> list[dict[str, Any]]:
    """One bench in a fresh interpreter; its rows as it saved them."""
    with tempfile.TemporaryDirectory(prefix="scaling-") as tmp:
        out = Path(tmp) / "rows.json"
        cmd = [sys.executable, str(BENCH_DIR / script), *args, "--results", str(out)]
        print(f"$ {' '.join(cmd[1:])}", flush=True)
        subprocess.run(cmd, check=True, cwd=ROOT)
        rows: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
        return rows


def pick(rows: list[dict[str, Any]], needle: str) -> dict[str, Any]:
    for r in rows:
        if needle in r["what"]:
            return r
    raise LookupError(f"no row with {needle!r} in {[r['what'] for r in rows]}")


def name_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        r
        for r in rows
        if "search by" in r["what"]
        and not any(k in r["what"] for k in ("by code", "citizen ID", "phone"))
    ]


def measure(path: Path, n: int, args: argparse.Namespace) -> dict[str, Any]:
    common = ["--dossiers", str(n), "--db", str(path)]
    intake = child("bench_intake.py", [*common, "--iterations", str(args.iterations)])
    lookup = child("bench_lookup.py", [*common, "--queries", str(args.queries), "--no-explain"])
    save = pick(intake, "register()")
    names = name_rows(lookup)
    worst = max(names, key=lambda r: figures(r["measured"])[1])
    return {
        "n": n,
        "save": figures(save["measured"]),
        "save_floor": figures(save["floor"]),
        "open": figures(pick(lookup, "get_dossier by code")["measured"]),
        "code": figures(pick(lookup, "search by code")["measured"]),
        "name": figures(worst["measured"]),
        "name_what": worst["what"].split(": ", 1)[1].split(" @ ")[0],
    }


def growth(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base > 0 and not math.isnan(value) else "—"


def table(results: list[dict[str, Any]]) -> list[Row]:
    base = results[0]
    rows = []
    for key, label in (
        ("save", "save a dossier (`register`, fsync'd)"),
        ("open", "open a dossier by code (full view)"),
        ("code", "search by code"),
        ("name", "slowest name-search pattern"),
    ):
        for r in results:
            p50, p95 = r[key][0], r[key][1]
            note = f"pattern: {r['name_what']}" if key == "name" else ""
            floor = "—"
            if key == "save":
                floor = f"{fmt_ms(r['save_floor'][0])} / {fmt_ms(r['save_floor'][1])} bare insert"
            rows.append(
                Row(
                    what=f"scaling: {label} @ {r['n']:,}",
                    measured=f"{fmt_ms(p50)} / {fmt_ms(p95)}",
                    floor=floor,
                    ratio=f"p95 {growth(p95, base[key][1])} of {base['n']:,}'s",
                    budget="flat or logarithmic",
                    verdict="info",
                    note=note,
                )
            )
    return rows


def compact(results: list[dict[str, Any]]) -> str:
    """One line per size (the README's scaling table): p50 / p95, and p95's growth."""
    base = results[0]
    lines = [
        "| dossiers | save (`register`) | bare insert | open by code | search by code "
        "| slowest name pattern |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        cells = [
            f"{fmt_ms(r[k][0])} / {fmt_ms(r[k][1])} ({growth(r[k][1], base[k][1])})"
            for k in ("save", "save_floor", "open", "code", "name")
        ]
        lines.append(f"| {r['n']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--sizes",
        default=",".join(str(n) for n in DEFAULT_SIZES),
        help="comma-separated dossier counts, smallest first",
    )
    p.add_argument("--dir", type=Path, default=OUT_DIR, help="where bench-<N>.db live")
    p.add_argument("--iterations", type=int, default=100, help="saves at each size")
    p.add_argument("--queries", type=int, default=300, help="look-ups of each kind at each size")
    p.add_argument("--startup-runs", type=int, default=5)
    p.add_argument("--no-startup", action="store_true", help="skip the start-up at the largest")
    p.add_argument("--results", type=Path, default=None, help="append the rows to this JSON")
    args = p.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    results = []
    for n in sizes:
        path = args.dir / f"bench-{n}.db"
        build_or_reuse(path, n, per_day=DEFAULT_PER_DAY)
        results.append(measure(path, n, args))
    rows = table(results)
    if not args.no_startup:
        n = sizes[-1]
        start = child(
            "bench_startup.py",
            [
                "--dossiers",
                str(n),
                "--db",
                str(args.dir / f"bench-{n}.db"),
                "--runs",
                str(args.startup_runs),
            ],
        )
        rows.extend(
            Row(**{**r, "what": r["what"].replace("startup:", "scaling: startup,")}) for r in start
        )
    print(f"\nmachine: {machine_line()}")
    print_rows("scaling", rows)
    print(f"\n## scaling, one line per size (p50 / p95; p95 against {sizes[0]:,})\n")
    print(compact(results))
    save_rows(args.results, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

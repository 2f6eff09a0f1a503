"""The command line's start-up: one process per command, as scripts drive it (DESIGN.md §4).

    uv run python bench/bench_cli_startup.py                 # this tree
    uv run python bench/bench_cli_startup.py --base DIR      # also a tree at DIR, interleaved

Builds a demo database (`counter-app init --demo`) in a temporary folder, then times, from
just before the spawn to the child's exit, a fresh interpreter (the venv's python, not
`uv run`) running `--version`, `--json address info`, `--json show CODE` and `--json report`
(median and p95 of 7 runs each, runs of the different commands interleaved). Floor: the same
interpreter running `-c pass`, in the same run. `--base DIR` puts DIR (holding a
counter_app package, e.g. `git archive <commit> counter_app`) first on PYTHONPATH and times
it in the same rounds, for a before/after. No budget in DESIGN.md §8: info rows.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, fmt_ms, isolate_env, p50, p95, print_rows, save_rows

RUNS = 7
LAUNCH = "import sys; from counter_app.start import main; sys.argv[0] = 'counter-app'; main()"


def _spawn(argv: list[str], env: dict[str, str], cwd: str) -> float:
    t0 = time.perf_counter()
    # cwd: `python -c` puts the working directory first on sys.path, before PYTHONPATH.
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = (time.perf_counter() - t0) * 1000.0
    if done.returncode != 0:
        raise SystemExit(f"{argv[2:]} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=RUNS)
    p.add_argument("--base", type=Path, default=None, help="a tree to time beside this one")
    p.add_argument("--results", type=Path, default=None, help="append rows to this JSON file")
    p.add_argument("--quick", action="store_true", help="(accepted for run_all; no effect)")
    p.add_argument("--dossiers", type=int, default=None, help="(accepted; a demo db is used)")
    p.add_argument("--db", type=Path, default=None, help="(accepted; a demo db is used)")
    p.add_argument("--per-day", type=int, default=None, help="(accepted; no effect)")
    args = p.parse_args(argv)
    env = isolate_env(dict(os.environ))
    env.pop("PYTHONPATH", None)
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="cli-startup-") as tmp:
        db = str(Path(tmp) / "demo.db")
        subprocess.run(
            [py, "-c", LAUNCH, "init", "--demo", "--db", db],
            env=env,
            check=True,
            capture_output=True,
        )
        import sqlite3

        with sqlite3.connect(db) as conn:
            code = conn.execute("SELECT code FROM dossiers ORDER BY id LIMIT 1").fetchone()[0]
        commands = {
            "`--version`": ["--version"],
            "`--json address info`": ["--json", "address", "info", "--db", db],
            "`--json show CODE`": ["--json", "show", code, "--db", db],
            "`--json report`": [
                "--json",
                "report",
                "--from",
                "2026-01-01",
                "--to",
                "2026-12-31",
                "--db",
                db,
            ],
        }
        trees: dict[str, dict[str, str]] = {"this tree": env}
        if args.base is not None:
            trees = {"base": {**env, "PYTHONPATH": str(args.base.resolve())}, **trees}
        times: dict[tuple[str, str], list[float]] = {}
        floor: list[float] = []
        for _ in range(args.runs):
            floor.append(_spawn([py, "-c", "pass"], env, tmp))
            for tree, tenv in trees.items():
                for what, cmd in commands.items():
                    times.setdefault((tree, what), []).append(
                        _spawn([py, "-c", LAUNCH, *cmd], tenv, tmp)
                    )
    f50, f95 = p50(floor), p95(floor)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = []
    for (tree, what), xs in times.items():
        label = f"CLI start-up {what}" + (f" ({tree})" if args.base is not None else "")
        rows.append(
            Row(
                what=label,
                measured=f"{fmt_ms(p50(xs))} / {fmt_ms(p95(xs))}",
                floor=f"{fmt_ms(f50)} / {fmt_ms(f95)} bare `python -c pass`",
                ratio=f"{p50(xs) / f50:.1f}× / {p95(xs) / f95:.1f}×",
                budget="—",
                verdict="info",
                note=f"median of {len(xs)}, load average {load:.2f}",
            )
        )
    print_rows("CLI start-up (one process per command)", rows)
    save_rows(args.results, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

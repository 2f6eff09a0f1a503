"""Cold start to a usable main window, on a database of N dossiers (QT_QPA_PLATFORM=offscreen).

    uv run python bench/bench_startup.py            # 1,000,000 dossiers (built/reused)
    uv run python bench/bench_startup.py --quick    # 20,000

Each run spawns a fresh interpreter (the venv's python, not `uv run`) on
bench/_startup_child.py and measures the wall time from just before the spawn to the
child's "idle" mark: counter_app.ui.main.build_main_window(ctx, user) shown and a
QTimer.singleShot(0) fired by the event loop. Median of 7 runs; budget 1.5 s
(DESIGN.md §8). The child also reports its phases, and when today's list (loaded on a
worker thread after show) reached the window. If build_main_window does not exist the
script measures up to services ready + PySide6.QtWidgets imported + QApplication created,
and says so. Floor: a bare interpreter that imports PySide6.QtWidgets, creates a
QApplication and shows an empty QMainWindow until idle.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    BENCH_DIR,
    ROOT,
    Row,
    add_common_args,
    ensure_db,
    fmt_ms,
    isolate_env,
    machine_line,
    print_rows,
    resolve_size,
    save_rows,
    verdict,
)

BUDGET_MS = 1500.0
FLOOR_CHILD = r"""
import time, sys
t0 = time.perf_counter()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1366, 768); w.show()
def idle():
    print("READY", flush=True); app.quit()
QTimer.singleShot(0, idle)
app.exec()
"""


def has_build_main_window(env: dict[str, str]) -> bool:
    code = (
        "import counter_app.ui.main as m, sys; "
        "sys.exit(0 if hasattr(m, 'build_main_window') else 3)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, timeout=120
    )
    return r.returncode == 0


def spawn(
    args: list[str], env: dict[str, str], marker: str = "READY"
) -> tuple[float, dict[str, float], float | None]:
    """Wall ms from spawn to the marker line; the child's marks; wall ms to IDLE if printed."""
    t0 = time.perf_counter()
    p = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    marks: dict[str, float] = {}
    idle_ms = None
    assert p.stdout is not None
    for line in p.stdout:
        if line.startswith("IDLE"):
            idle_ms = (time.perf_counter() - t0) * 1e3
        if line.startswith(marker):
            wall = (time.perf_counter() - t0) * 1e3
            rest = line[len(marker) :].strip()
            marks = json.loads(rest) if rest else {}
            break
    else:
        err = p.stderr.read() if p.stderr else ""
        p.wait()
        raise RuntimeError(f"child ended without {marker}: {err[-2000:]}")
    p.wait(timeout=60)
    return wall, marks, idle_ms


def run(args: argparse.Namespace) -> list[Row]:
    n_dossiers = resolve_size(args)
    db = ensure_db(args)
    env = isolate_env(dict(os.environ))
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("PYTHONPATH", str(ROOT))
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    url = f"sqlite:///{db}"
    full = has_build_main_window(env)
    mode = "window" if full else "qapp"
    child = [sys.executable, str(BENCH_DIR / "_startup_child.py"), url, mode]
    spawn(child, env)  # one untimed run: .pyc files written, OS file cache warm
    walls, idles, phases = [], [], []
    for _ in range(args.runs):
        wall, marks, idle_ms = spawn(child, env)
        walls.append(idle_ms if idle_ms is not None else wall)
        idles.append(wall)
        phases.append(marks)
    floors = [spawn([sys.executable, "-c", FLOOR_CHILD], env)[0] for _ in range(args.runs)]
    med, fl = statistics.median(walls), statistics.median(floors)
    what = (
        "startup: cold start to main window shown + event loop idle"
        if full
        else "startup: services ready + QtWidgets imported + QApplication (NO main window yet)"
    )
    keys = sorted(
        {k for m in phases for k in m},
        key=lambda k: statistics.median([m[k] for m in phases if k in m]),
    )
    phase_txt = ", ".join(
        f"{k} {statistics.median([m[k] for m in phases if k in m]) * 1e3:.0f}" for k in keys
    )
    last_mark = statistics.median([m.get("idle", m.get("services_ready", 0.0)) for m in phases])
    pre_ms = max(0.0, med - last_mark * 1e3)
    rows = [
        Row(
            what=f"{what} @ {n_dossiers:,}",
            measured=f"{fmt_ms(med)} median of {args.runs} "
            f"(min {fmt_ms(min(walls))}, max {fmt_ms(max(walls))})",
            floor=f"{fmt_ms(fl)} median (python + QApplication + empty window)",
            ratio=f"{med / fl:.1f}× (medians)",
            budget=f"< {BUDGET_MS:,.0f} ms",
            verdict=verdict(med, BUDGET_MS),
            note=(
                "child phases, ms since its first line (medians): "
                + phase_txt
                + (
                    "; today_list_filled = the worker-thread query for today's list reached the "
                    "window"
                    if any("today_list_filled" in m for m in phases)
                    else ""
                )
                + f"; interpreter start before the child's first line ≈ {pre_ms:.0f} ms"
            ),
        )
    ]
    if full and any("today_list_filled" in m for m in phases):
        filled = [w for w, m in zip(idles, phases, strict=True) if "today_list_filled" in m]
        rows.append(
            Row(
                what=f"startup: … until today's list is filled @ {n_dossiers:,}",
                measured=f"{fmt_ms(statistics.median(filled))} (median of {len(filled)})",
                floor="—",
                ratio="—",
                budget="—",
                verdict="info",
            )
        )
    print(f"\nmachine: {machine_line()}")
    print(f"database: {db}")
    if not full:
        print(
            "NOTE: counter_app.ui.main.build_main_window is not available: measured only up to "
            "services ready + PySide6.QtWidgets imported + QApplication created."
        )
    print_rows("startup", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(p)
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

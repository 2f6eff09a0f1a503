"""Resident memory of a fresh process working on a database of N dossiers (budget < 300 MB).

    uv run python bench/bench_memory.py            # 1,000,000 dossiers (built/reused)
    uv run python bench/bench_memory.py --quick    # 20,000

A fresh interpreter opens the database through build_context, runs 100 look-ups
(50 get_dossier by code, 10 searches each by code, citizen ID, phone, and 20 by applicant
name) and 20 saves (intake.register) each rendered as Mẫu 01 PDF and label PNG. psutil
RSS is read after start, after opening, after the look-ups and at the end; the peak is
getrusage's ru_maxrss. A second run creates a PySide6 QApplication first (offscreen), closer
to the GUI process. Floor: a
bare interpreter that imports sqlalchemy, reportlab, PIL and python-barcode and opens the
same file with sqlite3.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

BUDGET_MB = 300.0

CHILD = r"""
import json, resource, sys, gc
import psutil
proc = psutil.Process()
def mb(): return proc.memory_info().rss / 2**20
plan = json.load(open(sys.argv[1]))
out = {"start": mb()}
if len(sys.argv) > 2 and sys.argv[2] == "qt":
    from PySide6.QtWidgets import QApplication
    qapp = QApplication(sys.argv[:1])
from counter_app.app import build_context
from counter_app.services import lookup
from counter_app.services.intake import parse_intake, register
from counter_app.printing.forms import render_receipt
from counter_app.printing.labels import render_label
ctx = build_context(db=plan["url"])
out["opened"] = mb()
for code in plan["codes"]:
    lookup.get_dossier(ctx, code)
for q in plan["searches"]:
    lookup.search(ctx, q)
out["after_lookups"] = mb()
for raw in plan["intakes"]:
    view = register(ctx, [parse_intake(raw)], "canbo1")[0]
    render_receipt(view)
    render_label(view, "png")
gc.collect()
out["end"] = mb()
out["peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:
    out["uss_end"] = proc.memory_full_info().uss / 2**20
except Exception:
    pass
print("RESULT " + json.dumps(out), flush=True)
"""

FLOOR = r"""
import json, resource, sys, sqlite3
import psutil
import sqlalchemy, reportlab.pdfgen.canvas, PIL.Image, barcode
c = sqlite3.connect(sys.argv[1]); c.execute("SELECT count(*) FROM units").fetchone()
print("RESULT " + json.dumps({"end": psutil.Process().memory_info().rss / 2**20,
      "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
"""


def _result(cmd: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=1800)
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[7:]))
    raise RuntimeError(f"child failed ({r.returncode}): {r.stderr[-3000:]}")


def run(args: argparse.Namespace) -> list[Any]:
    from _common import (
        ROOT,
        Row,
        ensure_db,
        isolate_env,
        machine_line,
        print_rows,
        resolve_size,
        verdict,
    )
    from bench_intake import make_requests
    from bench_lookup import sample_inputs

    n_dossiers = resolve_size(args)
    db = ensure_db(args)
    env = isolate_env(dict(os.environ))
    env.setdefault("PYTHONPATH", str(ROOT))
    inputs = sample_inputs(db, 60, seed=23)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    procs = [
        r[0] for r in conn.execute("SELECT DISTINCT code FROM procedures WHERE is_current = 1")
    ]
    conn.close()
    rng = random.Random(29)
    plan = {
        "url": f"sqlite:///{db}",
        "codes": inputs["code"][:50],
        "searches": (
            inputs["code"][50:60]
            + inputs["id"][:10]
            + inputs["phone"][:10]
            + inputs["name_common"][:5]
            + inputs["name_single"][:5]
            + inputs["name_full"][:10]
        ),
        "intakes": make_requests(20, procs, seed=rng.randint(0, 10**6)),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(plan, f, ensure_ascii=False)
        plan_path = f.name
    try:
        t0 = time.perf_counter()
        res = _result([sys.executable, "-c", CHILD, plan_path], env, ROOT)
        took = time.perf_counter() - t0
        qt_env = dict(env, QT_QPA_PLATFORM="offscreen")
        plan_qt = dict(plan, intakes=make_requests(20, procs, seed=rng.randint(0, 10**6)))
        with open(plan_path, "w", encoding="utf-8") as f:
            json.dump(plan_qt, f, ensure_ascii=False)
        res_qt = _result([sys.executable, "-c", CHILD, plan_path, "qt"], qt_env, ROOT)
    finally:
        os.unlink(plan_path)
    floor = _result([sys.executable, "-c", FLOOR, str(db)], env, ROOT)
    worst = max(res["end"], res["peak"])
    rows = [
        Row(
            what=f"memory: RSS after open + 100 look-ups + 20 saves/renders @ {n_dossiers:,}",
            measured=f"{res['end']:.0f} MB (peak {res['peak']:.0f} MB)",
            floor=f"{floor['end']:.0f} MB (python + sqlalchemy, reportlab, PIL, barcode + sqlite3)",
            ratio=f"{res['end'] / floor['end']:.1f}× (end RSS)",
            budget=f"< {BUDGET_MB:.0f} MB",
            verdict=verdict(worst, BUDGET_MB),
            note=(
                f"RSS at start {res['start']:.0f} MB, opened {res['opened']:.0f} MB, after "
                f"look-ups {res['after_lookups']:.0f} MB, end {res['end']:.0f} MB"
                + (f", USS {res['uss_end']:.0f} MB" if "uss_end" in res else "")
                + f"; verdict on max(end, peak); child ran {took:.1f} s; no Qt loaded"
            ),
        ),
        Row(
            what="memory: same, with PySide6 QApplication created first (offscreen) "
            f"@ {n_dossiers:,}",
            measured=f"{res_qt['end']:.0f} MB (peak {res_qt['peak']:.0f} MB)",
            floor="—",
            ratio="—",
            budget=f"< {BUDGET_MB:.0f} MB",
            verdict=verdict(max(res_qt["end"], res_qt["peak"]), BUDGET_MB),
            note="closer to the GUI process (no widgets yet)",
        ),
    ]
    print(f"\nmachine: {machine_line()}")
    print(f"database: {db}")
    print_rows("memory", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    from _common import add_common_args, save_rows

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(p)
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

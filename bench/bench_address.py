"""Addresses in the 2025 units (issue 16): loading the list, completion, card conversion.

    uv run python bench/bench_address.py
    uv run python bench/bench_address.py --queries 5000 --seed 3

No database: domain/admin_units alone, on the generated asset.
- load: `default_units()` in a fresh interpreter (median of --runs children; the module's
  import timed apart), and in this process the JSON parse (the floor) and the build of the
  index; the target (issue 16) is < 100 ms. For comparison, the import of the two source packages
  that the first version loaded at start (development dependencies now), when installed.
- completion: `complete()` over the whole list (3,321 communes) for --queries queries drawn
  from every province: prefixes of real names from 1 letter to the whole name, half typed
  without accents, a fifth with a type word in front ("xa ", "p "), a fifth with the unit's
  own commune and province to rank first. Budget (DESIGN.md §8): p95 < 5 ms. Floor: one
  bare `str.startswith` pass over the 3,321 pre-folded names.
- conversion: `convert()` of old card addresses ("Tổ 1, <ward>, <district>, <province>") drawn
  from the converter's mapping rows (accented, with their types; the asset's folded keys
  when the package is not installed). Floor: `fold()` of the same text.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    ROOT,
    Row,
    add_common_args,
    fmt_ms,
    machine_line,
    p50,
    p95,
    pair,
    print_rows,
    ratio_pair,
    ratio_text,
    save_rows,
    verdict,
)

BUDGET_COMPLETE_MS = 5.0
TARGET_LOAD_MS = 100.0

_CHILD = (
    "import time\n"
    "t0 = time.perf_counter()\n"
    "from counter_app.domain.admin_units import default_units\n"
    "t1 = time.perf_counter()\n"
    "u = default_units()\n"
    "t2 = time.perf_counter()\n"
    "print((t2 - t1) * 1000, (t1 - t0) * 1000, len(u.communes))\n"
)
_CHILD_PACKAGES = (
    "import time\n"
    "t0 = time.perf_counter()\n"
    "import vietnam_provinces\n"
    "from vietnam_address_converter.data import DEFAULT_DATA\n"
    "print((time.perf_counter() - t0) * 1000)\n"
)


def child_runs(code: str, runs: int) -> list[list[float]]:
    """The figures each fresh interpreter prints, one list per run."""
    out = []
    for _ in range(runs):
        r = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        out.append([float(x) for x in r.stdout.split()])
    return out


def completion_queries(n: int, seed: int) -> list[tuple[str, str | None, str | None]]:
    """(typed, home commune, home province) drawn from every province's communes."""
    from counter_app.domain.admin_units import default_units
    from counter_app.domain.text import fold

    u = default_units()
    rng = random.Random(seed)
    by_prov: dict[str, list[str]] = {}
    for c in u.communes.values():
        by_prov.setdefault(c.province.code, []).append(c.code)
    provs = sorted(by_prov)
    out: list[tuple[str, str | None, str | None]] = []
    for i in range(n):
        c = u.communes[rng.choice(by_prov[provs[i % len(provs)]])]
        name = c.name.split(" ", 2)[-1] if c.name.startswith("Đặc khu") else c.name.split(" ", 1)[1]
        typed = name[: rng.randint(1, len(name))].rstrip() or name[:1]
        if i % 2:
            typed = fold(typed)
        if i % 5 == 1:
            typed = ("p " if c.name.startswith("Phường") else "xa ") + typed
        home: tuple[str | None, str | None] = (None, None)
        if i % 5 == 2:
            own = u.communes[rng.choice(by_prov[c.province.code])]
            home = (own.code, own.province.code)
        out.append((typed, *home))
    return out


def conversion_inputs(n: int, seed: int) -> tuple[list[str], str]:
    rng = random.Random(seed)
    try:
        from vietnam_address_converter.data import DEFAULT_DATA

        rows = rng.sample(DEFAULT_DATA["mapping"]["rows"], n)
        return [
            f"Tổ {i % 9 + 1}, {r['old']['ward_name']}, {r['old']['district_name']}, "
            f"{r['old']['province_name']}"
            for i, r in enumerate(rows)
        ], "the converter's mapping rows (accented, with types)"
    except ImportError:
        from counter_app.domain.admin_units import asset_path

        old = json.loads(asset_path().read_text(encoding="utf-8"))["old"]
        picked = rng.sample(old, min(n, len(old)))
        return [f"to 1, {w}, {d}, {p}" for p, d, w, *_ in picked], "the asset's folded keys"


def timed(fn, inputs):  # type: ignore[no-untyped-def]
    for x in inputs[:50]:
        fn(x)
    out = []
    for x in inputs:
        t0 = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def run(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []

    # --- load -------------------------------------------------------------------------
    print("  load in fresh interpreters …", flush=True)
    children = child_runs(_CHILD, args.runs)
    cold = [r[0] for r in children]
    imports = [r[1] for r in children]
    from counter_app.domain import admin_units as au

    raw = au.asset_path().read_bytes()
    parse = []
    build = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        data = json.loads(raw)
        t1 = time.perf_counter()
        au._NAME_KEYS.clear()
        au.from_data(data)
        t2 = time.perf_counter()
        parse.append((t1 - t0) * 1000)
        build.append((t2 - t1) * 1000)
    au.default_units.cache_clear()
    u = au.default_units()
    rows.append(
        Row(
            what="address list: default_units() in a fresh interpreter (load + index)",
            measured=f"{fmt_ms(p50(cold))} (runs {fmt_ms(min(cold))}–{fmt_ms(max(cold))})",
            floor=f"{fmt_ms(p50(parse))} JSON parse of the {len(raw) / 1e3:,.0f} kB asset",
            ratio=ratio_text(p50(cold), p50(parse)),
            budget=f"< {TARGET_LOAD_MS:g} ms (issue 16)",
            verdict=verdict(p50(cold), TARGET_LOAD_MS),
            note=f"median of {args.runs} children; the module's import before it "
            f"{fmt_ms(p50(imports))} (mostly json, re, dataclasses, which the app imports "
            f"anyway); in process: parse {fmt_ms(p50(parse))} + index {fmt_ms(p50(build))}; "
            f"{len(u.communes):,} communes, "
            f"{len(u.old_to_new):,} old-ward keys; {u.version}",
        )
    )
    try:
        old = [r[0] for r in child_runs(_CHILD_PACKAGES, max(1, args.runs // 2))]
        rows.append(
            Row(
                what="address list: import of the two source packages (before: at start)",
                measured=f"{fmt_ms(p50(old))}",
                floor="—",
                ratio=ratio_text(p50(old), p50(cold)) + " of the asset's load",
                budget="—",
                verdict="info",
                note="vietnam-provinces + vietnam-address-converter's data module, now only "
                "development dependencies (tools/build_admin_units.py)",
            )
        )
    except subprocess.CalledProcessError:
        print("  (source packages not installed: no comparison)")

    # --- completion ---------------------------------------------------------------------
    print(f"  completion, {args.queries} queries …", flush=True)
    queries = completion_queries(args.queries, args.seed)
    keys = [e.key for e in u._entries]
    from counter_app.domain.text import fold

    def floor_fn(q: tuple[str, str | None, str | None]) -> int:
        f = fold(q[0])
        return sum(1 for k in keys if k.startswith(f))

    def complete(q: tuple[str, str | None, str | None]) -> int:
        return len(u.complete(q[0], home_commune=q[1], home_province=q[2]))

    xs = timed(complete, queries)
    fl = timed(floor_fn, queries)
    hits = [complete(q) for q in queries]
    rows.append(
        Row(
            what=f"address completion over {len(u.communes):,} communes",
            measured=pair(xs),
            floor=f"{pair(fl)} (one bare startswith pass over every name)",
            ratio=ratio_pair(p50(xs), p95(xs), p50(fl), p95(fl)),
            budget=f"p95 < {BUDGET_COMPLETE_MS:g} ms",
            verdict=verdict(p95(xs), BUDGET_COMPLETE_MS),
            note="below its floor: the two-letter index avoids the full pass; "
            f"{len(xs)} queries from all 34 provinces, prefixes of 1 letter to the whole "
            f"name, half without accents, a fifth with a type word, a fifth ranked for a home "
            f"commune; max {fmt_ms(max(xs))}; mean hits {sum(hits) / len(hits):.1f}",
        )
    )

    # --- conversion ---------------------------------------------------------------------
    print(f"  conversion, {args.conversions} card addresses …", flush=True)
    cards, source = conversion_inputs(args.conversions, args.seed)
    cx = timed(u.convert, cards)
    cfl = timed(fold, cards)
    statuses: dict[str, int] = {}
    for a in cards:
        s = u.convert(a).status
        statuses[s] = statuses.get(s, 0) + 1
    rows.append(
        Row(
            what="card address conversion (old -> 2025)",
            measured=pair(cx),
            floor=f"{pair(cfl)} (fold() of the text)",
            ratio=ratio_pair(p50(cx), p95(cx), p50(cfl), p95(cfl)),
            budget="—",
            verdict="info",
            note=f"{len(cx)} addresses from {source}; "
            + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
            + f"; max {fmt_ms(max(cx))}",
        )
    )
    print(f"\nmachine: {machine_line()}")
    print_rows("address", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(p)  # run_all passes --db/--dossiers to every script; unused here
    p.add_argument("--queries", type=int, default=3000)
    p.add_argument("--conversions", type=int, default=2000)
    p.add_argument("--runs", type=int, default=7, help="fresh interpreters for the load time")
    p.add_argument("--seed", type=int, default=16)
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

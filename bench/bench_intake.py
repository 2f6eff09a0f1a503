"""Save a dossier + render Mẫu 01 + render the folder label, on a database of N dossiers.

    uv run python bench/bench_intake.py            # 1,000,000 dossiers (built/reused)
    uv run python bench/bench_intake.py --quick    # 20,000

Each iteration: `intake.register(ctx, [request], "canbo1")` (one real BEGIN IMMEDIATE …
COMMIT with the app's WAL + synchronous=FULL), `forms.render_receipt(view)` (PDF bytes)
and `labels.render_label(view, "png")`. Requests vary (procedure, applicant) and are
validated with parse_intake outside the timed part. Before a procedure's first save its
receipt is laid out ahead (printjobs.prepare_intake_paper, timed apart), as the window does on
a worker thread when the clerk picks the procedure; `--no-prepare` leaves that out, and then a
procedure's first two receipts draw every shared block in full inside the timed part.
Budgets (DESIGN.md §8): total p95 < 20 ms; Mẫu 01 ≤ 3× one reportlab page per copy (the
receipt prints 2 copies of one layout).
Floors, measured in this run and interleaved with the iterations (each iteration also times
one of each, so a shared machine's load swings hit the app and its floors alike): a bare
sqlite3 insert in its own fsync'd WAL transaction into a table of N rows, one A4 reportlab
page with a TTF font and a Code 128 barcode, one python-barcode PNG. Note: every run adds
its dossiers (today's date) to the cached DB. As in bench_lookup, the database file is read
through once first (unless --cold, or when it is larger than half the memory): a counter
that saves all day has the pages its inserts touch in the OS cache, and a shared machine
that reclaims idle page cache would otherwise put a disk read in some saves.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    Row,
    add_common_args,
    ensure_db,
    fmt_ms,
    isolate_env,
    machine_line,
    p50,
    p95,
    pair,
    print_rows,
    ratio_pair,
    resolve_size,
    save_rows,
    verdict,
    warm_os_cache,
)

BUDGET_TOTAL_MS = 20.0
BUDGET_RECEIPT_PER_COPY = 3.0  # × one reportlab page, per copy of Mẫu 01


def make_requests(n: int, proc_codes: list[str], seed: int = 5) -> list[dict[str, Any]]:
    """Raw intake objects (as the form or `counter-app intake` hands them over)."""
    from make_db import FAMILY, GIVEN_F, GIVEN_M, MIDDLE_F, MIDDLE_M, MOBILE_PREFIXES, Cum

    rng = random.Random(seed)
    fam, mf, mm_ = Cum(FAMILY[:-3]), Cum(MIDDLE_F), Cum(MIDDLE_M)
    out = []
    for _ in range(n):
        female = rng.random() < 0.5
        middle = (mf if female else mm_).pick(rng)
        name = f"{fam.pick(rng)} {middle} {rng.choice(GIVEN_F if female else GIVEN_M)}"
        year = rng.randint(1950, 2005)
        century = (0 if year < 2000 else 2) + int(female)
        idn = f"089{century}{year % 100:02d}{rng.randrange(10**6):06d}"
        out.append(
            {
                "procedure": rng.choice(proc_codes),
                "applicant": {
                    "name": name,
                    "id_number": idn,
                    "phone": f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}",
                    "address": f"Tổ {rng.randint(1, 30)}, ấp Mỹ An, xã Mỹ Hòa Hưng, tỉnh An Giang",
                },
                "sets": 1,
            }
        )
    return out


def run(args: argparse.Namespace) -> list[Row]:
    n_dossiers = resolve_size(args)
    db = ensure_db(args)
    isolate_env()
    iters = args.iterations
    cache_note = "OS cache not warmed (--cold)" if args.cold else warm_os_cache(db)
    print(f"  {cache_note}", flush=True)

    from floors import barcode_png, reportlab_page, sqlite_inserter

    print(f"floors (bare libraries): timed within each of the {iters} iterations …", flush=True)
    floor_insert, floor_conn = sqlite_inserter(n_dossiers)
    floor_steps = (floor_insert, reportlab_page, barcode_png)
    f_sql: list[float] = []
    f_pdf: list[float] = []
    f_png: list[float] = []

    t_import = time.perf_counter()
    from counter_app.app import build_context
    from counter_app.printing.forms import RECEIPT_COPIES, render_receipt
    from counter_app.printing.labels import render_label
    from counter_app.services.catalogue import list_catalogue
    from counter_app.services.intake import parse_intake, register
    from counter_app.services.printjobs import prepare_intake_paper

    import_s = time.perf_counter() - t_import
    ctx = build_context(db=f"sqlite:///{db}")
    codes = [e.procedure.code for e in list_catalogue(ctx)]
    reqs = [parse_intake(r) for r in make_requests(iters + args.warmup, codes)]

    save, receipt, label, total, prepare = [], [], [], [], []
    prepared: set[str] = set()
    first: tuple[float, float, float] | None = None
    pages = 0
    sizes = (0, 0)
    # the start-up objects (the app, SQLAlchemy, reportlab) out of the collector's way: a full
    # collection over them, paid by whichever step allocates last, would land on the app or
    # on an interleaved floor at random
    gc.collect()
    gc.freeze()
    for i, req in enumerate(reqs):
        # The window lays a procedure's receipt out when the clerk picks it, once a day, on a
        # worker thread while the applicant's details are typed (CounterWindow._prepare_receipt)
        pp = 0.0
        if args.prepare and req.procedure not in prepared:
            prepared.add(req.procedure)
            p0 = time.perf_counter()
            prepare_intake_paper(ctx, req.procedure, "canbo1")
            pp = (time.perf_counter() - p0) * 1e3
        t0 = time.perf_counter()
        view = register(ctx, [req], "canbo1")[0]
        t1 = time.perf_counter()
        pdf = render_receipt(view)
        t2 = time.perf_counter()
        png = render_label(view, "png")
        t3 = time.perf_counter()
        floor_ms = []
        for step in floor_steps:
            f0 = time.perf_counter()
            step()
            floor_ms.append((time.perf_counter() - f0) * 1e3)
        if i == 0:
            first = ((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3)
            sizes = (len(pdf), len(png))
            pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
        if i < args.warmup:
            continue
        if pp:
            prepare.append(pp)
        save.append((t1 - t0) * 1e3)
        receipt.append((t2 - t1) * 1e3)
        label.append((t3 - t2) * 1e3)
        total.append((t3 - t0) * 1e3)
        for xs, x in zip((f_sql, f_pdf, f_png), floor_ms, strict=True):
            xs.append(x)
    gc.unfreeze()
    ctx.uow.dispose()
    floor_conn.close()
    copies = len(RECEIPT_COPIES)
    prepare_note = (
        f"each procedure's receipt laid out ahead when first picked, as the window does on a "
        f"worker thread (not timed in the save): {len(prepare)} procedures, "
        f"p50 / p95 {pair(prepare)}"
        if prepare
        else "receipts not laid out ahead (--no-prepare): a procedure's first two are drawn whole"
    )
    per_copy = (p50(receipt) / copies / p50(f_pdf), p95(receipt) / copies / p95(f_pdf))

    floor_total = p50(f_sql) + p50(f_pdf) + p50(f_png)
    floor_total95 = p95(f_sql) + p95(f_pdf) + p95(f_png)
    at = f"{n_dossiers:,}"

    def row(
        what: str,
        xs: list[float],
        floor: list[float] | None,
        budget: float | None,
        floor_label: str,
        note: str = "",
    ) -> Row:
        return Row(
            what=what,
            measured=pair(xs),
            floor=f"{pair(floor)} ({floor_label})" if floor else "—",
            ratio=ratio_pair(p50(xs), p95(xs), p50(floor), p95(floor)) if floor else "—",
            budget=f"p95 < {budget:g} ms" if budget else "—",
            verdict=verdict(p95(xs), budget),
            note=note,
        )

    rows = [
        row(f"intake: register() one dossier @ {at}", save, f_sql, None, "bare fsync'd WAL insert"),
        row(
            "intake: render_receipt (Mẫu 01 PDF)", receipt, f_pdf, None, "1 A4 page, TTF + Code 128"
        ),
        Row(
            what=f"intake: Mẫu 01 per copy ({copies} copies of one layout)",
            measured=f"{fmt_ms(p50(receipt) / copies)} / {fmt_ms(p95(receipt) / copies)}",
            floor=f"{pair(f_pdf)} (1 A4 page, TTF + Code 128)",
            ratio=f"{per_copy[0]:.1f}× / {per_copy[1]:.1f}×",
            budget=f"≤ {BUDGET_RECEIPT_PER_COPY:g}× the page",
            verdict=verdict(per_copy[1], BUDGET_RECEIPT_PER_COPY + 1e-9),
        ),
        row("intake: render_label PNG", label, f_png, None, "python-barcode PNG"),
        Row(
            what=f"intake: save + receipt + label @ {at}",
            measured=pair(total),
            floor=f"{fmt_ms(floor_total)} / {fmt_ms(floor_total95)} (sum of the 3 floors)",
            ratio=ratio_pair(p50(total), p95(total), floor_total, floor_total95),
            budget=f"p95 < {BUDGET_TOTAL_MS:g} ms",
            verdict=verdict(p95(total), BUDGET_TOTAL_MS),
            note=(
                f"{iters} iterations after {args.warmup} warm-up; first iteration (cold: font "
                f"load, statement cache) save {first[0]:.1f} ms, receipt {first[1]:.1f} ms, label "
                f"{first[2]:.1f} ms; PDF {sizes[0]:,} B in {pages} pages (Liên 1 + Liên 2; the "
                f"reportlab floor is one page), PNG {sizes[1]:,} B; app import "
                f"{import_s * 1e3:.0f} ms; {cache_note}; {prepare_note}"
                if first
                else ""
            ),
        ),
    ]
    print(f"\nmachine: {machine_line()}")
    print(prepare_note)
    print(f"database: {db}")
    print(
        f"floors p50 / p95: sqlite insert {fmt_ms(p50(f_sql))} / {fmt_ms(p95(f_sql))}; "
        f"reportlab page {fmt_ms(p50(f_pdf))} / {fmt_ms(p95(f_pdf))}; "
        f"barcode PNG {fmt_ms(p50(f_png))} / {fmt_ms(p95(f_png))}"
    )
    print_rows("intake", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(p)
    p.add_argument("--iterations", type=int, default=200)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument(
        "--no-prepare",
        dest="prepare",
        action="store_false",
        help="do not lay each procedure's receipt out ahead, as the window does when it is "
        "picked: its first two receipts are then drawn whole inside the timed part",
    )
    p.add_argument(
        "--cold",
        action="store_true",
        help="do not read the database through first: the first reads come from disk",
    )
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

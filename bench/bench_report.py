"""The periodic report for a year of a busy unit (DESIGN.md §8: 250,000 dossiers, < 2 s).

    uv run python bench/bench_report.py            # 250,000 dossiers, 1,000 a working day
    uv run python bench/bench_report.py --quick    # 20,000

The database comes from make_db.py (dossiers with their `received` event); this script
then gives them a history with set-based INSERT … SELECT, as the counters would have
written it: 90 % get `result_ready` (spread from two days early to three days late), 80 %
are then returned (a tenth by post), 2 % apologised before the result, 3 % refused, 2 %
withdrawn. It times services.report.unit_report over the whole year (the breakdowns by
sector and procedure included) and prints it beside the budget and the floor: one bare
`SELECT count(*) … GROUP BY` over the same join (the least any set-based report pays).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

from _common import (
    OUT_DIR,
    Row,
    add_common_args,
    isolate_env,
    print_rows,
    save_rows,
    verdict,
)
from make_db import build_or_reuse

BUDGET_S = 2.0
COMMUNES = 40  # issue 16: the applicants' communes the report groups by
YEAR_DOSSIERS = 250_000
PER_DAY = 1_000

# Each dossier's steps (dossier_events.step, unique per dossier): 1 its intake (make_db), then
# 2 an apology, 3 result ready, 4 returned, 5 refused or withdrawn; the gaps of a history
# without some of them only leave numbers out, the order stays.
HISTORY_SQL = [
    # result ready: ~90 %, between 2 days before and 3 days after the due moment
    """INSERT INTO dossier_events (id, unit_id, dossier_id, kind, status, at, business_day,
        by_user_id, reason, data, recorded_at, step)
       SELECT lower(hex(randomblob(16))), unit_id, id, 'result_ready', 'result_ready',
              datetime(due_at, printf('%+d hours', (abs(random()) % 120) - 48)),
              date(due_at), received_by, '', '{}', due_at, 3
       FROM dossiers WHERE abs(random()) % 100 < 90""",
    """INSERT INTO dossier_events (id, unit_id, dossier_id, kind, status, at, business_day,
        by_user_id, reason, data, recorded_at, step)
       SELECT lower(hex(randomblob(16))), e.unit_id, e.dossier_id, 'returned', 'returned',
              datetime(e.at, '+1 day'), date(e.at, '+1 day'), e.by_user_id, '',
              CASE WHEN abs(random()) % 10 = 0
                   THEN '{"channel":"postal","fee":0,"tracking":"EE1VN"}'
                   ELSE '{"channel":"counter","fee":0}' END, e.at, 4
       FROM dossier_events e WHERE e.kind = 'result_ready' AND abs(random()) % 100 < 89""",
    """INSERT INTO dossier_events (id, unit_id, dossier_id, kind, status, at, business_day,
        by_user_id, reason, data, recorded_at, step)
       SELECT lower(hex(randomblob(16))), unit_id, id, 'apologized', 'accepted',
              datetime(due_at, '-1 day'), date(due_at, '-1 day'), received_by, 'Chờ',
              '{"due_at":"' || date(due_at, '+7 days') || 'T09:00:00+07:00",'
              || '"previous_due_at":"' || date(due_at, '+7 hours') || 'T09:00:00+07:00"}',
              due_at, 2
       FROM dossiers WHERE abs(random()) % 100 < 2""",
    """INSERT INTO dossier_events (id, unit_id, dossier_id, kind, status, at, business_day,
        by_user_id, reason, data, recorded_at, step)
       SELECT lower(hex(randomblob(16))), d.unit_id, d.id,
              CASE WHEN abs(random()) % 5 < 3 THEN 'refused' ELSE 'withdrawn' END,
              'refused', datetime(d.received_at, '+1 day'), date(d.received_at, '+1 day'),
              d.received_by, 'x', '{}', d.received_at, 5
       FROM dossiers d
       WHERE NOT EXISTS (SELECT 1 FROM dossier_events e
                         WHERE e.dossier_id = d.id AND e.kind = 'result_ready')
         AND abs(random()) % 100 < 50""",
]
FLOOR_SQL = """SELECT p.code, d.receive_channel, count(*)
FROM dossiers d JOIN procedures p ON p.id = d.procedure_id
LEFT JOIN (SELECT dossier_id, min(at) AS a FROM dossier_events
           WHERE kind IN ('result_ready', 'returned') GROUP BY dossier_id) e
  ON e.dossier_id = d.id
GROUP BY 1, 2"""


def report_facts_sql() -> list[str]:
    """Migration 0007's backfill: the history above is raw SQL, so the dossiers' report
    facts (kept by intake and the actions in the app) are set from it the way 0007 does."""
    import importlib.util

    import counter_app

    versions = Path(counter_app.__file__).parent / "db" / "migrations" / "versions"
    path = versions / "0007_dossier_report_facts.py"
    spec = importlib.util.spec_from_file_location("m0007", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return list(mod.backfill_sql("sqlite"))


def give_history(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        done = conn.execute("SELECT count(*) FROM dossier_events WHERE kind = 'result_ready'")
        if done.fetchone()[0]:
            return int(conn.execute("SELECT count(*) FROM dossier_events").fetchone()[0])
        for sql in [*HISTORY_SQL, *report_facts_sql()]:
            conn.execute(sql)
        conn.execute("ANALYZE")
        return int(conn.execute("SELECT count(*) FROM dossier_events").fetchone()[0])


def give_communes(db: Path, count: int = COMMUNES) -> None:
    """Issue 16: the applicants' 2025 communes, as a unit sees them — spread over `count`
    communes of its province (its own and its neighbours'), one in ten unverified (NULL)."""
    from counter_app.domain.admin_units import default_units

    codes = [c.code for c in default_units().communes_of("91")[:count]]
    with sqlite3.connect(db) as conn:
        if conn.execute(
            "SELECT count(*) FROM dossiers WHERE applicant_commune_code IS NOT NULL"
        ).fetchone()[0]:
            return
        rnd = random.Random(16)
        ids = [r[0] for r in conn.execute("SELECT id FROM dossiers")]
        conn.executemany(
            "UPDATE dossiers SET applicant_commune_code = ? WHERE id = ?",
            [(None if rnd.random() < 0.1 else rnd.choice(codes), i) for i in ids],
        )
        conn.execute("ANALYZE")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(p)
    args = p.parse_args()
    isolate_env()
    n = args.dossiers or (20_000 if args.quick else YEAR_DOSSIERS)
    per_day = args.per_day or PER_DAY
    db = args.db or OUT_DIR / f"bench-report-{n}.db"
    build_or_reuse(db, n, per_day=per_day)
    events = give_history(db)
    give_communes(db)

    from counter_app.app import build_context
    from counter_app.services.report import unit_report

    ctx = build_context(db=str(db))
    with sqlite3.connect(db) as conn:
        first, last = conn.execute("SELECT min(code_day), max(code_day) FROM dossiers").fetchone()
        t0 = time.perf_counter()
        conn.execute(FLOOR_SQL).fetchall()
        floor_s = time.perf_counter() - t0
    start, end = date.fromisoformat(first), date.fromisoformat(last) + timedelta(days=1)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        rep = unit_report(ctx, start, end)
        times.append(time.perf_counter() - t0)
    mid, worst = sorted(times)[len(times) // 2], max(times)
    t = rep.summary.totals
    print(
        f"{n:,} dossiers, {events:,} events, {start}–{end}: received {t['received']:,}, "
        f"resolved {t['resolved']:,} (on time {t['on_time_rate']}), in progress "
        f"{t['in_progress']:,}, {len(rep.summary.by_procedure)} procedures, "
        f"{len(rep.by_commune)} commune rows"
    )
    rows = [
        Row(
            f"report for a year ({n:,} dossiers, {events:,} events, SQLite)",
            f"{mid:.2f} s median (worst of 3: {worst:.2f} s)",
            f"{floor_s:.2f} s bare GROUP BY",
            f"{mid / floor_s:.1f}×" if floor_s else "—",
            f"< {BUDGET_S:.0f} s",
            verdict(worst, BUDGET_S),
        )
    ]
    print_rows("report", rows)
    save_rows(args.results, rows)


if __name__ == "__main__":
    main()

"""The province report on central (DESIGN.md §8: 2,000,000 dossiers, < 5 s), measured.

    uv run python bench/bench_central_report.py              # 2,000,000 dossiers, 2021–2025
    uv run python bench/bench_central_report.py --quick      # 200,000
    uv run python bench/bench_central_report.py --dossiers 500000 --runs 5

Starts its own PostgreSQL with bench_sync's settings (tests/pg/pgserver.py; shared_buffers
1 GB; fsync off), runs `central.init_central`, adds 40 units and fills central straight into
its tables with INSERT … SELECT generate_series, shaped like the app's payloads (as bench_sync
part c, plus a history): every dossier has its `dossier` event and a `received` dossier event;
then, by a hash of its number, 3 % are refused and 2 % withdrawn, 2 % are still open and
overdue, the rest get `result_ready` (from 4 days early to 3 days late, day-wise), 80 % of
those are returned (a tenth by post); 5 % apologised before the result (previous_due_at →
due_at a week later), 2 % had an intake-stage supplement (due_at reset two days later).
Dossiers are spread evenly over five years (2021–2025), 07:30 onwards each day; about 3.7
events a dossier. Issue 16: each applicant has a 2025 commune code (70 % the unit's own, 25 %
one of 20 neighbours, 5 % none), so the report's `by_commune` has 840 communes. The dossier
rows get the report's facts (c0003) as project_range would
have made them from those events. Indexes are dropped during the fill and rebuilt, then
VACUUM ANALYZE.

It times `central_report.province_report` for the last year (2025-01-01 … 2025-12-31),
median of --runs, beside the budget and a floor measured in the same run: a bare
`SELECT unit_id, count(*) FROM central.events WHERE created_at in the year GROUP BY unit_id`
(one pass over the year's events; the least a report over them pays).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, isolate_env, machine_line, print_rows, save_rows, verdict
from bench_sync import INDEXES_ADD, INDEXES_DROP, Server, _indexes, _parallel, _sql_job, pg_server

from counter_app.domain.admin_units import default_units

BUDGET_S = 5.0
FULL = 2_000_000
QUICK = 200_000
UNITS = 40
CHUNK = 100_000
START = date(2021, 1, 1)
DAYS = 1826  # 2021 … 2025
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
PROCS = [
    ("1.001234", "Chứng thực bản sao từ bản chính", "Chứng thực"),
    ("1.001235", "Chứng thực chữ ký", "Chứng thực"),
    ("1.004227", "Đăng ký khai sinh", "Hộ tịch"),
    ("1.004230", "Đăng ký kết hôn", "Hộ tịch"),
    ("1.004859", "Đăng ký khai tử", "Hộ tịch"),
    ("1.005461", "Cấp bản sao trích lục hộ tịch", "Hộ tịch"),
    ("2.000815", "Xác nhận tình trạng hôn nhân", "Hộ tịch"),
    ("1.003348", "Đăng ký thường trú", "Cư trú"),
    ("1.008004", "Hỗ trợ người có công", "Lao động - Thương binh và Xã hội"),
    ("1.001612", "Đăng ký biến động đất đai", "Đất đai"),
]
NAMES = [
    f"{a} {b} {c}"
    for a in ("NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HUỲNH", "VÕ")
    for b in ("VĂN", "THỊ", "HỮU", "NGỌC")
    for c in ("AN", "BÌNH", "CHÂU", "DŨNG", "HẠNH", "KHOA", "LAN", "MINH", "NAM", "THẢO")
]
DOCS = (
    '[{"name": "Tờ khai theo mẫu", "required": true, "received": true, "copies": 1}, '
    '{"name": "Giấy tờ tùy thân (bản sao)", "required": true, "received": true, "copies": 1}, '
    '{"name": "Giấy tờ chứng minh nơi cư trú", "required": false, "received": true, '
    '"copies": 1}]'
)
CLERK = "0190f0c2-7a10-7000-8000-00000000c1e4"
# Issue 16: the applicant's 2025 commune (c0009). Each unit has its own commune and 20
# neighbours: 70 % of its applicants live in its commune, 25 % in a neighbour, 5 % matched
# none (NULL): 840 communes in the province report's `by_commune`.
PER_UNIT = 21
COMMUNES = sorted(default_units().communes)[: UNITS * PER_UNIT]

# One chunk of dossiers lo..hi (global numbers; unit = i % UNITS). The session's TimeZone
# is the province's, so a timestamptz turned into jsonb is written with +07:00 as the app
# writes `at` (its first ten characters are the local day). h picks the dossier's fate.
FILL_SQL = """
WITH g AS MATERIALIZED (
  SELECT i, t.ts, t.ts + (5 + i %% 11) * interval '1 day' AS due, h, u, agency,
         (lpad(to_hex(ms), 12, '0') || '7' || substr(r, 1, 19))::uuid AS did,
         (lpad(to_hex(ms), 12, '0') || '7' || substr(r, 2, 19))::uuid AS e0,
         (lpad(to_hex(ms), 12, '0') || '7' || substr(r, 3, 19))::uuid AS e1,
         (lpad(to_hex(ms), 12, '0') || '7' || substr(r, 4, 19))::uuid AS e2,
         (lpad(to_hex(ms), 12, '0') || '7' || substr(r, 5, 19))::uuid AS e3,
         (lpad(to_hex(ms), 12, '0') || '7' || substr(r, 6, 19))::uuid AS e4,
         (lpad(to_hex(ms), 12, '0') || '7' || substr(r, 7, 19))::uuid AS e5,
         agency || '-' || i AS code,
         (%(procs)s::text[])[1 + (i * 7) %% %(nprocs)s] AS proc,
         (%(names)s::text[])[1 + (i * 7919) %% %(nnames)s] AS name,
         CASE WHEN h2 < 950 THEN (%(communes)s::text[])[
           1 + u * %(per_unit)s + CASE WHEN h2 < 700 THEN 0 ELSE 1 + h2 %% 20 END] END AS commune
  FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS i
  CROSS JOIN LATERAL (SELECT (i %% %(units)s)::int AS u,
                             abs(hashint8(i)) %% 1000 AS h, md5(i::text) AS r,
                             abs(hashint8(i * 31 + 7)) %% 1000 AS h2) k
  CROSS JOIN LATERAL (SELECT '000.21.' || lpad((u + 1)::text, 2, '0') || '.H01' AS agency) a
  CROSS JOIN LATERAL (SELECT ((%(start)s::date + ((i - 1) / %(per_day)s)::int) + time '07:30'
                              + ((i - 1) %% %(per_day)s) * (interval '9 hours' / %(per_day)s))
                              AT TIME ZONE 'Asia/Ho_Chi_Minh' AS ts) t
  CROSS JOIN LATERAL (SELECT (extract(epoch FROM t.ts) * 1000)::bigint AS ms) m
), f AS MATERIALIZED (
  SELECT g.*,
    CASE WHEN h < 30 THEN 'refused' WHEN h < 50 THEN 'withdrawn' END AS end_kind,
    h >= 70 AS ready,
    h >= 70 AND h %% 10 < 8 AS returned,
    h BETWEEN 100 AND 149 AS apologized,
    h BETWEEN 150 AND 169 AS supplement,
    CASE WHEN h BETWEEN 150 AND 169 THEN due + interval '2 days' ELSE due END AS due1,
    CASE WHEN h BETWEEN 100 AND 149 THEN due + interval '7 days' END AS due2
  FROM g
), e AS (
  SELECT f.*, coalesce(due2, due1) + ((h %% 8) - 4) * interval '1 day' AS ready_at FROM f
), ev AS (
  INSERT INTO central.events (event_id, unit_id, source_id, seq, kind, schema_version, payload,
                              created_at, received_at)
  SELECT x.eid, e.agency, 'pc1-fill', 8 * e.i + x.n, x.kind, 1, x.payload, x.at, x.at
  FROM e CROSS JOIN LATERAL (VALUES
    (0, e.did, 'dossier', e.ts, jsonb_build_object(
       'id', e.did, 'code', e.code, 'procedure', e.proc, 'procedure_version', 1,
       'applicant', jsonb_build_object(
          'name', e.name, 'id_number', '0891' || lpad(((e.i * 104729) %% 100000000)::text, 8, '0'),
          'phone', '09' || lpad(((e.i * 15485863) %% 100000000)::text, 8, '0'),
          'address', 'Tổ ' || (1 + e.i %% 30) || ', ấp Mỹ An, xã Mỹ Hòa Hưng, tỉnh An Giang',
          'email', '', 'commune_code', e.commune),
       'documents', %(docs)s::jsonb, 'sets', 1,
       'receive_channel', CASE WHEN e.h %% 20 < 14 THEN 'counter'
                               WHEN e.h %% 20 < 19 THEN 'online' ELSE 'postal' END,
       'return_channel', 'counter', 'return_address', '', 'fee', 0,
       'received_at', e.ts, 'due_at', e.due, 'received_by', %(clerk)s::uuid,
       'ticket_id', NULL)),
    (1, e.e0, 'dossier_event', e.ts, jsonb_build_object(
       'at', e.ts, 'business_day', (e.ts AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
       'by', %(clerk)s::uuid, 'code', e.code, 'data', '{}'::jsonb, 'dossier_id', e.did,
       'id', e.e0, 'kind', 'received', 'reason', '', 'status', 'accepted')),
    (2, e.e1, 'dossier_event', e.ts + interval '1 day', CASE WHEN e.supplement THEN
       jsonb_build_object(
       'at', e.ts + interval '1 day',
       'business_day', (e.ts AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 1,
       'by', %(clerk)s::uuid, 'code', e.code, 'data', jsonb_build_object('stage', 'intake',
          'documents', jsonb_build_array('Tờ khai theo mẫu'), 'previous_due_at', e.due,
          'due_at', e.due1), 'dossier_id', e.did,
       'id', e.e1, 'kind', 'supplement_received', 'reason', '', 'status', 'accepted') END),
    (3, e.e2, 'dossier_event', e.due - interval '1 day', CASE WHEN e.apologized THEN
       jsonb_build_object(
       'at', e.due - interval '1 day',
       'business_day', (e.due AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - 1,
       'by', %(clerk)s::uuid, 'code', e.code, 'data', jsonb_build_object(
          'previous_due_at', e.due1, 'due_at', e.due2), 'dossier_id', e.did,
       'id', e.e2, 'kind', 'apologized', 'reason', 'Chờ xác minh', 'status', 'accepted') END),
    (4, e.e3, 'dossier_event', e.ts + interval '2 days', CASE WHEN e.end_kind IS NOT NULL THEN
       jsonb_build_object(
       'at', e.ts + interval '2 days',
       'business_day', (e.ts AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 2,
       'by', %(clerk)s::uuid, 'code', e.code, 'data', '{}'::jsonb, 'dossier_id', e.did,
       'id', e.e3, 'kind', e.end_kind, 'reason', 'Không đủ điều kiện', 'status', e.end_kind) END),
    (5, e.e4, 'dossier_event', e.ready_at, CASE WHEN e.ready THEN jsonb_build_object(
       'at', e.ready_at, 'business_day', (e.ready_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
       'by', %(clerk)s::uuid, 'code', e.code, 'data', '{}'::jsonb, 'dossier_id', e.did,
       'id', e.e4, 'kind', 'result_ready', 'reason', '', 'status', 'result_ready') END),
    (6, e.e5, 'dossier_event', e.ready_at + interval '1 day', CASE WHEN e.returned THEN
       jsonb_build_object(
       'at', e.ready_at + interval '1 day',
       'business_day', (e.ready_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 1,
       'by', %(clerk)s::uuid, 'code', e.code,
       'data', jsonb_build_object('channel', CASE WHEN e.h %% 10 = 0 THEN 'postal'
                                                  ELSE 'counter' END, 'fee', 0),
       'dossier_id', e.did, 'id', e.e5, 'kind', 'returned', 'reason', '',
       'status', 'returned') END)
  ) AS x(n, eid, kind, at, payload)
  WHERE x.payload IS NOT NULL
)
INSERT INTO central.dossiers (id, unit_id, code, procedure_code, applicant_name, received_at,
                              due_at, status, status_seq, source_id, event_id, receive_channel,
                              ready_day, ended_day, end_kind, returned_day, returned_postal,
                              apology_due, resumed_due, commune_code)
SELECT did, agency, code, proc, name, ts, due,
       CASE WHEN end_kind IS NOT NULL THEN end_kind WHEN returned THEN 'returned'
            WHEN ready THEN 'result_ready' ELSE 'accepted' END, 8 * i + 6, 'pc1-fill',
       (lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0') || '7'
        || substr(md5(i::text), 1, 19))::uuid,
       -- what project_range would have made of the events above (c0003)
       CASE WHEN h %% 20 < 14 THEN 'counter' WHEN h %% 20 < 19 THEN 'online' ELSE 'postal' END,
       CASE WHEN ready THEN to_char(ready_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') END,
       CASE WHEN end_kind IS NOT NULL
            THEN to_char((ts + interval '2 days') AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')
       END,
       end_kind,
       CASE WHEN returned THEN to_char((ready_at + interval '1 day')
                                       AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') END,
       returned AND h %% 10 = 0,
       CASE WHEN apologized THEN to_char(due1 AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') END,
       CASE WHEN supplement THEN to_char(due1 AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') END,
       commune
FROM e
"""


def fill(server: Server, db: str, dossiers: int) -> dict[str, Any]:
    from counter_app.sync import central

    print(f"\n## filling a central with {dossiers:,} dossiers over {UNITS} units", flush=True)
    admin = server.create_db(db)
    central.init_central(admin)
    before = _indexes(server, db)
    t0 = time.perf_counter()
    with server.connect(db) as c:
        for u in range(UNITS):
            c.execute(
                "INSERT INTO central.units (agency_id, name) VALUES (%s, %s)",
                (f"000.21.{u + 1:02d}.H01", f"UBND XÃ {u + 1:02d}"),
            )
            c.execute(
                "INSERT INTO central.sources (unit_id, source_id, contiguous_seq, max_seq, "
                "last_push_at) VALUES (%s, 'pc1-fill', %s, %s, now())",
                (f"000.21.{u + 1:02d}.H01", 8 * dossiers + 8, 8 * dossiers + 8),
            )
        for code, name, sector in PROCS:
            c.execute(
                "INSERT INTO central.procedures (code, data) VALUES (%s, "
                "jsonb_build_object('name', %s::text, 'sector', %s::text))",
                (code, name, sector),
            )
        c.execute(INDEXES_DROP)
    per_day = max(1, -(-dossiers // DAYS))
    done = [0]

    def job(lo: int, hi: int) -> Callable[[], None]:
        def run() -> None:
            with server.connect(db) as c:
                c.execute("SET work_mem = '256MB'")
                c.execute("SET jit = off")
                c.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
                c.execute(
                    FILL_SQL,
                    {
                        "lo": lo,
                        "hi": hi,
                        "start": START,
                        "per_day": per_day,
                        "units": UNITS,
                        "procs": [p[0] for p in PROCS],
                        "nprocs": len(PROCS),
                        "names": NAMES,
                        "nnames": len(NAMES),
                        "docs": DOCS,
                        "clerk": CLERK,
                        "communes": COMMUNES,
                        "per_unit": PER_UNIT,
                    },
                )
            done[0] += hi - lo + 1
            if done[0] % 500_000 < CHUNK or done[0] == dossiers:
                print(f"  {done[0]:>10,} dossiers in {time.perf_counter() - t0:.0f} s", flush=True)

        return run

    _parallel([job(lo, min(dossiers, lo + CHUNK - 1)) for lo in range(1, dossiers + 1, CHUNK)])
    t_fill = time.perf_counter() - t0
    t1 = time.perf_counter()
    _parallel([_sql_job(server, db, s) for s in INDEXES_ADD])
    after = _indexes(server, db)
    if before != after:
        raise SystemExit(f"indexes differ after the rebuild:\n{before}\n{after}")
    _parallel(
        [
            _sql_job(server, db, "VACUUM (ANALYZE) central.events"),
            _sql_job(server, db, "VACUUM (ANALYZE) central.dossiers"),
        ]
    )
    with server.connect(db) as c:
        c.execute("VACUUM (ANALYZE) central.sources, central.units, central.procedures")
        c.execute("CHECKPOINT")
        size = c.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        kinds = c.execute(
            "SELECT coalesce(payload->>'kind', kind), count(*) FROM central.events "
            "GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
    t_idx = time.perf_counter() - t1
    info = {
        "fill_s": t_fill,
        "index_s": t_idx,
        "size_gib": size / 2**30,
        "events": sum(n for _, n in kinds),
        "kinds": dict(kinds),
    }
    print(
        f"  filled in {t_fill:.0f} s (2 connections), indexes + VACUUM ANALYZE {t_idx:.0f} s; "
        f"{info['events']:,} events ("
        + ", ".join(f"{k} {n:,}" for k, n in kinds)
        + f"); database {info['size_gib']:.1f} GiB",
        flush=True,
    )
    return info


FLOOR_SQL = """
SELECT unit_id, count(*) FROM central.events
WHERE created_at >= (%(start)s::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
  AND created_at < ((%(end)s::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
GROUP BY unit_id
"""


def bench(server: Server, db: str, runs: int) -> tuple[list[float], list[float], dict[str, Any]]:
    from counter_app.sync.central_report import province_report

    url = server.url(db)
    start, end = YEAR
    report_s: list[float] = []
    floor_s: list[float] = []
    out: dict[str, Any] = {}
    province_report(url, start, end)  # warm the cache: every run reads from memory
    for r in range(runs):
        t0 = time.perf_counter()
        out = province_report(url, start, end)
        report_s.append(time.perf_counter() - t0)
        with server.connect(db) as c:
            t0 = time.perf_counter()
            c.execute(FLOOR_SQL, {"start": start, "end": end}).fetchall()
            floor_s.append(time.perf_counter() - t0)
        print(
            f"  run {r + 1}: province report {report_s[-1]:.2f} s, floor {floor_s[-1]:.2f} s",
            flush=True,
        )
    return report_s, floor_s, out


def run(args: argparse.Namespace) -> list[Row]:
    isolate_env()
    n = args.dossiers or (QUICK if args.quick else FULL)
    print(
        f"# bench_central_report — {n:,} dossiers on central, report {YEAR[0]} … {YEAR[1]}, "
        f"{args.runs} runs\n\nmachine: {machine_line()}",
        flush=True,
    )
    with pg_server(fsync=False) as server:
        info = fill(server, "bench_creport", n)
        report_s, floor_s, out = bench(server, "bench_creport", args.runs)
    t = out["totals"]
    print(
        "  totals: "
        + ", ".join(f"{k} {t[k]:,}" for k in ("carried_over", "received", "resolved"))
        + f", in progress {t['in_progress']:,}, returned {t['returned']:,}; "
        f"on-time rate {t['on_time_rate']}; by_commune {len(out['by_commune'])} rows",
        flush=True,
    )
    m, f = statistics.median(report_s), statistics.median(floor_s)
    rows = [
        Row(
            what=(
                f"province report on central, {n:,} dossiers / {info['events']:,} events "
                f"(40 units, 2021–2025), year 2025"
            ),
            measured=f"{m:.2f} s",
            floor=f"{f:.2f} s",
            ratio=f"{m / f:.1f}×",
            budget=f"< {BUDGET_S:.0f} s",
            verdict=verdict(m, BUDGET_S),
            note=(
                f"median of {len(report_s)} warm runs; floor: count(*) of the year's events "
                f"GROUP BY unit_id; fill {info['fill_s']:.0f} s + indexes/VACUUM "
                f"{info['index_s']:.0f} s, {info['size_gib']:.1f} GiB"
            ),
        )
    ]
    print(f"\nmachine: {machine_line()}")
    print_rows("central report", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help=f"{QUICK:,} dossiers")
    p.add_argument("--dossiers", type=int, default=None, help=f"default {FULL:,}")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--results", type=Path, default=None, help="append rows to this JSON file")
    # Accepted for run_all.py (which passes them to every bench) and not used here:
    p.add_argument("--db", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--per-day", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

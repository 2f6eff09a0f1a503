"""Look-up at N dossiers: get_dossier by code, search by code, name, citizen ID and phone.

    uv run python bench/bench_lookup.py            # 1,000,000 dossiers (built/reused)
    uv run python bench/bench_lookup.py --quick    # 20,000

Each kind runs `--queries` (500) look-ups with varied inputs drawn from the database
(codes, real applicant names, ID and phone numbers) or from the common Vietnamese names,
after a short warm-up (the OS page cache is warm: a counter PC looks up all day long).
Budgets (DESIGN.md §8): p95 < 1 ms by code, < 10 ms by applicant name. ID and phone have
no budget of their own and are shown for information. Floor: a bare sqlite3 indexed
SELECT by code on the same file.

When a name search misses its budget the script prints the SQL the service ran, its
EXPLAIN QUERY PLAN and the number of index entries it had to visit, and (unless
--no-experiment) times candidate fixes with bare sqlite3 against a scratch copy of the
token table in bench/out/ — the bench database itself is never changed.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    OUT_DIR,
    Row,
    add_common_args,
    ensure_db,
    fmt_ms,
    isolate_env,
    machine_line,
    p50,
    p95,
    print_rows,
    ratio_text,
    resolve_size,
    save_rows,
    verdict,
)

BUDGET_CODE_MS = 1.0
BUDGET_NAME_MS = 10.0
COMMON_FAMILIES = ["nguyen", "tran", "le", "pham", "huynh", "phan", "vo", "dang", "bui", "do"]
COMMON_GIVEN = ["lan", "hoa", "mai", "huong", "linh", "trang", "hung", "dung", "nam", "tuan",
                "minh", "hai", "son", "phuc", "tam", "thanh"]
SINGLE_WORDS = ["tuyet", "lan", "hoa", "nhung", "yen", "hung", "dung", "phuc", "thao", "khoa",
                "ngan", "nguyet", "xuyen", "kiet", "trong"]
PREFIXES = ["tuy", "ngu", "tha", "hu", "lo", "ph", "kh", "tr", "ng", "xu"]


def sample_inputs(db: Path, n: int, seed: int = 11) -> dict[str, list[str]]:
    """Varied inputs for each kind of look-up, drawn from the data with bare sqlite3."""
    from counter_app.domain.text import fold

    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    max_rowid = conn.execute("SELECT max(rowid) FROM dossiers").fetchone()[0]
    rows: list[tuple[str, str, str, str]] = []
    while len(rows) < n:
        r = conn.execute(
            "SELECT code, applicant_name, applicant_id_number, applicant_phone FROM dossiers "
            "WHERE rowid = ?", (rng.randint(1, max_rowid),)
        ).fetchone()
        if r is not None:
            rows.append(r)
    conn.close()
    ids = [r[2] for r in rows if r[2]]
    phones = [r[3] for r in rows if r[3]]
    common = ["nguyen thi lan"] + [
        f"{rng.choice(COMMON_FAMILIES)} {'thi' if g in {'lan', 'hoa', 'mai', 'huong', 'linh', 'trang'} else 'van'} {g}"
        for g in (rng.choice(COMMON_GIVEN) for _ in range(n - 1))
    ]
    full = [r[1] for r in rows if len(r[1].split()) == 3]
    return {
        "code": [r[0] for r in rows],
        "name_common": common,
        "name_single": ["tuyet"] + [rng.choice(SINGLE_WORDS) for _ in range(n - 1)],
        "name_prefix": ["tuy"] + [rng.choice(PREFIXES) for _ in range(n - 1)],
        "name_full": [full[i % len(full)] if i % 2 else fold(full[i % len(full)])
                      for i in range(n)],
        "id": [ids[i % len(ids)] for i in range(n)],
        "phone": [phones[i % len(phones)] for i in range(n)],
    }


def timed(fn: Callable[[str], Any], inputs: list[str], warmup: int = 20) -> tuple[list[float], list[int]]:
    for q in inputs[:warmup]:
        fn(q)
    out, counts = [], []
    for q in inputs:
        t0 = time.perf_counter()
        res = fn(q)
        out.append((time.perf_counter() - t0) * 1e3)
        counts.append(len(res) if isinstance(res, list) else 1)
    return out, counts


def capture_sql(ctx: Any, fn: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The statements a service call sends to SQLite (to EXPLAIN them with bare sqlite3)."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def hook(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(ctx.uow.engine, "before_cursor_execute", hook)
    try:
        fn()
    finally:
        event.remove(ctx.uow.engine, "before_cursor_execute", hook)
    return [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]


def explain(db: Path, query: str, ctx: Any) -> None:
    """Print the service's SQL for `query`, its plan and how many token entries it touches."""
    from counter_app.domain.text import search_tokens
    from counter_app.services import lookup

    stmts = capture_sql(ctx, lambda: lookup.search(ctx, query))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    print(f"\n### why is search({query!r}) slow?\n")
    for sql, params in stmts:
        print("SQL:", " ".join(sql.split()))
        print("params:", params)
        print("EXPLAIN QUERY PLAN:")
        for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params):
            print("   ", row[1], row[2], row[3])
    print("token entries in each prefix range (the nested IN lists scan all of them):")
    total = 0
    for t in search_tokens(query):
        c = conn.execute(
            "SELECT count(*) FROM dossier_name_tokens WHERE token >= ? AND token < ?", (t, t + "\x7f")
        ).fetchone()[0]
        total += c
        print(f"    {t!r}: {c:,}")
    print(f"    total {total:,} index entries visited, plus a sort of every match by received_at")
    has_stat = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()[0]
    print(f"    sqlite_stat1 present: {bool(has_stat)} (the app never runs ANALYZE / PRAGMA optimize)")
    conn.close()


# --- candidate fix, tried on a scratch copy of the token table -----------------------------

SCRATCH_DDL = (
    "CREATE TABLE tok (token TEXT NOT NULL, dossier_id TEXT NOT NULL, PRIMARY KEY (token, dossier_id))",
    "CREATE INDEX ix_tok_dossier_token ON tok (dossier_id, token)",
)


def _scratch(db: Path) -> Path:
    """bench/out/scratch-tokens-<N>.db: the token table + the proposed (dossier_id, token) index."""
    path = OUT_DIR / f"scratch-tokens-{db.stem}.db"
    stamp = path.with_name(path.name + ".src")
    src_stamp = f"{db.stat().st_mtime_ns}"
    if path.exists() and stamp.exists() and stamp.read_text() == src_stamp:
        return path
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-500000")
    conn.execute(f"ATTACH 'file:{db}?mode=ro' AS src")
    conn.execute("BEGIN")
    conn.execute(SCRATCH_DDL[0])
    conn.execute("INSERT INTO tok SELECT token, dossier_id FROM src.dossier_name_tokens ORDER BY token, dossier_id")
    conn.execute(SCRATCH_DDL[1])
    conn.execute("COMMIT")
    conn.execute("DETACH src")
    conn.close()
    stamp.write_text(src_stamp)
    return path


COLUMNS = ("d.code, d.applicant_name, d.applicant_id_number, d.applicant_phone, p.name, "
           "d.received_at, d.due_at, d.status")


def proposed_search(conn: sqlite3.Connection, tokens: list[str], probe: int = 2000) -> list[tuple[Any, ...]]:
    """Proposed query shape (portable SQL, same semantics as lookup._name_query: every token
    is the prefix of some word of the name).

    1. pick the driving token: the one whose prefix range holds the fewest entries, counted
       with a capped probe (`LIMIT probe`) — token length is a poor proxy ("nguyen" is the
       longest word and the most common one);
    2. drive from that range and check each other token with EXISTS on an index
       (dossier_id, token) — a seek per candidate instead of materialising every range;
    3. order by received_at and keep 50.
    """
    def size(t: str) -> int:
        return int(conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM tok WHERE token >= ? AND token < ? LIMIT ?)",
            (t, t + "\x7f", probe),
        ).fetchone()[0])

    ordered = sorted(tokens, key=size)
    drive, rest = ordered[0], ordered[1:]
    where = " ".join(
        "AND EXISTS (SELECT 1 FROM tok t2 WHERE t2.dossier_id = d.id AND t2.token >= ? AND t2.token < ?)"
        for _ in rest
    )
    params: list[Any] = [drive, drive + "\x7f"]
    for t in rest:
        params += [t, t + "\x7f"]
    sql = (
        f"SELECT {COLUMNS} FROM dossiers d JOIN procedures p ON p.id = d.procedure_id "
        "WHERE d.id IN (SELECT dossier_id FROM tok WHERE token >= ? AND token < ?) "
        f"{where} ORDER BY d.received_at DESC LIMIT 50"
    )
    return conn.execute(sql, params).fetchall()


def experiment(db: Path, inputs: dict[str, list[str]], n: int) -> list[tuple[str, list[float]]]:
    from counter_app.domain.text import search_tokens

    print("\n### candidate fix: index (dossier_id, token) + drive from the rarest token\n")
    t0 = time.perf_counter()
    scratch = _scratch(db)
    print(f"(scratch token table with the extra index: {scratch.name}, ready in "
          f"{time.perf_counter() - t0:.1f} s; the bench DB is untouched)")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.execute(f"ATTACH 'file:{scratch}?mode=ro' AS x")
    conn.execute("CREATE TEMP VIEW tok AS SELECT token, dossier_id FROM x.tok")
    # the view hides the index from the planner; query the attached table directly instead
    conn.execute("DROP VIEW tok")
    out = []
    for kind in ("name_common", "name_single", "name_prefix", "name_full"):
        qs = inputs[kind][:n]

        def run_one(q: str) -> list[tuple[Any, ...]]:
            toks = search_tokens(q)
            return proposed_search(_Proxy(conn), toks)

        xs, counts = timed(run_one, qs)
        out.append((kind, xs))
        print(f"  {kind:12s} p50 {fmt_ms(p50(xs))}  p95 {fmt_ms(p95(xs))}  (mean hits {sum(counts) / len(counts):.0f})")
    plan_q = search_tokens("nguyen thi lan")
    print("  plan of the proposed shape for 'nguyen thi lan':")
    conn2 = _Proxy(conn)
    sql_plan = (
        f"SELECT {COLUMNS} FROM dossiers d JOIN procedures p ON p.id = d.procedure_id "
        "WHERE d.id IN (SELECT dossier_id FROM tok WHERE token >= ? AND token < ?) "
        "AND EXISTS (SELECT 1 FROM tok t2 WHERE t2.dossier_id = d.id AND t2.token >= ? AND t2.token < ?) "
        "AND EXISTS (SELECT 1 FROM tok t2 WHERE t2.dossier_id = d.id AND t2.token >= ? AND t2.token < ?) "
        "ORDER BY d.received_at DESC LIMIT 50"
    )
    params = []
    for t in ("lan", "thi", "nguyen"):
        params += [t, t + "\x7f"]
    for row in conn2.execute("EXPLAIN QUERY PLAN " + sql_plan, params):
        print("   ", row[1], row[2], row[3])
    del plan_q
    conn.close()
    return out


class _Proxy:
    """Rewrites `tok` to the attached scratch table `x.tok` (keeps the SQL above readable)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        sql = sql.replace(" FROM tok ", " FROM x.tok ").replace(" FROM tok t2 ", " FROM x.tok t2 ")
        return self.conn.execute(sql, params)


def run(args: argparse.Namespace) -> list[Row]:
    n_dossiers = resolve_size(args)
    db = ensure_db(args)
    isolate_env()
    n = args.queries
    from floors import sqlite_code_lookup_floor

    inputs = sample_inputs(db, n)
    floor = sqlite_code_lookup_floor(db, inputs["code"], n)

    from counter_app.app import build_context
    from counter_app.services import lookup

    ctx = build_context(db=f"sqlite:///{db}")
    at = f"{n_dossiers:,}"
    kinds: list[tuple[str, Callable[[str], Any], str, float | None, str]] = [
        ("get_dossier by code", lambda q: lookup.get_dossier(ctx, q), "code", BUDGET_CODE_MS, "full view"),
        ("search by code", lambda q: lookup.search(ctx, q), "code", BUDGET_CODE_MS, ""),
        ("search by name 'nguyen thi lan' & co.", lambda q: lookup.search(ctx, q), "name_common",
         BUDGET_NAME_MS, "common family + thi/van + given, folded"),
        ("search by one word 'tuyet' & co.", lambda q: lookup.search(ctx, q), "name_single",
         BUDGET_NAME_MS, "one given name"),
        ("search by word prefix 'tuy' & co.", lambda q: lookup.search(ctx, q), "name_prefix",
         BUDGET_NAME_MS, "partial word (2–3 letters)"),
        ("search by full 3-word name", lambda q: lookup.search(ctx, q), "name_full", BUDGET_NAME_MS,
         "real applicants' names, half with accents"),
        ("search by citizen ID", lambda q: lookup.search(ctx, q), "id", None, "12 digits, indexed"),
        ("search by phone", lambda q: lookup.search(ctx, q), "phone", None, "10 digits, indexed"),
    ]
    rows: list[Row] = []
    results: dict[str, list[float]] = {}
    fl = p50(floor)
    for label, fn, key, budget, note in kinds:
        print(f"  {label} …", flush=True)
        xs, counts = timed(fn, inputs[key][:n])
        results[key + label] = xs
        rows.append(Row(
            what=f"lookup: {label} @ {at}",
            measured=f"{fmt_ms(p50(xs))} / {fmt_ms(p95(xs))}",
            floor=f"{fmt_ms(fl)} (bare indexed SELECT by code)",
            ratio=ratio_text(p95(xs), fl),
            budget=f"p95 < {budget:g} ms" if budget else "—",
            verdict=verdict(p95(xs), budget),
            note=f"{n} queries; mean hits {sum(counts) / len(counts):.1f}; max {fmt_ms(max(xs))}"
                 + (f"; {note}" if note else ""),
        ))
    print(f"\nmachine: {machine_line()}")
    print(f"database: {db}")
    print(f"floor: bare sqlite3 SELECT by code p50 {fmt_ms(p50(floor))} / p95 {fmt_ms(p95(floor))}")
    print_rows("lookup", rows)

    slow = [r for r in rows if r.verdict == "MISS" and "name" in r.what or "word" in r.what and r.verdict == "MISS"]
    if slow and not args.no_explain:
        for q in ("nguyen thi lan", "tuyet", "tuy"):
            explain(db, q, ctx)
        if not args.no_experiment:
            exp = experiment(db, inputs, n)
            for kind, xs in exp:
                rows.append(Row(
                    what=f"lookup (proposed fix, bare sqlite3): {kind} @ {at}",
                    measured=f"{fmt_ms(p50(xs))} / {fmt_ms(p95(xs))}",
                    floor=f"{fmt_ms(fl)} (bare indexed SELECT by code)",
                    ratio=ratio_text(p95(xs), fl),
                    budget=f"p95 < {BUDGET_NAME_MS:g} ms",
                    verdict=verdict(p95(xs), BUDGET_NAME_MS),
                    note="index (dossier_id, token) + drive from the rarest token; not the app's code",
                ))
    ctx.uow.engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(p)
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--no-explain", action="store_true", help="skip EXPLAIN of slow name searches")
    p.add_argument("--no-experiment", action="store_true", help="skip timing the candidate fix")
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

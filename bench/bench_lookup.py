"""Look-up at N dossiers: get_dossier by code, search by code, name, citizen ID and phone.

    uv run python bench/bench_lookup.py            # 1,000,000 dossiers (built/reused)
    uv run python bench/bench_lookup.py --quick    # 20,000

Each kind runs `--queries` (500) look-ups with varied inputs drawn from the database
(codes, real applicant names, ID and phone numbers) or from the common Vietnamese names,
after a short warm-up (the OS page cache is warm: a counter PC looks up all day long).
Budgets (DESIGN.md §8): p95 < 1 ms by code, < 10 ms by applicant name. ID and phone have
no budget of their own and are shown for information. Floor: a bare sqlite3 indexed
SELECT by code on the same file.

A kind stops early after --cap-seconds (90 s) so that a slow search does not hold the
run for many minutes; the row says how many queries ran. When a name search misses its
budget the script prints the SQL the service ran, its EXPLAIN QUERY PLAN and how many
index entries it visits, and (unless --no-experiment) times two candidate fixes with bare
sqlite3 against a scratch copy of the token table in bench/out/ (the bench database is
never changed): fix 1 an index (dossier_id, token) with a better query shape, fix 2 an
FTS5 index.
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
from _common import (
    OUT_DIR,
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
)

BUDGET_CODE_MS = 1.0
BUDGET_NAME_MS = 10.0
COMMON_FAMILIES = ["nguyen", "tran", "le", "pham", "huynh", "phan", "vo", "dang", "bui", "do"]
COMMON_GIVEN = [
    "lan",
    "hoa",
    "mai",
    "huong",
    "linh",
    "trang",
    "hung",
    "dung",
    "nam",
    "tuan",
    "minh",
    "hai",
    "son",
    "phuc",
    "tam",
    "thanh",
]
SINGLE_WORDS = [
    "tuyet",
    "lan",
    "hoa",
    "nhung",
    "yen",
    "hung",
    "dung",
    "phuc",
    "thao",
    "khoa",
    "ngan",
    "nguyet",
    "xuyen",
    "kiet",
    "trong",
]
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
            "WHERE rowid = ?",
            (rng.randint(1, max_rowid),),
        ).fetchone()
        if r is not None:
            rows.append(r)
    conn.close()
    ids = [r[2] for r in rows if r[2]]
    phones = [r[3] for r in rows if r[3]]
    female = {"lan", "hoa", "mai", "huong", "linh", "trang"}
    common = ["nguyen thi lan"] + [
        f"{rng.choice(COMMON_FAMILIES)} {'thi' if g in female else 'van'} {g}"
        for g in (rng.choice(COMMON_GIVEN) for _ in range(n - 1))
    ]
    full = [r[1] for r in rows if len(r[1].split()) == 3]
    return {
        "code": [r[0] for r in rows],
        "name_common": common,
        "name_single": ["tuyet"] + [rng.choice(SINGLE_WORDS) for _ in range(n - 1)],
        "name_prefix": ["tuy"] + [rng.choice(PREFIXES) for _ in range(n - 1)],
        "name_full": [
            full[i % len(full)] if i % 2 else fold(full[i % len(full)]) for i in range(n)
        ],
        "id": [ids[i % len(ids)] for i in range(n)],
        "phone": [phones[i % len(phones)] for i in range(n)],
    }


def timed(
    fn: Callable[[str], Any], inputs: list[str], warmup: int = 20, cap_s: float = 90.0
) -> tuple[list[float], list[int]]:
    """ms per call over `inputs` (after `warmup` untimed calls); stops early past cap_s seconds."""
    t_start = time.perf_counter()
    for q in inputs[:warmup]:
        fn(q)
        if time.perf_counter() - t_start > cap_s / 10:
            break
    out, counts = [], []
    t_start = time.perf_counter()
    for q in inputs:
        t0 = time.perf_counter()
        res = fn(q)
        t1 = time.perf_counter()
        out.append((t1 - t0) * 1e3)
        counts.append(len(res) if isinstance(res, list) else 1)
        if t1 - t_start > cap_s:
            break
    return out, counts


def capture_sql(ctx: Any, fn: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The statements a service call sends to SQLite (to EXPLAIN them with bare sqlite3)."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def hook(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
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
    print("index entries in each word's prefix range (each IN list is materialised whole):")
    total = 0
    matches: set[str] | None = None
    for t in search_tokens(query):
        ids = {
            r[0]
            for r in conn.execute(
                "SELECT dossier_id FROM dossier_name_tokens WHERE token >= ? AND token < ?",
                (t, t + "\x7f"),
            )
        }
        total += len(ids)
        matches = ids if matches is None else matches & ids
        print(f"    {t!r}: {len(ids):,}")
    print(
        f"    total {total:,} index entries read; then all {len(matches or ()):,} matching "
        "dossiers are fetched by id (two B-tree seeks each) and sorted by received_at "
        "(TEMP B-TREE) to keep 50"
    )
    has_stat = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
    ).fetchone()[0]
    print(
        f"    sqlite_stat1 present: {bool(has_stat)} (the app never runs ANALYZE / PRAGMA optimize)"
    )
    conn.close()


# --- candidate fixes, tried on a scratch copy of the token table ---------------------------

COLUMNS = (
    "d.code, d.applicant_name, d.applicant_id_number, d.applicant_phone, p.name, "
    "d.received_at, d.due_at, d.status"
)


def _scratch(db: Path) -> Path:
    """bench/out/scratch-<db>.db: the token table + the proposed index, and an FTS5 index.

    Built from the bench DB (attached read-only); rebuilt when the bench DB changes size.
    """
    path = OUT_DIR / f"scratch-{db.stem}.db"
    stamp = path.with_name(path.name + ".src")
    src = str(db.stat().st_size)
    if path.exists() and stamp.exists() and stamp.read_text() == src:
        return path
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-500000")
    conn.execute(f"ATTACH 'file:{db}?mode=ro' AS src")
    conn.execute("BEGIN")
    conn.execute(
        "CREATE TABLE tok (token TEXT NOT NULL, dossier_id TEXT NOT NULL, "
        "PRIMARY KEY (token, dossier_id))"
    )
    conn.execute(
        "INSERT INTO tok SELECT token, dossier_id FROM src.dossier_name_tokens "
        "ORDER BY token, dossier_id"
    )
    # fix 1: the reverse index, so "does this dossier have a word starting with t" is one seek
    conn.execute("CREATE INDEX ix_tok_dossier_token ON tok (dossier_id, token)")
    # fix 2: an inverted index with doclists in rowid (= insertion ≈ time) order
    conn.execute("CREATE VIRTUAL TABLE fts USING fts5(name, content='', detail=none, prefix='2 3')")
    conn.execute(
        "INSERT INTO fts (rowid, name) SELECT d.rowid, group_concat(t.token, ' ') "
        "FROM src.dossiers d JOIN src.dossier_name_tokens t ON t.dossier_id = d.id "
        "GROUP BY d.rowid"
    )
    conn.execute("COMMIT")
    conn.execute("DETACH src")
    conn.close()
    stamp.write_text(src)
    return path


class Fix1:
    """Keeps the service's meaning (every word of the query starts some word of the name).

    Index (dossier_id, token); the driving word is the one with the fewest entries (counts
    cached, as a service could keep them for minutes); for each distinct token in the
    driving word's prefix range, walk the index newest-first (the ids are UUIDv7, so
    (token, dossier_id) order is entry-time order), check the other words with an EXISTS
    seek on (dossier_id, token), stop at 50; merge, fetch 50 rows, order by received_at.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.counts: dict[str, int] = {}

    def count(self, t: str) -> int:
        if t not in self.counts:
            self.counts[t] = self.conn.execute(
                "SELECT count(*) FROM x.tok WHERE token >= ? AND token < ?", (t, t + "\x7f")
            ).fetchone()[0]
        return self.counts[t]

    def distinct(self, t: str) -> list[str]:
        out: list[str] = []
        op, lo = ">=", t
        while True:
            r = self.conn.execute(
                f"SELECT token FROM x.tok WHERE token {op} ? AND token < ? ORDER BY token LIMIT 1",
                (lo, t + "\x7f"),
            ).fetchone()
            if r is None:
                return out
            out.append(r[0])
            op, lo = ">", r[0]

    def __call__(self, tokens: list[str]) -> list[tuple[Any, ...]]:
        drive, *rest = sorted(tokens, key=self.count)
        exists = " ".join(
            "AND EXISTS (SELECT 1 FROM x.tok t2 WHERE t2.dossier_id = t1.dossier_id "
            "AND t2.token >= ? AND t2.token < ?)"
            for _ in rest
        )
        rest_params = [v for t in rest for v in (t, t + "\x7f")]
        parts, params = [], []
        for tok in self.distinct(drive):
            parts.append(
                f"SELECT * FROM (SELECT t1.dossier_id AS did FROM x.tok t1 WHERE "
                f"t1.token = ? {exists} ORDER BY t1.dossier_id DESC LIMIT 50)"
            )
            params += [tok, *rest_params]
        if not parts:
            return []
        ids = " UNION ALL ".join(parts)
        return self.conn.execute(
            f"SELECT {COLUMNS} FROM dossiers d JOIN procedures p ON p.id = d.procedure_id "
            f"WHERE d.id IN (SELECT DISTINCT did FROM ({ids}) ORDER BY did DESC LIMIT 50) "
            "ORDER BY d.received_at DESC",
            params,
        ).fetchall()


class Fix2:
    """FTS5 (contentless, detail=none, prefix indexes 2 and 3) over the folded words, rowid =
    dossiers.rowid; the query's words are whole words except the last, which is a prefix
    ("nguyen thi lan" -> "nguyen" "thi" "lan"*): the usual type-ahead meaning, narrower than
    today's (every word a prefix). PostgreSQL equivalent: a tsvector column with a GIN index
    and to_tsquery('simple', 'nguyen & thi & lan:*').
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __call__(self, tokens: list[str]) -> list[tuple[Any, ...]]:
        match = " ".join([f'"{t}"' for t in tokens[:-1]] + [f'"{tokens[-1]}"*'])
        return self.conn.execute(
            f"SELECT {COLUMNS} FROM dossiers d JOIN procedures p ON p.id = d.procedure_id "
            "WHERE d.rowid IN (SELECT rowid FROM x.fts WHERE fts MATCH ? ORDER BY rowid DESC "
            "LIMIT 50) ORDER BY d.received_at DESC",
            (match,),
        ).fetchall()


NAME_KINDS = ("name_common", "name_single", "name_prefix", "name_full")


def experiment(
    db: Path, inputs: dict[str, list[str]], n: int, cap_s: float
) -> list[tuple[str, str, list[float], int]]:
    from counter_app.domain.text import search_tokens

    print("\n### candidate fixes, timed with bare sqlite3 (the bench DB is not changed)\n")
    t0 = time.perf_counter()
    scratch = _scratch(db)
    print(
        f"scratch copy of the token table + proposed indexes: {scratch.name} "
        f"(ready in {time.perf_counter() - t0:.1f} s)"
    )
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.execute(f"ATTACH 'file:{scratch}?mode=ro' AS x")
    out = []
    fixes: list[tuple[str, Callable[[list[str]], list[tuple[Any, ...]]]]] = [
        ("fix 1: index (dossier_id, token) + rarest-word drive", Fix1(conn)),
        ("fix 2: FTS5, last word a prefix", Fix2(conn)),
    ]
    for label, fix in fixes:
        print(f"  {label}: {' '.join((fix.__doc__ or '').split())}")

        def one(q: str, fix: Callable[[list[str]], list[tuple[Any, ...]]] = fix) -> Any:
            return fix(search_tokens(q))

        for kind in NAME_KINDS:
            xs, counts = timed(one, inputs[kind][:n], cap_s=cap_s)
            out.append((label, kind, xs, round(sum(counts) / len(counts))))
            print(
                f"    {kind:12s} p50 {fmt_ms(p50(xs))}  p95 {fmt_ms(p95(xs))}  "
                f"(n={len(xs)}, mean hits {sum(counts) / len(counts):.0f})",
                flush=True,
            )
    print("  plan of fix 1 for 'nguyen thi lan' (drive 'lan'):")
    sql = (
        "SELECT t1.dossier_id FROM x.tok t1 WHERE t1.token = ? AND EXISTS (SELECT 1 FROM x.tok t2 "
        "WHERE t2.dossier_id = t1.dossier_id AND t2.token >= ? AND t2.token < ?) AND EXISTS "
        "(SELECT 1 FROM x.tok t2 WHERE t2.dossier_id = t1.dossier_id AND t2.token >= ? AND "
        "t2.token < ?) ORDER BY t1.dossier_id DESC LIMIT 50"
    )
    for row in conn.execute(
        "EXPLAIN QUERY PLAN " + sql, ("lan", "thi", "thi\x7f", "nguyen", "nguyen\x7f")
    ):
        print("   ", row[3])
    conn.close()
    return out


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

    def search(q: str) -> Any:
        return lookup.search(ctx, q)

    kinds: list[tuple[str, Callable[[str], Any], str, float | None, str]] = [
        (
            "get_dossier by code",
            lambda q: lookup.get_dossier(ctx, q),
            "code",
            BUDGET_CODE_MS,
            "full DossierView: documents, events, names",
        ),
        ("search by code", search, "code", BUDGET_CODE_MS, "summary row"),
        (
            "search by name 'nguyen thi lan' & co.",
            search,
            "name_common",
            BUDGET_NAME_MS,
            "common family + thi/van + given name, folded",
        ),
        (
            "search by one word 'tuyet' & co.",
            search,
            "name_single",
            BUDGET_NAME_MS,
            "a single given name",
        ),
        (
            "search by word prefix 'tuy' & co.",
            search,
            "name_prefix",
            BUDGET_NAME_MS,
            "a partial word of 2–3 letters",
        ),
        (
            "search by full 3-word name",
            search,
            "name_full",
            BUDGET_NAME_MS,
            "real applicants' names, half typed with accents",
        ),
        ("search by citizen ID", search, "id", None, "12 digits, indexed"),
        ("search by phone", search, "phone", None, "10 digits, indexed"),
    ]
    rows: list[Row] = []
    fl, fl95 = p50(floor), p95(floor)
    floor_txt = f"{pair(floor)} (bare indexed SELECT by code)"
    for label, fn, key, budget, note in kinds:
        print(f"  {label} …", flush=True)
        xs, counts = timed(fn, inputs[key][:n], cap_s=args.cap_seconds)
        capped = f" (stopped at the {args.cap_seconds:g} s cap)" if len(xs) < n else ""
        rows.append(
            Row(
                what=f"lookup: {label} @ {at}",
                measured=pair(xs),
                floor=floor_txt,
                ratio=ratio_pair(p50(xs), p95(xs), fl, fl95),
                budget=f"p95 < {budget:g} ms" if budget else "—",
                verdict=verdict(p95(xs), budget),
                note=f"{len(xs)} queries{capped}; mean hits {sum(counts) / len(counts):.1f}; "
                f"max {fmt_ms(max(xs))}; {note}",
            )
        )
    print(f"\nmachine: {machine_line()}")
    print(f"database: {db}")
    print(f"floor: bare sqlite3 SELECT by code p50 {fmt_ms(p50(floor))} / p95 {fmt_ms(p95(floor))}")
    print_rows("lookup", rows)

    name_missed = any(
        r.verdict == "MISS" and "search by" in r.what and "code" not in r.what for r in rows
    )
    if (name_missed or args.force_explain) and not args.no_explain:
        for q in ("nguyen thi lan", "tuyet"):
            explain(db, q, ctx)
        if not args.no_experiment:
            for label, kind, xs, hits in experiment(db, inputs, n, args.cap_seconds):
                rows.append(
                    Row(
                        what=f"lookup, proposed {label.split(':')[0]} (bare sqlite3): "
                        f"{kind} @ {at}",
                        measured=pair(xs),
                        floor=floor_txt,
                        ratio=ratio_pair(p50(xs), p95(xs), fl, fl95),
                        budget=f"p95 < {BUDGET_NAME_MS:g} ms",
                        verdict=verdict(p95(xs), BUDGET_NAME_MS),
                        note=f"{label}; {len(xs)} queries, mean hits {hits}; not the app's code",
                    )
                )
            print_rows("lookup: proposed fixes", rows[len(kinds) :])
    ctx.uow.engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(p)
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--no-explain", action="store_true", help="skip EXPLAIN of slow name searches")
    p.add_argument(
        "--force-explain",
        action="store_true",
        help="EXPLAIN and try the fixes even when every budget is met",
    )
    p.add_argument("--no-experiment", action="store_true", help="skip timing the candidate fixes")
    p.add_argument(
        "--cap-seconds",
        type=float,
        default=90.0,
        help="stop a kind of look-up after this many seconds (slow name searches)",
    )
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

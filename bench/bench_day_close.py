"""The day close for a day of 2,000 dossiers: the summary, then the close itself.

    uv run python bench/bench_day_close.py                    # 2,000 a day, median of 5 runs
    uv run python bench/bench_day_close.py --day-dossiers 500 --history 2000 --runs 3

A SQLite database filled by the app's own services is built once in bench/out/: `init
--demo`, `--history` dossiers over the 40 working days before the day (so the day's queries
must find it among others), then `--day-dossiers` on the day by two clerks (1 in 20 missing a
document: Mẫu 02 and a pause), a Mẫu 01 noted for 19 in 20, 400 earlier dossiers made ready
and returned with a fee on the day and 100 of the day's refused (services/actions), and as
many queue tickets as dossiers (done, no-show, a few left called); the earlier dossiers
are returned but 1 in 50 (set-based UPDATE), and the day before is closed. Each run copies that
file afresh and times what `close-day --supervisor giamsat` does after start-up:
services/dayclose.day_summary (the preview the window shows) and services/dayclose.close_day
(the summary again under the writer lock, the hash, the row, the audit entry and the outbox
event in one fsync'd transaction). Budget (DESIGN.md §8): day close for 2,000 dossiers < 1 s.
Floor in the same run: bare sqlite3 SELECTs of the same rows (the day's dossiers, the day's
returned/refused steps, the day's tickets), no grouping.

run_all.py passes --db/--dossiers/--per-day to every script: this one builds its own
database and ignores them.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import OUT_DIR, Row, fmt_ms, isolate_env, machine_line, print_rows, save_rows

BUDGET_S = 1.0
VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 12, 9)  # a Wednesday in a plain week
PROCS = ("1.004873", "2.000815", "1.001193")
NAMES = ("Nguyễn Thị Bích Ngọc", "Trần Văn An", "Lê Minh Châu", "Phạm Quốc Huy")


def _raw(i: int, at: datetime, missing: bool = False) -> dict[str, object]:
    raw: dict[str, object] = {
        "procedure": PROCS[i % len(PROCS)],
        "applicant": {
            "name": NAMES[i % len(NAMES)],
            "phone": "0912345678",
            "address": f"Số {i} Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang",
        },
        "received_at": at.isoformat(),
    }
    if missing:  # the checklist's first line not brought: Mẫu 02 and a pause
        raw["documents"] = [{"name": "Giấy tờ khác", "kind": "copy", "count": 1}]
    return raw


def _working_days_before(day: date, n: int) -> list[date]:
    out: list[date] = []
    d = day
    while len(out) < n:
        d -= timedelta(days=1)
        if d.weekday() < 5:
            out.append(d)
    return out[::-1]


def build(path: Path, day_dossiers: int, history: int) -> None:
    """The unit's earlier weeks and the busy day, through the services where it matters."""
    from counter_app.app import build_context
    from counter_app.services import actions, dayclose, intake
    from counter_app.services.setup import init_database

    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.db")
    tmp.unlink(missing_ok=True)
    ctx = build_context(db=str(tmp))
    evening = datetime.combine(DAY, dtime(17, 40), VN).astimezone(UTC)
    ctx.clock = lambda: evening
    init_database(ctx, demo=True)
    days = _working_days_before(DAY, 40)
    reqs = []
    for i in range(history):
        d = days[i % len(days)]
        at = datetime.combine(d, dtime(7, 30), VN) + timedelta(seconds=13 * (i // len(days)))
        reqs.append(intake.parse_intake(_raw(i, at)))
    old = []
    for k in range(0, len(reqs), 500):
        old += intake.register(ctx, reqs[k : k + 500], "canbo1")
    _resolve_history(ctx, [v.code for v in old[-400:]])
    dayclose.close_day(ctx, "giamsat", days[-1])  # the unit closes every day
    today = []
    step = max(1, (9 * 3600) // max(1, day_dossiers))
    for clerk in ("canbo1", "canbo2"):
        batch = []
        for i in range(day_dossiers // 2):
            j = i * 2 + (clerk == "canbo2")
            at = datetime.combine(DAY, dtime(7, 30), VN) + timedelta(seconds=step * j)
            batch.append(intake.parse_intake(_raw(j, at, missing=j % 20 == 7)))
        for k in range(0, len(batch), 500):
            today += intake.register(ctx, batch[k : k + 500], clerk)
    for n, v in enumerate(old[-400:]):
        at = datetime.combine(DAY, dtime(8), VN) + timedelta(seconds=60 * n)
        clerk = ("canbo1", "canbo2")[n % 2]
        actions.act(ctx, v.code, "result-ready", clerk, at=at)
        actions.act(ctx, v.code, "return", clerk, at=at + timedelta(seconds=30), fee=8000)
    running = [v for v in today if v.status == "accepted"]
    for n, v in enumerate(running[:100]):
        at = datetime.combine(DAY, dtime(16, 30), VN) + timedelta(seconds=5 * n)
        actions.act(ctx, v.code, "refuse", "canbo2", at=at, reason="Không thuộc thẩm quyền")
    _tickets_and_papers(ctx, [v.code for v in today], day_dossiers)
    ctx.uow.engine.dispose()
    tmp.rename(path)


def _resolve_history(ctx: object, keep: list[str]) -> None:
    """Earlier dossiers as a working unit leaves them: returned, but for 1 in 50 still open
    (a backlog) and `keep` (returned on the day by the bench). Set-based, on the status
    projection the close reads (the events do not matter to it)."""
    from sqlalchemy import text

    with ctx.uow.write() as s:  # type: ignore[attr-defined]
        s.execute(text("CREATE TEMP TABLE keep (code TEXT PRIMARY KEY)"))
        s.execute(text("INSERT INTO keep VALUES (:c)"), [{"c": c} for c in keep])
        s.execute(
            text(
                "UPDATE dossiers SET status = 'returned', resolved_at = due_at, "
                "returned_at = due_at WHERE code_day < :day AND code_seq % 50 <> 0 "
                "AND status = 'accepted' AND code NOT IN (SELECT code FROM keep)"
            ),
            {"day": DAY.isoformat()},
        )
        s.execute(text("DROP TABLE keep"))


def _tickets_and_papers(ctx: object, codes: list[str], n: int) -> None:
    """The day's tickets (rows as the queue leaves them) and the Mẫu 01 / 02 noted."""
    from sqlalchemy import select

    from counter_app.db.models import Dossier, PaperPrint, QueueService, Ticket, User
    from counter_app.domain.ids import new_id

    with ctx.uow.write() as s:  # type: ignore[attr-defined]
        svc = s.scalars(select(QueueService).order_by(QueueService.position)).first()
        users = [s.scalar(select(User.id).where(User.username == u)) for u in ("canbo1", "canbo2")]
        base = datetime.combine(DAY, dtime(7, 30), VN)
        for i in range(n):
            issued = base + timedelta(seconds=15 * i)
            called = issued + timedelta(seconds=60 + (i * 37) % 900)
            status = "done" if i % 15 else "no_show"
            if i >= n - 3:
                status = "called"
            s.add(
                Ticket(
                    id=new_id(),
                    unit_id=svc.unit_id,
                    service_id=svc.id,
                    day=DAY,
                    number=i + 1,
                    display=f"{svc.prefix}{i + 1:03d}",
                    status=status,
                    issued_at=issued,
                    called_at=called,
                    finished_at=None if status == "called" else called + timedelta(minutes=6),
                    counter=1 + i % 2,
                    calls=1,
                    served_by=users[i % 2],
                )
            )
        ids = dict(s.execute(select(Dossier.code, Dossier.id).where(Dossier.code.in_(codes))).all())
        for i, code in enumerate(codes):
            if i % 20 != 3:
                at = base + timedelta(seconds=20 * i)
                s.add(PaperPrint(dossier_id=ids[code], kind="receipt", via="printer", at=at))


def floor(path: Path) -> float:
    start = datetime.combine(DAY, dtime(0), VN).astimezone(UTC).replace(tzinfo=None)
    end = start + timedelta(days=1)
    t0 = time.perf_counter()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "SELECT id, received_by FROM dossiers WHERE received_at >= ? AND received_at < ?",
            (str(start), str(end)),
        ).fetchall()
        conn.execute(
            "SELECT by_user_id, kind, data FROM dossier_events WHERE business_day = ? "
            "AND kind IN ('returned', 'refused')",
            (DAY.isoformat(),),
        ).fetchall()
        conn.execute(
            "SELECT served_by, status, issued_at, called_at, finished_at FROM tickets "
            "WHERE day = ?",
            (DAY.isoformat(),),
        ).fetchall()
    return time.perf_counter() - t0


def run(args: argparse.Namespace) -> list[Row]:
    isolate_env()
    from counter_app.app import build_context
    from counter_app.services import dayclose

    path = OUT_DIR / f"dayclose-{args.day_dossiers}-{args.history}.db"
    t0 = time.perf_counter()
    build(path, args.day_dossiers, args.history)
    print(f"database {path} ready in {time.perf_counter() - t0:.1f} s", flush=True)
    work = OUT_DIR / "dayclose-run.db"
    evening = datetime.combine(DAY, dtime(17, 45), VN).astimezone(UTC)
    summaries, closes, floors = [], [], []
    received = anomalies = 0
    for _ in range(args.runs + 1):  # the first run is a warm-up (imports, statement cache)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        shutil.copy(path, work)
        ctx = build_context(db=str(work))
        ctx.clock = lambda: evening
        t1 = time.perf_counter()
        s = dayclose.day_summary(ctx, DAY)
        t2 = time.perf_counter()
        closed = dayclose.close_day(ctx, "giamsat", DAY)
        t3 = time.perf_counter()
        assert closed.closed is not None and dayclose.check_close_chain(ctx) is None
        ctx.uow.engine.dispose()
        summaries.append(t2 - t1)
        closes.append(t3 - t2)
        floors.append(floor(work))
        received, anomalies = int(s.totals["received"]), len(s.anomalies)
    summaries, closes, floors = summaries[1:], closes[1:], floors[1:]
    med = statistics.median
    f = med(floors)
    out = [
        Row(
            what=f"day close: summary + anomalies of {received:,} dossiers (preview)",
            measured=fmt_ms(med(summaries) * 1e3),
            floor=f"{fmt_ms(f * 1e3)} bare SELECTs",
            ratio=f"{med(summaries) / f:.1f}×",
            budget="—",
            verdict="info",
            note=f"{anomalies} anomalies",
        ),
        Row(
            what=f"**day close for {received:,} dossiers** (`close-day`, median of {args.runs})",
            measured=fmt_ms(med(closes) * 1e3),
            floor=f"{fmt_ms(f * 1e3)} bare SELECTs",
            ratio=f"{med(closes) / f:.1f}×",
            budget=f"< {BUDGET_S:g} s",
            verdict="pass" if med(closes) < BUDGET_S else "MISS",
            note="runs " + ", ".join(f"{x * 1e3:.0f}" for x in closes) + " ms",
        ),
    ]
    print(f"\nmachine: {machine_line()}")
    print_rows("day close", out)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--day-dossiers", type=int, default=2000)
    p.add_argument("--history", type=int, default=20_000, help="dossiers on earlier days")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--results", type=Path, default=None)
    for ignored in ("--db", "--dossiers", "--per-day"):  # run_all.py's, for the others
        p.add_argument(ignored, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

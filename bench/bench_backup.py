"""Backup (and restore) of a 1,000,000-dossier database against a plain file copy.

    uv run python bench/bench_backup.py                     # 1,000,000 dossiers (built once)
    uv run python bench/bench_backup.py --quick             # 20,000 dossiers
    uv run python bench/bench_backup.py --db /tmp/big.db    # an existing bench database

The database is bench/make_db.py's (built once, reused). In the same run, alternately:
a plain `shutil.copyfile` of the database file (the floor: what a byte copy costs; not a
safe backup beside a live -wal), and `services/backup.backup` — sqlite3's online backup
API into a temporary file, the metadata record, journal_mode=DELETE, PRAGMA
integrity_check, the schema and unit checks, fsync, rename. The integrity check alone is
timed on the result too (most of the backup's cost over the copy), and `restore_file`
of that backup over the plain copy (checks the file, copies it with the backup API,
quick_check of the copy, keeps the old file aside by a hard link, renames). Sizes are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import (
    Row,
    add_common_args,
    ensure_db,
    isolate_env,
    machine_line,
    print_rows,
    resolve_size,
    save_rows,
)


def _mb(n: int) -> str:
    return f"{n / 1_048_576:,.0f} MB"


def _s(x: float) -> str:
    return f"{x:.1f} s" if x >= 10 else f"{x:.2f} s"


def run(args: argparse.Namespace) -> list[Row]:
    os.environ.update(isolate_env())
    db = ensure_db(args)
    from counter_app.app import build_context
    from counter_app.services import backup as backup_svc

    ctx = build_context(db=str(db))
    out_dir = Path(args.out or tempfile.mkdtemp(prefix="bench-backup-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    size = db.stat().st_size
    copies: list[float] = []
    backups: list[float] = []
    checks: list[float] = []
    restores: list[float] = []
    backup_size = 0
    for i in range(args.runs):
        plain = out_dir / f"copy-{i}.db"
        t0 = time.perf_counter()
        shutil.copyfile(db, plain)
        copies.append(time.perf_counter() - t0)

        target = out_dir / f"backup-{i}.db"
        res = backup_svc.backup(ctx, target)
        backups.append(res.seconds)
        backup_size = res.bytes

        conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        t0 = time.perf_counter()
        conn.execute("PRAGMA integrity_check").fetchall()
        checks.append(time.perf_counter() - t0)
        conn.close()

        # Restore that backup over the plain copy (it stands for the live database).
        t0 = time.perf_counter()
        backup_svc.restore_file(plain, target, now=datetime.now(UTC))
        restores.append(time.perf_counter() - t0)
        for p in out_dir.glob("copy-*"):
            p.unlink()
        for p in out_dir.glob(".tmp-*"):
            p.unlink()
        if i < args.runs - 1:
            target.unlink()
    ctx.uow.engine.dispose()
    copy_s, backup_s = statistics.median(copies), statistics.median(backups)
    check_s, restore_s = statistics.median(checks), statistics.median(restores)
    n = f"{args.dossiers_resolved:,}"
    rows = [
        Row(
            what=f"**backup of a {n}-dossier database** (median of {args.runs})",
            measured=_s(backup_s),
            floor=f"{_s(copy_s)} (shutil.copyfile)",
            ratio=f"{backup_s / copy_s:.1f}×",
            budget="—",
            verdict="info",
            note=(
                f"database {_mb(size)}, backup {_mb(backup_size)}; of the backup, "
                f"PRAGMA integrity_check alone {_s(check_s)}"
            ),
        ),
        Row(
            what=f"restore of that backup (median of {args.runs})",
            measured=_s(restore_s),
            floor=f"{_s(copy_s)} (shutil.copyfile)",
            ratio=f"{restore_s / copy_s:.1f}×",
            budget="—",
            verdict="info",
            note="integrity_check of the file, the backup-API copy, quick_check of the copy",
        ),
    ]
    print(machine_line())
    print_rows("Backup and restore", rows)
    if not args.out:
        shutil.rmtree(out_dir, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    add_common_args(p)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--out", type=Path, default=None, help="folder for the copies (default tmp)")
    args = p.parse_args(argv)
    args.dossiers_resolved = resolve_size(args)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

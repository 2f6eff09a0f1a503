"""bench/make_db.py: a size one unit's dossier codes cannot hold (their yymmdd reads back as
20yy, its register allows 99,999 a year) is built as several units in one file, each with its
own codes, day sequences, register book and counters; forced into one unit it is refused at
once, instead of failing an hour into the build (as a 10 M build once did at 9.6 M)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _make_db(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "make_db.py"), str(tmp_path / "b.db"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def _units_for(n: int, per_day: int) -> int:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import make_db; print(make_db.units_for({n}, {per_day}))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT / "bench",
        check=True,
    )
    return int(done.stdout)


def test_ten_million_is_five_units_and_a_million_one() -> None:
    assert _units_for(10_000_000, 380) == 5  # ~21.5 years each
    assert _units_for(1_000_000, 380) == 1  # ~10.7 years
    assert _units_for(2_327_500, 380) == 1  # 25 years exactly
    assert _units_for(2_327_501, 380) == 2


def test_a_century_in_one_unit_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    done = _make_db(tmp_path, "--dossiers", "10000000", "--units", "1")
    assert done.returncode != 0
    assert "2-digit year" in done.stderr and "107 years" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no lock, no half-built file


def test_several_units_each_number_their_own(tmp_path: Path) -> None:
    done = _make_db(tmp_path, "--dossiers", "1030", "--per-day", "40", "--units", "3")
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(tmp_path / "b.db")
    units = dict(db.execute("SELECT id, agency_id FROM units"))
    assert len(units) == 3
    local = db.execute("SELECT value FROM app_meta WHERE key = 'local_unit_id'").fetchone()[0]
    assert units[local] == "000.20.25.H01"  # the demo unit stays the one the app works as
    rows = db.execute(
        "SELECT unit_id, code, code_day, code_seq, register_book, register_no FROM dossiers"
    ).fetchall()
    assert len(rows) == 1030
    assert len({r[1] for r in rows}) == 1030  # every code once
    for unit_id, code, day, seq, _book, _no in rows:
        yymmdd = day[2:4] + day[5:7] + day[8:10]
        assert code == f"{units[unit_id]}-{yymmdd}-{seq:04d}"
    # Each unit's day sequences and register run 1..last with no gap, and its counters
    # hold the last number, so a real intake continues from them.
    counters = {(u, k, p): last for u, k, p, last in db.execute("SELECT * FROM sequence_counters")}
    for unit_id in units:
        mine = [r for r in rows if r[0] == unit_id]
        assert mine, unit_id
        days: dict[str, list[int]] = {}
        for r in mine:
            days.setdefault(r[2], []).append(r[3])
        for day, seqs in days.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1))
            assert counters[(unit_id, "dossier", day)] == len(seqs)
        years: dict[str, list[int]] = {}
        for r in mine:
            years.setdefault(r[4].split("/")[1], []).append(r[5])
        for year, numbers in years.items():
            assert sorted(numbers) == list(range(1, len(numbers) + 1))
            assert counters[(unit_id, "register", year)] == len(numbers)
    # Every unit's events and outbox rows are its own.
    assert db.execute(
        "SELECT count(*) FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id "
        "WHERE e.unit_id != d.unit_id"
    ).fetchone() == (0,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []

"""bench/make_db.py refuses at once a size one unit's dossier codes cannot hold (their
yymmdd repeats after 100 years), instead of failing an hour into the build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _make_db(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "make_db.py"), str(tmp_path / "b.db"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_a_century_of_codes_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    done = _make_db(tmp_path, "--dossiers", "10000000")
    assert done.returncode != 0
    assert "2-digit year" in done.stderr and "107 years" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no lock, no half-built file

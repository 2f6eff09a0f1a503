"""bench/bench_keys.py stays runnable: one round of the paper form's order, in a child process
(its own QApplication and demo database), must complete and print its figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_keys_completes_the_procedure_first_order(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_APP_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        COUNTER_APP_DATA_DIR=str(tmp_path / "data"),
        COUNTER_APP_CONFIG=str(tmp_path / "no-config.toml"),
        PYTHONIOENCODING="utf-8",
    )
    results = tmp_path / "rows.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_keys.py"),
            "--rounds",
            "1",
            "--order",
            "procedure-first",
            "--results",
            str(results),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "keys after the ID scan, returning applicant [procedure-first]" in done.stdout
    assert "Ctrl+D F3 Ctrl+S F9" in done.stdout
    assert results.exists()


def test_bench_keys_measures_issue_16s_address_flows(tmp_path: Path) -> None:
    """The "address" order (issue 16) completes: the old card's address taken by Ctrl+Enter,
    a known hamlet taken by its first letters, a new hamlet with the unit's commune
    completed, and the address typed in full for comparison."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_APP_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        COUNTER_APP_DATA_DIR=str(tmp_path / "data"),
        COUNTER_APP_CONFIG=str(tmp_path / "no-config.toml"),
        PYTHONIOENCODING="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_keys.py"),
            *("--rounds", "1", "--order", "address"),
            *("--results", str(tmp_path / "rows.json")),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "card with the old address (Ctrl+Enter) [address] | 22 " in done.stdout
    assert "the 2025 address (Ctrl+Enter) 1" in done.stdout
    assert "a hamlet new to the unit, its commune completed [address]" in done.stdout
    assert "address 15," in done.stdout  # "Ấp Mỹ Hòa," (13 Telex keys) then Enter
    # a hamlet others gave: "my hoa" then Enter completes the whole address; the target met
    assert "a hamlet of the unit's commune others gave [address] | 60 " in done.stdout
    assert "address 7," in done.stdout

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

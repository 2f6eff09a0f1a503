"""Issue 17, start-up: the counter window comes up before the printing code loads.

reportlab, segno and python-barcode took ~0.5 s of a 2.8 s start on a 1,000,000-dossier
database. The GUI's modules import none of them at the top; the window loads them on a
worker thread once it is shown (`printjobs.preload`), and printing still works whether
or not that has finished (the counter window tests print receipts and labels)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PRINTING = ("reportlab", "segno", "barcode", "PIL")


def _run(code: str, tmp_path: Path) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_gui_modules_load_no_printing_library(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import counter_app.ui.main, counter_app.ui.main_window\n"
        f"print(','.join(m for m in {PRINTING!r} if m in sys.modules))\n"
    )
    assert _run(code, tmp_path) == ""


def test_the_window_loads_the_printing_code_once_shown(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    code = (
        "import sys, time\n"
        "from PySide6.QtCore import QThreadPool\n"
        "from counter_app.app import build_context\n"
        "from counter_app.services.auth import login\n"
        "from counter_app.services.setup import init_database\n"
        "from counter_app.ui import main as ui_main\n"
        "app = ui_main.application()\n"
        f"ctx = build_context(db={str(db)!r})\n"
        "init_database(ctx, demo=True)\n"
        "win = ui_main.build_main_window(ctx, login(ctx, 'canbo1', 'demo'))\n"
        "win.show()\n"
        "before = 'reportlab' in sys.modules\n"
        "deadline = time.monotonic() + 60\n"
        "while 'counter_app.printing.labels' not in sys.modules and time.monotonic() < deadline:\n"
        "    app.processEvents()\n"
        "    QThreadPool.globalInstance().waitForDone(50)\n"
        "QThreadPool.globalInstance().waitForDone(30000)\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "from counter_app.printing import fonts\n"
        "pdfmetrics.getFont(fonts.REGULAR)\n"
        "import gc\n"
        "print(before, 'counter_app.printing.forms' in sys.modules, gc.isenabled())\n"
    )
    # the collector paused while the window was built runs again once it is built
    assert _run(code, tmp_path) == "False True True"


def test_the_window_loads_the_calendar_once_shown(tmp_path: Path) -> None:
    """The first save computed its due date with the package's calendar not yet loaded:
    importing `holidays` and building the year took ~0.9 s of it. The window loads this year
    and the next on a worker thread once it is up, so a save on 30 December whose due date
    falls in January builds no year of its own."""
    db = tmp_path / "c.db"
    now = "2026-12-30T09:00:00+07:00"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COUNTER_APP_NOW": now}
    init = subprocess.run(  # in another process: the demo's samples compute due dates
        [sys.executable, "-m", "counter_app", "--db", str(db), "init", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    code = (
        "import sys, time\n"
        "from PySide6.QtCore import QThreadPool\n"
        "from counter_app.app import build_context\n"
        "from counter_app.domain import workdays\n"
        "from counter_app.services.auth import login\n"
        "from counter_app.services.intake import IntakeRequest, register\n"
        "from counter_app.ui import main as ui_main\n"
        "app = ui_main.application()\n"
        f"ctx = build_context(db={str(db)!r})\n"
        "win = ui_main.build_main_window(ctx, login(ctx, 'canbo1', 'demo'))\n"
        "win.show()\n"
        "before = workdays._load_year.cache_info().currsize\n"
        "deadline = time.monotonic() + 60\n"
        "while workdays._load_year.cache_info().currsize < 2 and time.monotonic() < deadline:\n"
        "    app.processEvents()\n"
        "    QThreadPool.globalInstance().waitForDone(50)\n"
        "QThreadPool.globalInstance().waitForDone(30000)\n"
        "misses = workdays._load_year.cache_info().misses\n"
        "req = IntakeRequest(procedure='1.004873', name='Lê Văn Tám', address='Mỹ Hòa')\n"
        "view = register(ctx, [req], 'canbo1')[0]\n"
        "print(before, view.due_at.year, workdays._load_year.cache_info().misses - misses)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-3:] == ["0", "2027", "0"]

"""Qt stops at ui/: every other package imports in a fresh interpreter without loading PySide6."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import counter_app

CORE = sorted(
    m.name
    for m in pkgutil.walk_packages(counter_app.__path__, "counter_app.")
    if not m.name.startswith("counter_app.ui") and "migrations" not in m.name
)


def test_core_packages_do_not_load_qt() -> None:
    assert "counter_app.services.intake" in CORE and "counter_app.printing.forms" in CORE
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    if name != 'counter_app.__main__':\n"
        "        importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "print(','.join(qt))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"PySide6 loaded by core packages: {out.stdout}"

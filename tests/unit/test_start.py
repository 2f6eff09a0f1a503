"""The entry point pauses the garbage collector for the app's imports only (issue 17)."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from counter_app.gc_pause import gc_paused


def test_the_collector_is_paused_inside_and_back_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ImportError), gc_paused():
        raise ImportError("a module that failed to load")
    assert gc.isenabled()


def test_a_collector_someone_else_paused_stays_paused() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_command_runs_with_the_collector_on() -> None:
    """The command itself (here a report of the state at the end) runs collected as usual."""
    code = (
        "import gc, sys\n"
        "from counter_app import start\n"
        "import counter_app.app as app\n"
        "app.main = lambda: print('enabled' if gc.isenabled() else 'paused')\n"
        "start.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "enabled", done.stderr

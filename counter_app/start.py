"""The entry point of `counter-app`, `python -m counter_app` and main.py: the app's modules
load with the garbage collector paused (gc_pause.py), then the command or the window runs
as usual."""

from __future__ import annotations

from counter_app.gc_pause import gc_paused


def main() -> None:
    with gc_paused():
        from counter_app.app import main as app_main
    app_main()

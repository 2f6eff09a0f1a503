"""Child process of bench_startup.py: open the counter window the way `counter-app gui` does.

Kept free of bench helpers so that nothing but the app is imported. Steps, as in
counter_app.ui.main.run() minus the human at the login dialog: import the GUI module
(PySide6 + services), QApplication, build_context (open + migrate-check the database),
login() (scrypt check, audit row), build_main_window() (intake_setup, widgets), show(),
then QTimer.singleShot(0) fires once the event loop is idle. One JSON line goes to stdout
with perf_counter marks; the parent measures the wall time from before it spawned us.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402

marks: dict[str, float] = {}


def mark(name: str) -> None:
    marks[name] = time.perf_counter() - T0


def main() -> int:
    db, mode = sys.argv[1], sys.argv[2]  # mode: "window" or "qapp"
    if mode == "qapp":
        # fallback when counter_app.ui.main has no build_main_window: services + Qt only
        from PySide6.QtWidgets import QApplication

        from counter_app.app import build_context
        from counter_app.services.intake import intake_setup

        mark("import")
        app = QApplication(sys.argv[:1])
        mark("qapplication")
        ctx = build_context(db=db)
        intake_setup(ctx)
        mark("services_ready")
        print("READY " + json.dumps(marks), flush=True)
        return 0

    from counter_app.gc_pause import gc_paused

    with gc_paused():  # as `counter-app gui` does (counter_app/start.py, app.run_gui)
        from counter_app.app import build_context
        from counter_app.ui import main as ui_main

    mark("import")
    from PySide6.QtCore import QTimer

    from counter_app.services.auth import login

    app = ui_main.application()
    mark("qapplication")
    ctx = build_context(db=db)
    mark("build_context")
    user = login(ctx, "canbo1", "demo")
    mark("login")

    try:  # also note when today's list (loaded on a worker thread) reaches the window
        from counter_app.ui.main_window import CounterWindow

        original = CounterWindow._fill_today

        def fill_today(self: object, *a: object, **kw: object) -> object:
            result = original(self, *a, **kw)  # type: ignore[arg-type]
            mark("today_list_filled")
            if "idle" in marks:
                finish()
            return result

        CounterWindow._fill_today = fill_today  # type: ignore[method-assign, assignment]
        have_fill = True
    except (ImportError, AttributeError):
        have_fill = False

    win = ui_main.build_main_window(ctx, user)
    mark("main_window_built")
    win.show()
    mark("shown")
    deadline = time.perf_counter() + 20

    def finish() -> None:
        print("READY " + json.dumps(marks), flush=True)
        app.quit()

    def idle() -> None:
        mark("idle")
        print("IDLE " + json.dumps(marks), flush=True)
        if not have_fill or "today_list_filled" in marks:
            finish()

    def give_up() -> None:
        if time.perf_counter() > deadline:
            finish()

    QTimer.singleShot(0, idle)
    QTimer.singleShot(20_000, give_up)
    app.exec()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

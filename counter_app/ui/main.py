"""Opening the GUI: database, optional demo seeding, login, then the counter window."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QLocale, QTimer, qInstallMessageHandler
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from counter_app.domain.errors import CounterAppError
from counter_app.gc_pause import gc_paused
from counter_app.messages import describe
from counter_app.services.auth import UserInfo
from counter_app.services.context import ServiceContext
from counter_app.services.intake import intake_setup
from counter_app.services.printjobs import Printers
from counter_app.services.setup import DEMO_PASSWORD, init_database
from counter_app.services.unit_setup import current_unit
from counter_app.ui.dialogs import LoginDialog
from counter_app.ui.first_run import FirstRunDialog
from counter_app.ui.i18n import install_qt_translation, tr
from counter_app.ui.main_window import CounterWindow
from counter_app.ui.qtlog import route_qt_messages
from counter_app.ui.scan import ScanDispatcher
from counter_app.ui.style import STYLE


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    qInstallMessageHandler(route_qt_messages)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("counter-app")
    app.setApplicationDisplayName(tr("Bộ phận Một cửa"))
    install_qt_translation(app)  # Qt's own buttons (Yes/No, OK/Cancel) in Vietnamese
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    app.setFont(QFont("Liberation Sans", 11))
    app.setStyleSheet(STYLE)
    return app


def build_main_window(
    ctx: ServiceContext, user: UserInfo, scan: ScanDispatcher | None = None
) -> CounterWindow:
    """The counter window for a logged-in user (used by run() and by tests and benchmarks)."""
    application()
    with gc_paused():  # thousands of widgets and signal connections, no garbage
        return CounterWindow(
            ctx, user, intake_setup(ctx), Printers.attached(ctx.adapters, ctx.settings), scan
        )


def _fail(message: str) -> int:
    sys.stderr.write(f"Lỗi: {message}\n")
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        QMessageBox.critical(None, tr("Không mở được phần mềm"), message)
    return 1


def unattended_window(ctx: ServiceContext, unit: str, window: str) -> QWidget:
    """Kiosk, board and the rating screen need no login: they run unattended, full screen."""
    from counter_app.ui.board import BoardWindow
    from counter_app.ui.kiosk import KioskWindow
    from counter_app.ui.rating_window import RatingWindow

    if window == "kiosk":
        return KioskWindow(ctx, unit)
    if window == "rating":  # asks about this counter's finished tickets (counter_number)
        return RatingWindow(ctx, unit, ctx.settings.counter_number, standalone=True)
    return BoardWindow(ctx, unit, ctx.settings.board_voice)


def run(args: argparse.Namespace, open_context: Callable[[], ServiceContext]) -> int:
    """The window for `gui` (or no command), on the context app.py opens."""
    app = application()
    window = getattr(args, "window", "counter")  # `gui --window kiosk|board|rating`
    first_user = ""
    try:
        ctx = open_context()
        if args.demo:
            init_database(ctx, demo=True)
        elif window == "counter" and current_unit(ctx) is None:
            # No unit and no --demo: the first-run screen, then the normal login.
            first = FirstRunDialog(ctx)
            if not first.exec():
                return 0
            first_user = first.username
        setup = intake_setup(ctx)
    except CounterAppError as exc:
        return _fail(describe(exc))
    if window != "counter":
        unattended = unattended_window(ctx, setup.unit.name, window)
        unattended.showFullScreen()
        return _exec(app, ctx)
    hint = (
        tr("Dữ liệu mẫu: canbo1 / {pw} (giám sát: giamsat)").format(pw=DEMO_PASSWORD)
        if args.demo
        else ""
    )
    login = LoginDialog(ctx, setup.unit.name, hint)
    if args.demo or first_user:
        login.username.setText(first_user or "canbo1")
        QTimer.singleShot(0, login.password.setFocus)
    if not login.exec() or login.user is None:
        return 0
    scan = ScanDispatcher(app)
    scan.today = lambda: ctx.now().date()
    scan.install(app)
    scanner = ctx.adapters.scanner()
    if scanner is not None:
        scan.start_serial(scanner)
    win = build_main_window(ctx, login.user, scan)
    if win.restore_geometry():
        win.show()
    else:
        win.showMaximized()  # a counter PC gives the whole screen to the counter window
    # What start-up loaded and built lives as long as the window: out of the collector's
    # later passes, so a full collection during a save does not walk it (bench_intake
    # measures the save this way).
    gc.freeze()
    return _exec(app, ctx)


def _exec(app: QApplication, ctx: ServiceContext) -> int:
    """Run the event loop; then end the background checkpoint and close the database (the
    last close copies the -wal into the main file)."""
    try:
        return app.exec()
    finally:
        ctx.uow.dispose()

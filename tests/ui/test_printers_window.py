"""Issue 13 item 1 in the window: Ctrl+Shift+P shows the printers to a supervisor and prints
a test page on each through the real print path (Qt's PDF output here), off the GUI thread;
the intake paper goes the same way, and a printer that cannot print leaves F8 to retry."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter_app.printing.test_page import TEST_CODE
from counter_app.services.auth import login
from counter_app.services.context import ServiceContext
from counter_app.services.intake import intake_setup
from counter_app.services.printjobs import Printers
from counter_app.ui.main_window import CounterWindow
from counter_app.ui.qtprint import QtSpooler
from counter_app.ui.scan import ScanDispatcher

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="poppler/zbar missing"
)


CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def scan(pdf: Path, dpi: float) -> list[str]:
    png = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(png)])
    done = subprocess.run(["zbarimg", "--raw", "-q", f"{png}.png"], capture_output=True)
    return done.stdout.decode().split()


@pytest.fixture
def printed(tmp_path: Path) -> Path:
    return tmp_path / "printed"


@pytest.fixture
def qt_printers(printed: Path) -> Printers:
    # The folder does not exist yet: QPainter.begin fails as on a printer that is off.
    return Printers(
        a4=QtSpooler(output_pdf=printed / "a4.pdf"),
        label=QtSpooler(kind="label", output_pdf=printed / "label.pdf"),
    )


@pytest.fixture
def supervisor_window(
    qtbot: QtBot, qapp, ui_ctx: ServiceContext, qt_printers: Printers
) -> Iterator[CounterWindow]:
    from counter_app.services.unit_setup import add_user

    add_user(ui_ctx, "giamsat9", "Lê Thị Giám Sát", "supervisor", "demo-Giamsat9")
    scan_ = ScanDispatcher()
    user = login(ui_ctx, "giamsat9", "demo-Giamsat9")
    win = CounterWindow(ui_ctx, user, intake_setup(ui_ctx), qt_printers, scan_)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitActive(win)
    yield win
    from counter_app.ui.tasks import pending_tasks

    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


@pytest.mark.qt_log_ignore("QPainter::begin")
def test_supervisor_prints_test_pages_from_the_keyboard(
    qtbot: QtBot, supervisor_window: CounterWindow, printed: Path, tmp_path: Path
) -> None:
    win = supervisor_window
    qtbot.keyClick(win, Qt.Key.Key_P, CTRL_SHIFT)
    dialog = win.printers_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.a4_button.hasFocus, timeout=5000)  # Tab/Enter reach the buttons

    qtbot.keyClick(dialog, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Không in được" in dialog.message.text(), timeout=20_000)
    assert "không sẵn sàng" in dialog.message.text()  # the folder is missing: "printer off"

    printed.mkdir()
    qtbot.keyClick(dialog, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Đã gửi trang in thử" in dialog.message.text(), timeout=20_000)
    qtbot.keyClick(dialog, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: (printed / "label.pdf").exists() and not dialog.busy, timeout=20_000)
    assert scan(printed / "a4.pdf", 300) == [TEST_CODE]
    assert scan(printed / "label.pdf", 406.4) == [TEST_CODE]
    dialog.grab().save(str(tmp_path / "printers-dialog.png"))
    win.grab().save(str(tmp_path / "window.png"))


def test_a_clerk_is_told_the_printers_are_the_supervisors(
    qtbot: QtBot, window: CounterWindow
) -> None:
    qtbot.keyClick(
        window,
        Qt.Key.Key_P,
        CTRL_SHIFT,
    )
    assert window.printers_dialog is None
    assert "giám sát" in window.statusBar().currentMessage()

"""A folder label, printed and scanned, opens its dossier in the counter window (issue 14
item 14): the label's QR is rendered to PDF, rasterised at 300 dpi (a 300-dpi label printer or
an A4 laser; the old 1-dot Code 128 gave nothing there), decoded by zbar, and its text typed
into the window by a keyboard-wedge scanner, key by key, then Enter."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from counter_app.printing.labels import render_label
from counter_app.services import lookup
from counter_app.ui.main_window import CounterWindow

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="poppler/zbar missing"
)


def scan_label(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "nhan.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-singlefile", "nhan.pdf", "nhan"],
        cwd=tmp_path,
        check=True,
    )
    done = subprocess.run(
        ["zbarimg", "--raw", "-q", "nhan.png"], cwd=tmp_path, capture_output=True, check=False
    )
    [text] = done.stdout.decode().split()
    return text


def test_a_scanned_label_opens_its_dossier(
    qtbot: QtBot, window: CounterWindow, tmp_path: Path
) -> None:
    code = lookup.search(window.ctx, "Nguyen Van An")[0].code
    scanned = scan_label(render_label(lookup.get_dossier(window.ctx, code), "pdf"), tmp_path)
    assert scanned == code

    window.form.fields["phone"].edit.setFocus()  # wherever the clerk happens to be typing
    target = QApplication.focusWidget()
    QTest.keyClicks(target, scanned)  # the wedge types the label's text, then Enter
    QTest.keyClick(target, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.dossier_dialog is not None and window.dossier_dialog.isVisible(),
        timeout=5000,
    )
    assert window.dossier_dialog.view.code == code
    assert window.form.fields["phone"].text() == ""  # the scan is not left in the field

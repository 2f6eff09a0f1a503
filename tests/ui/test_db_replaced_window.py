"""Issue 12 item 3 in the window: the database file deleted while the counter window is open.
The save is refused in red, nothing is printed, and what the clerk typed stays in the form."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_counter_window import choose_procedure, fill_applicant, focused

from counter_app.ui.main_window import CounterWindow


def test_a_save_after_the_file_was_deleted_is_refused_and_the_form_kept(
    qtbot: QtBot, window: CounterWindow, tmp_path: Path
) -> None:
    choose_procedure(qtbot, window, "dang ky khai sinh")
    fill_applicant(qtbot, window)
    qtbot.keyClick(focused(), Qt.Key.Key_F3)
    db = Path(str(window.ctx.uow.engine.url.database))
    os.unlink(db)  # a clean-up script, an antivirus quarantine
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.banner.property("kind") == "error", timeout=10_000)
    text = window.banner.text.text()
    assert "CHƯA được lưu" in text and "đã bị xóa hoặc thay thế" in text
    assert window.printers.a4.jobs == []
    f = window.form.fields
    assert f["name"].text() == "Nguyễn Thị Ánh Tuyết"
    assert f["id_number"].text() == "089301000777" and f["phone"].text() == "0939888777"
    assert window.form.entry is not None and window.form.entry.procedure.code == "1.001193"
    window.grab().save(str(tmp_path / "db-deleted.png"))
    if os.environ.get("I12_SHOT"):
        window.grab().save(os.environ["I12_SHOT"])

"""The dossier view lists the digitised documents (issue 15): each archive PDF with its
document, pages, size and the start of its hash; the document's line says "đã số hóa"."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from page_images import text_page
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from counter_app.db.models import Dossier
from counter_app.services import files, lookup
from counter_app.ui.dossier_view import DossierDialog


def test_the_dossier_view_lists_its_files(qtbot: QtBot, ui_ctx, tmp_path: Path) -> None:
    ui_ctx.settings = replace(ui_ctx.settings, ocr=False)
    with ui_ctx.uow.read() as s:
        code = s.scalar(select(Dossier.code).where(Dossier.status == "accepted").limit(1))
    view = lookup.get_dossier(ui_ctx, code)
    plain = DossierDialog(view, {}, ctx=ui_ctx, username="canbo1")
    qtbot.addWidget(plain)
    assert plain.files.isHidden()  # no files: no empty table
    first = view.documents[0].name
    info = files.attach(ui_ctx, code, first, [text_page(seed=1), text_page(seed=2)])
    dlg = DossierDialog(lookup.get_dossier(ui_ctx, code), {}, ctx=ui_ctx, username="canbo1")
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.files.isHidden() and dlg.files.rowCount() == 1
    cells = [dlg.files.item(0, c).text() for c in range(5)]
    assert cells[0] == info.name and cells[1] == first and cells[2] == "2"
    assert cells[4].startswith(info.sha256[:12])
    assert dlg.docs.item(0, 1).text() == f"{first}  (đã số hóa)"
    dlg.grab().save(str(tmp_path / "dossier-files.png"))


def test_enter_on_a_file_opens_its_copy_and_a_lost_one_says_so(
    qtbot: QtBot, ui_ctx, tmp_path: Path, monkeypatch
) -> None:
    ui_ctx.settings = replace(ui_ctx.settings, ocr=False, print_dir=str(tmp_path / "prints"))
    with ui_ctx.uow.read() as s:
        code = s.scalar(select(Dossier.code).where(Dossier.status == "accepted").limit(1))
    info = files.attach(ui_ctx, code, None, [text_page(seed=3)])
    opened: list[str] = []
    monkeypatch.setattr(
        DossierDialog, "open_url", staticmethod(lambda u: opened.append(u.toLocalFile()) or True)
    )
    dlg = DossierDialog(lookup.get_dossier(ui_ctx, code), {}, ctx=ui_ctx, username="canbo1")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.files.setFocus()
    dlg.files.setCurrentCell(0, 0)
    qtbot.keyClick(dlg.files, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    copy = Path(opened[0])
    assert copy.name == info.name and copy.read_bytes() == files.read_blob(ui_ctx, info.sha256)
    assert "Đã mở tệp" in dlg.message.text()
    assert not dlg.isHidden()  # Enter on the table opened the file, nothing else
    files.blob_path(ui_ctx, info.sha256).unlink()  # lost, and no central to fetch it from
    qtbot.keyClick(dlg.files, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "không còn trên ổ đĩa" in dlg.message.text(), timeout=5000)
    assert len(opened) == 1

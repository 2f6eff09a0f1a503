"""The dossier view lists the digitised documents (issue 15): each archive PDF with its
document, pages, size and the start of its hash; the document's line says "đã số hóa"."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from page_images import text_page
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

"""Issue 16 (store): the dossier view shows the address's 2025 commune, a calm "chưa xác
minh" mark for an unverified address, and the ID card's own address after a conversion.
Screenshots go to $COUNTER_APP_SHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot

from counter_app.services import intake, lookup
from counter_app.ui.dossier_view import DossierDialog

# read at import: the fixtures clear every COUNTER_APP_* variable before a test runs
SHOTS = os.environ.get("COUNTER_APP_SHOTS")
OLD = "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang"


def _dialog(qtbot: QtBot, ctx, applicant: dict, shot: str) -> DossierDialog:
    raw = {"procedure": "1.004873", "applicant": {"name": "Nguyễn Văn An", **applicant}}
    [view] = intake.register(ctx, [intake.parse_intake(raw)], "canbo1")
    dlg = DossierDialog(lookup.get_dossier(ctx, view.code), {}, ctx=ctx, username="canbo1")
    qtbot.addWidget(dlg)
    dlg.show()
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        dlg.grab().save(str(Path(SHOTS) / shot))
    return dlg


def test_a_converted_address_shows_its_commune_and_the_card_text(qtbot: QtBot, ui_ctx) -> None:
    dlg = _dialog(
        qtbot,
        ui_ctx,
        {"address": "Ấp Mỹ Hòa", "commune_code": "30313", "address_card": OLD},
        "dossier-address-converted.png",
    )
    text = dlg.info.text()
    assert "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang" in text
    assert "Xã/phường: <b>Xã Mỹ Hòa Hưng, tỉnh An Giang</b>" in text
    assert f"Địa chỉ trên thẻ: {OLD}" in text
    assert "chưa xác minh" not in text


def test_an_unverified_address_is_marked_calmly(qtbot: QtBot, ui_ctx) -> None:
    dlg = _dialog(
        qtbot, ui_ctx, {"address": "Ấp Mỹ Hòa, gần chợ <b>"}, "dossier-address-unverified.png"
    )
    text = dlg.info.text()
    assert "chưa xác minh xã/phường" in text and "#92400e" in text
    assert "gần chợ &lt;b&gt;" in text  # the typed text is shown, not read as markup
    assert "Địa chỉ trên thẻ" not in text

"""The first-run screen (issue 11 §4): a database with no unit and no --demo opens it; the
unit, the first supervisor, the counters and services are saved in one go, with the CLI's
checks and messages next to the fields; refused input leaves the database empty."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pinned_clock import TestClock
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidgetItem
from pytestqt.qtbot import QtBot

from counter_app.app import build_context
from counter_app.services import queue, unit_setup
from counter_app.services.auth import login
from counter_app.services.catalogue import list_catalogue
from counter_app.services.context import ServiceContext
from counter_app.ui.first_run import FirstRunDialog

SHOTS = (
    Path(os.environ.get("COUNTER_APP_SHOTS", "")) if os.environ.get("COUNTER_APP_SHOTS") else None
)


@pytest.fixture
def empty_ctx(tmp_path: Path, clock: TestClock) -> Iterator[ServiceContext]:
    ctx = build_context(db=str(tmp_path / "new.db"))
    ctx.clock = clock
    yield ctx
    ctx.uow.engine.dispose()


def shot(widget, name: str, tmp_path: Path) -> None:
    target = (SHOTS or tmp_path) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()  # let the layout settle after errors came and went
    widget.grab().save(str(target))


def fill(qtbot: QtBot, dlg: FirstRunDialog, **over: str) -> None:
    values = {
        "agency": "000.31.07.H12",
        "name": "UBND XÃ AN BÌNH",
        "parent_name": "UBND TỈNH AN GIANG",
        "place_name": "An Bình",
        "address": "Ấp An Hòa, xã An Bình, tỉnh An Giang",
        "phone": "0296 3850 111",
        "sv_user": "giamsat",
        "sv_name": "Trần Văn Minh",
        "sv_pw": "mat-khau-1",
        "sv_pw2": "mat-khau-1",
        **over,
    }
    for attr, text in values.items():
        entry = getattr(dlg, attr)
        entry.edit.clear()
        if text.isascii():
            qtbot.keyClicks(entry.edit, text)  # typed, as at the counter
        else:
            entry.edit.insert(text)  # QTest types Latin-1 only


def save(qtbot: QtBot, dlg: FirstRunDialog) -> None:
    """Ctrl+S where the focus is (the dialog's shortcut)."""
    target = QApplication.focusWidget() or dlg.agency.edit
    qtbot.keyClick(target, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_refusals_show_by_their_field_and_save_nothing(
    qtbot: QtBot, empty_ctx: ServiceContext, tmp_path: Path
) -> None:
    dlg = FirstRunDialog(empty_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    shot(dlg, "first-run-empty.png", tmp_path)
    assert dlg.focusWidget() in (dlg.agency.edit, None)
    fill(qtbot, dlg, agency="xa-an-binh")
    save(qtbot, dlg)
    assert dlg.agency.error.isVisible() and "Mã định danh" in dlg.agency.error.text()
    assert "Chưa lưu gì" in dlg.error.text()
    fill(qtbot, dlg, sv_pw2="khac")
    save(qtbot, dlg)
    assert "không khớp" in dlg.sv_pw2.error.text()
    assert not dlg.agency.error.isVisible()
    fill(qtbot, dlg)
    dlg.closes.edit.setText("07:00")
    save(qtbot, dlg)
    assert "phải sau giờ bắt đầu" in dlg.closes.error.text()
    dlg.closes.edit.setText("17:00")
    dlg.services.setItem(1, 2, QTableWidgetItem("1"))  # CT with HT's prefix
    save(qtbot, dlg)
    assert "Tiền tố 1" in dlg.services_error.text()
    dlg.services.setItem(1, 2, QTableWidgetItem("2"))
    dlg.services.setItem(2, 3, QTableWidgetItem("5"))  # a counter beyond the two
    save(qtbot, dlg)
    assert "quầy số 5" in dlg.services_error.text() and "Số quầy" in dlg.services_error.text()
    shot(dlg, "first-run-refused.png", tmp_path)
    assert unit_setup.current_unit(empty_ctx) is None
    with empty_ctx.uow.read() as s:
        from sqlalchemy import func, select

        from counter_app.db.models import AuditEntry, User

        assert s.scalar(select(func.count()).select_from(User)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert dlg.result() == 0


def test_a_unit_is_set_up_and_its_supervisor_logs_in(
    qtbot: QtBot, empty_ctx: ServiceContext
) -> None:
    dlg = FirstRunDialog(empty_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    fill(qtbot, dlg)
    dlg.code_range.edit.setText("5000-9999")
    dlg.counters.setValue(3)
    dlg.services.setItem(2, 3, QTableWidgetItem("3"))
    save(qtbot, dlg)
    assert dlg.result() == 1, dlg.error.text()
    assert dlg.username == "giamsat"
    unit = unit_setup.current_unit(empty_ctx)
    assert unit is not None and unit.agency_id == "000.31.07.H12"
    assert unit.code_range == (5000, 9999)
    assert [c.number for c in unit_setup.list_counters(empty_ctx)] == [1, 2, 3]
    services = {s.code: s.counters for s in queue.list_services(empty_ctx)}
    assert services == {"HT": (1, 2), "CT": (1, 2), "DD": (3,), "KD": (2,)}
    assert login(empty_ctx, "giamsat", "mat-khau-1").role == "supervisor"
    assert len(list_catalogue(empty_ctx)) > 10  # the sample catalogue, as ticked


def test_the_window_opens_the_first_run_screen_then_the_login(
    qtbot: QtBot, empty_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from counter_app.ui import main as ui_main
    from counter_app.ui.dialogs import LoginDialog

    seen: dict[str, str] = {}

    def first_run_exec(dlg: FirstRunDialog) -> int:
        fill(qtbot, dlg)
        dlg.submit()
        return dlg.result()

    def login_exec(dlg: LoginDialog) -> int:
        seen["username"] = dlg.username.text()
        QApplication.processEvents()  # the focus move run() queued for this dialog
        seen["focus"] = "password" if dlg.password.hasFocus() else "?"
        return 0  # the user closes the login: the app ends

    monkeypatch.setattr(FirstRunDialog, "exec", first_run_exec)
    monkeypatch.setattr(LoginDialog, "exec", login_exec)
    args = argparse.Namespace(demo=False, window="counter")
    assert ui_main.run(args, lambda: empty_ctx) == 0
    assert seen["username"] == "giamsat"
    assert unit_setup.current_unit(empty_ctx) is not None


def test_leaving_the_first_run_screen_ends_the_app(
    empty_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from counter_app.ui import main as ui_main

    monkeypatch.setattr(FirstRunDialog, "exec", lambda dlg: 0)
    args = argparse.Namespace(demo=False, window="counter")
    assert ui_main.run(args, lambda: empty_ctx) == 0
    assert unit_setup.current_unit(empty_ctx) is None


def test_the_unit_commune_is_chosen_by_typing_and_names_follow_it(
    qtbot: QtBot, empty_ctx: ServiceContext, tmp_path: Path
) -> None:
    """Issue 16 §4: Tab from the agency to the commune, a few keys without accents, Down and
    Enter; the names the forms print appear for the supervisor to confirm, then are saved."""
    from counter_app.services.unit_place import home_units

    dlg = FirstRunDialog(empty_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    fill(qtbot, dlg, name="", parent_name="", place_name="", address="")
    dlg.agency.edit.setFocus()
    qtbot.keyClick(dlg.agency.edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.commune.edit
    qtbot.keyClicks(dlg.commune.edit, "phu quoc")
    assert dlg.commune.popup.isVisible()
    labels = [dlg.commune.popup.item(i).text() for i in range(dlg.commune.popup.count())]
    assert labels[0].startswith("Đặc khu Phú Quốc, tỉnh An Giang")
    shot(dlg, "first-run-commune-typing.png", tmp_path)
    qtbot.keyClicks(dlg.commune.edit, " an")  # narrows to An Giang's: only one left
    assert dlg.commune.popup.count() == 1
    qtbot.keyClick(dlg.commune.edit, Qt.Key.Key_Return)
    assert not dlg.commune.popup.isVisible()
    assert dlg.commune.chosen is not None and dlg.commune.chosen.code == "31078"
    assert dlg.name.text() == "UBND ĐẶC KHU PHÚ QUỐC"
    assert dlg.parent_name.text() == "UBND TỈNH AN GIANG"
    assert dlg.place_name.text() == "Phú Quốc"
    assert dlg.address.text() == "Đặc khu Phú Quốc, tỉnh An Giang"
    preview = dlg.preview.text()
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG ĐẶC KHU PHÚ QUỐC" in preview
    assert "Nhận kết quả tại: Trung tâm Phục vụ hành chính công đặc khu Phú Quốc" in preview
    # the street part typed before the commune (the cursor is already there)
    dlg.address.edit.setFocus()
    dlg.address.edit.insert("Số 1 Trần Hưng Đạo, ")
    shot(dlg, "first-run-commune-chosen.png", tmp_path)
    save(qtbot, dlg)
    assert dlg.result() == 1, dlg.error.text()
    unit = unit_setup.current_unit(empty_ctx)
    assert unit is not None
    assert unit.commune_code == "31078"
    assert unit.receiving_name == "Trung tâm Phục vụ hành chính công đặc khu Phú Quốc"
    assert unit.address == "Số 1 Trần Hưng Đạo, Đặc khu Phú Quốc, tỉnh An Giang"
    assert home_units(empty_ctx) == ("31078", "91")


def test_a_commune_not_in_the_list_is_refused_by_its_field(
    qtbot: QtBot, empty_ctx: ServiceContext
) -> None:
    dlg = FirstRunDialog(empty_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    fill(qtbot, dlg)
    qtbot.keyClicks(dlg.commune.edit, "khong co xa nay")
    assert not dlg.commune.popup.isVisible()
    save(qtbot, dlg)
    assert dlg.result() == 0
    assert "khong co xa nay" in dlg.commune.error.text()
    assert unit_setup.current_unit(empty_ctx) is None
    # a code typed whole is taken by Enter too
    dlg.commune.edit.clear()
    qtbot.keyClicks(dlg.commune.edit, "30313")
    qtbot.keyClick(dlg.commune.edit, Qt.Key.Key_Return)
    assert dlg.commune.chosen is not None and dlg.commune.chosen.name == "Xã Mỹ Hòa Hưng"
    # choosing a commune fills the names from it (the supervisor may still edit them)
    assert dlg.name.text() == "UBND XÃ MỸ HÒA HƯNG"

"""The intake form's traps (issue 14 items 1, 2, 3, 4, 6, 8), each driven by the keys a clerk
presses: a scan, Enter, Space, F3, Ctrl+D, Ctrl+S, Esc, on whatever widget has the focus."""

from __future__ import annotations

from pinned_clock import TestClock
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from test_counter_window import choose_procedure as choose_in_popup
from test_counter_window import dossier_count, pdf_text

from counter_app.services.intake import parse_intake, register
from counter_app.ui.main_window import CounterWindow

# Nguyễn Văn An's card (a demo citizen with earlier dossiers: phone 0912345678).
AN_ID = "089090001234"
AN_QR = f"{AN_ID}||Nguyễn Văn An|01011990|Nam|Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang|20052021"


def choose_procedure(qtbot: QtBot, win: CounterWindow, query: str) -> None:
    """Type, Enter in the completer's list; then the window is the active one again.

    Offscreen, the popup's activation arrives after the popup has hidden and leaves the
    hidden list the active window (keys then go nowhere); a desktop's window manager gives
    the activation back at once, with the focus the form gave meanwhile. Settle it as the
    desktop would."""
    choose_in_popup(qtbot, win, query)
    given = win.focusWidget()  # where the form put the focus on choosing
    settle(qtbot, win)
    given.setFocus()


def settle(qtbot: QtBot, win: CounterWindow) -> None:
    """The window active again after a popup or a message box closed (see above)."""
    QApplication.processEvents()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)


def focused() -> QWidget:
    w = QApplication.focusWidget()
    assert w is not None
    return w


def enter(qtbot: QtBot) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def ctrl(qtbot: QtBot, key: Qt.Key) -> None:
    qtbot.keyClick(focused(), key, Qt.KeyboardModifier.ControlModifier)


def scan(qtbot: QtBot, payload: str) -> None:
    """A keyboard-wedge scanner types the payload into the focused field, then Enter."""
    edit = focused()
    edit.setText(edit.text() + payload)  # type: ignore[attr-defined]
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def shot(win: QWidget, name: str) -> None:
    """INTAKE_SHOTS=folder saves what the clerk sees, to look at (not compared)."""
    import os

    folder = os.environ.get("INTAKE_SHOTS")
    if folder:
        win.grab().save(os.path.join(folder, f"{name}.png"))


def ticked(win: CounterWindow) -> list[bool]:
    return [d["received"] for d in win.form.docs.rows()]


def visible_errors(win: CounterWindow) -> list[str]:
    f = win.form
    labels = [x.error for x in (*f.fields.values(), f.return_address)] + [f.proc_error]
    return [lbl.text() for lbl in labels if lbl.isVisibleTo(win)]


# ----- 1. the offered button is out of the Enter/Tab path ---------------------------------
def test_after_a_scan_enter_walks_to_the_checklist_not_the_offer(
    qtbot: QtBot, window: CounterWindow
) -> None:
    choose_procedure(qtbot, window, "2.000815")  # two required documents
    f = window.form.fields
    assert focused() is f["name"].edit
    scan(qtbot, AN_QR)
    qtbot.waitUntil(lambda: window.form.offer_frame.isVisibleTo(window), timeout=5000)
    assert window.form.offer_frame.property("kind") == "busy"
    # The scan filled name, ID and address: next is the phone (the one left to type).
    assert focused() is f["phone"].edit
    qtbot.keyClicks(focused(), "0912345678")
    enter(qtbot)  # → email
    enter(qtbot)  # → address (filled by the scan)
    assert focused() is f["address"].edit
    enter(qtbot)  # → the checklist, never the offered button
    assert focused() is window.form.docs
    shot(window, "1-after-scan-checklist")
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert ticked(window) == [True, True]
    ctrl(qtbot, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    assert window.last is not None and window.last.status == "accepted"  # Mẫu 01


def test_ctrl_d_fills_the_saved_details_and_moves_on_to_the_checklist(
    qtbot: QtBot, window: CounterWindow
) -> None:
    choose_procedure(qtbot, window, "2.000815")
    scan(qtbot, AN_QR)
    qtbot.waitUntil(lambda: window.form.offer_frame.isVisibleTo(window), timeout=5000)
    ctrl(qtbot, Qt.Key.Key_D)
    assert window.form.fields["phone"].text() == "0912345678"
    assert focused() is window.form.docs  # nothing required is left empty
    assert not window.form.offer_frame.isVisibleTo(window)


def test_no_button_of_the_form_takes_the_focus(qtbot: QtBot, window: CounterWindow) -> None:
    """Space or Enter on a focused button would press it: each has its key instead."""
    buttons = window.form.findChildren(QPushButton)
    assert buttons
    for b in buttons:
        assert b.focusPolicy() == Qt.FocusPolicy.NoFocus, b.text()
        assert not b.autoDefault() and not b.isDefault(), b.text()


def test_a_scan_before_the_procedure_sends_the_focus_to_the_procedure(
    qtbot: QtBot, window: CounterWindow
) -> None:
    window.form.fields["name"].edit.setFocus()
    scan(qtbot, AN_QR)
    assert window.form.fields["name"].text() == "Nguyễn Văn An"
    assert focused() is window.form.picker
    choose_procedure(qtbot, window, "2.000815")
    assert focused() is window.form.fields["phone"].edit  # the name is there already


# ----- 2. F3 ticks the required documents only --------------------------------------------
def test_f3_ticks_required_documents_and_optional_ones_take_space(
    qtbot: QtBot, window: CounterWindow
) -> None:
    choose_procedure(qtbot, window, "1.001193")  # khai sinh: 3 required, 2 "(nếu có)"
    f = window.form.fields
    focused().setText("Nguyễn Thị Ánh Tuyết")  # as an IME types it
    enter(qtbot)
    qtbot.keyClicks(focused(), "089301000777")
    enter(qtbot)
    qtbot.keyClicks(focused(), "0939888777")
    enter(qtbot)
    enter(qtbot)
    assert focused() is f["address"].edit
    focused().setText("Ấp Mỹ An, xã Mỹ Hòa Hưng, tỉnh An Giang")
    enter(qtbot)
    assert focused() is window.form.docs
    required = window.form.docs.required
    assert required.count(False) == 2
    qtbot.keyClick(focused(), Qt.Key.Key_F3)
    assert ticked(window) == required
    shot(window, "2-f3-required-only")
    ctrl(qtbot, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    view = window.last
    assert view is not None and view.status == "accepted"
    text = " ".join(pdf_text(window.printers.a4.jobs[0].pdf).split())
    assert "Giấy chứng sinh" in text
    assert "kết hôn" not in text and "ủy quyền" not in text
    assert [d.received for d in view.documents] == [d.required for d in view.documents]


def test_space_ticks_an_optional_document_after_f3(qtbot: QtBot, window: CounterWindow) -> None:
    choose_procedure(qtbot, window, "1.001193")
    docs = window.form.docs
    docs.setFocus()
    qtbot.keyClick(docs, Qt.Key.Key_F3)
    optional = docs.required.index(False)
    for _ in range(optional):
        qtbot.keyClick(docs, Qt.Key.Key_Down)
    qtbot.keyClick(docs, Qt.Key.Key_Space)
    assert ticked(window)[optional] is True
    assert ticked(window).count(True) == docs.required.count(True) + 1


# ----- 3. another person's ID: nothing of theirs is copied -------------------------------
def test_ctrl_d_copies_nothing_when_the_id_is_another_persons(
    qtbot: QtBot, window: CounterWindow
) -> None:
    choose_procedure(qtbot, window, "khai sinh")
    f = window.form.fields
    focused().setText("Lê Thị Mỹ Duyên")
    enter(qtbot)
    qtbot.keyClicks(focused(), "089195004321")  # Trần Thị Bích Ngọc's, in the demo
    enter(qtbot)
    qtbot.waitUntil(lambda: window.form.offer_frame.isVisibleTo(window), timeout=5000)
    assert window.form.offer_frame.property("kind") == "error"
    assert not window.form.offer_button.isVisibleTo(window)
    shot(window, "3-another-persons-id")
    ctrl(qtbot, Qt.Key.Key_D)
    assert f["phone"].text() == "" and f["address"].text() == ""
    assert f["name"].text() == "Lê Thị Mỹ Duyên"
    assert "người khác" in window.form.offer_label.text()  # the warning stays
    # The other person's name is there to check the card against; not their phone or address.
    assert "Trần Thị Bích Ngọc" in window.form.offer_label.text()
    assert "0987654321" not in window.form.offer_label.text()
    assert "Mỹ Long" not in window.form.offer_label.text()


def test_a_name_typed_after_the_offer_is_checked_again_by_ctrl_d(
    qtbot: QtBot, window: CounterWindow
) -> None:
    choose_procedure(qtbot, window, "chung thuc")
    f = window.form.fields
    f["id_number"].edit.setFocus()
    qtbot.keyClicks(focused(), AN_ID)
    enter(qtbot)
    qtbot.waitUntil(lambda: window.form.offer_frame.isVisibleTo(window), timeout=5000)
    f["name"].edit.setFocus()
    focused().setText("Lê Thị Mỹ Duyên")
    ctrl(qtbot, Qt.Key.Key_D)
    assert f["phone"].text() == "" and f["address"].text() == ""
    assert window.form.offer_frame.property("kind") == "error"


# ----- 4. the same person, the same procedure, the same day -------------------------------
def _earlier_today(window: CounterWindow) -> str:
    raw = {
        "procedure": "2.000815",
        "applicant": {
            "name": "Nguyễn Văn An",
            "id_number": AN_ID,
            "phone": "0912345678",
            "address": "Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang",
        },
    }
    ctx = window.ctx
    return register(ctx, [parse_intake(raw, ctx.now().date())], "canbo2")[0].code


def _fill_an(qtbot: QtBot, window: CounterWindow) -> None:
    choose_procedure(qtbot, window, "2.000815")
    scan(qtbot, AN_QR)
    qtbot.waitUntil(lambda: window.form.offer_frame.isVisibleTo(window), timeout=5000)
    ctrl(qtbot, Qt.Key.Key_D)
    qtbot.keyClick(focused(), Qt.Key.Key_F3)


def test_the_same_procedure_again_today_warns_with_the_earlier_code(
    qtbot: QtBot, window: CounterWindow, clock: TestClock
) -> None:
    clock.advance(days=1)  # Thursday: the check reads the clock's day
    earlier = _earlier_today(window)
    before = dossier_count(window)
    _fill_an(qtbot, window)
    ctrl(qtbot, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.form.repeat_box is not None, timeout=5000)
    box = window.form.repeat_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert earlier in box.text()
    shot(window, "4-same-day-form")
    shot(box, "4-same-day-warning")
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # back to the form, nothing saved
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)
    settle(qtbot, window)
    assert focused() is window.form.docs  # back where the clerk pressed Ctrl+S
    assert "chưa lưu" in window.statusBar().currentMessage().lower()
    assert earlier in window.statusBar().currentMessage()
    assert dossier_count(window) == before
    assert window.form.fields["phone"].text() == "0912345678"
    ctrl(qtbot, Qt.Key.Key_S)
    qtbot.waitUntil(
        lambda: window.form.repeat_box is not None and window.form.repeat_box.isVisible(),
        timeout=5000,
    )
    qtbot.keyClick(window.form.repeat_box, Qt.Key.Key_Return)  # go on: a new dossier
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    assert dossier_count(window) == before + 1
    assert window.last is not None and window.last.code != earlier


def test_the_same_procedure_on_another_day_saves_without_asking(
    qtbot: QtBot, window: CounterWindow, clock: TestClock
) -> None:
    _earlier_today(window)
    clock.advance(days=1)
    before = dossier_count(window)
    _fill_an(qtbot, window)
    ctrl(qtbot, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    assert dossier_count(window) == before + 1
    assert window.form.repeat_box is None or not window.form.repeat_box.isVisible()


# ----- 6. Enter in an empty procedure field ------------------------------------------------
def test_enter_in_the_empty_procedure_field_picks_nothing(
    qtbot: QtBot, window: CounterWindow
) -> None:
    picker = window.form.picker
    assert focused() is picker
    enter(qtbot)
    assert window.form.entry is None and picker.text() == ""
    assert focused() is picker
    assert window.form.proc_error.isVisibleTo(window)
    assert "Chọn thủ tục" in window.form.proc_error.text()
    shot(window, "6-empty-procedure")
    qtbot.keyClicks(picker, "zzzz")  # matches nothing: said, nothing chosen
    enter(qtbot)
    assert window.form.entry is None and focused() is picker
    assert "Không có thủ tục nào khớp" in window.form.proc_error.text()
    picker.clear()
    qtbot.keyClicks(picker, "khai sinh")
    qtbot.keyClick(picker.completer_.popup(), Qt.Key.Key_Return)
    assert window.form.entry is not None
    assert not window.form.proc_error.isVisibleTo(window)


# ----- 8. no stale error after a save -----------------------------------------------------
def test_the_cleared_form_after_a_save_shows_no_stale_error(
    qtbot: QtBot, window: CounterWindow
) -> None:
    choose_procedure(qtbot, window, "2.000815")
    f = window.form.fields
    assert focused() is f["name"].edit
    enter(qtbot)  # the ID first, the name later
    qtbot.keyClicks(focused(), "089301000777")
    enter(qtbot)
    qtbot.keyClicks(focused(), "0939888777")
    ctrl(qtbot, Qt.Key.Key_S)  # no name: refused, said beside it
    assert f["name"].error.isVisibleTo(window)
    assert "chưa lưu" in window.statusBar().currentMessage()
    assert focused() is f["name"].edit
    focused().setText("Nguyễn Thị Ánh Tuyết")
    qtbot.keyClick(focused(), Qt.Key.Key_F3)
    ctrl(qtbot, Qt.Key.Key_S)  # saved from the name field
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.banner.property("kind") == "ok", timeout=10_000)
    assert window.form.entry is None and f["name"].text() == ""
    assert focused() is window.form.picker
    assert visible_errors(window) == []
    assert all(not x.edit.property("invalid") for x in f.values())
    assert "chưa lưu" not in window.statusBar().currentMessage()
    shot(window, "8-cleared-after-save")


def test_the_clear_button_asks_first_as_esc_does(
    qtbot: QtBot, window: CounterWindow, monkeypatch
) -> None:
    choose_procedure(qtbot, window, "khai sinh")
    focused().setText("Nguyễn Thị Ánh Tuyết")
    asked: list[str] = []

    def answer_no(_parent: object, title: str, _text: str) -> QMessageBox.StandardButton:
        asked.append(title)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer_no)
    qtbot.mouseClick(window.form.clear_button, Qt.MouseButton.LeftButton)
    assert asked == ["Làm mới"]
    assert window.form.fields["name"].text() == "Nguyễn Thị Ánh Tuyết"
    assert window.form.entry is not None
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert asked == ["Làm mới", "Làm mới"]
    assert window.form.fields["name"].text() == "Nguyễn Thị Ánh Tuyết"

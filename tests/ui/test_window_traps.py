"""Issue 14, the window-wide traps (items 5, 7, 9, 10, 11, 12, 13), driven by keys offscreen."""

from __future__ import annotations

import dataclasses
import os
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from counter_app.printing.spool import FolderSpooler
from counter_app.services import lookup
from counter_app.services.intake import IntakeRequest, register
from counter_app.ui.kiosk import KioskWindow
from counter_app.ui.main_window import CounterWindow

# Screenshots to look at (not compared), only when asked for: WINDOW_SHOTS=<dir>. A test run
# never writes into the source tree (CI runs from a clean clone).
SHOTS = Path(os.environ["WINDOW_SHOTS"]) if os.environ.get("WINDOW_SHOTS") else None


def focused() -> QWidget:
    w = QApplication.focusWidget()
    assert w is not None
    return w


def shot(widget: QWidget, name: str) -> None:
    if SHOTS is None:
        widget.grab()  # still rendered: a paint error fails the test
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ----- 10. F9 / F10 say what really happened ------------------------------------------------
def test_f9_with_a_folder_label_target_says_saved_not_printed(
    qtbot: QtBot, window: CounterWindow, tmp_path: Path
) -> None:
    window.printers.label = FolderSpooler(tmp_path / "labels")
    window.last = lookup.get_dossier(window.ctx, lookup.search(window.ctx, "Nguyen Van An")[0].code)
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.banner.property("kind") == "ok", timeout=10_000)
    text = window.banner.text.text()
    assert "Đã in nhãn" not in text
    assert "PDF" in text and str(tmp_path / "labels") in text
    assert list((tmp_path / "labels").glob("*.pdf"))
    assert window.devices.state("label") == "unset"
    shot(window, "f9_folder")


def test_f10_without_a_pdf_viewer_says_so_and_opens_the_folder(
    qtbot: QtBot, window: CounterWindow, monkeypatch
) -> None:
    opened: list[str] = []

    def no_viewer(url: QUrl) -> bool:  # a PC with no PDF viewer: only folders open
        opened.append(url.toLocalFile())
        return not url.toLocalFile().endswith(".pdf")

    monkeypatch.setattr(CounterWindow, "open_url", staticmethod(no_viewer))
    window.last = lookup.get_dossier(window.ctx, lookup.search(window.ctx, "Nguyen Van An")[0].code)
    qtbot.keyClick(focused(), Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=10_000)
    pdf, folder = Path(opened[0]), Path(opened[1])
    assert pdf.suffix == ".pdf" and pdf.is_file() and folder == pdf.parent
    assert window.banner.property("kind") == "error"
    text = window.banner.text.text()
    assert "chưa có phần mềm xem PDF" in text and str(pdf) in text
    shot(window, "f10_no_viewer")


# ----- 11. the kiosk's printer error, calm, in Vietnamese ------------------------------------
def test_kiosk_printer_refused_shows_the_citizen_calm_words_and_the_supervisor_why(
    qtbot: QtBot, window: CounterWindow, caplog
) -> None:
    url = f"socket://127.0.0.1:{closed_port()}"
    window.ctx.settings = dataclasses.replace(window.ctx.settings, ticket_printer=url)
    qtbot.keyClick(focused(), Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    kiosk = window.extra_windows[-1]
    assert isinstance(kiosk, KioskWindow)
    qtbot.waitUntil(lambda: len(kiosk.services) == 4, timeout=5000)
    kiosk.take("HT")
    qtbot.waitUntil(lambda: kiosk.reprint.isVisible(), timeout=10_000)
    warn = kiosk.t_warn.text()
    assert "Vé chưa in được" in warn and kiosk.last.number in warn
    assert "socket://" not in warn and "refused" not in warn.lower()
    shot(kiosk, "kiosk_printer_refused")
    # The supervisor's status bar: the ticket printer failing, the details in its tooltip.
    assert window.devices.state("ticket") == "failing"
    assert "LỖI" in window.device_indicator.text("ticket")
    assert url in window.device_indicator.labels["ticket"].toolTip()
    assert any(url in r.getMessage() for r in caplog.records)
    shot(window, "status_ticket_failing")
    kiosk.close()


# ----- 12. the look-up finds a short code ----------------------------------------------------
@pytest.mark.parametrize("short", ["unit-less", "sequence"])
def test_lookup_finds_a_short_code_by_keys(qtbot: QtBot, window: CounterWindow, short: str) -> None:
    register(window.ctx, [IntakeRequest(procedure="2.000815", name="Trần Văn Mới")], "canbo1")
    code = min(r.code for r in lookup.received_on_day(window.ctx))
    typed = "-".join(code.split("-")[-2:]) if short == "unit-less" else code.rsplit("-", 1)[1]
    qtbot.keyClick(focused(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    dlg = window.lookup_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.keyClicks(dlg.query, typed)
    qtbot.keyClick(dlg.query, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.dossier_dialog is not None and window.dossier_dialog.isVisible(),
        timeout=5000,
    )
    assert window.dossier_dialog.view.code == code


# ----- 13. devices in the status bar --------------------------------------------------------
def test_status_bar_shows_devices_and_a_failure_stays_until_the_next_success(
    qtbot: QtBot, window: CounterWindow
) -> None:
    ind = window.device_indicator
    assert ind.text("a4") == "A4 ✓"  # fake printers: set up
    assert ind.text("ticket") == "Vé –"  # not set
    assert "Máy in vé: chưa đặt" in ind.labels["ticket"].toolTip()
    assert ind.text("scanner") == "Quét –"
    window.printers.a4.fail_next(1)
    window.last = lookup.get_dossier(window.ctx, lookup.search(window.ctx, "Nguyen Van An")[0].code)
    qtbot.keyClick(focused(), Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: window.banner.property("kind") == "error", timeout=10_000)
    assert "LỖI" in ind.text("a4")
    window.statusBar().showMessage("something else", 100)  # messages come and go; it stays
    window.print_label(window.last)
    qtbot.waitUntil(lambda: len(window.printers.label.jobs) == 1, timeout=10_000)
    assert "LỖI" in ind.text("a4")
    shot(window, "status_a4_failing")
    qtbot.keyClick(focused(), Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: ind.text("a4") == "A4 ✓", timeout=5000)


# ----- 5. closing the counter window ----------------------------------------------------------
def _answer_close_box(qtbot: QtBot, window: CounterWindow, keys: list[Qt.Key]) -> str:
    """The close question is up (window-modal): press `keys` where its focus is."""
    box = window.close_box
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=5000)
    box.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() in box.buttons(), timeout=5000)
    shot(box, "close_question")
    text = box.text()
    for key in keys:
        qtbot.keyClick(QApplication.focusWidget(), key)
    return text


def _type_a_name(qtbot: QtBot, window: CounterWindow) -> None:
    window._force_close = False  # the fixture's "close without asking" for its teardown
    edit = window.form.fields["name"].edit
    edit.setFocus()
    qtbot.keyClicks(edit, "Tran Van Moi")


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Escape])
def test_closing_with_typed_data_asks_and_enter_or_esc_stays(
    qtbot: QtBot, window: CounterWindow, key: Qt.Key
) -> None:
    _type_a_name(qtbot, window)
    assert window.close() is False
    assert "chưa được lưu" in _answer_close_box(qtbot, window, [key])
    qtbot.waitUntil(lambda: window.close_box is None, timeout=5000)
    assert window.isVisible()
    assert window.form.fields["name"].text() == "Tran Van Moi"
    window._force_close = True  # the teardown's close


def test_closing_with_typed_data_closes_on_the_deliberate_key(
    qtbot: QtBot, window: CounterWindow
) -> None:
    _type_a_name(qtbot, window)
    assert window.close() is False
    _answer_close_box(qtbot, window, [Qt.Key.Key_Tab, Qt.Key.Key_Return])
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_closing_an_empty_form_asks_nothing(qtbot: QtBot, window: CounterWindow) -> None:
    window._force_close = False
    assert window.close() is True
    assert window.close_box is None


def test_closing_the_counter_window_closes_the_kiosk_and_the_board(
    qtbot: QtBot, window: CounterWindow
) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    window.activateWindow()
    window.form.picker.setFocus()
    qtbot.keyClick(window.form.picker, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    kiosk, board = window.extra_windows
    window._force_close = False
    assert kiosk.isVisible() and board.isVisible()
    assert window.close() is True
    assert not kiosk.isVisible() and not board.isVisible()


# ----- 9. Qt's own buttons in Vietnamese -----------------------------------------------------
def test_message_box_buttons_read_vietnamese(qtbot: QtBot, qapp) -> None:
    from PySide6.QtWidgets import QMessageBox

    from counter_app.ui import i18n

    translator = i18n.qt_translator()
    assert translator is not None
    qapp.installTranslator(translator)
    try:
        box = QMessageBox()
        qtbot.addWidget(box)
        box.setText("Xóa thông tin đang nhập để tiếp nhận hồ sơ khác?")
        sb = QMessageBox.StandardButton
        box.setStandardButtons(sb.Yes | sb.No | sb.Ok | sb.Cancel)
        texts = {box.button(b).text().replace("&", "") for b in (sb.Yes, sb.No, sb.Ok, sb.Cancel)}
        assert texts == {"Có", "Không", "Đồng ý", "Hủy"}
        box.show()
        shot(box, "message_box_vi")
    finally:
        qapp.removeTranslator(translator)


# ----- 7. every shortcut from anywhere; a wedge scan wherever the focus is -------------------
def _choose_khai_sinh(qtbot: QtBot, window: CounterWindow) -> None:
    picker = window.form.picker
    picker.setFocus()
    qtbot.keyClicks(picker, "khai sinh")
    qtbot.keyClick(picker.completer_.popup(), Qt.Key.Key_Return)
    assert window.form.entry is not None


def _focus_targets(window: CounterWindow) -> dict[str, QWidget]:
    docs = window.form.docs
    return {
        "today": window.today,
        "documents": docs,
        "combo": window.form.receive,
        "document kind combo": docs.cellWidget(0, 2),
    }


@pytest.mark.parametrize("where", ["today", "documents", "combo", "document kind combo"])
def test_ctrl_t_f3_ctrl_s_work_from_anywhere_in_the_window(
    qtbot: QtBot, window: CounterWindow, where: str
) -> None:
    _choose_khai_sinh(qtbot, window)
    window.form.fields["name"].edit.setText("Đỗ Văn Hùng")
    target = _focus_targets(window)[where]
    target.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target, timeout=2000)
    qtbot.keyClick(target, Qt.Key.Key_F3)
    assert not window.form.docs.missing_required()
    target.setFocus()
    qtbot.keyClick(target, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.form.picker
    target.setFocus()
    qtbot.keyClick(target, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    assert window.last is not None and window.last.applicant.name == "Đỗ Văn Hùng"


QR = "089185002468||Võ Thị Thu Hà|12031985|Nữ|Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang|20052021"


def type_keys(target: QWidget, text: str) -> None:
    """Key presses as a wedge scanner's arrive through the OS (QTest types ASCII only)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    for ch in text:
        key = ord(ch.upper()) if ch.isascii() else int(Qt.Key.Key_unknown)
        QApplication.sendEvent(
            target, QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, ch)
        )


class KeyClock:
    """The scan dispatcher's clock, in ms: each key `step` ms after the previous one."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 1_000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def _scan_into(qtbot: QtBot, window: CounterWindow, target: QWidget, text: str, end: Qt.Key):
    window.scan.clock = KeyClock(4)  # a wedge scanner: a key every 4 ms
    target.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target, timeout=2000)
    type_keys(target, text)
    qtbot.keyClick(target, end)


@pytest.mark.parametrize("where", ["today", "documents", "combo"])
def test_a_scanned_code_opens_its_dossier_wherever_the_focus_is(
    qtbot: QtBot, window: CounterWindow, where: str
) -> None:
    _choose_khai_sinh(qtbot, window)
    code = lookup.search(window.ctx, "Nguyen Van An")[0].code
    target = _focus_targets(window)[where]
    combo_before = window.form.receive.currentIndex()
    row_before = window.today.currentRow()
    ticks_before = window.form.docs.missing_required()
    _scan_into(qtbot, window, target, code, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.dossier_dialog is not None and window.dossier_dialog.isVisible(),
        timeout=5000,
    )
    assert window.dossier_dialog.view.code == code
    # Nothing of the scan was left in the widget that had the focus.
    assert window.form.receive.currentIndex() == combo_before
    assert window.today.currentRow() == row_before
    assert window.form.docs.missing_required() == ticks_before


def test_an_id_card_scan_in_a_combo_box_fills_the_applicant(
    qtbot: QtBot, window: CounterWindow
) -> None:
    _choose_khai_sinh(qtbot, window)
    combo = window.form.receive
    before = combo.currentIndex()
    _scan_into(qtbot, window, combo, QR, Qt.Key.Key_Return)
    assert window.form.fields["id_number"].text() == "089185002468"
    assert window.form.fields["name"].text() == "Võ Thị Thu Hà"
    assert combo.currentIndex() == before


def test_a_scan_ending_in_tab_in_a_text_field_is_caught(
    qtbot: QtBot, window: CounterWindow
) -> None:
    _choose_khai_sinh(qtbot, window)
    phone = window.form.fields["phone"].edit
    phone.setFocus()
    window.scan.clock = KeyClock(150)  # the clerk types the start of a phone number
    qtbot.keyClicks(phone, "0912")
    _scan_into(qtbot, window, phone, QR, Qt.Key.Key_Tab)
    assert window.form.fields["id_number"].text() == "089185002468"
    assert phone.text() == "0912"


def test_a_person_typing_in_a_list_is_not_a_scan(qtbot: QtBot, window: CounterWindow) -> None:
    """Keys held back from a list are given back in order when no scan follows."""
    seen: list[str] = []
    window.scan.clock = KeyClock(150)
    window.today.keyboardSearch = lambda text: seen.append(text)  # type: ignore[method-assign]
    window.today.setFocus()
    qtbot.keyClicks(window.today, "ab")
    window.scan.flush()  # what the idle timer does
    assert "".join(seen) == "ab"
    window.scan.clock = KeyClock(4)  # fast, but short and no code in it: not a scan either
    seen.clear()
    qtbot.keyClicks(window.today, "xyz")
    qtbot.keyClick(window.today, Qt.Key.Key_Down)  # any other key gives them back first
    assert "".join(seen) == "xyz"


def test_ctrl_t_from_the_look_up_goes_back_to_the_procedure(
    qtbot: QtBot, window: CounterWindow
) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    dlg = window.lookup_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dlg, timeout=2000)
    qtbot.keyClick(dlg.query, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert not dlg.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.form.picker, timeout=2000)

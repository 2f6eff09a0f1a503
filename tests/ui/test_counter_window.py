"""The counter window driven by keyboard, offscreen: intake, supplement, errors, scans, printing."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from counter_app.db.models import Dossier
from counter_app.services import lookup
from counter_app.ui.main_window import CounterWindow

QR = "089185002468||Võ Thị Thu Hà|12031985|Nữ|Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang|20052021"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def focused() -> QLineEdit:
    w = QApplication.focusWidget()
    assert w is not None
    return w  # type: ignore[return-value]


def dossier_count(win: CounterWindow) -> int:
    with win.ctx.uow.read() as s:
        return int(s.scalar(select(func.count()).select_from(Dossier)) or 0)


def choose_procedure(qtbot: QtBot, win: CounterWindow, query: str) -> None:
    picker = win.form.picker
    picker.setFocus()
    qtbot.keyClicks(picker, query)
    qtbot.keyClick(picker.completer_.popup(), Qt.Key.Key_Return)
    assert win.form.entry is not None


def fill_applicant(qtbot: QtBot, win: CounterWindow) -> None:
    # QTest types ASCII only: the Vietnamese name is set as an IME would, the rest is typed.
    assert focused() is win.form.fields["name"].edit
    focused().setText("Nguyễn Thị Ánh Tuyết")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert focused() is win.form.fields["id_number"].edit
    qtbot.keyClicks(focused(), "089301000777")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.keyClicks(focused(), "0939888777")


def test_keyboard_intake_saves_and_prints_receipt(qtbot: QtBot, window: CounterWindow) -> None:
    before = dossier_count(window)
    choose_procedure(qtbot, window, "dang ky khai sinh")
    assert window.form.entry.procedure.code == "1.001193"
    assert "Hẹn trả" in window.form.due.text()
    fill_applicant(qtbot, window)
    qtbot.keyClick(focused(), Qt.Key.Key_F3)  # all documents received
    assert "giấy tiếp nhận" in window.form.save_button.text()
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    assert dossier_count(window) == before + 1
    view = window.last
    assert view is not None and view.status == "accepted"
    assert view.applicant.name == "Nguyễn Thị Ánh Tuyết"
    assert view.applicant.phone == "0939888777"
    text = pdf_text(window.printers.a4.jobs[0].pdf)
    assert view.code in text and "Nguyễn Thị Ánh Tuyết" in text and "Liên 2" in text
    qtbot.waitUntil(lambda: window.banner.property("kind") == "ok")
    assert view.code in window.banner.text.text()
    # The form is ready for the next citizen, focus back on the procedure search.
    assert window.form.entry is None and window.form.fields["name"].text() == ""
    # F9 prints the folder label of the dossier just saved.
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: len(window.printers.label.jobs) == 1, timeout=10_000)


def test_missing_required_document_prints_supplement_request(
    qtbot: QtBot, window: CounterWindow
) -> None:
    choose_procedure(qtbot, window, "khai sinh")
    fill_applicant(qtbot, window)
    window.form.docs.toggle(0)  # only the first document handed in
    assert window.form.save_button.property("supplement") is True
    assert "bổ sung" in window.form.save_button.text()
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    assert window.last is not None and window.last.status == "supplement_requested"
    text = pdf_text(window.printers.a4.jobs[0].pdf)
    assert "PHIẾU YÊU CẦU BỔ SUNG" in text.upper()
    assert "Giấy chứng sinh" in text


def test_invalid_input_is_shown_beside_the_field_and_kept(
    qtbot: QtBot, window: CounterWindow
) -> None:
    before = dossier_count(window)
    choose_procedure(qtbot, window, "khai sinh")
    f = window.form.fields
    f["name"].edit.setText("Nguyễn Văn 😀")
    f["id_number"].edit.setText("12345")
    f["phone"].edit.setText("12")
    f["address"].edit.setText("x" * 5000)
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert f["name"].error.isVisibleTo(window) and f["name"].error.text()
    assert "12 chữ số" in f["id_number"].error.text()
    assert f["phone"].error.text()
    assert "Quá dài" in f["address"].error.text()
    assert f["name"].text() == "Nguyễn Văn 😀" and f["id_number"].text() == "12345"
    assert focused() is f["name"].edit
    assert dossier_count(window) == before
    assert window.printers.a4.jobs == []


def test_id_card_scan_fills_applicant_and_keeps_the_typed_field(
    qtbot: QtBot, window: CounterWindow
) -> None:
    choose_procedure(qtbot, window, "khai sinh")
    phone = window.form.fields["phone"].edit
    phone.setFocus()
    qtbot.keyClicks(phone, "0912")
    phone.setText(phone.text() + QR)  # a keyboard-wedge scanner types the payload, then Enter
    qtbot.keyClick(phone, Qt.Key.Key_Return)
    f = window.form.fields
    assert f["name"].text() == "Võ Thị Thu Hà"
    assert f["id_number"].text() == "089185002468"
    assert f["address"].text().startswith("Ấp Mỹ Hòa")
    assert phone.text() == "0912"


def test_returning_applicant_details_are_offered(qtbot: QtBot, window: CounterWindow) -> None:
    choose_procedure(qtbot, window, "chung thuc")
    f = window.form.fields
    f["id_number"].edit.setFocus()
    qtbot.keyClicks(f["id_number"].edit, "089090001234")  # a demo citizen seen before
    qtbot.keyClick(f["id_number"].edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: window.form.offer_frame.isVisibleTo(window), timeout=5000)
    qtbot.keyClick(focused(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert f["name"].text() == "Nguyễn Văn An"
    assert f["phone"].text() == "0912345678"


def test_the_chosen_procedures_receipt_is_laid_out_while_the_clerk_types(
    qtbot: QtBot, window: CounterWindow, monkeypatch
) -> None:
    """Picking a procedure lays its receipt out on a worker thread (printjobs.
    prepare_intake_paper), once a day per procedure: the save's receipt copies what it shares."""
    from counter_app.services import printjobs as pj
    from counter_app.ui.tasks import pending_tasks

    calls: list[tuple[str, str]] = []
    real = pj.prepare_intake_paper

    def spy(ctx, code: str, username: str) -> None:
        calls.append((code, username))
        real(ctx, code, username)

    monkeypatch.setattr(pj, "prepare_intake_paper", spy)
    choose_procedure(qtbot, window, "dang ky khai sinh")
    qtbot.waitUntil(lambda: pending_tasks() == 0 and len(calls) == 1, timeout=10_000)
    assert calls == [("1.001193", "canbo1")]
    window.form.clear()
    choose_procedure(qtbot, window, "dang ky khai sinh")  # the same one again: already done
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)
    assert len(calls) == 1
    window.ctx.clock.advance(days=1)  # type: ignore[attr-defined]
    window.form.clear()
    choose_procedure(qtbot, window, "dang ky khai sinh")  # a new day: a new header
    qtbot.waitUntil(lambda: pending_tasks() == 0 and len(calls) == 2, timeout=10_000)


def test_printer_failure_keeps_dossier_and_f8_retries(qtbot: QtBot, window: CounterWindow) -> None:
    window.printers.a4.fail_next(1)
    choose_procedure(qtbot, window, "khai sinh")
    fill_applicant(qtbot, window)
    qtbot.keyClick(focused(), Qt.Key.Key_F3)
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.banner.property("kind") == "error", timeout=10_000)
    assert "F8" in window.banner.text.text()
    code = window.last.code
    assert lookup.get_dossier(window.ctx, code).code == code  # saved despite the printer
    qtbot.keyClick(focused(), Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.banner.property("kind") == "ok")


def test_results_arriving_after_the_window_closed_are_dropped(qtbot: QtBot) -> None:
    import threading

    from PySide6.QtWidgets import QWidget

    from counter_app.ui.tasks import pending_tasks, run_task

    owner = QWidget()
    release = threading.Event()
    called: list[object] = []
    run_task(owner, lambda: release.wait(5), called.append, called.append)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=5000)
    assert called == []


def _alive(obj: object) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def test_scanned_code_opens_the_dossier_with_history(qtbot: QtBot, window: CounterWindow) -> None:
    code = lookup.search(window.ctx, "Nguyen Van An")[0].code
    picker = window.form.picker
    picker.setFocus()
    picker.setText(code)
    qtbot.keyClick(picker, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.dossier_dialog is not None and window.dossier_dialog.isVisible(),
        timeout=5000,
    )
    assert window.dossier_dialog.view.code == code
    assert window.dossier_dialog.view.events
    assert picker.text() == ""


def test_lookup_finds_names_without_accents(qtbot: QtBot, window: CounterWindow) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    dlg = window.lookup_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.keyClicks(dlg.query, "tran thi bich")
    qtbot.keyClick(dlg.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg.results.rowCount() >= 1, timeout=5000)
    assert dlg.results.item(0, 1).text() == "Trần Thị Bích Ngọc"
    # A single match opens straight away, with its history.
    qtbot.waitUntil(lambda: window.dossier_dialog is not None, timeout=5000)
    assert window.dossier_dialog.view.applicant.name == "Trần Thị Bích Ngọc"


def test_an_id_already_recorded_under_another_name_is_flagged(
    qtbot: QtBot, window: CounterWindow
) -> None:
    choose_procedure(qtbot, window, "khai sinh")
    f = window.form.fields
    f["name"].edit.setText("Lê Thị Mỹ Duyên")
    f["id_number"].edit.setFocus()
    qtbot.keyClicks(f["id_number"].edit, "089195004321")  # Trần Thị Bích Ngọc's, in the demo
    qtbot.keyClick(f["id_number"].edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: window.form.offer_frame.isVisibleTo(window), timeout=5000)
    assert window.form.offer_frame.property("kind") == "error"
    assert "người khác" in window.form.offer_label.text()
    assert "Trần Thị Bích Ngọc" in window.form.offer_label.text()


def test_the_procedure_line_shows_its_time_unit_and_fee_rate(
    qtbot: QtBot, window: CounterWindow
) -> None:
    """A fee fixed per page reads as the rate, a same-day procedure as "trong ngày", as the
    printed receipt says them (ui_text.fee_text / processing_time)."""
    choose_procedure(qtbot, window, "2.000815")
    assert window.form.entry.procedure.fee_unit == "page"
    assert window.form.fee.text() == "Phí, lệ phí: 2.000 đ/trang"
    assert window.form.proc_info.text().endswith("trong ngày")

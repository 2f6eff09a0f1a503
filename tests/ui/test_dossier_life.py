"""Issue 10 part 2: a dossier's life in the counter window, by keyboard alone.

The dossier view offers the actions its status allows (digits 1–9), each action's form
checks beside its fields and records through services.actions.perform off the GUI thread;
a refused action writes nothing; a scanned result-ready code opens the return with an ID
check; Ctrl+H lists what is due today or overdue (pinned clock)."""

from __future__ import annotations

import io

from pinned_clock import TestClock
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from counter_app.db.models import Dossier, DossierEvent
from counter_app.services import lookup
from counter_app.services.actions import act
from counter_app.ui.dossier_view import ActionForm, DossierDialog
from counter_app.ui.main_window import CounterWindow

OTHER_ID = "089185002468"  # a valid CCCD that is no demo applicant's


def focused() -> QWidget:
    w = QApplication.focusWidget()
    assert w is not None
    return w


def key(qtbot: QtBot, k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), k, mod)


def events_of(win: CounterWindow, code: str) -> int:
    with win.ctx.uow.read() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(DossierEvent)
                .join(Dossier, Dossier.id == DossierEvent.dossier_id)
                .where(Dossier.code == code)
            )
            or 0
        )


def an_accepted_dossier(win: CounterWindow) -> str:
    with win.ctx.uow.read() as s:
        code = s.scalar(
            select(Dossier.code).where(Dossier.status == "accepted").order_by(Dossier.code)
        )
    assert code is not None
    return str(code)


def open_view(qtbot: QtBot, win: CounterWindow, code: str) -> DossierDialog:
    """Ctrl+F, type the code, Enter: the single match opens."""
    key(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert win.lookup_dialog is not None
    qtbot.keyClicks(win.lookup_dialog.query, code)
    qtbot.keyClick(win.lookup_dialog.query, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: win.dossier_dialog is not None and win.dossier_dialog.isVisible(), timeout=5000
    )
    dlg = win.dossier_dialog
    assert dlg is not None and dlg.view.code == code
    win.lookup_dialog.close()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and focused().window() is dlg)
    return dlg


def pick(qtbot: QtBot, dlg: DossierDialog, action: str) -> ActionForm:
    """The digit shown on the action's button opens its form."""
    n = list(dlg.action_buttons).index(action) + 1
    qtbot.keyClick(focused(), getattr(Qt.Key, f"Key_{n}"))
    qtbot.waitUntil(lambda: dlg.action_form is not None and dlg.action_form.isVisible())
    form = dlg.action_form
    assert form is not None and form.action == action
    form.activateWindow()
    qtbot.waitUntil(lambda: focused().window() is form)
    return form


def record(qtbot: QtBot, dlg: DossierDialog, status: str) -> None:
    qtbot.waitUntil(lambda: dlg.view.status == status, timeout=10_000)
    dlg.activateWindow()
    qtbot.waitUntil(lambda: focused().window() is dlg)


def test_a_dossier_from_look_up_to_return_by_keyboard(qtbot: QtBot, window: CounterWindow) -> None:
    code = an_accepted_dossier(window)
    before = events_of(window, code)
    dlg = open_view(qtbot, window, code)
    assert "handover" in dlg.action_buttons and "return" not in dlg.action_buttons
    assert dlg.history.rowCount() == len(dlg.view.events)

    form = pick(qtbot, dlg, "handover")
    qtbot.keyClicks(focused(), "Phong Tu phap")
    key(qtbot, Qt.Key.Key_Return)  # -> note
    key(qtbot, Qt.Key.Key_Return)  # last field: records
    record(qtbot, dlg, "processing")
    assert not form.isVisible()
    last = dlg.history.item(dlg.history.rowCount() - 1, 3).text()
    assert "Phong Tu phap" in last  # the history says where it went

    pick(qtbot, dlg, "receive-back")
    qtbot.keyClicks(focused(), "Da ky")
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    record(qtbot, dlg, "accepted")
    assert "nhận từ: Phong Tu phap" in dlg.history.item(dlg.history.rowCount() - 1, 3).text()

    pick(qtbot, dlg, "result-ready")
    key(qtbot, Qt.Key.Key_Return)
    record(qtbot, dlg, "result_ready")

    form = pick(qtbot, dlg, "return")
    assert focused() is form.fields["collector_id"].edit
    assert not form.fields["collector_name"].isVisibleTo(form)  # the applicant collects
    key(qtbot, Qt.Key.Key_Return)  # no other person -> fee (the dossier's fee)
    assert focused() is form.fields["fee"].edit
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    record(qtbot, dlg, "returned")
    assert dlg.action_buttons.keys() <= {"correct"}
    assert events_of(window, code) == before + 4
    ev = dlg.view.events[-1]
    assert ev.kind == "returned" and "to" not in ev.data and ev.data["channel"] == "counter"
    assert "tại quầy" in dlg.history.item(dlg.history.rowCount() - 1, 3).text()


def test_a_refused_action_shows_why_and_writes_nothing(qtbot: QtBot, window: CounterWindow) -> None:
    code = an_accepted_dossier(window)
    before = events_of(window, code)
    dlg = open_view(qtbot, window, code)
    form = pick(qtbot, dlg, "refuse")
    assert focused() is form.fields["reason"].edit
    key(qtbot, Qt.Key.Key_Return)  # no reason given
    err = form.fields["reason"].error
    assert err.isVisibleTo(form) and "lý do" in err.text()
    assert form.isVisible() and events_of(window, code) == before

    # Refused by the service: another counter recorded a step since this screen was read.
    act(window.ctx, code, "handover", "canbo1", to="Phòng Tư pháp")
    qtbot.keyClicks(focused(), "Ho so gia")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.general_error.isVisibleTo(form), timeout=5000)
    assert "vừa được người khác cập nhật" in form.general_error.text()
    assert form.isVisible() and events_of(window, code) == before + 1  # only the handover
    assert dlg.view.status == "accepted"  # the view is unchanged until reopened


def test_apology_checks_the_new_due_date_beside_the_field(
    qtbot: QtBot, window: CounterWindow
) -> None:
    code = an_accepted_dossier(window)
    dlg = open_view(qtbot, window, code)
    form = pick(qtbot, dlg, "apologize")
    qtbot.keyClicks(focused(), "01/01/2020")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.keyClicks(focused(), "Cho y kien phong")
    key(qtbot, Qt.Key.Key_Return)
    assert "Phải sau ngày hẹn hiện tại" in form.fields["new_due"].error.text()
    assert focused() is form.fields["new_due"].edit
    due = dlg.view.due_at
    focused().clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(focused(), f"{due.day + 0:02d}/{due.month:02d}/{due.year + 1}")
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg.view.events[-1].kind == "apologized", timeout=10_000)
    assert dlg.view.due_at.year == due.year + 1
    assert "hẹn trả mới" in dlg.history.item(dlg.history.rowCount() - 1, 3).text()
    assert "apologize" not in dlg.action_buttons  # once only


def test_a_scanned_result_ready_code_opens_the_return_with_an_id_check(
    qtbot: QtBot, window: CounterWindow
) -> None:
    code = an_accepted_dossier(window)
    act(window.ctx, code, "result-ready", "canbo1")
    picker = window.form.picker
    picker.setFocus()
    picker.setText(code)  # a wedge scanner types the code, then Enter
    qtbot.keyClick(picker, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            window.dossier_dialog is not None
            and window.dossier_dialog.action_form is not None
            and window.dossier_dialog.action_form.isVisible()
        ),
        timeout=5000,
    )
    dlg = window.dossier_dialog
    form = dlg.action_form
    assert form.action == "return" and form.id_check
    form.activateWindow()
    qtbot.waitUntil(lambda: focused() is form.fields["collector_id"].edit)
    key(qtbot, Qt.Key.Key_Return)  # nothing scanned yet
    assert "CCCD" in form.fields["collector_id"].error.text()
    # Someone else came: their CCCD, then the form asks for their name.
    qtbot.keyClicks(focused(), OTHER_ID)
    assert form.fields["collector_name"].isVisibleTo(form)
    key(qtbot, Qt.Key.Key_Return)
    assert focused() is form.fields["collector_name"].edit
    key(qtbot, Qt.Key.Key_Return)  # no name yet: refused beside the field
    assert form.fields["collector_name"].error.isVisibleTo(form)
    focused().setText("Trần Văn Bình")  # type: ignore[attr-defined]  (an IME's text)
    key(qtbot, Qt.Key.Key_Return)  # then Enter returns it
    qtbot.waitUntil(lambda: dlg.view.status == "returned", timeout=10_000)
    to = dlg.view.events[-1].data["to"]
    assert to == {"name": "Trần Văn Bình", "id_number": OTHER_ID}
    assert (
        "người nhận thay: Trần Văn Bình" in dlg.history.item(dlg.history.rowCount() - 1, 3).text()
    )


def test_the_applicant_own_id_returns_to_the_applicant(qtbot: QtBot, window: CounterWindow) -> None:
    with window.ctx.uow.read() as s:
        code, idn = s.execute(
            select(Dossier.code, Dossier.applicant_id_number)
            .where(Dossier.status == "accepted", Dossier.applicant_id_number != "")
            .order_by(Dossier.code)
        ).first()
    act(window.ctx, code, "result-ready", "canbo1")
    window.open_code(code, scanned=True)
    qtbot.waitUntil(
        lambda: window.dossier_dialog is not None and window.dossier_dialog.action_form is not None,
        timeout=5000,
    )
    form = window.dossier_dialog.action_form
    form.fields["collector_id"].edit.setText(idn)
    assert not form.fields["collector_name"].isVisibleTo(form)
    assert "đúng người nộp" in form.collector.text()
    form.submit()
    qtbot.waitUntil(lambda: window.dossier_dialog.view.status == "returned", timeout=10_000)
    assert "to" not in window.dossier_dialog.view.events[-1].data


def test_due_list_shows_overdue_dossiers_oldest_first(
    qtbot: QtBot, window: CounterWindow, clock: TestClock
) -> None:
    code = an_accepted_dossier(window)
    due = lookup.get_dossier(window.ctx, code).due_at
    clock.set(due.replace(hour=9) + __import__("datetime").timedelta(days=3))
    window.activateWindow()
    key(qtbot, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    dlg = window.due_dialog
    assert dlg is not None
    qtbot.waitUntil(lambda: dlg.results.rowCount() > 0, timeout=5000)
    codes = [dlg.results.item(r, 0).text() for r in range(dlg.results.rowCount())]
    assert code in codes
    row = codes.index(code)
    assert "Quá hạn" in dlg.results.item(row, 4).text()
    dues = [lookup.get_dossier(window.ctx, c).due_at for c in codes]
    assert dues == sorted(dues)
    for c in codes:
        assert lookup.get_dossier(window.ctx, c).status not in ("returned", "result_ready")
    # Enter opens the selected one.
    dlg.results.selectRow(row)
    dlg.results.setFocus()
    qtbot.keyClick(dlg.results, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.dossier_dialog is not None and window.dossier_dialog.view.code == code,
        timeout=5000,
    )


def test_tab_and_enter_pick_an_action_too(qtbot: QtBot, window: CounterWindow) -> None:
    code = an_accepted_dossier(window)
    dlg = open_view(qtbot, window, code)
    assert focused() is dlg.action_buttons["handover"]  # the first action has the focus
    key(qtbot, Qt.Key.Key_Tab)
    assert focused() is dlg.action_buttons["result-ready"]
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg.action_form is not None and dlg.action_form.isVisible())
    form = dlg.action_form
    assert form.action == "result-ready"
    form.activateWindow()
    qtbot.waitUntil(lambda: focused().window() is form)
    key(qtbot, Qt.Key.Key_Tab)  # from the note to the button; Enter presses it
    assert focused() is form.ok
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg.view.status == "result_ready", timeout=10_000)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_correction_of_a_name_and_a_document_line_then_f8_reprints_the_receipt(
    qtbot: QtBot, window: CounterWindow
) -> None:
    """Issue 10 §1: the correction form takes a document line too, by keyboard; a refusal
    sits beside the value and writes nothing; afterwards F8 reprints Mẫu 01 as corrected."""
    code = an_accepted_dossier(window)
    before = events_of(window, code)
    dlg = open_view(qtbot, window, code)

    form = pick(qtbot, dlg, "correct")
    assert focused() is form.field_combo  # Họ tên first
    key(qtbot, Qt.Key.Key_Return)
    assert focused() is form.fields["value"].edit
    focused().setText("Trần Thị Mới")  # type: ignore[attr-defined]  (an IME's text)
    key(qtbot, Qt.Key.Key_Return)  # -> note
    key(qtbot, Qt.Key.Key_Return)  # records
    qtbot.waitUntil(lambda: dlg.view.applicant.name == "Trần Thị Mới", timeout=10_000)
    assert "F8" in dlg.message.text()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: focused().window() is dlg)
    key(qtbot, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 1, timeout=10_000)
    text = pdf_text(window.printers.a4.jobs[0].pdf)
    assert code in text and "Trần Thị Mới" in text

    form = pick(qtbot, dlg, "correct")
    for _ in range(5):  # past the applicant's fields to "Giấy tờ: thêm hoặc sửa"
        key(qtbot, Qt.Key.Key_Down)
    assert form.field_combo is not None and form.field_combo.currentData() == "document"
    assert "Tên giấy tờ|loại|số lượng" in form.fields["value"].edit.placeholderText()
    assert dlg.view.documents[0].name in form.current.text()
    key(qtbot, Qt.Key.Key_Return)
    qtbot.keyClicks(focused(), "Giay uy quyen|xerox|2")
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)  # refused by the service: beside the value
    err = form.fields["value"].error
    qtbot.waitUntil(lambda: err.isVisibleTo(form), timeout=10_000)
    assert "xerox" in err.text() and "certified-copy" in err.text()
    assert events_of(window, code) == before + 1
    assert focused() is form.fields["value"].edit
    focused().setText("Giay uy quyen|copy|2")  # type: ignore[attr-defined]
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: events_of(window, code) == before + 2, timeout=10_000)
    qtbot.waitUntil(lambda: dlg.view.documents[-1].name == "Giay uy quyen", timeout=10_000)
    notes = dlg.history.item(dlg.history.rowCount() - 1, 3).text()
    assert "Giấy tờ: — → Giay uy quyen (Bản sao, 2)" in notes
    assert "Họ tên:" in dlg.history.item(dlg.history.rowCount() - 2, 3).text()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: focused().window() is dlg)
    key(qtbot, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: len(window.printers.a4.jobs) == 2, timeout=10_000)
    text = pdf_text(window.printers.a4.jobs[1].pdf)
    assert "Giay uy quyen" in text and "Trần Thị Mới" in text

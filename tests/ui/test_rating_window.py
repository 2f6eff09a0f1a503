"""The citizen's rating screen: keys and touches record a rating off the UI thread, the
timeout records nothing, the counter window asks it after F7 / F1 and after a dossier."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from counter_app.db.models import Rating
from counter_app.services import queue, ratings
from counter_app.services.context import ServiceContext
from counter_app.ui.main_window import CounterWindow
from counter_app.ui.rating_window import RatingWindow

UNIT = "UBND XÃ MỸ HÒA HƯNG"
SHOTS = os.environ.get("COUNTER_APP_SHOTS")  # a folder: the tests save their screenshots there


def shot(widget: RatingWindow, name: str, tmp_path: Path) -> None:
    path = Path(SHOTS or tmp_path) / f"rating-{name}.png"
    assert widget.grab().save(str(path))


def finished_ticket(ctx: ServiceContext, counter: int = 1) -> queue.TicketInfo:
    queue.issue(ctx, "HT")
    queue.call_next(ctx, counter, user="canbo1")
    return queue.finish(ctx, counter, user="canbo1")


def subject(t: queue.TicketInfo) -> ratings.RatingSubject:
    return ratings.RatingSubject("ticket", t.id, t.number, "canbo1", "Nguyễn Thị Lan", t.counter)


def stored(ctx: ServiceContext) -> list[tuple[int, int, str, int | None]]:
    with ctx.uow.read() as s:
        rows = s.execute(select(Rating.level, Rating.scale, Rating.source, Rating.counter)).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.fixture
def screen(qtbot: QtBot, ui_ctx: ServiceContext) -> RatingWindow:
    w = RatingWindow(ui_ctx, UNIT, 1, settings=ratings.RatingSettings(3, 30))
    qtbot.addWidget(w)
    w.resize(1024, 600)
    w.show()
    qtbot.waitActive(w)
    return w


def test_a_key_rates_the_finished_ticket_then_thanks_then_rest(
    qtbot: QtBot, screen: RatingWindow, ui_ctx: ServiceContext, tmp_path: Path
) -> None:
    assert screen.page() == "rest"
    shot(screen, "rest", tmp_path)
    t = finished_ticket(ui_ctx)
    screen.ask(subject(t))
    assert screen.page() == "ask"
    assert "Ông/Bà đánh giá thế nào" in screen.question.text()
    assert screen.who.text() == f"Cán bộ Nguyễn Thị Lan · Quầy số 1 · Số {t.number}"
    # best first, each with its key
    assert [b.level for b in screen.buttons] == [3, 2, 1]
    assert [b.accessibleName() for b in screen.buttons] == [
        "Rất hài lòng",
        "Hài lòng",
        "Không hài lòng",
    ]
    shot(screen, "ask-3", tmp_path)
    qtbot.keyClick(screen, Qt.Key.Key_7)  # not a level: nothing
    qtbot.keyClick(screen, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: screen.page() == "thanks", timeout=5000)
    assert stored(ui_ctx) == [(2, 3, "keypad", 1)]
    shot(screen, "thanks", tmp_path)
    qtbot.keyClick(screen, Qt.Key.Key_3)  # after the rating a key does nothing
    screen.back.setInterval(50)
    screen.back.start()
    qtbot.waitUntil(lambda: screen.page() == "rest", timeout=2000)
    assert stored(ui_ctx) == [(2, 3, "keypad", 1)]


def test_a_touch_rates_and_a_double_touch_counts_once(
    qtbot: QtBot, screen: RatingWindow, ui_ctx: ServiceContext
) -> None:
    screen.ask(subject(finished_ticket(ui_ctx)))
    best = screen.buttons[0]
    qtbot.mouseClick(best, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(best, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.page() == "thanks", timeout=5000)
    assert stored(ui_ctx) == [(3, 3, "screen", 1)]


def test_the_idle_timeout_goes_back_to_rest_and_records_nothing(
    qtbot: QtBot, ui_ctx: ServiceContext
) -> None:
    w = RatingWindow(ui_ctx, UNIT, 1, settings=ratings.RatingSettings(3, 1))  # a 1 s timeout
    qtbot.addWidget(w)
    w.show()
    w.ask(subject(finished_ticket(ui_ctx)))
    assert w.idle.isActive() and w.idle.interval() == 1000
    qtbot.waitUntil(lambda: w.page() == "rest", timeout=3000)
    qtbot.keyClick(w, Qt.Key.Key_1)  # too late: resting, nothing to rate
    assert stored(ui_ctx) == []


def test_five_levels_from_the_unit_setting(
    qtbot: QtBot, ui_ctx: ServiceContext, tmp_path: Path
) -> None:
    ratings.set_settings(ui_ctx, scale=5, timeout_s=20)
    w = RatingWindow(ui_ctx, UNIT, 1)  # reads the unit's settings off the UI thread
    qtbot.addWidget(w)
    w.resize(1024, 600)
    w.show()
    qtbot.waitUntil(lambda: len(w.buttons) == 5, timeout=5000)
    assert w.settings == ratings.RatingSettings(5, 20)
    assert [b.accessibleName() for b in w.buttons][::4] == ["Rất hài lòng", "Rất không hài lòng"]
    w.ask(subject(finished_ticket(ui_ctx)))
    assert w.idle.interval() == 20_000
    shot(w, "ask-5", tmp_path)
    qtbot.keyClick(w, Qt.Key.Key_5)
    qtbot.waitUntil(lambda: w.page() == "thanks", timeout=5000)
    assert stored(ui_ctx) == [(5, 5, "keypad", 1)]


def test_a_ticket_rated_elsewhere_meanwhile_returns_to_rest_with_a_calm_line(
    qtbot: QtBot, screen: RatingWindow, ui_ctx: ServiceContext, tmp_path: Path
) -> None:
    t = finished_ticket(ui_ctx)
    screen.ask(subject(t))
    ratings.record(ui_ctx, 1, ticket_id=t.id, source="keypad")
    qtbot.keyClick(screen, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: screen.notice.isVisible(), timeout=5000)
    assert screen.page() == "rest"
    assert "đã được đánh giá" in screen.notice.text()
    assert stored(ui_ctx) == [(1, 3, "keypad", 1)]


def test_on_its_own_it_asks_about_the_counters_last_finished_ticket(
    qtbot: QtBot, ui_ctx: ServiceContext
) -> None:
    w = RatingWindow(ui_ctx, UNIT, 2, standalone=True)
    qtbot.addWidget(w)
    w.show()
    assert w.poll.isActive()
    finished_ticket(ui_ctx, counter=1)  # another counter's: not ours
    w.look_for_subject()
    qtbot.wait(300)
    assert w.page() == "rest"
    t = finished_ticket(ui_ctx, counter=2)
    w.look_for_subject()
    qtbot.waitUntil(lambda: w.page() == "ask", timeout=5000)
    assert t.number in w.who.text() and "Quầy số 2" in w.who.text()
    w.idle.timeout.emit()  # no answer: rest, and the same ticket is not asked again
    w.look_for_subject()
    qtbot.wait(300)
    assert w.page() == "rest" and stored(ui_ctx) == []


def test_the_counter_window_asks_after_f7_and_after_a_dossier_without_a_ticket(
    qtbot: QtBot, window: CounterWindow
) -> None:
    ctx = window.ctx
    assert window.rating.window is None
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    screen = window.rating.window
    assert screen is not None and screen.isVisible() and screen.page() == "rest"
    first = queue.issue(ctx, "HT")
    second = queue.issue(ctx, "HT")
    window.activateWindow()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.queue.ticket is not None, timeout=5000)
    assert screen.page() == "rest"  # calling a number asks nothing
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)  # ends the first, calls the next
    qtbot.waitUntil(lambda: screen.page() == "ask", timeout=5000)
    assert f"Số {first.number}" in screen.who.text()
    assert window.user.full_name in screen.who.text()
    qtbot.keyClick(screen, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: screen.page() == "thanks", timeout=5000)
    window.activateWindow()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F7)
    qtbot.waitUntil(
        lambda: screen.page() == "ask" and second.number in screen.who.text(), timeout=5000
    )
    qtbot.mouseClick(screen.buttons[1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.page() == "thanks", timeout=5000)
    with ctx.uow.read() as s:
        got = s.execute(select(Rating.ticket_id, Rating.level).order_by(Rating.level)).all()
    assert [tuple(r) for r in got] == [(second.id, 2), (first.id, 3)]
    # a dossier taken with no ticket being served: its saving asks
    picker = window.form.picker
    window.activateWindow()
    qtbot.keyClicks(picker, "khai sinh")
    qtbot.keyClick(picker.completer_.popup(), Qt.Key.Key_Return)
    window.form.fields["name"].edit.setText("Đỗ Văn Hùng")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F3)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.last is not None, timeout=10_000)
    qtbot.waitUntil(lambda: screen.page() == "ask", timeout=5000)
    assert "việc giải quyết hồ sơ" in screen.question.text()
    assert window.last.code in screen.who.text()
    qtbot.keyClick(screen, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: screen.page() == "thanks", timeout=5000)
    with ctx.uow.read() as s:
        dossier_rating = s.execute(
            select(Rating.level, Rating.counter).where(Rating.dossier_id.is_not(None))
        ).all()
    assert [tuple(r) for r in dossier_rating] == [(1, window.queue.counter)]


def test_a_return_at_the_counter_asks_about_the_dossier(
    qtbot: QtBot, window: CounterWindow
) -> None:
    from counter_app.db.models import Dossier
    from counter_app.services.actions import act

    screen = window.rating.open()
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
    assert screen.page() == "rest"  # a result made ready asks nothing
    form = window.dossier_dialog.action_form
    form.fields["collector_id"].edit.setText(idn)
    form.submit()
    qtbot.waitUntil(lambda: screen.page() == "ask", timeout=10_000)
    assert f"Hồ sơ {code}" in screen.who.text()
    qtbot.keyClick(screen, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: screen.page() == "thanks", timeout=5000)
    with window.ctx.uow.read() as s:
        got = s.execute(select(Rating.level, Rating.officer_id, Rating.source)).all()
    assert [tuple(r) for r in got] == [(2, window.user.id, "keypad")]


def test_a_button_pads_number_keys_reach_the_screen_while_the_clerk_has_the_focus(
    qtbot: QtBot, window: CounterWindow
) -> None:
    screen = window.rating.open()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    field = window.form.fields["name"].edit
    pad = Qt.KeyboardModifier.KeypadModifier
    qtbot.keyClick(field, Qt.Key.Key_2, pad)  # resting: the digit is the clerk's
    assert field.text() == "2"
    field.clear()
    window.rating.ticket_finished(finished_ticket(window.ctx, window.queue.counter))
    assert screen.page() == "ask"
    qtbot.keyClick(field, Qt.Key.Key_1)  # the main row's digits stay the clerk's
    qtbot.keyClick(field, Qt.Key.Key_3, pad)  # the pad's go to the screen
    qtbot.waitUntil(lambda: screen.page() == "thanks", timeout=5000)
    assert field.text() == "1"
    assert stored(window.ctx) == [(3, 3, "keypad", window.queue.counter)]

"""The citizen's rating screen (DOMAIN.md §6): a second window on a small screen facing the
citizen. After a ticket or a dossier is finished it asks how the service was, naming the
officer and the counter; a touch, or a key 1..scale (a button pad), records the rating off
the UI thread; then a thank-you, and back to rest. Untouched for the unit's timeout, it goes
back to rest and records nothing.

Levels are numbers 1 (the worst) .. scale (the best), as stored; the buttons show the best
first (left), each with its key. Faces are drawn with QPainter, no images.

Run from the counter window (Ctrl+G, or at start with the `rating_screen` setting), the
window is told what to ask (`RatingPrompter`); on its own (`gui --window rating`) it asks
about the counter's (`counter_number`) last ticket finished and not yet rated.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain import ratings as rules
from counter_app.domain.errors import CounterAppError
from counter_app.messages import describe
from counter_app.services import ratings
from counter_app.services.context import ServiceContext
from counter_app.ui.i18n import tr

RATING_STYLE = """
QWidget#rating { background: #f1f5f9; }
QLabel#ratingTitle { color: #0f3d6e; font-size: 30px; font-weight: 700; }
QLabel#ratingQuestion { color: #0f172a; font-size: 30px; font-weight: 600; }
QLabel#ratingWho { color: #334155; font-size: 22px; }
QLabel#ratingRest { color: #0f3d6e; font-size: 40px; font-weight: 700; }
QLabel#ratingRestHint { color: #475569; font-size: 22px; }
QLabel#ratingThanks { color: #166534; font-size: 44px; font-weight: 700; }
QLabel#ratingNotice { color: #92400e; font-size: 20px; }
"""
# What a level looks like, by its key: the face's colour and how much it smiles (-1 .. 1).
FACES = {
    "rat_hai_long": ("#15803d", 1.0),
    "hai_long": ("#65a30d", 0.55),
    "binh_thuong": ("#ca8a04", 0.0),
    "khong_hai_long": ("#ea580c", -0.55),
    "rat_khong_hai_long": ("#dc2626", -1.0),
}
SHORTCUT = "Ctrl+G"  # the counter window opens the rating screen
THANKS_MS = 4000  # the thank-you stays this long
POLL_MS = 2000  # on its own: how often it looks for a finished ticket


class LevelButton(QPushButton):
    """A big touch button: a face, the level's words, its key."""

    def __init__(self, scale: int, level: int) -> None:
        super().__init__()
        self.level = level
        self.key = rules.level_key(scale, level)
        self.colour, self.smile = FACES[self.key]
        self.setAccessibleName(rules.WORDS[self.key])
        self.setToolTip(rules.WORDS[self.key])
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(150, 200)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        colour = QColor(self.colour)
        p.setPen(QPen(colour, 4))
        p.setBrush(QColor("#e2e8f0") if self.isDown() else QColor("white"))
        p.drawRoundedRect(r, 22, 22)
        px = max(18, int(min(r.width() / 7, 30)))  # the words' size
        text_h = px * 2.6 + 30  # two lines of words and the key's line
        size = min(r.width() * 0.72, r.height() - text_h - 24)
        top = r.top() + (r.height() - size - text_h) / 2  # face and words centred together
        face = QRectF(r.center().x() - size / 2, top, size, size)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawEllipse(face)
        p.setBrush(QColor("white"))
        eye = size * 0.09
        for dx in (-0.18, 0.18):
            p.drawEllipse(
                QPointF(face.center().x() + dx * size, face.top() + size * 0.38), eye, eye
            )
        mouth = QPainterPath()
        y = face.top() + size * (0.68 - 0.04 * self.smile)
        left, right = face.left() + size * 0.27, face.right() - size * 0.27
        mouth.moveTo(left, y)
        mouth.quadTo(QPointF(face.center().x(), y + size * 0.24 * self.smile), QPointF(right, y))
        pen = QPen(QColor("white"), max(3.0, size * 0.06))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(mouth)
        words = QRectF(r.left() + 6, face.bottom() + 8, r.width() - 12, text_h)
        font = p.font()
        font.setPixelSize(px)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("#0f172a"))
        p.drawText(
            words,
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            | int(Qt.TextFlag.TextWordWrap),
            tr(rules.WORDS[self.key]),
        )
        font.setPixelSize(max(14, font.pixelSize() - 8))
        font.setBold(False)
        p.setFont(font)
        p.setPen(QColor("#64748b"))
        bottom = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        p.drawText(words, bottom, tr("Phím {k}").format(k=self.level))
        p.end()


class RatingWindow(QWidget):
    """Rest -> ask (a subject) -> thanks -> rest; the timeout goes back to rest silently."""

    rated = Signal(object)  # ratings.RatingInfo, once recorded

    def __init__(
        self,
        ctx: ServiceContext,
        unit_name: str,
        counter: int,
        *,
        standalone: bool = False,
        settings: ratings.RatingSettings | None = None,
    ) -> None:
        super().__init__()
        self.ctx, self.unit_name, self.counter = ctx, unit_name, counter
        self.setObjectName("rating")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(RATING_STYLE)
        self.setWindowTitle(tr("Đánh giá mức độ hài lòng"))
        self.settings = settings or ratings.RatingSettings(
            rules.DEFAULT_SCALE, rules.DEFAULT_TIMEOUT_S
        )
        self.subject: ratings.RatingSubject | None = None
        self.busy = False
        self.asked: set[tuple[str, str]] = set()  # subjects asked about already (standalone)
        self.buttons: list[LevelButton] = []
        self.stack = QStackedWidget()
        self.rest_page, self.ask_page, self.thanks_page = (
            self._rest_page(),
            self._ask_page(),
            self._thanks_page(),
        )
        for page in (self.rest_page, self.ask_page, self.thanks_page):
            self.stack.addWidget(page)
        lay = QVBoxLayout(self)
        lay.addWidget(self.stack)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.show_rest)
        self.back = QTimer(self)
        self.back.setSingleShot(True)
        self.back.timeout.connect(self.show_rest)
        self._set_buttons()
        self.standalone = standalone
        self.poll = QTimer(self)  # on its own: runs while the window is shown (showEvent)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self.look_for_subject)
        if settings is None:
            self.reload_settings()
        self.show_rest()

    # ----- pages ---------------------------------------------------------------------------
    def _label(self, name: str, text: str = "") -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        return label

    def _rest_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addStretch(1)
        lay.addWidget(self._label("ratingRest", tr("Xin cảm ơn Ông/Bà")))
        self.rest_hint = self._label(
            "ratingRestHint",
            tr("{unit} · Quầy số {c}").format(unit=self.unit_name, c=self.counter),
        )
        lay.addWidget(self.rest_hint)
        lay.addWidget(
            self._label(
                "ratingRestHint",
                tr("Sau khi được phục vụ, mời Ông/Bà đánh giá trên màn hình này."),
            )
        )
        lay.addStretch(1)
        self.notice = self._label("ratingNotice")
        self.notice.setVisible(False)
        lay.addWidget(self.notice)
        return page

    def _ask_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(self._label("ratingTitle", self.unit_name))
        self.question = self._label("ratingQuestion")
        lay.addWidget(self.question)
        self.who = self._label("ratingWho")
        lay.addWidget(self.who)
        self.row = QHBoxLayout()
        self.row.setSpacing(18)
        lay.addLayout(self.row, 1)
        return page

    def _thanks_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addStretch(1)
        lay.addWidget(self._label("ratingThanks", tr("Cảm ơn Ông/Bà đã đánh giá!")))
        self.thanks_detail = self._label("ratingRestHint")
        lay.addWidget(self.thanks_detail)
        lay.addStretch(1)
        return page

    def _set_buttons(self) -> None:
        for b in self.buttons:
            self.row.removeWidget(b)
            b.deleteLater()
        scale = self.settings.scale
        self.buttons = [LevelButton(scale, level) for level in range(scale, 0, -1)]
        for b in self.buttons:
            b.clicked.connect(lambda _c=False, lv=b.level: self.choose(lv, "screen"))
            self.row.addWidget(b)

    def apply_settings(self, st: ratings.RatingSettings) -> None:
        changed = st.scale != self.settings.scale
        self.settings = st
        if changed:
            self._set_buttons()

    # ----- the flow ------------------------------------------------------------------------
    def page(self) -> str:
        return {0: "rest", 1: "ask", 2: "thanks"}[self.stack.currentIndex()]

    def show_rest(self) -> None:
        self.idle.stop()
        self.back.stop()
        self.subject = None
        self.busy = False
        self.stack.setCurrentWidget(self.rest_page)

    def ask(self, subject: ratings.RatingSubject) -> None:
        """Ask the citizen about `subject` (a finished ticket, a served dossier)."""
        self.back.stop()
        self.subject, self.busy = subject, False
        self.asked.add((subject.kind, subject.id))
        what = (
            tr("việc giải quyết hồ sơ")
            if subject.kind == "dossier"
            else tr("việc phục vụ tại quầy")
        )
        self.question.setText(tr("Ông/Bà đánh giá thế nào về {what}?").format(what=what))
        parts = []
        if subject.officer_name:
            parts.append(tr("Cán bộ {name}").format(name=subject.officer_name))
        if subject.counter:
            parts.append(tr("Quầy số {c}").format(c=subject.counter))
        parts.append(
            tr("Hồ sơ {x}").format(x=subject.label)
            if subject.kind == "dossier"
            else tr("Số {x}").format(x=subject.label)
        )
        self.who.setText(" · ".join(parts))
        for b in self.buttons:
            b.setEnabled(True)
        self.stack.setCurrentWidget(self.ask_page)
        self.idle.start(self.settings.timeout_s * 1000)

    def choose(self, level: int, source: str) -> None:
        subject = self.subject
        if subject is None or self.busy or not 1 <= level <= self.settings.scale:
            return
        self.busy = True
        self.idle.stop()
        for b in self.buttons:
            b.setEnabled(False)
        kwargs: dict[str, Any] = {"source": source}
        if subject.kind == "ticket":
            kwargs["ticket_id"] = subject.id
        else:
            kwargs.update(
                dossier_code=subject.id, officer=subject.officer or None, counter=subject.counter
            )
        self._run(lambda: ratings.record(self.ctx, level, **kwargs), self._recorded, self._failed)

    def _recorded(self, info: ratings.RatingInfo) -> None:
        self.thanks_detail.setText(tr(rules.WORDS[info.level_key]))
        self.stack.setCurrentWidget(self.thanks_page)
        self.subject, self.busy = None, False
        self.back.start(THANKS_MS)
        self.rated.emit(info)
        self.reload_settings()  # a scale changed meanwhile (`unit set`) holds for the next

    def reload_settings(self) -> None:
        self._run(lambda: ratings.get_settings(self.ctx), self.apply_settings)

    def _failed(self, exc: Exception) -> None:
        """Already rated (another screen), a closed day…: a calm line, back to rest."""
        self.show_rest()
        self.show_task_error(describe(exc) if isinstance(exc, CounterAppError) else "")

    def show_task_error(self, text: str) -> None:
        self.notice.setText(text or tr("Chưa ghi được đánh giá. Mời Ông/Bà báo cán bộ."))
        self.notice.setVisible(True)
        QTimer.singleShot(THANKS_MS, self.notice, self.notice.hide)  # gone with the window

    def look_for_subject(self) -> None:
        """On its own: ask about the counter's last finished ticket not rated yet."""
        if self.page() != "rest":
            return
        timeout = self.settings.timeout_s

        def found(subject: ratings.RatingSubject | None) -> None:
            if subject is None or (subject.kind, subject.id) in self.asked:
                return
            if self.page() == "rest":
                self.ask(subject)

        self._run(lambda: ratings.awaiting(self.ctx, self.counter, timeout), found)
        self.reload_settings()

    def _run(self, fn: Any, done: Any, failed: Any = None) -> None:
        from counter_app.ui.tasks import run_task

        run_task(self, fn, done, failed)

    def showEvent(self, event: QShowEvent) -> None:
        if self.standalone:
            self.poll.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        """Hidden or closed: no more polling, and nothing left asking."""
        self.poll.stop()
        self.show_rest()
        super().hideEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if self.page() == "ask" and text.isdigit():
            self.choose(int(text), "keypad")
            return
        super().keyPressEvent(event)


class RatingPrompter(QObject):
    """The counter window's side: opens the rating screen (Ctrl+G, or the `rating_screen`
    setting) and tells it what to ask after a ticket is finished, a dossier is returned at
    the counter, or a dossier is taken without a ticket (with one, its ticket's end asks)."""

    def __init__(
        self,
        ctx: ServiceContext,
        unit_name: str,
        counter: int,
        officer: str,
        officer_name: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.unit_name, self.counter = ctx, unit_name, counter
        self.officer, self.officer_name = officer, officer_name
        self.window: RatingWindow | None = None

    def open(self) -> RatingWindow:
        if self.window is None:
            self.window = RatingWindow(self.ctx, self.unit_name, self.counter)
            self.window.resize(1024, 600)
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)  # a button pad's keys (eventFilter)
        elif self.window.page() == "rest":
            self.window.reload_settings()
        self.window.show()
        if QGuiApplication.platformName() != "offscreen":  # (no window stacking there)
            self.window.raise_()
        return self.window

    def close(self) -> None:
        if self.window is not None:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self.window.close()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """A button pad is a keyboard, and the clerk's window has the focus: while the screen
        asks, the number pad's digits 1..scale go to it (the main row's digits stay the
        clerk's)."""
        w = self.window
        if (
            event.type() == QEvent.Type.KeyPress
            and w is not None
            and w.page() == "ask"
            and isinstance(event, QKeyEvent)
            and event.modifiers() & Qt.KeyboardModifier.KeypadModifier
            and event.text().isdigit()
            and 1 <= int(event.text()) <= w.settings.scale
            and QApplication.activeWindow() is not w
        ):
            w.choose(int(event.text()), "keypad")
            return True
        return super().eventFilter(obj, event)

    def _ask(self, kind: str, id_: str, label: str) -> None:
        if self.window is None or not self.window.isVisible():
            return
        self.window.ask(
            ratings.RatingSubject(kind, id_, label, self.officer, self.officer_name, self.counter)
        )

    def ticket_finished(self, ticket: Any) -> None:
        """A queue.TicketInfo the counter just finished (F7, or F1 calling the next)."""
        if ticket is not None:
            self._ask("ticket", ticket.id, ticket.number)

    def dossier_saved(self, view: Any, under_ticket: bool) -> None:
        if not under_ticket and view.receive_channel == "counter":
            self._ask("dossier", view.code, view.code)

    def dossier_changed(self, view: Any) -> None:
        """A step recorded on a dossier: a return at the counter asks for a rating."""
        last = view.events[-1] if view.events else None
        if (
            view.status == "returned"
            and last is not None
            and last.kind == "returned"
            and (last.data or {}).get("channel") != "postal"
        ):
            self._ask("dossier", view.code, view.code)

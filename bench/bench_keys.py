"""Keys and machine time per dossier at the counter, by real key events (issue 14 "Done when").

    uv run python bench/bench_keys.py                  # 3 dossiers of each kind
    uv run python bench/bench_keys.py --rounds 5 --screenshots bench/out/keys
    uv run python bench/bench_keys.py --order address   # issue 16's address flows only

Drives the counter window offscreen (a fresh demo database, the clock pinned to 09:00 on a
working day and running from there) as a clerk does, with the keys the README's key table
documents, each sent by QTest.keyClick to the widget the keyboard would give it to (the
open popup, else the focused widget):

  (a) first-time applicant: F1 calls the ticket a kiosk issued; the citizen ID card's QR is
      scanned (a keyboard-wedge burst: every character a key press, then Enter, into whatever
      has the focus); name, ID number and address come from the card; the focus then waits in
      the empty procedure field, where a few letters and Enter choose it; the phone is typed;
      F3 ticks the documents; Ctrl+S saves and prints Mẫu 01; F9 prints the folder label.
  (b) returning applicant: the same, but after the scan Ctrl+D takes the saved phone.

  (c) issue 16, "address" order, the unit's own commune set (Xã Mỹ Hòa Hưng): a first-time
      applicant whose card still carries the old address (Ctrl+Enter takes the 2025 one);
      one typed by hand (no card QR) whose hamlet other applicants of the commune gave
      ("my hoa" Enter completes "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang"); one whose hamlet
      is new to the unit ("Ấp Mỹ Hòa," Enter: after the street's comma the unit's commune is
      offered); and the same typed in full, as before issue 16.

A scan counts as 0 keys; each typed character and each shortcut is one key. Vietnamese
letters typed by hand count as their Telex keys ("Đặng" = D d a w n g j, 7 keys; a capital
is one key), sent to the widget as the characters an input method would give it. Machine time is
the wall time from the first key to the label's PDF written (keys are sent at once, so it is
all the machine's: look-ups, save, Mẫu 01 and label rendered and written). Printers: the
app's own "no printer set" path (PDFs saved to a folder), as on a counter PC without one.
Targets (issue 14): a returning applicant after the ID scan ≤ 12 keys and ≤ 30 s including
printing; the first-time applicant's count is reported.

The script checks every step (the focus where the next keys go, the fields filled, the saved
dossier's procedure, documents, phone, ticket) and exits 1 naming the step, the key and the
widget that got it when a key went to the wrong place, so a change in the window's focus
order shows up here rather than as a silently different count. It ignores the benchmark
database run_all.py passes (--db): it needs the demo catalogue, users and queue services.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, add_common_args, isolate_env, machine_line, print_rows, save_rows

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 12, 2, 9, 0, tzinfo=VN)  # a Wednesday in a plain working week
TARGET_KEYS, TARGET_S = 12, 30.0
WAIT_S = 30.0  # longest wait for one background step before the run is declared stuck
CTRL = Qt.KeyboardModifier.ControlModifier

# Returning applicants: the demo's (services/setup.DEMO_APPLICANTS), one per round, so no
# round files the same person twice in a day. Their cards' QR: ID||name|birth|sex|address|issue.
RETURNING = (
    ("089090001234", "Nguyễn Văn An", "01011990", "Nam", "0912345678"),
    ("089195004321", "Trần Thị Bích Ngọc", "02021995", "Nữ", "0987654321"),
    ("089088012345", "Lê Quang Đức", "03031988", "Nam", "0903111222"),
    ("089075006543", "Huỳnh Văn Tâm", "04041975", "Nam", "0918222333"),
    ("089185002468", "Võ Thị Thu Hà", "05051985", "Nữ", "0975123456"),
)
ADDRESS = "Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang"
# (procedure code, what the clerk types to find it); every document of both is required, so
# "F3 ticks all" and "F3 ticks the required ones" (issue 14 item 2) give the same dossier.
# Issue 16: the unit's own commune, and a card printed before the 2025 arrangement.
HOME_COMMUNE = "30313"  # Xã Mỹ Hòa Hưng, tỉnh An Giang
OLD_ADDRESS = "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang"
NEW_ADDRESS = "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang"
STREET = "Ấp Mỹ Hòa"
TYPED_ADDRESS = "Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang"  # in full, before issue 16
FIRST_PROCEDURE = ("2.000884", "chu ky")  # Chứng thực chữ ký
RETURNING_PROCEDURE = ("2.000815", "ban sao")  # Chứng thực bản sao từ bản chính
QUEUE_SERVICE = "CT"  # Chứng thực, called at counter 1


class WrongPlace(AssertionError):
    """A key went somewhere the documented flow does not expect."""


@dataclass
class Run:
    kind: str
    keys: list[str] = field(default_factory=list)
    keys_after_scan: int = 0
    seconds: float = 0.0
    save_to_paper_s: float = 0.0
    code: str = ""
    steps: list[tuple[str, int]] = field(default_factory=list)


def describe_widget(w: QWidget | None) -> str:
    if w is None:
        return "nothing"
    name = w.objectName() or type(w).__name__
    parent = w.parentWidget()
    return f"{name} in {type(parent).__name__}" if parent is not None else name


class Clerk:
    """Sends keys where the keyboard would, counts them, waits for the window's work."""

    def __init__(self, app: QApplication, win: Any, shots: Path | None) -> None:
        self.app, self.win, self.shots = app, win, shots
        self.run: Run | None = None
        self.step = ""
        self.reactivations = 0

    def settle(self) -> None:
        """Let the window work, then give activation back to the window when a popup that
        held it is gone: what a window manager does when a popup closes, and what Qt's
        offscreen platform leaves undone (the procedure search's completer, opened by a scan
        typed into it, stayed the "active window", so window shortcuts stopped working)."""
        self.app.processEvents()
        active = QApplication.activeWindow()
        if (
            QApplication.activePopupWidget() is None
            and active is not None
            and not active.isVisible()
        ):
            self.reactivations += 1
            self.win.activateWindow()
            self.app.processEvents()

    # --- keys ---------------------------------------------------------------------------------
    def target(self) -> QWidget:
        w = QApplication.activePopupWidget() or QApplication.focusWidget()
        if w is None:
            raise WrongPlace(f"{self.step}: no widget has the keyboard focus")
        return w

    def key(self, key: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        assert self.run is not None
        name = QKeyEventName.of(key, mod)
        self.run.keys.append(name)
        QTest.keyClick(self.target(), key, mod)
        self.settle()

    def type_vi(self, text: str) -> None:
        """Vietnamese typed by the clerk: each character counted as its Telex keys, sent as
        the character an input method gives the widget."""
        assert self.run is not None
        for ch in text:
            self.run.keys.extend([ch] * telex_keys(ch))
            w = self.target()
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    w, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
                )
            self.settle()

    def type(self, text: str) -> None:
        """Typed by the clerk: one key per character (ASCII, as QTest types it)."""
        assert self.run is not None
        for ch in text:
            self.run.keys.append(ch)
            QTest.keyClick(self.target(), ch)
            self.settle()

    def scan(self, payload: str) -> None:
        """A keyboard-wedge scanner: each character a key press with its text, then Enter, into
        whatever has the focus; 0 keys for the clerk."""
        for ch in payload:
            w = self.target()
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    w, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
                )
        QTest.keyClick(self.target(), Qt.Key.Key_Return)
        self.settle()

    # --- checks and waits ---------------------------------------------------------------------
    def begin(self, step: str) -> None:
        assert self.run is not None
        self.step = step
        self.run.steps.append((step, len(self.run.keys)))

    def expect_focus(self, widget: QWidget, what: str) -> None:
        got = QApplication.focusWidget()
        if got is not widget:
            raise WrongPlace(
                f"{self.step}: the focus should be on {what}, it is on {describe_widget(got)}"
                f" (keys so far: {' '.join(self.run.keys) if self.run else ''})"
            )

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            raise WrongPlace(f"{self.step}: {what}")

    def wait(self, cond: Callable[[], bool], what: str) -> None:
        from counter_app.ui.tasks import pending_tasks

        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            self.settle()
            if cond() and pending_tasks() == 0:
                return
            time.sleep(0.001)
        raise WrongPlace(f"{self.step}: waited {WAIT_S:.0f} s for {what}")

    def shot(self, name: str) -> None:
        if self.shots is not None:
            self.shots.mkdir(parents=True, exist_ok=True)
            self.win.grab().save(str(self.shots / f"{name}.png"))


class QKeyEventName:
    @staticmethod
    def of(key: Qt.Key, mod: Qt.KeyboardModifier) -> str:
        names = {Qt.Key.Key_Return: "Enter", Qt.Key.Key_Space: "Space", Qt.Key.Key_Tab: "Tab"}
        base = names.get(key) or Qt.Key(key).name.removeprefix("Key_")
        return f"Ctrl+{base}" if mod & CTRL else base


def qr_payload(idn: str, name: str, birth: str, sex: str, address: str = ADDRESS) -> str:
    return f"{idn}||{name}|{birth}|{sex}|{address}|15032021"


def telex_keys(ch: str) -> int:
    """Keys for one character in Telex: the letter, +1 for its hat, breve or horn (â ă ơ ư
    ê ô, đ), +1 for its tone (s f r x j)."""
    import unicodedata

    if ch in "đĐ":
        return 2
    return 1 + sum(1 for c in unicodedata.normalize("NFD", ch) if unicodedata.combining(c))


def first_time_card(i: int) -> tuple[str, str, str, str, str]:
    """A citizen the demo has never seen: a woman born in 1980 (ID digit 4 = 1, digits 5-6 = 80)."""
    return (f"0891809{i:05d}", "Đặng Thị Mai", "06061980", "Nữ", f"09{i:02d}5550{i:02d}")


ORDERS = {
    # Issue 16: first-time applicants and the address (see the module's text, (c)).
    "address": "F1, …: card with the old address (Ctrl+Enter) / by hand, completed / in full",
    # The order of issue 14's "Done when": the card is scanned where the focus is after F1.
    "scan-first": "F1, scan, procedure, phone / Ctrl+D, F3, Ctrl+S, F9",
    # The paper form's order (the procedure field comes first and has the focus).
    "procedure-first": "F1, procedure, scan, phone / Ctrl+D, F3, Ctrl+S, F9",
}


def save_and_label(
    clerk: Any, win: Any, files: Path, papers_before: int, idn: str, run: Any
) -> Any:
    """Ctrl+S (the dossier saved, Mẫu 01 written) then F9 (the folder label written): the
    saved dossier's view. `run.save_to_paper_s` is the time from Ctrl+S to the paper."""
    clerk.begin("save and print Mẫu 01 (Ctrl+S)")
    t_save = time.perf_counter()
    clerk.key(Qt.Key.Key_S, CTRL)
    clerk.wait(lambda: len(list(files.glob("*.pdf"))) == papers_before + 1, "Mẫu 01 to be written")
    run.save_to_paper_s = time.perf_counter() - t_save
    view = win.last
    clerk.check(view is not None and view.applicant.id_number == idn, "no dossier was saved")
    clerk.begin("folder label (F9)")
    clerk.key(Qt.Key.Key_F9)
    clerk.wait(
        lambda: len(list(files.glob("*.pdf"))) == papers_before + 2, "the label to be written"
    )
    return view


def dossier(
    clerk: Clerk, kind: str, order: str, card: tuple[str, str, str, str, str], files: Path
) -> Run:
    """One dossier, from the ticket call to the label; returns its keys and seconds."""
    from counter_app.services import queue

    win, form = clerk.win, clerk.win.form
    idn, name, birth, sex, phone = card
    proc_code, query = FIRST_PROCEDURE if kind == "first" else RETURNING_PROCEDURE
    run = clerk.run = Run(kind)
    ticket = queue.issue(win.ctx, QUEUE_SERVICE)  # the citizen took a number at the kiosk
    papers_before = len(list(files.glob("*.pdf")))
    scanned_at = 0
    t0 = time.perf_counter()

    def procedure() -> None:
        clerk.begin("procedure (type, Enter)")
        if QApplication.focusWidget() is not form.picker:
            clerk.key(Qt.Key.Key_T, CTRL)  # the procedure search from anywhere in the form
        clerk.expect_focus(form.picker, "the procedure search")
        clerk.type(query)
        clerk.key(Qt.Key.Key_Return)
        chosen = form.entry.procedure.code if form.entry is not None else None
        clerk.check(chosen == proc_code, f"{query!r} + Enter chose {chosen}, not {proc_code}")

    def card() -> None:
        nonlocal scanned_at
        clerk.begin("ID card scan")
        clerk.scan(qr_payload(idn, name, birth, sex))
        clerk.wait(lambda: form.fields["id_number"].text() == idn, "the card to fill the form")
        clerk.check(form.fields["name"].text() == name, f"name {form.fields['name'].text()!r}")
        clerk.check(form.fields["address"].text() == ADDRESS, "the card's address is missing")
        scanned_at = len(run.keys)

    def phone_part() -> None:
        if kind == "returning":
            clerk.wait(lambda: form.offer_frame.isVisibleTo(win), "the saved details offered")
            clerk.shot(f"{order}-{kind}-1-offer")
            clerk.begin("saved phone (Ctrl+D)")
            clerk.key(Qt.Key.Key_D, CTRL)
            clerk.check(form.fields["phone"].text() == phone, "Ctrl+D did not fill the phone")
        else:
            clerk.begin("phone")
            clerk.expect_focus(form.fields["phone"].edit, "the phone field")
            clerk.type(phone)
            clerk.check(form.fields["phone"].text() == phone, "the phone field lost keys")
            # The address came from the card: nothing to type.

    clerk.begin("ticket call (F1)")
    clerk.key(Qt.Key.Key_F1)
    clerk.wait(
        lambda: getattr(win.queue.ticket, "number", None) == ticket.number,
        f"ticket {ticket.number} to be called at counter 1",
    )
    if order == "scan-first":  # after the scan the focus waits in the empty procedure field
        card()
        procedure()
    else:
        procedure()
        card()
    phone_part()  # the focus moves on to the phone once name and procedure are there
    clerk.check(form.fields["phone"].text() == phone, "the phone changed on the way")
    clerk.check(form.entry is not None and form.entry.procedure.code == proc_code, "procedure")

    clerk.begin("documents (F3)")
    clerk.key(Qt.Key.Key_F3)
    rows = form.docs.rows()
    clerk.check(all(r.get("received") for r in rows), f"F3 left documents unticked: {rows}")
    clerk.shot(f"{order}-{kind}-2-before-save")

    view = save_and_label(clerk, win, files, papers_before, idn, run)
    run.seconds = time.perf_counter() - t0
    clerk.shot(f"{order}-{kind}-3-saved")

    # What was saved is what the clerk meant.
    from sqlalchemy import select

    from counter_app.db.models import Dossier
    from counter_app.services import lookup

    saved = lookup.get_dossier(win.ctx, view.code)
    clerk.step = "the saved dossier"
    clerk.check(saved.procedure.code == proc_code, f"saved under {saved.procedure.code}")
    clerk.check(saved.applicant.phone == phone, f"saved phone {saved.applicant.phone!r}")
    clerk.check(saved.applicant.name == name, f"saved name {saved.applicant.name!r}")
    clerk.check(saved.status == "accepted", f"status {saved.status} (a document missing?)")
    clerk.check(
        not saved.missing_documents and all(d.received for d in saved.documents),
        "a required document is not recorded as received",
    )
    with win.ctx.uow.read() as s:
        linked = s.scalar(select(Dossier.ticket_id).where(Dossier.code == view.code))
    clerk.check(linked == ticket.id, "the dossier is not linked to the ticket being served")
    run.code = saved.code
    run.keys_after_scan = len(run.keys) - scanned_at
    return run


ADDRESS_KINDS = ("old-card", "by-hand-known", "by-hand", "by-hand-full")


def dossier_address(
    clerk: Clerk, kind: str, card: tuple[str, str, str, str, str], files: Path
) -> Run:
    """Issue 16: a first-time applicant living in the unit's commune. "old-card": the card
    scanned first, its old address converted by Ctrl+Enter. "by-hand": no card QR, every
    field typed, the address's commune completed; "by-hand-full": the address typed whole."""
    from sqlalchemy import select

    from counter_app.db.models import Dossier
    from counter_app.services import lookup, queue

    win, form = clerk.win, clerk.win.form
    idn, name, birth, sex, phone = card
    proc_code, query = FIRST_PROCEDURE
    run = clerk.run = Run(kind)
    ticket = queue.issue(win.ctx, QUEUE_SERVICE)
    papers_before = len(list(files.glob("*.pdf")))
    t0 = time.perf_counter()
    clerk.begin("ticket call (F1)")
    clerk.key(Qt.Key.Key_F1)
    clerk.wait(
        lambda: getattr(win.queue.ticket, "number", None) == ticket.number,
        f"ticket {ticket.number} to be called at counter 1",
    )
    address = form.address
    if kind == "old-card":
        clerk.begin("ID card scan")
        clerk.scan(qr_payload(idn, name, birth, sex, OLD_ADDRESS))
        clerk.wait(lambda: form.fields["id_number"].text() == idn, "the card to fill the form")
        clerk.check(address.proposal.isVisibleTo(win), "no 2025 address proposed")
        run.keys_after_scan = -len(run.keys)
    clerk.begin("procedure (type, Enter)")
    clerk.expect_focus(form.picker, "the procedure search")
    clerk.type(query)
    clerk.key(Qt.Key.Key_Return)
    clerk.check(form.entry is not None and form.entry.procedure.code == proc_code, "procedure")
    if kind == "old-card":
        clerk.begin("phone")
        clerk.expect_focus(form.fields["phone"].edit, "the phone field")
        clerk.type(phone)
        clerk.shot(f"address-{kind}-1-proposal")
        clerk.begin("the 2025 address (Ctrl+Enter)")
        clerk.key(Qt.Key.Key_Return, CTRL)
    else:
        clerk.begin("name (Telex)")
        clerk.expect_focus(form.fields["name"].edit, "the name field")
        clerk.type_vi(name)
        clerk.key(Qt.Key.Key_Return)
        clerk.begin("ID number")
        clerk.expect_focus(form.fields["id_number"].edit, "the ID field")
        clerk.type(idn)
        clerk.key(Qt.Key.Key_Return)
        clerk.begin("phone")
        clerk.expect_focus(form.fields["phone"].edit, "the phone field")
        clerk.type(phone)
        clerk.key(Qt.Key.Key_Return)
        clerk.key(Qt.Key.Key_Return)  # past the email (not asked)
        clerk.begin("address")
        clerk.expect_focus(address.edit, "the address field")
        if kind == "by-hand-known":
            # a hamlet other applicants of the unit's commune gave: its first letters, Enter
            clerk.type("my hoa")
            clerk.check(
                address.popup.isVisible() and address.popup.item(0).text() == NEW_ADDRESS,
                "the known hamlet is not offered first",
            )
            clerk.shot(f"address-{kind}-1-completion")
            clerk.key(Qt.Key.Key_Return)
        elif kind == "by-hand":
            clerk.type_vi(STREET + ",")  # the comma ending the street lists the unit's commune
            clerk.check(address.popup.isVisible(), "no completion listed")
            clerk.shot(f"address-{kind}-1-completion")
            clerk.key(Qt.Key.Key_Return)
        else:
            clerk.type_vi(TYPED_ADDRESS)
    clerk.check(address.code == HOME_COMMUNE, f"the commune is {address.code}, not the unit's")
    clerk.begin("documents (F3)")
    clerk.key(Qt.Key.Key_F3)
    clerk.shot(f"address-{kind}-2-before-save")
    view = save_and_label(clerk, win, files, papers_before, idn, run)
    run.seconds = time.perf_counter() - t0
    saved = lookup.get_dossier(win.ctx, view.code)
    clerk.step = "the saved dossier"
    expected = TYPED_ADDRESS if kind == "by-hand-full" else NEW_ADDRESS
    clerk.check(saved.applicant.address == expected, f"saved {saved.applicant.address!r}")
    clerk.check(saved.applicant.name == name, f"saved name {saved.applicant.name!r}")
    clerk.check(saved.applicant.phone == phone, f"saved phone {saved.applicant.phone!r}")
    clerk.check(saved.status == "accepted", f"status {saved.status}")
    with win.ctx.uow.read() as s:
        linked = s.scalar(select(Dossier.ticket_id).where(Dossier.code == view.code))
    clerk.check(linked == ticket.id, "the dossier is not linked to the ticket being served")
    run.code = saved.code
    run.keys_after_scan = len(run.keys) + run.keys_after_scan if kind == "old-card" else 0
    return run


def set_home_commune(ctx: Any) -> None:
    """The unit's own commune (what 16-unit's set-up writes: Unit.commune_code)."""
    from counter_app.services.units import local_unit

    with ctx.uow.write() as s:
        local_unit(s).commune_code = HOME_COMMUNE


def build(db_dir: Path, files: Path) -> tuple[QApplication, Any]:
    from counter_app.app import build_context
    from counter_app.printing.spool import FolderSpooler
    from counter_app.services.auth import login
    from counter_app.services.intake import intake_setup
    from counter_app.services.printjobs import Printers, settings_label_spec
    from counter_app.services.setup import init_database
    from counter_app.ui.main import application
    from counter_app.ui.main_window import CounterWindow
    from counter_app.ui.scan import ScanDispatcher

    isolate_env()
    app = application()
    ctx = build_context(db=str(db_dir / "counter.db"))
    t0, start = time.monotonic(), START.astimezone(UTC)
    ctx.clock = lambda: start + timedelta(seconds=time.monotonic() - t0)
    init_database(ctx, demo=True)
    set_home_commune(ctx)
    scan = ScanDispatcher(app)
    scan.install(app)
    user = login(ctx, "canbo1", "demo")
    # The app's own "no printer set" path: each paper a PDF in a folder; the label as set up.
    printers = Printers(
        FolderSpooler(files), FolderSpooler(files), settings_label_spec(ctx.settings)
    )
    win = CounterWindow(ctx, user, intake_setup(ctx), printers, scan)
    win.resize(1366, 768)
    win.show()
    win.activateWindow()
    app.processEvents()
    return app, win


ADDRESS_TITLES = {
    "old-card": "first-time, card with the old address (Ctrl+Enter)",
    "by-hand-known": "first-time by hand, a hamlet of the unit's commune others gave",
    "by-hand": "first-time by hand, a hamlet new to the unit, its commune completed",
    "by-hand-full": "first-time by hand, address typed in full (before issue 16)",
}
TARGET_ADDRESS_KEYS = 60  # issue 16: a first-time applicant in the unit's commune


def summarise_address(runs: list[Run]) -> list[Row]:
    rows = []
    for kind in ADDRESS_KINDS:
        rs = [r for r in runs if r.kind == kind]
        if not rs:
            continue
        keys = rs[0].keys
        ends = [start for _name, start in rs[0].steps[1:]] + [len(keys)]
        steps = ", ".join(
            f"{name} {end - start}" for (name, start), end in zip(rs[0].steps, ends, strict=True)
        )
        secs = [r.seconds for r in rs]
        # the target is for an address in the unit's commune as the counter knows it; a
        # hamlet no earlier applicant gave is typed once, then offered (reported, not judged)
        target = kind in ("old-card", "by-hand-known")
        rows.append(
            Row(
                f"keys per dossier, {ADDRESS_TITLES[kind]} [address]",
                f"{len(keys)}"
                + (f" (after the ID scan {rs[0].keys_after_scan})" if kind == "old-card" else ""),
                "—",
                "—",
                f"≤ {TARGET_ADDRESS_KEYS}" if target else "report",
                ("pass" if len(keys) <= TARGET_ADDRESS_KEYS else "MISS") if target else "info",
                f"{steps}; {statistics.median(secs):.2f} s / {max(secs):.2f} s machine time",
            )
        )
    return rows


def summarise(order: str, runs: list[Run], reactivations: int) -> list[Row]:
    if order == "address":
        return summarise_address(runs)
    rows = []
    for kind, title in (("first", "first-time applicant"), ("returning", "returning applicant")):
        rs = [r for r in runs if r.kind == kind]
        if not rs:
            continue
        keys = rs[0].keys
        after = rs[0].keys_after_scan
        secs = [r.seconds for r in rs]
        paper = [r.save_to_paper_s for r in rs]
        med, worst = statistics.median(secs), max(secs)
        ends = [start for _name, start in rs[0].steps[1:]] + [len(keys)]
        steps = ", ".join(
            f"{name} {end - start}" for (name, start), end in zip(rs[0].steps, ends, strict=True)
        )
        returning = kind == "returning"
        rows.append(
            Row(
                f"keys after the ID scan, {title} [{order}]",
                f"{after} (whole dossier {len(keys)})",
                "—",
                "—",
                f"≤ {TARGET_KEYS}" if returning else "report",
                ("pass" if after <= TARGET_KEYS else "MISS") if returning else "info",
                f"{steps}: {' '.join(keys)}",
            )
        )
        note = (
            f"{len(rs)} dossiers (median / worst); Ctrl+S to Mẫu 01 written "
            f"{statistics.median(paper):.2f} s median"
        )
        if reactivations:
            note += (
                f"; the window re-activated {reactivations}× after a popup closed "
                "(offscreen platform, see Clerk.settle)"
            )
        rows.append(
            Row(
                f"machine time per dossier, F1 … label written, {title} [{order}]",
                f"{med:.2f} s / {worst:.2f} s",
                "—",
                "—",
                f"≤ {TARGET_S:.0f} s" if returning else "report",
                ("pass" if worst <= TARGET_S else "MISS") if returning else "info",
                note,
            )
        )
    return rows


def run_order(order: str, rounds: int, shots: Path | None) -> tuple[list[Run], int]:
    """`rounds` first-time and returning dossiers in `order`, on a fresh demo database."""
    work = Path(tempfile.mkdtemp(prefix="bench-keys-"))
    files = work / "prints"
    runs: list[Run] = []
    app, win = build(work, files)
    clerk = Clerk(app, win, shots)  # pictures of the first round only
    try:
        clerk.step = "loading the 2025 list"
        clerk.wait(lambda: win.form.address.units is not None, "the 2025 list to load")
        for i in range(rounds if order == "address" else 0):
            for j, kind in enumerate(ADDRESS_KINDS):
                card = first_time_card(10 * (i + 1) + j)
                runs.append(dossier_address(clerk, kind, card, files))
            clerk.shots = None
        for i in range(0 if order == "address" else rounds):
            runs.append(dossier(clerk, "first", order, first_time_card(i + 1), files))
            runs.append(dossier(clerk, "returning", order, RETURNING[i], files))
            clerk.shots = None
    except WrongPlace:
        clerk.shots = shots
        clerk.shot(f"{order}-FAILED")
        raise
    finally:
        win.close()
        app.processEvents()
        win.ctx.uow.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
    return runs, clerk.reactivations


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(p)
    p.add_argument("--rounds", type=int, default=3, help="dossiers of each kind (max 5)")
    p.add_argument("--order", choices=sorted(ORDERS), nargs="*", default=list(ORDERS))
    p.add_argument("--screenshots", type=Path, default=None, help="save window PNGs here")
    args = p.parse_args(argv)
    rounds = max(1, min(args.rounds, len(RETURNING)))
    print(f"# bench_keys — {machine_line()}", flush=True)
    rows: list[Row] = []
    failed = []
    for order in args.order:
        print(f"\n{order}: {ORDERS[order]}", flush=True)
        try:
            runs, reactivations = run_order(order, rounds, args.screenshots)
        except WrongPlace as exc:
            failed.append(f"{order}: {exc}")
            print(f"FAILED: {exc}", file=sys.stderr, flush=True)
            rows.append(
                Row(f"keyboard flow [{order}]", "stopped", "—", "—", "completes", "MISS", str(exc))
            )
            continue
        rows += summarise(order, runs, reactivations)
    print_rows("Keys and machine time per dossier (counter window, real key events)", rows)
    save_rows(args.results, rows)
    if failed:
        print("\nFAILED (a key went to the wrong place):\n- " + "\n- ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

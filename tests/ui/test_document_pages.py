"""Scanning at intake (issue 15 item 1), driven by the keys: F11 scans the selected checklist
line (SANE's test backend as the real scanner; fakes for faults and a scanner that hangs),
Ctrl+←/→, R and Delete in the thumbnail strip, files dropped on a checklist line, the
pages going with the dossier on Ctrl+S. Screenshots: tests/ui/shots/ when SHOTS_DIR is set."""

from __future__ import annotations

import dataclasses
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sane_support import sane_test_env
from test_counter_window import choose_procedure
from test_intake_traps import settle

from counter_app.devices.document_scanner import SaneScanner
from counter_app.domain.scanning import DEFAULT_DPI, ScanInterrupted
from counter_app.ui import main_window as main_window_module
from counter_app.ui.document_pages import Page, render_page, render_scans, with_scans
from counter_app.ui.main_window import CounterWindow

SHOTS = os.environ.get("SHOTS_DIR", "")


def png(w: int, h: int, color: str = "black") -> bytes:
    img = QImage(w, h, QImage.Format.Format_Grayscale8)
    img.fill(QColor("white"))
    for x in range(0, w, 8):  # some "text": vertical strokes in the left part
        for y in range(h // 4, h // 2):
            if x < w // 2:
                img.setPixelColor(x, y, QColor(color))
    buf = io.BytesIO()
    from PySide6.QtCore import QBuffer, QIODevice

    qb = QBuffer()
    qb.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(qb, "PNG")  # type: ignore[call-overload]
    buf.write(bytes(qb.data().data()))
    return buf.getvalue()


def size_of(data: bytes) -> tuple[int, int]:
    img = QImage.fromData(data)
    return img.width(), img.height()


class FakeScanner:
    """Pages from a list; optionally fails after `fail_after` pages or waits for `gate`."""

    def __init__(
        self,
        pages: list[bytes],
        *,
        fail_after: int | None = None,
        gate: threading.Event | None = None,
        duplex: bool = False,
    ) -> None:
        self.pages = pages
        self.fail_after = fail_after
        self.gate = gate
        self.duplex = duplex
        self.calls: list[dict[str, Any]] = []
        self.cancelled = threading.Event()

    @property
    def name(self) -> str:
        return "fake:0"

    def has_duplex(self) -> bool:
        return self.duplex

    def scan(self, **kw: Any) -> Iterator[bytes]:
        self.calls.append(kw)
        for i, page in enumerate(self.pages):
            if self.fail_after is not None and i == self.fail_after:
                raise ScanInterrupted(
                    "scanner_lost", pages_done=i, scanner="fake:0", detail="cable pulled"
                )
            if self.gate is not None and i == 1:
                self.gate.wait(30)  # the scanner is slow: typing must not wait for it
                if self.cancelled.is_set():
                    return
            yield page

    def cancel(self) -> None:
        self.cancelled.set()
        if self.gate is not None:
            self.gate.set()


class WrapAfter:
    """The real SANE test scanner, "unplugged" after `n` pages (the backend cannot unplug)."""

    def __init__(self, real: SaneScanner, n: int) -> None:
        self.real, self.n = real, n

    @property
    def name(self) -> str:
        return self.real.name

    def has_duplex(self) -> bool:
        return self.real.has_duplex()

    def scan(self, **kw: Any) -> Iterator[bytes]:
        for i, page in enumerate(self.real.scan(**kw)):
            if i == self.n:
                raise ScanInterrupted(
                    "scanner_lost", pages_done=i, scanner=self.real.name, detail="USB"
                )
            yield page

    def cancel(self) -> None:
        self.real.cancel()


def messages_of(win: CounterWindow) -> list[str]:
    got: list[str] = []
    win.form.message.connect(got.append)
    return got


def use_scanner(win: CounterWindow, scanner: Any) -> None:
    win.form.pages._scanner_factory = lambda: scanner
    win.form.pages._scanner = None


def on_checklist(qtbot: QtBot, win: CounterWindow, row: int = 0) -> None:
    choose_procedure(qtbot, win, "khai sinh")
    win.form.docs.setFocus()
    win.form.docs.setCurrentCell(row, 1)


def f11(qtbot: QtBot, win: CounterWindow, modifier: Qt.KeyboardModifier | None = None) -> None:
    w = QApplication.focusWidget() or win.form.docs
    qtbot.keyClick(w, Qt.Key.Key_F11, modifier or Qt.KeyboardModifier.NoModifier)


def idle(win: CounterWindow) -> bool:
    return win.form.pages.scanning_row is None and not win.form.pages._worker_busy


def shot(win: CounterWindow, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        win.grab().save(str(Path(SHOTS) / f"{name}.png"))


def test_f11_scans_from_the_sane_test_device(
    qtbot: QtBot, window: CounterWindow, tmp_path: Path
) -> None:
    scanner = SaneScanner(
        "test:0", env=sane_test_env(tmp_path), extra_args=("--test-picture", "Grid")
    )
    use_scanner(window, scanner)
    window.form.pages.dpi = 50  # the test picture at 50 dpi: quick, still a real scan
    on_checklist(qtbot, window, 0)
    f11(qtbot, window)
    qtbot.waitUntil(lambda: idle(window), timeout=30000)
    pages = window.form.pages
    assert pages.page_count(0) == 10  # the test feeder's 10 sheets
    assert "đã số hóa 10 trang" in window.form.docs.item(0, 1).text()
    assert window.form.pages.strip.count() == 10
    assert window.form.docs.rows()[0]["name"] == window.form.docs.item(0, 1).toolTip()
    # scanning again appends
    window.form.docs.setFocus()
    f11(qtbot, window)
    qtbot.waitUntil(lambda: idle(window), timeout=30000)
    assert pages.page_count(0) == 20
    assert pages.page_count(1) == 0
    shot(window, "scan_sane_test_device")


def test_unplugged_mid_scan_keeps_the_pages(
    qtbot: QtBot, window: CounterWindow, tmp_path: Path
) -> None:
    real = SaneScanner("test:0", env=sane_test_env(tmp_path))
    use_scanner(window, WrapAfter(real, 3))
    window.form.pages.dpi = 50
    said = messages_of(window)
    on_checklist(qtbot, window, 1)
    window.form.pages.pages[0] = [Page(png(40, 60), "png")]  # another document's page
    f11(qtbot, window)
    qtbot.waitUntil(lambda: idle(window), timeout=30000)
    assert window.form.pages.page_count(1) == 3
    assert window.form.pages.page_count(0) == 1  # the other document untouched
    assert any("Mất kết nối với máy quét test:0" in m and "Đã giữ 3 trang" in m for m in said)
    assert window.form.entry is not None  # the form is as it was


def test_busy_and_no_scanner(qtbot: QtBot, window: CounterWindow, tmp_path: Path) -> None:
    said = messages_of(window)
    use_scanner(window, None)
    on_checklist(qtbot, window, 0)
    f11(qtbot, window)
    assert any("chưa đặt máy quét" in m for m in said)
    # scanimage's test backend sometimes hangs at exit after printing a fault (about 1 run in
    # 20): the watchdog ends it and the printed status is still reported. With the default
    # 180 s a hang outlived this test and every later window fixture, waiting for the tasks
    # to end, timed out (a CI run on 2026-12-02 had 26 such errors).
    busy = SaneScanner(
        "test:0",
        env=sane_test_env(tmp_path),
        extra_args=("--read-return-value", "SANE_STATUS_DEVICE_BUSY"),
        page_timeout_s=5,
    )
    use_scanner(window, busy)
    f11(qtbot, window)
    qtbot.waitUntil(lambda: idle(window), timeout=30000)
    assert any("đang bận" in m for m in said)
    assert window.form.pages.page_count(0) == 0


def test_typing_goes_on_while_the_scanner_works(qtbot: QtBot, window: CounterWindow) -> None:
    gate = threading.Event()
    fake = FakeScanner([png(80, 120)] * 3, gate=gate, duplex=True)
    use_scanner(window, fake)
    on_checklist(qtbot, window, 0)
    f11(qtbot, window)
    qtbot.waitUntil(lambda: window.form.pages.page_count(0) == 1, timeout=10000)
    assert window.form.pages.scanning_row == 0  # the scanner is still busy with page 2
    phone = window.form.fields["phone"].edit
    phone.setFocus()
    qtbot.keyClicks(phone, "0912345678")
    assert phone.text() == "0912345678"  # typed while the scan waits
    assert not gate.is_set()
    assert fake.calls[0]["duplex"] is True and fake.calls[0]["dpi"] == DEFAULT_DPI
    # F11 again stops the scan; the page already read stays
    f11(qtbot, window)
    qtbot.waitUntil(lambda: idle(window), timeout=10000)
    assert fake.cancelled.is_set()
    assert window.form.pages.page_count(0) == 1


def test_strip_keys_reorder_rotate_remove(qtbot: QtBot, window: CounterWindow) -> None:
    a, b, c = png(40, 60), png(50, 70), png(60, 80)
    use_scanner(window, FakeScanner([a, b, c]))
    on_checklist(qtbot, window, 0)
    f11(qtbot, window)
    qtbot.waitUntil(lambda: idle(window) and window.form.pages.page_count(0) == 3)
    pages = window.form.pages
    strip = pages.strip
    strip.setFocus()
    strip.setCurrentRow(0)
    qtbot.keyClick(strip, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert [p.data for p in pages.pages[0]] == [b, a, c]
    assert strip.currentRow() == 1  # the moved page stays selected
    qtbot.keyClick(strip, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert [p.data for p in pages.pages[0]] == [a, b, c]
    qtbot.keyClick(strip, Qt.Key.Key_R)  # a letter: held back briefly (ui/scan.py), then given
    qtbot.waitUntil(lambda: pages.pages[0][0].rotation == 90, timeout=5000)
    shot(window, "strip_rotated")
    strip.setCurrentRow(2)
    qtbot.keyClick(strip, Qt.Key.Key_Delete)
    assert [p.data for p in pages.pages[0]] == [a, b]
    assert "đã số hóa 2 trang" in window.form.docs.item(0, 1).text()
    # the rotation is applied when the pages are handed over for the archive
    rendered = render_scans(pages.scans())
    assert size_of(rendered[0][0]) == (60, 40)
    assert rendered[0][1] == b  # an untouched scan goes as it was read


def test_drop_files_on_a_checklist_line(
    qtbot: QtBot, window: CounterWindow, tmp_path: Path
) -> None:
    photo = tmp_path / "anh_dien_thoai.jpg"
    QImage.fromData(png(300, 400)).save(str(photo), "JPG")
    fake = tmp_path / "khong_phai_anh.jpg"
    fake.write_bytes(b"MZ\x90\x00 this is a program, not a photo")
    pdf = tmp_path / "giay_to.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%fake but marked\n")
    said = messages_of(window)
    on_checklist(qtbot, window, 0)
    docs = window.form.docs
    target = 1
    y = docs.rowViewportPosition(target) + docs.rowHeight(target) // 2
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in (photo, fake, pdf)])
    # as a real drag: the table takes the files on entering, then the drop on line `target`
    enter = QDragEnterEvent(
        QPoint(40, y),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(docs.viewport(), enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(40, y),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(docs.viewport(), drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: window.form.pages.page_count(target) == 2, timeout=10000)
    assert docs.currentRow() == target
    kinds = [p.kind for p in window.form.pages.pages[target]]
    assert kinds == ["jpeg", "pdf"]
    assert window.form.pages.page_count(0) == 0
    qtbot.waitUntil(lambda: any("khong_phai_anh.jpg" in m for m in said), timeout=5000)
    assert any("không phải ảnh" in m for m in said)
    shot(window, "dropped_files")


def test_pages_go_with_the_dossier_on_ctrl_s(
    qtbot: QtBot, window: CounterWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[dict[int, list[bytes]]] = []
    real = main_window_module.with_scans

    def spy(req: Any, scans: dict[int, list[bytes]], source: str = "scan") -> Any:
        handed.append(scans)
        return real(req, scans, source)

    monkeypatch.setattr(main_window_module, "with_scans", spy)
    page = png(40, 60)
    use_scanner(window, FakeScanner([page, page]))
    on_checklist(qtbot, window, 0)
    f11(qtbot, window)
    qtbot.waitUntil(lambda: idle(window) and window.form.pages.page_count(0) == 2)
    form = window.form
    form.fields["name"].edit.setText("Nguyễn Thị Ánh Tuyết")
    form.fields["phone"].edit.setText("0912345678")
    form.docs.tick_required()
    qtbot.keyClick(form.docs, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(handed), timeout=10000)
    assert handed[0] == {0: [page, page]}
    qtbot.waitUntil(lambda: not window.saving, timeout=10000)
    assert form.pages.pages == {}  # the saved form is clean: no page left for the next one


def test_three_documents_scanned_by_keyboard_are_saved_with_the_dossier(
    qtbot: QtBot, window: CounterWindow, tmp_path: Path
) -> None:
    """The issue's "done when", counter side: F11 on three checklist lines (↓ between them)
    from the SANE test device, Ctrl+S, and the dossier has three archive PDFs."""
    scanner = SaneScanner(
        "test:0", env=sane_test_env(tmp_path), extra_args=("--test-picture", "Grid")
    )
    use_scanner(window, scanner)
    window.form.pages.dpi = 50
    on_checklist(qtbot, window, 0)
    form = window.form
    form.fields["name"].edit.setText("Nguyễn Thị Ánh Tuyết")
    form.fields["phone"].edit.setText("0912345678")
    form.docs.setFocus()
    for row in range(3):
        assert form.docs.currentRow() == row
        qtbot.keyClick(form.docs, Qt.Key.Key_F11)
        qtbot.waitUntil(lambda: idle(window), timeout=30000)
        qtbot.keyClick(form.docs, Qt.Key.Key_Down)
    assert [form.pages.page_count(r) for r in range(4)] == [10, 10, 10, 0]
    qtbot.keyClick(form.docs, Qt.Key.Key_F3)
    qtbot.keyClick(form.docs, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.last is not None and not window.saving, timeout=60000)
    from counter_app.services.files import dossier_files

    files = dossier_files(window.ctx, window.last.code)
    assert len(files) == 3
    assert all(f.pages == 10 and f.source == "scan" for f in files)
    assert [f.document for f in files] == [d.name for d in window.last.documents][:3]
    shot(window, "saved_with_scans")


def test_with_scans_fills_the_request_field() -> None:
    @dataclasses.dataclass(frozen=True)
    class Req:
        procedure: str
        scans: dict[int, list[bytes]] = dataclasses.field(default_factory=dict)

    @dataclasses.dataclass(frozen=True)
    class Old:
        procedure: str

    assert with_scans(Req("x"), {1: [b"a"]}).scans == {1: [b"a"]}
    assert with_scans(Old("x"), {1: [b"a"]}) == Old("x")
    # a JPEG photo taken sideways is turned upright by its EXIF orientation when rotated
    assert render_page(Page(png(30, 20), "png", rotation=180)) != png(30, 20)


def test_ctrl_f11_attaches_by_the_file_dialog_and_tab_reaches_the_strip(
    qtbot: QtBot, window: CounterWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = tmp_path / "scan.png"
    scan.write_bytes(png(60, 80))
    asked: list[str] = []

    def dialog(*_a: Any, **_k: Any) -> tuple[list[str], str]:
        asked.append("yes")
        return [str(scan)], ""

    from counter_app.ui import document_pages

    monkeypatch.setattr(document_pages.QFileDialog, "getOpenFileNames", dialog)
    on_checklist(qtbot, window, 2)
    qtbot.keyClick(window.form.docs, Qt.Key.Key_F11, Qt.KeyboardModifier.ControlModifier)
    assert asked
    qtbot.waitUntil(lambda: window.form.pages.page_count(2) == 1, timeout=10000)
    assert window.form.pages.pages[2][0].source == "file"
    settle(qtbot, window)  # the window active again after the completer's popup (offscreen)
    window.form.docs.setFocus()
    qtbot.keyClick(window.form.docs, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.form.pages.strip

"""Scanned pages in the intake form (issue 15 item 1): scan or attach per checklist line.

F11 scans the selected checklist line from the counter's document scanner (F11 again stops
it); Ctrl+F11 attaches files (PDF, JPEG, PNG, a phone photo) by a file dialog; files dropped
on a checklist line go to that line. Scanning again appends. The strip under the checklist
shows the selected line's pages: Ctrl+←/→ move a page, R turns it a quarter clockwise,
Delete removes it. The line reads "đã số hóa N trang".

Nothing here blocks typing: the scanner runs on a worker thread (ui/tasks.run_task) and
hands each page over as it comes (a queued signal) with its thumbnail already made there;
attached files are read and checked on a worker too. A scanner that fails part-way (cable
pulled, paper jam) keeps the pages it delivered, and the message says so.

On Ctrl+S the pages go with the dossier: `render_scans` turns them (rotation applied, a
phone photo's EXIF orientation applied) into PNG/JPEG/PDF bytes per document index for
`IntakeRequest.scans` (15-store builds the archive PDFs from them in the save)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QObject, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QImage,
    QImageIOHandler,
    QImageReader,
    QKeyEvent,
    QPainter,
    QPixmap,
    QTransform,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.domain.scanning import DEFAULT_DPI, DocumentScanner, ScanInterrupted
from counter_app.messages import describe
from counter_app.ui.i18n import tr
from counter_app.ui.tasks import run_task

THUMB = QSize(75, 106)  # A4 proportions; the strip fits a 1366×768 counter screen
MAX_FILE_MB = 50  # an attached file larger than this is refused (settings.file_max_mb)
KINDS = ("png", "jpeg", "pdf")


def sniff(data: bytes) -> str | None:
    """The file's kind by its content, not its name."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    return None


@dataclass
class Page:
    """One page (or one attached PDF) of a checklist line, before saving."""

    data: bytes
    kind: str  # png | jpeg | pdf
    rotation: int = 0  # degrees clockwise: 0, 90, 180, 270
    source: str = "scan"  # scan | file
    name: str = ""
    thumb: QImage = field(default_factory=QImage, repr=False)


def _reader(data: bytes) -> tuple[QImageReader, QBuffer]:
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buf)
    reader.setAutoTransform(True)  # a phone photo's EXIF orientation
    return reader, buf


def thumbnail(data: bytes, kind: str, name: str = "") -> QImage:
    """A small picture of the page (any thread: QImage only)."""
    if kind == "pdf":
        img = QImage(THUMB, QImage.Format.Format_RGB32)
        img.fill(QColor("white"))
        p = QPainter(img)
        p.setPen(QColor("#b00020"))
        p.drawRect(0, 0, THUMB.width() - 1, THUMB.height() - 1)
        p.drawText(img.rect(), Qt.AlignmentFlag.AlignCenter, "PDF\n" + name[:14])
        p.end()
        return img
    reader, _buf = _reader(data)
    reader.setQuality(25)
    img = reader.read()
    if img.isNull():
        return img
    return img.scaled(
        THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def render_page(page: Page) -> bytes:
    """The page's bytes as the archive should take them: as scanned when untouched, else the
    image turned upright (rotation, EXIF orientation) as PNG. A PDF goes as it came."""
    if page.kind == "pdf":
        return page.data
    reader, _buf = _reader(page.data)
    exif_turned = reader.transformation() != QImageIOHandler.Transformation.TransformationNone
    if page.rotation % 360 == 0 and not exif_turned:
        return page.data
    img = reader.read()
    if img.isNull():
        return page.data
    if page.rotation % 360:
        img = img.transformed(QTransform().rotate(page.rotation))
    out = QBuffer()
    out.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(out, "PNG")  # type: ignore[call-overload]  # the stubs say bytes, Qt wants str
    return bytes(out.data().data())


def render_scans(pages: dict[int, list[Page]]) -> dict[int, list[bytes]]:
    """{document index: [page bytes]} for IntakeRequest.scans (run it on the worker)."""
    return {i: [render_page(p) for p in ps] for i, ps in sorted(pages.items()) if ps}


def scan_source(pages: dict[int, list[Page]]) -> str:
    """ "file" when every page came from attached files, else "scan" (dossier_files.source)."""
    every = [p for ps in pages.values() for p in ps]
    return "file" if every and all(p.source == "file" for p in every) else "scan"


def with_scans(req: Any, scans: dict[int, list[bytes]], source: str = "scan") -> Any:
    """The intake request with its pages (IntakeRequest.scans / scans_source; a request type
    without those fields is returned unchanged)."""
    if not scans:
        return req
    names = {f.name for f in dataclasses.fields(req)}
    if "scans" not in names:
        return req
    extra = {"scans_source": source} if "scans_source" in names else {}
    return dataclasses.replace(req, scans=scans, **extra)


def read_files(paths: Iterable[Path], max_mb: int = MAX_FILE_MB) -> tuple[list[Page], list[str]]:
    """Attached files checked by content: (pages, Vietnamese messages for the refused)."""
    pages: list[Page] = []
    refused: list[str] = []
    for path in paths:
        try:
            size = path.stat().st_size
            if size > max_mb * 1024 * 1024:
                too_big = ValidationError(
                    "file_too_big", name=path.name, mb=f"{size / 1048576:.0f}", limit=max_mb
                )
                refused.append(describe(too_big))
                continue
            data = path.read_bytes()
        except OSError as exc:
            refused.append(
                describe(
                    ValidationError(
                        "scan_file_unopenable", name=path.name, detail=exc.strerror or ""
                    )
                )
            )
            continue
        kind = sniff(data)
        thumb = thumbnail(data, kind, path.name) if kind else QImage()
        if kind is None or (kind != "pdf" and thumb.isNull()):
            refused.append(describe(ValidationError("scan_file_unreadable", name=path.name)))
            continue
        pages.append(Page(data, kind, source="file", name=path.name, thumb=thumb))
    return pages, refused


class _PageRelay(QObject):
    page = Signal(int, int, object)  # generation, row, Page


class PageStrip(QListWidget):
    """The thumbnails of the selected checklist line: Ctrl+←/→ move, R turns, Delete removes."""

    move_requested = Signal(int, int)  # from, to
    rotate_requested = Signal(int)
    remove_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(THUMB)
        self.setFixedHeight(THUMB.height() + 44)
        self.setSpacing(4)
        self.setAccessibleName(tr("Các trang đã số hóa của giấy tờ đang chọn"))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        row = self.currentRow()
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if row >= 0 and ctrl and event.key() == Qt.Key.Key_Left:
            if row > 0:
                self.move_requested.emit(row, row - 1)
            return
        if row >= 0 and ctrl and event.key() == Qt.Key.Key_Right:
            if row < self.count() - 1:
                self.move_requested.emit(row, row + 1)
            return
        if row >= 0 and event.key() == Qt.Key.Key_R and not ctrl:
            self.rotate_requested.emit(row)
            return
        if row >= 0 and event.key() == Qt.Key.Key_Delete:
            self.remove_requested.emit(row)
            return
        super().keyPressEvent(event)


class DocumentPages(QWidget):
    """The pages of every checklist line of the form being typed, and their strip."""

    changed = Signal()
    message = Signal(str)  # a line for the form's message area

    def __init__(
        self,
        docs: QTableWidget,
        scanner: Callable[[], DocumentScanner | None],
        *,
        dpi: int = DEFAULT_DPI,
        max_mb: int = MAX_FILE_MB,
    ) -> None:
        super().__init__()
        self.max_mb = max_mb
        self.docs = docs
        self._scanner_factory = scanner
        self._scanner: DocumentScanner | None = None
        self.dpi = dpi
        self.pages: dict[int, list[Page]] = {}
        self._base_text: dict[int, str] = {}
        self._generation = 0
        self.scanning_row: int | None = None
        self._worker_busy = False  # a scan's worker still running (also after F11 stopped it)
        self._relay = _PageRelay()
        self._relay.page.connect(self._page_arrived)
        self.strip = PageStrip()
        self.strip.move_requested.connect(self.move_page)
        self.strip.rotate_requested.connect(self.rotate_page)
        self.strip.remove_requested.connect(self.remove_page)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.hint)
        lay.addWidget(self.strip)
        docs.currentCellChanged.connect(lambda *_a: self.show_row(self.current_row()))
        docs.setAcceptDrops(True)
        docs.viewport().setAcceptDrops(True)
        self._viewport = docs.viewport()
        self._viewport.installEventFilter(self)
        self.show_row(-1)

    # ----- state ------------------------------------------------------------------------
    def current_row(self) -> int:
        return self.docs.currentRow()

    def page_count(self, row: int) -> int:
        return len(self.pages.get(row, []))

    def scans(self) -> dict[int, list[Page]]:
        """The pages to save, per document index (copies: the save runs on a worker)."""
        return {r: list(ps) for r, ps in self.pages.items() if ps}

    def clear(self) -> None:
        """A new form (saved, cleared, another procedure): pages dropped, a scan stopped."""
        self._generation += 1
        self.cancel_scan(quiet=True)
        self.pages.clear()
        self._base_text.clear()
        self.show_row(self.current_row())
        self.changed.emit()

    # ----- scanning ---------------------------------------------------------------------
    def scan_or_stop(self) -> None:
        """F11: scan the selected line; while a scan runs, stop it."""
        if self.scanning_row is not None:
            self.cancel_scan()
            return
        row = self.current_row()
        if row < 0:
            self.message.emit(describe(ValidationError("scan_no_document")))
            return
        try:
            scanner = self._get_scanner()
        except CounterAppError as exc:
            self.message.emit(describe(exc))
            return
        if scanner is None:
            self.message.emit(describe(ValidationError("scanner_none")))
            return
        if self._worker_busy:
            self.message.emit(tr("Máy quét đang dừng lần quét trước; bấm F11 lại sau giây lát."))
            return
        self._worker_busy = True
        self.scanning_row = row
        generation = self._generation
        relay = self._relay
        dpi = self.dpi
        self.message.emit(tr("Đang quét… (F11: dừng quét; vẫn gõ tiếp được)"))
        self._update_hint()

        def work() -> int:
            duplex = scanner.has_duplex()
            count = 0
            for data in scanner.scan(dpi=dpi, mode="Gray", duplex=duplex):
                kind = sniff(data) or "png"
                page = Page(data, kind, source="scan", thumb=thumbnail(data, kind))
                relay.page.emit(generation, row, page)
                count += 1
            return count

        run_task(
            self,
            work,
            lambda n: self._scan_done(generation, row, n),
            lambda exc: self._scan_failed(generation, row, exc),
        )

    def _get_scanner(self) -> DocumentScanner | None:
        if self._scanner is None:
            self._scanner = self._scanner_factory()
        return self._scanner

    def cancel_scan(self, *, quiet: bool = False) -> None:
        if self.scanning_row is None:
            return
        if self._scanner is not None:
            self._scanner.cancel()
        self.scanning_row = None
        self._update_hint()
        if not quiet:
            self.message.emit(tr("Đã dừng quét; các trang đã quét vẫn giữ."))

    def _page_arrived(self, generation: int, row: int, page: Page) -> None:
        if generation != self._generation or row >= self.docs.rowCount():
            return
        self._add_pages(row, [page])

    def _scan_done(self, generation: int, row: int, count: int) -> None:
        self._worker_busy = False
        if generation != self._generation:
            return
        was_scanning = self.scanning_row is not None
        self.scanning_row = None
        self._update_hint()
        if was_scanning:
            self.message.emit(
                tr("Đã quét {n} trang; giấy tờ này có {total} trang.").format(
                    n=count, total=self.page_count(row)
                )
            )

    def _scan_failed(self, generation: int, row: int, exc: Exception) -> None:
        self._worker_busy = False
        if generation != self._generation:
            return
        self.scanning_row = None
        self._update_hint()
        text = describe(exc) if isinstance(exc, CounterAppError) else str(exc)
        done = exc.pages_done if isinstance(exc, ScanInterrupted) else 0
        if done:
            text += " " + describe(ValidationError("scan_pages_kept", pages=done))
        self.message.emit(text)

    # ----- attaching files --------------------------------------------------------------
    def choose_files(self) -> None:
        """Ctrl+F11: a file dialog for the selected line."""
        row = self.current_row()
        if row < 0:
            self.message.emit(describe(ValidationError("scan_no_document")))
            return
        names, _f = QFileDialog.getOpenFileNames(
            self,
            tr("Đính kèm tệp cho giấy tờ"),
            "",
            tr("Ảnh hoặc PDF (*.pdf *.jpg *.jpeg *.png *.PDF *.JPG *.JPEG *.PNG);;Mọi tệp (*)"),
        )
        if names:
            self.attach_files(row, [Path(n) for n in names])

    def attach_files(self, row: int, paths: list[Path]) -> None:
        """The files' pages appended to `row`, read and checked on a worker."""
        generation = self._generation
        self.message.emit(tr("Đang đọc tệp…"))
        run_task(
            self,
            lambda: read_files(paths, self.max_mb),
            lambda result: self._files_read(generation, row, result),
        )

    def _files_read(self, generation: int, row: int, result: tuple[list[Page], list[str]]) -> None:
        if generation != self._generation or row >= self.docs.rowCount():
            return
        pages, refused = result
        if pages:
            self._add_pages(row, pages)
        parts = []
        if pages:
            parts.append(
                tr("Đã đính kèm {n} tệp; giấy tờ này có {total} trang.").format(
                    n=len(pages), total=self.page_count(row)
                )
            )
        parts.extend(refused)
        self.message.emit(" ".join(parts))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Files dropped on a checklist line go to that line."""
        if shiboken6.isValid(self.docs) and obj is self._viewport:
            if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                assert isinstance(event, QDragMoveEvent)  # DragEnter derives from it
                if event.mimeData().hasUrls():
                    event.acceptProposedAction()
                    return True
            elif event.type() == QEvent.Type.Drop:
                assert isinstance(event, QDropEvent)
                paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
                row = self.docs.rowAt(int(event.position().y()))
                row = row if row >= 0 else self.current_row()
                if paths and row >= 0:
                    event.acceptProposedAction()
                    self.docs.setCurrentCell(row, 1)
                    self.attach_files(row, paths)
                    return True
        return super().eventFilter(obj, event)

    # ----- editing the pages ------------------------------------------------------------
    def _add_pages(self, row: int, pages: list[Page]) -> None:
        self.pages.setdefault(row, []).extend(pages)
        self._row_changed(row)

    def move_page(self, src: int, dst: int) -> None:
        row = self.current_row()
        ps = self.pages.get(row, [])
        if not (0 <= src < len(ps) and 0 <= dst < len(ps)):
            return
        ps.insert(dst, ps.pop(src))
        self._row_changed(row, select=dst)

    def rotate_page(self, index: int) -> None:
        row = self.current_row()
        ps = self.pages.get(row, [])
        if not 0 <= index < len(ps):
            return
        if ps[index].kind == "pdf":
            self.message.emit(describe(ValidationError("scan_pdf_no_rotate")))
            return
        ps[index].rotation = (ps[index].rotation + 90) % 360
        self._row_changed(row, select=index)

    def remove_page(self, index: int) -> None:
        row = self.current_row()
        ps = self.pages.get(row, [])
        if not 0 <= index < len(ps):
            return
        del ps[index]
        self._row_changed(row, select=min(index, len(ps) - 1))

    # ----- showing ----------------------------------------------------------------------
    def _row_changed(self, row: int, *, select: int | None = None) -> None:
        self._mark_row(row)
        if row == self.current_row():
            self.show_row(row, select=select)
        self.changed.emit()

    def _mark_row(self, row: int) -> None:
        item = self.docs.item(row, 1)
        if item is None:
            return
        base = self._base_text.setdefault(row, item.text())
        n = self.page_count(row)
        item.setText(base + (tr(" — đã số hóa {n} trang").format(n=n) if n else ""))

    def show_row(self, row: int, *, select: int | None = None) -> None:
        self.strip.clear()
        for i, page in enumerate(self.pages.get(row, [])):
            pix = QPixmap.fromImage(page.thumb)
            if page.rotation:
                pix = pix.transformed(QTransform().rotate(page.rotation))
            if not pix.isNull():  # a white page on the white strip: its edge drawn
                painter = QPainter(pix)
                painter.setPen(QColor("#8a8a8a"))
                painter.drawRect(0, 0, pix.width() - 1, pix.height() - 1)
                painter.end()
            label = tr("Trang {n}").format(n=i + 1)
            if page.kind == "pdf":
                label = tr("Tệp {n} (PDF)").format(n=i + 1)
            it = QListWidgetItem(QIcon(pix), label)
            it.setToolTip(page.name or label)
            self.strip.addItem(it)
        # no pages: no strip, so the form keeps its height for the banner (1366×768 screens)
        self.strip.setVisible(self.strip.count() > 0)
        if select is not None and select >= 0 and self.strip.count():
            self.strip.setCurrentRow(select)
        self._update_hint()

    def _update_hint(self) -> None:
        n = self.page_count(self.current_row()) if self.current_row() >= 0 else 0
        if self.scanning_row is not None:
            head = tr("Đang quét… F11: dừng")
        elif n:
            head = tr("{n} trang").format(n=n)
        else:
            head = tr("Chưa có trang nào")
        self.hint.setText(
            head
            + tr(
                " · F11 quét · Ctrl+F11 đính kèm tệp (hoặc kéo thả vào dòng giấy tờ)"
                " · trong dải trang: Ctrl+←/→ đổi thứ tự, R xoay, Delete bỏ trang"
            )
        )

"""Printing through Qt's own print system, the same on Windows and Linux (issue 13 §1).

Each PDF page is rendered by PDFium (pypdfium2) to a grey bitmap at the printer's
resolution and painted onto a QPrinter for the named (or the default) printer: no dialog,
no PDF application, no shell verb. Windows reaches the printer through Qt's winspool
plugin, Linux through Qt's CUPS plugin (which reads CUPS_SERVER like every CUPS client).

`send` is synchronous and may run on a worker thread (Qt supports QPainter on a QPrinter
outside the GUI thread); it needs a QCoreApplication, which the window already has and
`ensure_qt()` makes for the command line. Failures raise PrintFailed with a code the
clerk sees in Vietnamese (messages.py); the dossier is saved before anything is printed,
so F8 simply tries again.

It lives in ui/ because Qt stops there: app.py wires make_spooler, list_os_printers and
printer_names into the context's adapters, and the services reach the printers through those
(printing/spool.py holds the plain types: Spooler, PrinterStatus, PrintReport).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_app.domain.errors import PrintFailed, ValidationError
from counter_app.printing.spool import FolderSpooler, PrinterStatus, PrintReport, Spooler

log = logging.getLogger("counter_app.printing")

# Pages go to the driver at most at 300 dpi (the driver scales them to its own): text stays
# sharp, and 600 dpi costs 4x the pixels: 2.3 s a page of Mẫu 01 into a CUPS queue against
# 0.38 s (bench/bench_qtprint.py; the budget is 0.5 s). A 203 dpi label printer gets 203.
MAX_DPI = 300
PDF_DPI = 300  # Qt's own PDF output (tests, the bench): an office laser's resolution …
PDF_LABEL_DPI = 203  # … and a thermal label printer's (8 dots/mm: the label's bars are whole dots)
LABEL_KIND, A4_KIND = "label", "a4"
LABEL_OVERSAMPLE = 4

_qt_lock = threading.Lock()
_listeners: list[Callable[[str, str], None]] = []


def on_print_result(listener: Callable[[str, str], None]) -> None:
    """Call `listener(printer, code)` after every print: code "" when it printed, else the
    PrintFailed code. For a status bar's printer light (issue 14); it is called on the
    printing thread, so a window hands it to its GUI thread (a queued signal)."""
    _listeners.append(listener)


def _tell(printer: str, code: str) -> None:
    for listener in list(_listeners):
        try:
            listener(printer, code)
        except Exception:  # a listener's bug must not turn a printed paper into a failure
            log.exception("print result listener failed")


def ensure_qt() -> None:
    """A QGuiApplication for QPrinter in a process that has none (the command line): Qt's
    Windows print engine draws through GDI and wants one. On Linux without a display it
    runs offscreen. The window's QApplication serves when there is one. Call from the main
    thread. (Listing printers, QPrinterInfo, needs none.)"""
    import os

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    with _qt_lock:
        if QCoreApplication.instance() is None:
            argv = ["counter-app"]
            headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
            if (
                sys.platform.startswith("linux")
                and headless
                and "QT_QPA_PLATFORM" not in os.environ
            ):
                argv += ["-platform", "offscreen"]
            # Kept on the module: the application must outlive every QPrinter.
            globals()["_app"] = QGuiApplication(argv)


def printer_names() -> list[str]:
    """The printers the operating system knows, by the names it lists them under."""
    from PySide6.QtPrintSupport import QPrinterInfo

    return list(QPrinterInfo.availablePrinterNames())


def default_printer_name() -> str:
    from PySide6.QtPrintSupport import QPrinterInfo

    return str(QPrinterInfo.defaultPrinterName() or "")


def list_os_printers() -> list[PrinterStatus]:
    """Every printer the OS lists, with its state where Qt (and CUPS) know it."""
    from PySide6.QtPrintSupport import QPrinterInfo

    default = str(QPrinterInfo.defaultPrinterName() or "")
    out = []
    for name in QPrinterInfo.availablePrinterNames():
        info = QPrinterInfo.printerInfo(name)
        out.append(PrinterStatus(name, name == default, _state_name(info), printer_problem(name)))
    return out


def _state_name(info: Any) -> str:
    from PySide6.QtPrintSupport import QPrinter

    states = {
        QPrinter.PrinterState.Idle: "idle",
        QPrinter.PrinterState.Active: "printing",
        QPrinter.PrinterState.Aborted: "aborted",
        QPrinter.PrinterState.Error: "error",
    }
    return states.get(info.state(), "unknown")


# --- CUPS: what Qt does not say (rejecting jobs, out of paper) -------------------------------


class _CupsOption(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_char_p)]


class _CupsDest(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("instance", ctypes.c_char_p),
        ("is_default", ctypes.c_int),
        ("num_options", ctypes.c_int),
        ("options", ctypes.POINTER(_CupsOption)),
    ]


_libcups: Any = None


def _cups() -> Any:
    global _libcups
    if _libcups is None and sys.platform != "win32":
        path = ctypes.util.find_library("cups")
        lib: Any
        try:
            lib = ctypes.CDLL(path) if path else False
        except OSError:
            lib = False
        if lib:
            lib.cupsGetNamedDest.restype = ctypes.POINTER(_CupsDest)
            lib.cupsGetNamedDest.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
            lib.cupsFreeDests.argtypes = [ctypes.c_int, ctypes.POINTER(_CupsDest)]
        _libcups = lib
    return _libcups or None


# printer-state-reasons that mean nothing will come out, as PrintFailed codes.
_PAPER_REASONS = ("media-empty", "media-needed", "input-tray-missing")


def cups_problem(name: str) -> str:
    """Why a CUPS queue will not print now: "disabled", "rejecting", a paper reason, or ""
    (also "" where CUPS is not there to ask: Windows, or libcups missing)."""
    lib = _cups()
    if lib is None:
        return ""
    dest = lib.cupsGetNamedDest(None, name.encode(), None)
    if not dest:
        return ""
    try:
        opts = {
            (dest.contents.options[i].name or b"").decode(): (
                dest.contents.options[i].value or b""
            ).decode()
            for i in range(dest.contents.num_options)
        }
    finally:
        lib.cupsFreeDests(1, dest)
    if opts.get("printer-is-accepting-jobs", "true") == "false":
        return "rejecting"
    if opts.get("printer-state") == "5":
        return "disabled"
    reasons = opts.get("printer-state-reasons", "")
    for reason in _PAPER_REASONS:
        if reason in reasons:
            return reason
    return ""


# --- Windows: the spooler's own status flags (Qt folds them all, toner low included, into
# "Error", which must not stop a print) -----------------------------------------------------

# PRINTER_STATUS_* (winspool.h) that mean nothing will come out now, most telling first.
WIN_STATUS = (
    (0x00000010, "media-empty"),  # PAPER_OUT
    (0x00000001, "paused"),  # PAUSED
    (0x00000080, "offline"),  # OFFLINE
    (0x00001000, "offline"),  # NOT_AVAILABLE
    (0x00000008, "jam"),  # PAPER_JAM
    (0x00400000, "door-open"),  # DOOR_OPEN
    (0x00000002, "error"),  # ERROR
)


def windows_status_problem(status: int) -> str:
    """The reason a Windows printer with these PRINTER_INFO_6 status flags will not print
    ("" when it will: idle, busy, warming up, toner low, …)."""
    for flag, reason in WIN_STATUS:
        if status & flag:
            return reason
    return ""


def _windows_status(name: str) -> int:
    """PRINTER_INFO_6.dwStatus of a printer (0 when Windows will not say)."""
    from ctypes import wintypes

    winspool = ctypes.WinDLL("winspool.drv")  # type: ignore[attr-defined]
    handle = wintypes.HANDLE()
    if not winspool.OpenPrinterW(name, ctypes.byref(handle), None):
        return 0
    try:
        needed = wintypes.DWORD()
        winspool.GetPrinterW(handle, 6, None, 0, ctypes.byref(needed))
        if needed.value < 4:
            return 0
        buf = ctypes.create_string_buffer(needed.value)
        if not winspool.GetPrinterW(handle, 6, buf, needed, ctypes.byref(needed)):
            return 0
        return int(wintypes.DWORD.from_buffer(buf).value)
    finally:
        winspool.ClosePrinter(handle)


def printer_problem(name: str, *, platform: str = sys.platform) -> str:
    """Why a printer will not print now ("" if nothing is known against it): Windows'
    status flags, or CUPS's queue state and reasons."""
    if platform == "win32":
        try:
            return windows_status_problem(_windows_status(name))
        except (OSError, AttributeError):
            return ""
    return cups_problem(name)


# --- sending -----------------------------------------------------------------------------------


class QtSpooler:
    """A named printer (None: the system's default) through QPrinter; `output_pdf` makes it
    Qt's own PDF output instead (the tests and the bench, no printer needed).

    `kind` "a4" prints on A4; "label" at the size of the PDF's own page."""

    def __init__(
        self,
        printer: str | None = None,
        *,
        kind: str = A4_KIND,
        output_pdf: Path | None = None,
        max_dpi: int = MAX_DPI,
    ) -> None:
        self.printer = printer or None
        self.kind = kind
        self.output_pdf = output_pdf
        self.max_dpi = max_dpi
        self.last_report: PrintReport | None = None

    def send(self, pdf: bytes, *, copies: int = 1, title: str = "") -> None:
        self.print_pdf(pdf, copies=copies, title=title)

    def printer_name(self) -> str:
        """The printer its jobs go to ("" when it is the default and the system has none)."""
        return self.printer or default_printer_name()

    def print_pdf(self, pdf: bytes, *, copies: int = 1, title: str = "") -> PrintReport:
        try:
            report = self._print_pdf(pdf, copies, title)
        except PrintFailed as exc:
            _tell(str(exc.params.get("printer", self.printer or "")), exc.code)
            raise
        _tell(report.printer, "")
        return report

    def _print_pdf(self, pdf: bytes, copies: int, title: str) -> PrintReport:
        if not 1 <= copies <= 99:  # as every spooler (printing/spool._check_copies)
            raise ValidationError("copies_invalid", copies=copies)
        ensure_qt()
        started = time.perf_counter()
        printer, name = self._printer()  # a printer fault first: it is the clerk's to fix
        doc = _open_pdf(pdf, name)
        try:
            dpi = self._setup(printer, doc, copies, title)
            pages = len(doc)
            self._paint(printer, doc, copies, dpi, name)
        finally:
            doc.close()
        report = PrintReport(name, pages, copies, dpi, time.perf_counter() - started)
        self.last_report = report
        log.info("printed %d page(s) x%d on %s at %d dpi", pages, copies, name, dpi)
        return report

    def _printer(self) -> tuple[Any, str]:
        from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

        mode = QPrinter.PrinterMode.HighResolution
        if self.output_pdf is not None:
            printer = QPrinter(mode)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(self.output_pdf))
            dpi = PDF_LABEL_DPI if self.kind == LABEL_KIND else PDF_DPI
            printer.setResolution(min(dpi, self.max_dpi))
            return printer, str(self.output_pdf)
        name = self.printer or str(QPrinterInfo.defaultPrinterName() or "")
        if not name:
            raise PrintFailed("no_default_printer", printer="mặc định")
        info = QPrinterInfo.printerInfo(name)
        if info.isNull():
            known = ", ".join(QPrinterInfo.availablePrinterNames()) or "(không có máy in nào)"
            raise PrintFailed("printer_unknown", printer=name, known=known)
        problem = printer_problem(name)
        if problem == "rejecting":
            raise PrintFailed("printer_rejecting", printer=name)
        if problem in _PAPER_REASONS:
            raise PrintFailed("printer_out_of_paper", printer=name)
        if problem:
            raise PrintFailed("printer_offline", printer=name)
        printer = QPrinter(info, mode)
        return printer, name

    def _setup(self, printer: Any, doc: Any, copies: int, title: str) -> int:
        from PySide6.QtCore import QMarginsF, QSizeF
        from PySide6.QtGui import QPageLayout, QPageSize
        from PySide6.QtPrintSupport import QPrinter

        if self.kind == LABEL_KIND:
            w, h = (v * 25.4 / 72 for v in doc[0].get_size())  # millimetres: points round
            exact = QPageSize.SizeMatchPolicy.ExactMatch
            size = QPageSize(QSizeF(w, h), QPageSize.Unit.Millimeter, "nhan", exact)
        else:
            size = QPageSize(QPageSize.PageSizeId.A4)
        orientation = QPageLayout.Orientation.Portrait
        printer.setFullPage(True)
        printer.setPageLayout(QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0)))
        printer.setColorMode(QPrinter.ColorMode.GrayScale)
        printer.setDuplex(QPrinter.DuplexMode.DuplexNone)
        printer.setDocName(title or "counter-app")
        if printer.supportsMultipleCopies():
            printer.setCopyCount(copies)
        dpi = int(min(printer.resolution(), self.max_dpi))
        # The job at the images' own resolution: a 300 dpi image drawn into 1200 dpi device
        # pixels cost 2.5x the time (Qt's CUPS path, measured); the driver scales it itself.
        printer.setResolution(dpi)
        return dpi

    def _paint(self, printer: Any, doc: Any, copies: int, dpi: int, name: str) -> None:
        from PySide6.QtGui import QPainter

        # A driver that makes its own copies was told copyCount; otherwise we repeat the pages.
        repeats = 1 if printer.copyCount() == copies and copies > 1 else copies
        painter = QPainter()
        if not painter.begin(printer):
            raise PrintFailed("printer_offline", printer=name)
        try:
            target = printer.pageLayout().fullRectPixels(printer.resolution())
            first = True
            for _ in range(repeats):
                for page in doc:
                    if not first and not printer.newPage():
                        detail = "không sang được trang sau"
                        raise PrintFailed("printer_rejected", printer=name, detail=detail)
                    first = False
                    painter.drawImage(target, self._page_image(page, dpi, target))
                    page.close()
        except BaseException:
            printer.abort()
            painter.end()
            raise
        if not painter.end():
            raise PrintFailed("printer_rejected", printer=name, detail="không gửi được lệnh in")
        from PySide6.QtPrintSupport import QPrinter

        if printer.printerState() in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted):
            raise PrintFailed("printer_offline", printer=name)

    def _page_image(self, page: Any, dpi: int, target: Any) -> Any:
        """The page as a grey image of the target's pixels. A label is rendered at 4x and
        averaged down: PDFium widens every filled rectangle by about a pixel, which closes
        the 1-dot gaps of a label's bars at the printer's own 203 dpi."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage

        over = LABEL_OVERSAMPLE if self.kind == LABEL_KIND else 1
        bitmap = page.render(scale=dpi * over / 72, grayscale=True)
        image = QImage(
            bitmap.buffer,
            bitmap.width,
            bitmap.height,
            bitmap.stride,
            _image_format(bitmap.n_channels),
        )
        if over == 1:
            return image.copy()  # owns its pixels: the bitmap is freed with `page`
        return image.scaled(
            target.width(),
            target.height(),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )


def _image_format(channels: int) -> Any:
    from PySide6.QtGui import QImage

    if channels == 1:
        return QImage.Format.Format_Grayscale8
    return QImage.Format.Format_BGR888 if channels == 3 else QImage.Format.Format_ARGB32


def _open_pdf(pdf: bytes, printer: str) -> Any:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(pdf)
        if len(doc) == 0:
            doc.close()
            raise PrintFailed("pdf_unreadable", printer=printer, detail="0 trang")
        return doc
    except pdfium.PdfiumError as exc:
        raise PrintFailed("pdf_unreadable", printer=printer, detail=str(exc)) from None


def make_spooler(
    setting: str,
    fallback_dir: Path,
    *,
    kind: str = A4_KIND,
    default_printer: Callable[[], str] | None = None,
) -> Spooler:
    """The spooler for a printer setting (`kind` "a4" or "label": the label prints at its
    PDF's own page size).

    "" or "default": the system's default printer through Qt, else files in `fallback_dir`
    when the system has no default printer; "folder:/path": files in that folder; anything
    else: the printer of that name, as the OS lists it, through Qt. The same path on Windows
    and Linux: no `lp`, no shell "print" verb, no PDF application.
    """
    value = setting.strip()
    if value.lower().startswith("folder:"):
        directory = value[len("folder:") :].strip()
        if not directory:
            raise ValidationError("printer_setting_invalid", setting=setting)
        return FolderSpooler(Path(directory).expanduser())
    if value.lower() in ("", "default"):
        if (default_printer or default_printer_name)():
            return QtSpooler(None, kind=kind)
        return FolderSpooler(fallback_dir)
    return QtSpooler(value, kind=kind)

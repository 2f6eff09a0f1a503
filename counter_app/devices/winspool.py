"""A thermal ticket printer installed as a Windows printer: ESC/POS bytes sent RAW through
the spooler (`ticket_printer = "winspool:EPSON TM-T82III Receipt"`).

USB receipt printers usually come with a vendor driver and appear as Windows printers, not
as COM ports. win32print (pywin32, installed on Windows only) opens the printer by its name as
Windows lists it and writes a RAW job: OpenPrinter, StartDocPrinter with datatype "RAW",
StartPagePrinter, WritePrinter, EndPagePrinter, EndDocPrinter, ClosePrinter.

The ticket is issued before it is printed; every failure is a PrintFailed with its own
code, and the clerk reprints. So that a reprint never doubles a ticket, nothing is left in
the queue when a send fails: a printer Windows reports offline, out of paper, paused or in
error is refused before a job is started (the spooler would keep the job and print it when
the printer comes back), and a job whose data the driver did not take whole is deleted
(AbortPrinter) instead of ended, and a job the port could not deliver within JOB_WAIT_S
(offline, paper out, error: a printer whose driver does not report its state beforehand) is
deleted (SetJob … JOB_CONTROL_DELETE) and reported. Tests pass a fake of win32print (`api`).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import Any

from counter_app.domain.errors import PrintFailed

PREFIX = "winspool:"
# winerror codes (winerror.h)
ERROR_INVALID_PRINTER_NAME = 1801
ERROR_INVALID_DATATYPE = 1804
ERROR_NOT_SUPPORTED = 50
# PRINTER_INFO_2 Status and Attributes bits (winspool.h)
STATUS_PAUSED = 0x1
STATUS_ERROR = 0x2
STATUS_PAPER_JAM = 0x8
STATUS_PAPER_OUT = 0x10
STATUS_PAPER_PROBLEM = 0x40
STATUS_OFFLINE = 0x80
STATUS_NOT_AVAILABLE = 0x1000
STATUS_DOOR_OPEN = 0x400000
ATTRIBUTE_WORK_OFFLINE = 0x400  # "Use printer offline", set by Windows when the USB link goes
# JOB_INFO_1 Status bits, and SetJob's delete command
JOB_ERROR = 0x2
JOB_OFFLINE = 0x20
JOB_PAPEROUT = 0x40
JOB_PRINTED = 0x80
JOB_DELETED = 0x100
JOB_BLOCKED = 0x200
JOB_USER_INTERVENTION = 0x400
JOB_COMPLETE = 0x1000
JOB_CONTROL_DELETE = 5
JOB_WAIT_S = 3.0  # how long a job is watched after it was handed over (a ticket: < 1 s)
JOB_POLL_S = 0.1

_JOB_FAULTS = (
    (JOB_OFFLINE, "winspool_offline"),
    (JOB_PAPEROUT, "winspool_paper"),
    (JOB_ERROR | JOB_BLOCKED | JOB_USER_INTERVENTION, "winspool_error"),
)
_NOT_READY = (
    (STATUS_OFFLINE | STATUS_NOT_AVAILABLE, "winspool_offline"),
    (STATUS_PAPER_OUT | STATUS_PAPER_PROBLEM | STATUS_PAPER_JAM, "winspool_paper"),
    (STATUS_PAUSED, "winspool_paused"),
    (STATUS_ERROR | STATUS_DOOR_OPEN, "winspool_error"),
)


def is_winspool(spec: str) -> bool:
    return spec.strip().lower().startswith(PREFIX)


def printer_name(spec: str) -> str:
    return spec.strip()[len(PREFIX) :].strip()


def load_api() -> Any:
    """win32print, or None where it does not exist (any system but Windows)."""
    if sys.platform != "win32":
        return None
    try:
        import win32print  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return win32print


class WinspoolPrinter:
    """Sends ESC/POS bytes RAW to the Windows printer named `name` (the ByteSink interface)."""

    def __init__(
        self,
        name: str,
        api: Any = None,
        title: str = "Vé số thứ tự",
        job_wait_s: float = JOB_WAIT_S,
    ) -> None:
        self.name = name
        self.job_wait_s = job_wait_s
        self.api = api
        self.title = title
        self.fault: PrintFailed | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return PREFIX + self.name

    def send(self, data: bytes) -> None:
        """One RAW job; `fault` keeps the failure until a send succeeds (for a status bar)."""
        try:
            self._send(data)
        except PrintFailed as exc:
            self.fault = exc
            raise
        self.fault = None

    def _send(self, data: bytes) -> None:
        with self._lock:
            api = self.api if self.api is not None else load_api()
            if api is None:
                raise PrintFailed(_missing_api(), printer=self.name)
            if not self.name:
                raise PrintFailed("winspool_unknown_printer", printer=self.name)
            try:
                handle = api.OpenPrinter(self.name)
            except Exception as exc:
                if _code(exc) == ERROR_INVALID_PRINTER_NAME:
                    raise PrintFailed("winspool_unknown_printer", printer=self.name) from exc
                raise self._failed(exc) from exc
            try:
                self._check_ready(api, handle)
                self._write(api, handle, data)
            finally:
                with contextlib.suppress(Exception):  # the job is already decided
                    api.ClosePrinter(handle)

    def state(self) -> tuple[str, str]:
        """("ok", "") or (code, "") from the spooler's status, without printing anything."""
        api = self.api if self.api is not None else load_api()
        if api is None:
            return _missing_api(), ""
        try:
            handle = api.OpenPrinter(self.name)
        except Exception as exc:
            if _code(exc) == ERROR_INVALID_PRINTER_NAME:
                return "winspool_unknown_printer", ""
            return "winspool_failed", _detail(exc)
        try:
            self._check_ready(api, handle)
        except PrintFailed as exc:
            return exc.code, str(exc.params.get("detail", ""))
        finally:
            api.ClosePrinter(handle)
        return "ok", ""

    def _check_ready(self, api: Any, handle: Any) -> None:
        try:
            info = api.GetPrinter(handle, 2)
        except Exception:  # some drivers do not answer: the status is unknown, try to print
            return
        status = int(info.get("Status", 0) or 0)
        attributes = int(info.get("Attributes", 0) or 0)
        if attributes & ATTRIBUTE_WORK_OFFLINE:
            raise PrintFailed("winspool_offline", printer=self.name)
        for bits, code in _NOT_READY:
            if status & bits:
                raise PrintFailed(code, printer=self.name)

    def _write(self, api: Any, handle: Any, data: bytes) -> None:
        try:
            job = api.StartDocPrinter(handle, 1, (self.title, None, "RAW"))
        except Exception as exc:
            if _code(exc) in (ERROR_INVALID_DATATYPE, ERROR_NOT_SUPPORTED):
                raise PrintFailed("winspool_raw_refused", printer=self.name) from exc
            raise self._failed(exc) from exc
        try:
            api.StartPagePrinter(handle)
            written = api.WritePrinter(handle, data)
            if written != len(data):
                raise PrintFailed(
                    "winspool_short_write", printer=self.name, written=written, total=len(data)
                )
            api.EndPagePrinter(handle)
        except BaseException as exc:
            with contextlib.suppress(Exception):  # the first failure is the one to report
                api.AbortPrinter(handle)  # deletes the job: no half ticket, no late double
            if isinstance(exc, PrintFailed):
                raise
            if isinstance(exc, Exception):
                raise self._failed(exc) from exc
            raise
        try:
            api.EndDocPrinter(handle)
        except Exception as exc:
            raise self._failed(exc) from exc
        self._follow(api, handle, job)

    def _follow(self, api: Any, handle: Any, job: Any) -> None:
        """Watch the job for up to job_wait_s: one the port could not deliver (the printer
        off although Windows did not say so before) is deleted and reported, so that it
        cannot come out later beside the reprint. Still waiting at the deadline: left."""
        if not isinstance(job, int) or self.job_wait_s <= 0:
            return
        deadline = time.monotonic() + self.job_wait_s
        while True:
            try:
                status = int(api.GetJob(handle, job, 1).get("Status", 0) or 0)
            except Exception:  # gone from the queue (printed), or not answered: done here
                return
            if status & (JOB_PRINTED | JOB_COMPLETE | JOB_DELETED):
                return
            for bits, code in _JOB_FAULTS:
                if status & bits:
                    with contextlib.suppress(Exception):
                        api.SetJob(handle, job, 0, None, JOB_CONTROL_DELETE)
                    raise PrintFailed(code, printer=self.name)
            if time.monotonic() >= deadline:
                return
            time.sleep(JOB_POLL_S)

    def _failed(self, exc: BaseException) -> PrintFailed:
        return PrintFailed("ticket_printer_failed", printer=self.url, detail=_detail(exc))


def _missing_api() -> str:
    return "winspool_not_windows" if sys.platform != "win32" else "winspool_no_pywin32"


def _code(exc: BaseException) -> int | None:
    """The Windows error code of a pywintypes.error (winerror, funcname, strerror)."""
    code = getattr(exc, "winerror", None)
    if code is None and exc.args and isinstance(exc.args[0], int):
        code = exc.args[0]
    return code if isinstance(code, int) else None


def _detail(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None)
    if not text and len(exc.args) >= 3:
        text = exc.args[2]
    return str(text or exc or type(exc).__name__).strip()

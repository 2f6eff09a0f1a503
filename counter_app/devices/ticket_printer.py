"""The ESC/POS ticket printer through pyserial's serial_for_url (COM3, socket://host:9100, …),
or a USB id (usb:VID:PID[:SERIAL], devices/ports.py) looked up to its current port."""

# A send opens the port, writes the ticket in CHUNK-byte pieces and closes it, so a printer
# that was switched off between tickets is simply opened again. After each piece the driver's
# output queue is drained with a deadline (write_timeout) instead of flush()'s tcdrain, which
# waits forever when DTR/DSR flow control holds the line (paper out, printer offline). Every
# failure is PrintFailed("ticket_printer_failed"): the ticket is already issued, so the clerk
# can reprint it. Sends are synchronous; callers run them on a worker thread.
# On socket:// the kernel's send buffer (autotuned up to MBs) would swallow a whole ticket and
# report success though the printer died after a few bytes; it is capped at SOCKET_SNDBUF, so
# a send returns only once all but the last few KB reached the printer.

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from typing import Any

import serial

from counter_app.devices.ports import Comports, PortLocator, open_port
from counter_app.devices.winspool import WinspoolPrinter, is_winspool, printer_name

__all__ = ["TicketPrinter", "WinspoolPrinter", "connect"]
from counter_app.domain.errors import CounterAppError, PrintFailed

CHUNK = 1024  # ≈ 1.07 s at 9600 baud: well inside a write timeout, and small printer buffers
DLE_EOT = b"\x10\x04"
STATUS_TIMEOUT_S = 0.5
DRAIN_POLL_S = 0.001
SOCKET_SNDBUF = 8192
PAPER_END = 0x60  # DLE EOT 4 reply: bits 5 and 6 = roll paper end detected
# loop:// reports a full buffer with queue.Full; real ports raise SerialException or OSError.
_PORT_ERRORS = (serial.SerialException, OSError, queue.Full)


class TicketPrinter:
    """Sends ESC/POS bytes to the printer at `url`; one ticket at a time per printer."""

    def __init__(
        self,
        url: str,
        baudrate: int = 9600,
        dsrdtr: bool = False,
        rtscts: bool = False,
        timeout: float = 3.0,
        write_timeout: float = 5.0,
        comports: Comports | None = None,
    ) -> None:
        self._comports = comports
        self.locator = PortLocator(url, "ticket_printer", comports)
        self.fault: PrintFailed | None = None  # the last send's failure, None once one works
        self.baudrate = baudrate
        self.dsrdtr = dsrdtr
        self.rtscts = rtscts
        self.timeout = timeout
        self.write_timeout = write_timeout
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The setting: a pyserial URL or usb:VID:PID[:SERIAL]."""
        return self.locator.spec

    @url.setter
    def url(self, value: str) -> None:
        self.locator = PortLocator(value, "ticket_printer", self._comports)

    def open(self) -> serial.SerialBase:
        """The port, opened with this printer's settings; PrintFailed when it cannot be (a
        usb: printer not plugged in, a port another program holds: their own codes)."""
        try:
            port = open_port(self.locator, self._open_url)
        except CounterAppError as exc:  # device_not_found, device_port_busy, …
            raise PrintFailed(exc.code, **exc.params) from exc
        except (*_PORT_ERRORS, ValueError) as exc:  # ValueError: a malformed URL or setting
            self.locator.forget()
            raise self._failed(exc) from exc
        sock = getattr(port, "_socket", None)  # where pyserial's socket:// keeps it
        if isinstance(sock, socket.socket):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_SNDBUF)
        return port

    def _open_url(self, url: str) -> serial.SerialBase:
        return serial.serial_for_url(
            url,
            baudrate=self.baudrate,
            dsrdtr=self.dsrdtr,
            rtscts=self.rtscts,
            timeout=self.timeout,
            write_timeout=self.write_timeout,
            exclusive=True,  # POSIX: a lock, so a second program fails as on Windows
        )

    def send(self, data: bytes, port: serial.SerialBase | None = None) -> None:
        """Write `data` to `port` (left open), or to a port opened here and closed afterwards.
        `fault` keeps the failure until a send succeeds (for a status bar)."""
        try:
            self._send(data, port)
        except PrintFailed as exc:
            self.fault = exc
            raise
        self.fault = None

    def _send(self, data: bytes, port: serial.SerialBase | None) -> None:
        with self._lock:
            own = port is None
            port = self.open() if port is None else port
            try:
                for start in range(0, len(data), CHUNK):
                    port.write(data[start : start + CHUNK])
                    self._drain(port, CHUNK)  # keep at most one piece queued in the driver
                self._drain(port, 0)
            except _PORT_ERRORS as exc:
                self.locator.forget()  # a usb: printer is looked up again next time
                raise self._failed(exc) from exc
            finally:
                if own:
                    _close_quietly(port)

    def status(self, n: int, port: serial.SerialBase | None = None) -> int | None:
        """The reply to DLE EOT n (1 printer, 2 offline cause, 3 error cause, 4 paper sensor).

        None when the port gives nothing valid back within STATUS_TIMEOUT_S: socket printers
        that do not answer, one-way cables, loop:// (which echoes the query itself).
        """
        with self._lock:
            own = port is None
            port = self.open() if port is None else port
            saved = port.timeout
            try:
                port.reset_input_buffer()
                port.write(DLE_EOT + bytes([n]))  # no drain: the read below waits anyway
                port.timeout = min(self.timeout, STATUS_TIMEOUT_S)
                reply = port.read(1)
                port.timeout = saved
            except _PORT_ERRORS as exc:
                raise self._failed(exc) from exc
            finally:
                if own:
                    _close_quietly(port)
        # every DLE EOT reply has bits 1 and 4 set and bits 0 and 7 clear
        return reply[0] if len(reply) == 1 and reply[0] & 0x93 == 0x12 else None

    def paper_ok(self, port: serial.SerialBase | None = None) -> bool | None:
        """False when the roll paper end sensor fires, True when not, None when unknown."""
        reply = self.status(4, port)
        return None if reply is None else not reply & PAPER_END

    def _drain(self, port: serial.SerialBase, level: int) -> None:
        """Wait until at most `level` bytes wait in the driver, or fail after write_timeout."""
        if not isinstance(getattr(type(port), "out_waiting", None), property):
            port.flush()  # socket:// has no driver queue: its flush returns at once
            return
        deadline = time.monotonic() + self.write_timeout
        while port.out_waiting > level:
            if time.monotonic() > deadline:
                raise serial.SerialTimeoutException("output not drained (flow control held?)")
            time.sleep(DRAIN_POLL_S)

    def _failed(self, exc: BaseException) -> PrintFailed:
        detail = str(exc) or type(exc).__name__
        return PrintFailed("ticket_printer_failed", printer=self.url, detail=detail)


def _close_quietly(port: serial.SerialBase) -> None:
    sock = getattr(port, "_socket", None)
    if isinstance(sock, socket.socket):
        # pyserial's socket:// close() leaks the socket when its shutdown() fails (the printer
        # reset the connection) and then sleeps 0.3 s; a plain close still delivers the data.
        sock.close()
        setattr(port, "_socket", None)  # noqa: B010 (a private attribute of pyserial's class)
        port.is_open = False
        return
    with contextlib.suppress(*_PORT_ERRORS):  # gone already: the send has been reported
        port.close()


def connect(
    url: str,
    *,
    baudrate: int = 9600,
    dsrdtr: bool = False,
    comports: Comports | None = None,
    winspool_api: Any = None,
) -> TicketPrinter | WinspoolPrinter:
    """The ticket printer a setting names: `winspool:<Windows printer name>` (RAW through the
    Windows spooler), else a pyserial URL or usb:VID:PID[:SERIAL] (ESC/POS on a port)."""
    if is_winspool(url):
        return WinspoolPrinter(printer_name(url), api=winspool_api)
    return TicketPrinter(url, baudrate=baudrate, dsrdtr=dsrdtr, comports=comports)

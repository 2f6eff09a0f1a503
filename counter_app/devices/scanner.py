"""A serial QR/barcode scanner: CR/LF-terminated lines through pyserial serial_for_url.

The port is a pyserial URL or a USB id (usb:VID:PID[:SERIAL], devices/ports.py). With
`retry_s` set (the app sets it), a port that fails (the cable pulled, moved to another socket,
another program holding it) does not end the reading: the failure is kept in `fault` (and
handed to `on_fault`, when set) and the port is looked up and opened again every `retry_s`
seconds until it works or the scanner is stopped; `fault` is None again once it reads."""

from __future__ import annotations

import threading
from collections.abc import Callable

import serial

from counter_app.devices.ports import PORT_ERRORS, Comports, PortLocator, open_port
from counter_app.domain.errors import CounterAppError

MAX_LINE = 4096


class SerialScanner:
    """Reads scans from `url` (COM3, /dev/ttyACM0, socket://host:port, loop://) until stopped."""

    def __init__(
        self,
        url: str,
        baudrate: int = 9600,
        timeout: float = 0.2,
        *,
        comports: Comports | None = None,
        retry_s: float | None = None,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        self.retry_s = retry_s
        self.locator = PortLocator(url, "scanner", comports)
        self.fault: CounterAppError | None = None  # the last failure while it persists
        self.on_fault: Callable[[CounterAppError | None], None] | None = None
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def open(self) -> serial.SerialBase:
        return open_port(
            self.locator,
            lambda url: serial.serial_for_url(
                url, baudrate=self.baudrate, timeout=self.timeout, exclusive=True
            ),
        )

    def run(self, on_scan: Callable[[str], None], port: serial.SerialBase | None = None) -> None:
        """Blocking loop: each complete line is decoded as UTF-8 and handed to `on_scan`.
        Without `retry_s` (or with `port` given) the first port failure ends it (raised)."""
        if port is not None or self.retry_s is None:
            self._read(on_scan, port or self.open())
            return
        while not self._stop.is_set():
            try:
                self._read(on_scan, self.open())
            except CounterAppError as exc:  # not plugged in, ambiguous, held by another program
                self._set_fault(exc)
            except (*PORT_ERRORS, ValueError) as exc:
                detail = str(exc) or type(exc).__name__
                self._set_fault(CounterAppError("scanner_port_lost", port=self.url, detail=detail))
            self.locator.forget()
            self._stop.wait(self.retry_s)

    def _set_fault(self, fault: CounterAppError | None) -> None:
        changed = (fault is None) != (self.fault is None) or (
            fault is not None and self.fault is not None and fault.code != self.fault.code
        )
        self.fault = fault
        if changed and self.on_fault is not None:
            self.on_fault(fault)

    def _read(self, on_scan: Callable[[str], None], port: serial.SerialBase) -> None:
        if self.fault is not None:
            self._set_fault(None)
        buf = bytearray()
        try:
            while not self._stop.is_set():
                chunk = port.read(256)
                if not chunk:
                    continue
                buf.extend(chunk)
                buf = self._emit_lines(buf, on_scan)
        finally:
            port.close()

    @staticmethod
    def _emit_lines(buf: bytearray, on_scan: Callable[[str], None]) -> bytearray:
        while True:
            cut = min((i for i in (buf.find(b"\r"), buf.find(b"\n")) if i >= 0), default=-1)
            if cut < 0:
                return buf if len(buf) <= MAX_LINE else bytearray()
            line, buf = bytes(buf[:cut]), buf[cut + 1 :]
            text = line.decode("utf-8", errors="replace").strip()
            if text:
                on_scan(text)

"""A serial QR/barcode scanner: CR/LF-terminated lines through pyserial serial_for_url."""

from __future__ import annotations

import threading
from collections.abc import Callable

import serial

MAX_LINE = 4096


class SerialScanner:
    """Reads scans from `url` (COM3, /dev/ttyACM0, socket://host:port, loop://) until stopped."""

    def __init__(self, url: str, baudrate: int = 9600, timeout: float = 0.2) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def open(self) -> serial.SerialBase:
        return serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=self.timeout)

    def run(self, on_scan: Callable[[str], None], port: serial.SerialBase | None = None) -> None:
        """Blocking loop: each complete line is decoded as UTF-8 and handed to `on_scan`."""
        port = port or self.open()
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

"""LED counter boards: the LedBoard interface and the EDI-style STX/ETX protocol on RS-485.

There is no standard LED board protocol; this module speaks the EDI-style numeric display
protocol, one frame per update, one way (the board never answers):

    STX       0x02
    address   2 ASCII digits, "00".."99": the counter number, set on the board's DIP switches
    text      `width` ASCII bytes: the ticket number's digits right-aligned, padded on the
              left with spaces; all spaces blanks the board
    ETX       0x03
    BCC       only with checksum=True: one byte, the XOR of every byte after STX up to and
              including ETX (address, text and ETX)

Example, counter 2 showing 1005 on a 4-digit board: 02 30 32 31 30 30 35 03, and with
checksum=True one more byte, 05 = 30^32^31^30^30^35^03. Every board on the
RS-485 line sees every frame and shows only those with its address. Line settings (baud,
parity, data and stop bits) must match the boards' documentation; 9600 8N1 is common. A
USB↔RS-485 converter switches direction by itself; for a native RS-485 UART on Linux set
rs485=True so that the kernel drives RTS around each frame.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from functools import reduce
from typing import Protocol

import serial
import serial.rs485

from counter_app.devices.ports import Comports, PortLocator, open_port
from counter_app.domain.errors import CounterAppError

STX, ETX = 0x02, 0x03
_PORT_ERRORS = (serial.SerialException, OSError, queue.Full)


class LedBoard(Protocol):
    """What the queue needs from a board: show a ticket number at a counter, or blank it."""

    def show(self, counter: int, number: str) -> None: ...

    def clear(self, counter: int) -> None: ...


def frame(counter: int, text: str, width: int, checksum: bool) -> bytes:
    """One frame: STX, 2-digit address, `text` right-aligned to `width`, ETX, [XOR BCC]."""
    if not 0 <= counter <= 99:
        raise ValueError(f"counter {counter} is not an address 0..99")
    if len(text) > width or not all(c in "0123456789 " for c in text):
        raise ValueError(f"{text!r} is not at most {width} digits")
    body = f"{counter:02d}{text:>{width}}".encode("ascii") + bytes([ETX])
    return bytes([STX]) + body + (bytes([bcc(body)]) if checksum else b"")


def bcc(body: bytes) -> int:
    """The block check: XOR of the bytes after STX up to and including ETX."""
    return reduce(lambda a, b: a ^ b, body, 0)


def parse_frames(data: bytes, checksum: bool) -> list[tuple[int, str]]:
    """(counter, text) of each frame in `data`, spaces kept; ValueError on anything else."""
    out: list[tuple[int, str]] = []
    pos = 0
    while pos < len(data):
        end = data.find(bytes([ETX]), pos)
        if data[pos] != STX or end < pos + 3:
            raise ValueError(f"no STX … ETX frame at byte {pos}")
        body = data[pos + 1 : end + 1]
        pos = end + 1
        if checksum:
            if pos >= len(data) or data[pos] != bcc(body):
                raise ValueError(f"bad checksum for frame ending at byte {end}")
            pos += 1
        address, text = body[:2].decode("ascii"), body[2:-1].decode("ascii")
        if not address.isdigit():
            raise ValueError(f"address {address!r} is not two digits")
        out.append((int(address), text))
    return out


class EdiLedBoard:
    """LedBoard over pyserial's serial_for_url (COM4, /dev/ttyUSB1, socket://, loop://) or a
    USB id (usb:VID:PID[:SERIAL]) looked up again after a failure (devices/ports.py)."""

    def __init__(
        self,
        url: str,
        *,
        width: int = 4,
        checksum: bool = False,
        baudrate: int = 9600,
        parity: str = serial.PARITY_NONE,
        bytesize: int = serial.EIGHTBITS,
        stopbits: float = serial.STOPBITS_ONE,
        rs485: bool = False,
        write_timeout: float = 2.0,
        comports: Comports | None = None,
    ) -> None:
        if not 1 <= width <= 32:
            raise ValueError(f"board width {width} is not 1..32 digits")
        self.width, self.checksum = width, checksum
        self.settings = {
            "baudrate": baudrate,
            "parity": parity,
            "bytesize": bytesize,
            "stopbits": stopbits,
            "write_timeout": write_timeout,
        }
        self.rs485 = rs485
        self._comports = comports
        self.locator = PortLocator(url, "led_board", comports)
        self.fault: CounterAppError | None = None  # the last frame's failure, None once one goes
        self._port: serial.SerialBase | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The setting: a pyserial URL or usb:VID:PID[:SERIAL]."""
        return self.locator.spec

    @url.setter
    def url(self, value: str) -> None:
        self.locator = PortLocator(value, "led_board", self._comports)

    def show(self, counter: int, number: str) -> None:
        """Show `number` (digits, at most `width` of them) on the board of `counter`."""
        self.send(frame(counter, number, self.width, self.checksum))

    def clear(self, counter: int) -> None:
        self.send(frame(counter, "", self.width, self.checksum))

    def send(self, data: bytes) -> None:
        """Write frames on the line, opening it once; a failure closes it for the next call
        and stays in `fault` until a send succeeds (for a status bar)."""
        try:
            self._send(data)
        except CounterAppError as exc:
            self.fault = exc
            raise
        self.fault = None

    def _send(self, data: bytes) -> None:
        with self._lock:
            try:
                port = self._port or self._open()
                self._port = port
                port.write(data)
                port.flush()
            except CounterAppError:  # not plugged in, held by another program: own messages
                self._drop()
                raise
            except (*_PORT_ERRORS, ValueError) as exc:
                self._drop()
                self.locator.forget()  # a usb: board is looked up again at the next frame
                detail = str(exc) or type(exc).__name__
                raise CounterAppError("led_board_failed", port=self.url, detail=detail) from exc

    def use_port(self, port: serial.SerialBase) -> None:
        """Write through an already open port (tests, or a line shared with other devices)."""
        with self._lock:
            self._port = port

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _open(self) -> serial.SerialBase:
        port = open_port(
            self.locator, lambda url: serial.serial_for_url(url, exclusive=True, **self.settings)
        )
        if self.rs485:
            port.rs485_mode = serial.rs485.RS485Settings(rts_level_for_tx=True)
        return port

    def _drop(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(*_PORT_ERRORS):
                port.close()

"""Serial devices named by USB id instead of a port, and why a port would not open.

A device setting (scanner_port, ticket_printer, led_board) is a pyserial URL (COM3,
/dev/ttyUSB0, socket://host:9100, loop://) or a USB id:

    usb:VID:PID            e.g. usb:1a86:7523   (VID and PID: 4 hexadecimal digits each)
    usb:VID:PID:SERIAL     e.g. usb:0483:5740:SN123  (the USB serial number, as `device list`
                           shows it; needed only when two devices share VID:PID)

COM numbers (and /dev/ttyUSBn) change when a USB adapter moves to another socket; the USB id
does not. A PortLocator finds the current port through serial.tools.list_ports.comports() at
the first use, keeps it, and looks again when opening the kept port fails (the cable moved):
the device is found at its new port at the next use, without restarting the app.

Windows opens COM ports exclusively: a port another program holds (the vendor's utility, a
terminal) fails with "Access is denied". On Linux ports are opened with an exclusive lock
(pyserial's exclusive=True), so a second program fails too ("Could not exclusively lock",
EBUSY) instead of both reading half the scans. Both become the code "device_port_busy".
"""

from __future__ import annotations

import errno
import queue
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pyserial loads when a port is listed or opened (issue 17)
    import serial

from counter_app.domain.errors import CounterAppError, ValidationError

USB_PREFIX = "usb:"
_USB = re.compile(r"^usb:([0-9a-f]{4}):([0-9a-f]{4})(?::(.+))?$", re.IGNORECASE)
# loop:// reports a full buffer with queue.Full; real ports raise SerialException or OSError.
# pyserial's SerialException (and its timeout) derive from OSError: caught here without
# importing pyserial (tests/unit/test_cli_imports.py holds that).
PORT_ERRORS = (OSError, queue.Full)
DEVICE_NAMES = {"scanner": "Máy quét", "ticket_printer": "Máy in vé", "led_board": "Bảng LED"}

Comports = Callable[[], Iterable[Any]]  # ListPortInfo-like: device, vid, pid, serial_number, …


@dataclass(frozen=True)
class UsbId:
    vid: int
    pid: int
    serial: str = ""  # "" = any serial number

    def __str__(self) -> str:
        base = f"usb:{self.vid:04x}:{self.pid:04x}"
        return f"{base}:{self.serial}" if self.serial else base


def is_usb(spec: str) -> bool:
    return spec.strip().lower().startswith(USB_PREFIX)


def parse_usb(spec: str) -> UsbId | None:
    """The USB id in `spec`, None when it is a port or URL; ValidationError when malformed."""
    if not is_usb(spec):
        return None
    m = _USB.match(spec.strip())
    if not m or (m[3] is not None and not m[3].strip()):
        raise ValidationError("device_usb_invalid", value=spec)
    return UsbId(int(m[1], 16), int(m[2], 16), (m[3] or "").strip())


@dataclass(frozen=True)
class SerialDevice:
    """One serial port as the system lists it (a USB one has vid and pid)."""

    port: str
    vid: int | None
    pid: int | None
    serial_number: str
    description: str
    manufacturer: str

    @property
    def usb(self) -> str:
        """The usb: setting naming this device ("" for a port that is not USB)."""
        if self.vid is None or self.pid is None:
            return ""
        return str(UsbId(self.vid, self.pid, self.serial_number))


def system_comports() -> list[Any]:
    from serial.tools import list_ports

    return list(list_ports.comports())


def list_devices(comports: Comports | None = None) -> list[SerialDevice]:
    """Every serial port the system knows, USB ones with their ids, sorted by port name."""
    out = []
    for info in (comports or system_comports)():
        port = str(getattr(info, "device", "") or "")
        if not port:
            continue
        vid, pid = getattr(info, "vid", None), getattr(info, "pid", None)
        desc = str(getattr(info, "description", "") or "")
        out.append(
            SerialDevice(
                port=port,
                vid=vid if isinstance(vid, int) else None,
                pid=pid if isinstance(pid, int) else None,
                serial_number=_real_serial(getattr(info, "serial_number", "")),
                description="" if desc == "n/a" else desc,
                manufacturer=str(getattr(info, "manufacturer", "") or ""),
            )
        )
    return sorted(out, key=lambda d: _natural(d.port))


def _real_serial(value: Any) -> str:
    """The device's USB serial number, or "" for none. For a device without one (CH340, many
    PL2303) pyserial on Windows can fall back to the USB instance id ("5&2A4F1F0&0&1"), which
    changes with the socket: naming the device by it would break at the first move."""
    text = str(value or "").strip()
    return "" if "&" in text else text


def _natural(port: str) -> tuple[Any, ...]:
    """COM2 before COM10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", port))


def find_port(usb: UsbId, devices: list[SerialDevice], device: str = "") -> str:
    """The port of the one device with this id; CounterAppError when none or several match."""
    found = [
        d
        for d in devices
        if d.vid == usb.vid
        and d.pid == usb.pid
        and (not usb.serial or d.serial_number.lower() == usb.serial.lower())
    ]
    name = DEVICE_NAMES.get(device, "Thiết bị")
    if not found:
        raise CounterAppError("device_not_found", device=name, usb=str(usb))
    if len(found) > 1:
        ports = ", ".join(f"{d.port} ({d.usb})" if d.serial_number else d.port for d in found)
        code = (
            "device_ambiguous"
            if all(d.serial_number for d in found)
            else "device_ambiguous_no_serial"
        )
        raise CounterAppError(code, device=name, usb=str(usb), count=len(found), ports=ports)
    return found[0].port


class PortLocator:
    """The current port of a device setting: a URL as it is, a usb: id looked up (and kept)."""

    def __init__(self, spec: str, device: str = "", comports: Comports | None = None) -> None:
        self.spec = spec
        self.device = device
        self.usb = parse_usb(spec)
        self._comports = comports or system_comports
        self._port: str | None = None
        self._lock = threading.Lock()

    def url(self) -> str:
        """Where the device is now; CounterAppError (device_not_found, …) when it is not there."""
        if self.usb is None:
            return self.spec
        with self._lock:
            if self._port is None:
                self._port = find_port(self.usb, list_devices(self._comports), self.device)
            return self._port

    def forget(self) -> bool:
        """Look again at the next use (the port failed); whether a port was kept."""
        with self._lock:
            kept, self._port = self._port, None
        return kept is not None


def open_port(
    locator: PortLocator, opener: Callable[[str], serial.SerialBase]
) -> serial.SerialBase:
    """`opener` on the device's current port. A usb: device whose kept port fails is looked up
    again and opened at its new port; a port held by another program is device_port_busy."""
    url = locator.url()
    try:
        return opener(url)
    except PORT_ERRORS as exc:
        busy = port_fault(exc, url, locator.device)
        if busy is not None:
            raise busy from exc
        if locator.usb is None or not locator.forget():
            raise
        again = locator.url()  # device_not_found when it is unplugged
        if again == url:
            raise
    try:
        return opener(again)
    except PORT_ERRORS as exc:
        busy = port_fault(exc, again, locator.device)
        if busy is not None:
            raise busy from exc
        raise


_BUSY_TEXT = (
    "access is denied",  # Windows: another program has the COM port open
    "device or resource busy",
    "ebusy",
    "could not exclusively lock",  # pyserial on POSIX with exclusive=True
    "resource temporarily unavailable",
)


def port_fault(exc: BaseException, port: str, device: str = "") -> CounterAppError | None:
    """device_port_busy (another program holds the port) or device_port_denied (this account
    may not open it, Linux without the dialout group); None for any other failure."""
    name = DEVICE_NAMES.get(device, "Thiết bị")
    codes = {getattr(e, "errno", None) for e in _chain(exc)}
    text = " ".join(str(e) for e in _chain(exc)).lower()
    if errno.EBUSY in codes or any(t in text for t in _BUSY_TEXT):
        return CounterAppError("device_port_busy", device=name, port=port)
    if "permission denied" in text or "permissionerror" in text:
        return CounterAppError("device_port_denied", device=name, port=port)
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in out:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out

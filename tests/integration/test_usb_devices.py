"""Devices named by USB id: found through an injected port list, found again at their new port
after the cable moved (real socket:// and pty ports behind the listed "port"), ambiguity and
a port held by another program in clear words (issue 13 item 3)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import serial
from escpos_decode import decode
from serial.tools.list_ports_common import ListPortInfo

from counter_app.config import load_settings
from counter_app.devices.led_board import EdiLedBoard, parse_frames
from counter_app.devices.ports import (
    PortLocator,
    UsbId,
    find_port,
    list_devices,
    parse_usb,
    port_fault,
)
from counter_app.devices.scanner import SerialScanner
from counter_app.devices.ticket_printer import TicketPrinter
from counter_app.domain.errors import CounterAppError, PrintFailed, ValidationError
from counter_app.messages import describe
from counter_app.printing.escpos import PrinterProfile, TicketData, render_ticket

TICKET = TicketData(
    unit_name="UBND XÃ MỸ HÒA HƯNG",
    number="1005",
    service_name="Hộ tịch",
    issued_at=datetime(2026, 11, 28, 9, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    ahead=3,
    estimated_wait_min=12,
    priority_label="",
    counters="Quầy 1, 2",
    footer="Vui lòng chờ gọi số. Xin cảm ơn!",
)
CH340 = (0x1A86, 0x7523)  # a common USB-serial chip (no serial number)
STM = (0x0483, 0x5740)  # an STM32 virtual COM port (with a serial number)


def port_info(device: str, ids: tuple[int, int] | None, serial_number: str = "") -> ListPortInfo:
    """What serial.tools.list_ports.comports() gives for one port (its own class)."""
    info = ListPortInfo(device, skip_link_detection=True)
    if ids is not None:
        info.vid, info.pid = ids
        info.serial_number = serial_number or None
        info.description = f"USB-SERIAL ({device})"
        info.manufacturer = "wch.cn"
    return info


class Plug:
    """The injected port list: what is plugged in now; `calls` counts the look-ups."""

    def __init__(self, *ports: ListPortInfo) -> None:
        self.ports = list(ports)
        self.calls = 0

    def __call__(self) -> list[ListPortInfo]:
        self.calls += 1
        return list(self.ports)


# --- the setting ---------------------------------------------------------------------------


def test_usb_ids_parse_and_bad_ones_are_refused_with_the_form() -> None:
    assert parse_usb("usb:1a86:7523") == UsbId(0x1A86, 0x7523)
    assert parse_usb("USB:0483:5740:SN123") == UsbId(0x0483, 0x5740, "SN123")
    assert str(parse_usb("usb:0483:5740:SN123")) == "usb:0483:5740:SN123"
    assert parse_usb("COM3") is None and parse_usb("socket://h:9100") is None
    for bad in ("usb:1a86", "usb:1a86:75", "usb:zz86:7523", "usb:1a86:7523:", "usb:"):
        with pytest.raises(ValidationError) as err:
            parse_usb(bad)
        assert err.value.code == "device_usb_invalid"
        assert "usb:VID:PID" in describe(err.value) and bad in describe(err.value)


def test_a_malformed_usb_setting_is_refused_when_the_settings_load(tmp_path: Any) -> None:
    env = {"COUNTER_APP_SCANNER_PORT": "usb:1a86"}
    with pytest.raises(ValidationError) as err:
        load_settings(tmp_path / "none.toml", env=env)
    assert err.value.code == "device_usb_invalid"
    good = load_settings(tmp_path / "none.toml", env={"COUNTER_APP_LED_BOARD": "usb:1a86:7523"})
    assert good.led_board == "usb:1a86:7523"


# --- finding the port ----------------------------------------------------------------------


def test_the_one_matching_device_gives_its_port() -> None:
    plug = Plug(
        port_info("COM1", None),
        port_info("COM7", CH340),
        port_info("COM10", STM, "SN123"),
        port_info("COM4", STM, "SN999"),
    )
    devices = list_devices(plug)
    assert [d.port for d in devices] == ["COM1", "COM4", "COM7", "COM10"]  # COM10 after COM7
    assert [d.usb for d in devices] == ["", "usb:0483:5740:SN999", "usb:1a86:7523", devices[3].usb]
    assert find_port(UsbId(*CH340), devices) == "COM7"
    assert find_port(UsbId(*STM, "sn123"), devices) == "COM10"  # the serial, any case


def test_a_windows_instance_id_is_not_taken_for_a_serial_number() -> None:
    # pyserial on Windows falls back to the socket's instance id for a chip without a serial
    # number; a setting naming it would break when the cable moves.
    devices = list_devices(Plug(port_info("COM7", CH340, "5&2A4F1F0&0&1")))
    assert devices[0].serial_number == "" and devices[0].usb == "usb:1a86:7523"


def test_ambiguity_lists_the_candidates() -> None:
    same = list_devices(Plug(port_info("COM10", STM, "SN123"), port_info("COM4", STM, "SN999")))
    with pytest.raises(CounterAppError) as err:
        find_port(UsbId(*STM), same, "scanner")
    text = describe(err.value)
    assert err.value.code == "device_ambiguous"
    assert "COM4 (usb:0483:5740:SN999)" in text and "COM10 (usb:0483:5740:SN123)" in text
    assert text.startswith("Máy quét:") and "số sê-ri" in text

    twins = list_devices(Plug(port_info("COM3", CH340), port_info("COM8", CH340)))
    with pytest.raises(CounterAppError) as err:
        find_port(UsbId(*CH340), twins, "led_board")
    assert err.value.code == "device_ambiguous_no_serial"
    assert "COM3, COM8" in describe(err.value) and "tên cổng" in describe(err.value)


def test_not_plugged_in_says_so() -> None:
    with pytest.raises(CounterAppError) as err:
        PortLocator("usb:1a86:7523", "ticket_printer", Plug(port_info("COM1", None))).url()
    assert err.value.code == "device_not_found"
    assert describe(err.value).startswith("Máy in vé: không thấy thiết bị usb:1a86:7523")


def test_the_port_is_looked_up_once_and_again_only_after_a_failure() -> None:
    plug = Plug(port_info("COM7", CH340))
    where = PortLocator("usb:1a86:7523", "scanner", plug)
    assert where.url() == where.url() == "COM7" and plug.calls == 1
    plug.ports = [port_info("COM9", CH340)]
    assert where.url() == "COM7"  # kept until it fails
    assert where.forget() and where.url() == "COM9" and plug.calls == 2


# --- the cable moved to another socket: found again at the next use ------------------------


def test_ticket_printer_follows_its_usb_id_to_the_new_port(fake_printer: Any) -> None:
    first, second = fake_printer(), fake_printer()
    plug = Plug(port_info(first.url, CH340))
    printer = TicketPrinter("usb:1a86:7523", comports=plug)
    data = render_ticket(TICKET, PrinterProfile())
    printer.send(data)
    assert first.job_done.wait(5) and first.jobs == [data]

    first.close()  # unplugged from that socket …
    plug.ports = [port_info("COM1", None), port_info(second.url, CH340)]  # … into another
    printer.send(data)  # the kept port fails to open: looked up again, printed there
    assert second.job_done.wait(5) and second.jobs == [data]
    assert decode(second.jobs[0], 576).width == 576
    assert plug.calls == 2


def test_ticket_printer_unplugged_fails_in_words_and_keeps_the_ticket(fake_printer: Any) -> None:
    plug = Plug()
    with pytest.raises(PrintFailed) as err:
        TicketPrinter("usb:1a86:7523", comports=plug).send(b"\x1b@")
    assert err.value.code == "device_not_found"
    assert "Máy in vé" in describe(err.value) and "device list" in describe(err.value)


def test_led_board_follows_its_usb_id_after_a_failed_frame() -> None:
    with socket.socket() as a, socket.socket() as b:
        for s in (a, b):
            s.bind(("127.0.0.1", 0))
            s.listen()
            s.settimeout(5)
        url_a = f"socket://127.0.0.1:{a.getsockname()[1]}"
        url_b = f"socket://127.0.0.1:{b.getsockname()[1]}"
        plug = Plug(port_info(url_a, STM, "B1"))
        board = EdiLedBoard("usb:0483:5740:B1", comports=plug)
        board.show(1, "1005")
        conn, _ = a.accept()
        with conn:
            conn.settimeout(2)
            assert parse_frames(conn.recv(100), checksum=False) == [(1, "1005")]
        dead = serial.serial_for_url("loop://")
        dead.close()
        board.use_port(dead)  # the line broke (unplugged): writes fail
        plug.ports = [port_info(url_b, STM, "B1")]
        with pytest.raises(CounterAppError) as err:
            board.show(1, "1006")
        assert err.value.code == "led_board_failed"
        board.show(2, "2001")  # the next frame looks the board up again: the new port
        conn, _ = b.accept()
        with conn:
            conn.settimeout(2)
            assert parse_frames(conn.recv(100), checksum=False) == [(2, "2001")]
        board.close()


def serve_lines(line: bytes) -> tuple[str, threading.Event]:
    """A socket:// "scanner" that scans `line` again and again on its first connection (pyserial
    empties the input when it opens a socket://) and hangs up when the returned event is set
    (the cable pulled)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(10)
    pull = threading.Event()

    def run() -> None:
        with server:
            conn, _ = server.accept()
            with conn, contextlib.suppress(OSError):  # the reader stopped: it hung up
                while not pull.wait(0.05):
                    conn.sendall(line)

    threading.Thread(target=run, daemon=True).start()
    return f"socket://127.0.0.1:{server.getsockname()[1]}", pull


def test_scanner_reads_on_after_the_cable_moved() -> None:
    url_a, pull_a = serve_lines(b"000.00.20.H01-261128-0001\r\n")
    plug = Plug(port_info(url_a, CH340))
    scanner = SerialScanner("usb:1a86:7523", comports=plug, retry_s=0.05)
    got: list[str] = []
    faults: list[str | None] = []
    two = threading.Event()

    def on_scan(text: str) -> None:
        if got and got[-1] == text:
            return  # the same scan repeated
        got.append(text)
        if len(got) == 1:  # pulled out, and plugged into another socket (another port)
            url_b, _ = serve_lines(b"000.00.20.H01-261128-0002\r\n")
            plug.ports = [port_info(url_b, CH340)]
            pull_a.set()
        else:
            two.set()

    scanner.on_fault = lambda f: faults.append(f.code if f else None)
    reader = threading.Thread(target=scanner.run, args=(on_scan,), daemon=True)
    reader.start()
    assert two.wait(10), (got, faults)
    scanner.stop()
    reader.join(5)
    assert got == ["000.00.20.H01-261128-0001", "000.00.20.H01-261128-0002"]
    assert faults == ["scanner_port_lost", None]  # lost, then reading again
    assert scanner.fault is None and plug.calls == 2


def test_scanner_without_retry_ends_on_the_first_failure_as_before() -> None:
    scanner = SerialScanner("usb:1a86:7523", comports=Plug())
    with pytest.raises(CounterAppError) as err:
        scanner.run(lambda _t: None)
    assert err.value.code == "device_not_found"


# --- a port another program holds ----------------------------------------------------------


@pytest.fixture
def pty_port() -> Any:
    """A real serial device: the secondary side of a pseudo-terminal."""
    primary, secondary = os.openpty()
    yield os.ttyname(secondary)
    os.close(primary)
    os.close(secondary)


def test_a_port_held_by_another_program_is_named_busy(pty_port: str) -> None:
    first = SerialScanner(pty_port)
    held = first.open()  # the other program (locked, as this app now opens its ports)
    try:
        with pytest.raises(CounterAppError) as err:
            SerialScanner(pty_port).open()
        assert err.value.code == "device_port_busy"
        assert "chương trình khác" in describe(err.value) and pty_port in describe(err.value)
        with pytest.raises(PrintFailed) as perr:
            TicketPrinter(pty_port).send(b"\x1b@")
        assert perr.value.code == "device_port_busy"
        assert describe(perr.value).startswith("Máy in vé: cổng")
    finally:
        held.close()
    TicketPrinter(pty_port).send(b"\x1b@")  # free again: it opens


@pytest.mark.parametrize(
    ("raised", "code"),
    [
        # pyserial on Windows, COM3 open in another program
        (
            serial.SerialException(
                "could not open port 'COM3': PermissionError(13, 'Access is denied.', None, 5)"
            ),
            "device_port_busy",
        ),
        (
            serial.SerialException(16, "could not open port /dev/ttyUSB0: Device or resource busy"),
            "device_port_busy",
        ),
        (OSError(16, "Device or resource busy"), "device_port_busy"),
        # Linux, not in the dialout group: a different fix
        (
            serial.SerialException(
                13, "could not open port /dev/ttyUSB0: [Errno 13] Permission denied"
            ),
            "device_port_denied",
        ),
        (serial.SerialException("could not open port 'COM9': FileNotFoundError(2, …)"), None),
    ],
)
def test_busy_and_denied_are_told_apart(raised: BaseException, code: str | None) -> None:
    fault = port_fault(raised, "COM3", "scanner")
    assert (fault.code if fault else None) == code


def test_an_injected_windows_busy_error_reaches_the_clerk_in_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def busy(url: str, **_kw: Any) -> serial.SerialBase:
        raise serial.SerialException(
            f"could not open port '{url}': PermissionError(13, 'Access is denied.', None, 5)"
        )

    monkeypatch.setattr(serial, "serial_for_url", busy)
    plug = Plug(port_info("COM7", CH340))
    with pytest.raises(PrintFailed) as err:
        TicketPrinter("usb:1a86:7523", comports=plug).send(b"\x1b@")
    assert err.value.code == "device_port_busy" and err.value.params["port"] == "COM7"
    assert plug.calls == 1  # busy is not "moved": no second look-up

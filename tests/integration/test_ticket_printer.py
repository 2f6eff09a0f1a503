"""The ticket printer over loop:// and over TCP to a fake printer: bytes intact, failures fast."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import serial
from escpos_decode import decode

from counter_app.devices.ticket_printer import TicketPrinter
from counter_app.domain.errors import PrintFailed
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
# The fake_printer fixture (tests/integration/conftest.py) makes loopback printers.
MakeFake = Callable[..., Any]
BURST = 40  # tickets in one write: more than the socket buffers hold, so the failure shows


def drain(port: serial.SerialBase, expected: int, got: bytearray) -> threading.Thread:
    """Read from `port` in the background until `expected` bytes came back."""

    def run() -> None:
        deadline = time.monotonic() + 10
        while len(got) < expected and time.monotonic() < deadline:
            got.extend(port.read(min(4096, expected - len(got))))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_loop_port_gives_back_the_rendered_ticket() -> None:
    data = render_ticket(TICKET, PrinterProfile())
    printer = TicketPrinter("loop://")
    port = printer.open()
    got = bytearray()
    reader = drain(port, len(data), got)
    printer.send(data, port)  # larger than loop://'s 4 KB buffer: sent in drained chunks
    reader.join(10)
    port.close()
    assert bytes(got) == data


def test_settings_reach_the_port() -> None:
    printer = TicketPrinter("loop://", baudrate=115200, dsrdtr=True, rtscts=True, timeout=1.5)
    port = printer.open()
    try:
        assert (port.baudrate, port.dsrdtr, port.rtscts) == (115200, True, True)
        assert (port.timeout, port.write_timeout) == (1.5, 5.0)
    finally:
        port.close()


def test_network_printer_receives_the_ticket(fake_printer: MakeFake) -> None:
    fake = fake_printer()
    data = render_ticket(TICKET, PrinterProfile(dots=384))
    TicketPrinter(fake.url).send(data)
    assert fake.job_done.wait(5)
    assert fake.jobs == [data]
    assert decode(fake.jobs[0], 384).width == 384


def test_printer_gone_mid_ticket_fails_fast(fake_printer: MakeFake) -> None:
    fake = fake_printer(drop_after=3000)
    data = render_ticket(TICKET, PrinterProfile()) * BURST
    t0 = time.monotonic()
    with pytest.raises(PrintFailed) as err:
        TicketPrinter(fake.url).send(data)
    assert time.monotonic() - t0 < 5
    assert err.value.code == "ticket_printer_failed"
    assert err.value.params["printer"] == fake.url and err.value.params["detail"]
    assert fake.job_done.wait(5)
    assert 3000 <= len(fake.jobs[0]) < len(data)


def test_stalled_printer_times_out(fake_printer: MakeFake) -> None:
    fake = fake_printer(stall=True)
    data = render_ticket(TICKET, PrinterProfile()) * BURST
    t0 = time.monotonic()
    with pytest.raises(PrintFailed) as err:
        TicketPrinter(fake.url, write_timeout=0.5).send(data)
    assert time.monotonic() - t0 < 3
    assert "timeout" in err.value.params["detail"].lower()


def test_unreachable_or_malformed_printer_fails() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    for url in [f"socket://127.0.0.1:{closed}", "nosuch://printer", "/dev/nonexistent-tty"]:
        with pytest.raises(PrintFailed) as err:
            TicketPrinter(url).send(b"\x1b@")
        assert err.value.code == "ticket_printer_failed" and err.value.params["printer"] == url


@pytest.mark.parametrize(("reply", "ok"), [(0x12, True), (0x1E, True), (0x72, False), (None, None)])
def test_paper_status(fake_printer: MakeFake, reply: int | None, ok: bool | None) -> None:
    fake = fake_printer(status=reply)
    t0 = time.monotonic()
    assert TicketPrinter(fake.url).paper_ok() is ok
    assert time.monotonic() - t0 < 2


def test_loop_echo_is_not_a_status() -> None:
    printer = TicketPrinter("loop://")
    assert printer.paper_ok() is None  # the echoed DLE (0x10) fails the fixed-bit check
    port = printer.open()
    port.timeout = 2.0
    assert printer.status(1, port) is None
    assert port.timeout == 2.0  # the caller's port keeps its own timeout
    port.close()

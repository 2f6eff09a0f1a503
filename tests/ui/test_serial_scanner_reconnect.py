"""The window's serial scanner named by USB id: the clerk is told once when it is not there,
and its scans arrive once it is plugged in, without restarting (issue 13 item 3)."""

from __future__ import annotations

import contextlib
import socket
import threading

from pytestqt.qtbot import QtBot
from serial.tools.list_ports_common import ListPortInfo

from counter_app.devices.scanner import SerialScanner
from counter_app.ui.scan import ScanDispatcher

CODE = "000.00.20.H01-261128-0001"


def test_a_scanner_plugged_in_later_is_read_without_a_restart(qtbot: QtBot) -> None:
    plugged: list[ListPortInfo] = []
    scanner = SerialScanner("usb:1a86:7523", comports=lambda: list(plugged), retry_s=0.05)
    dispatcher = ScanDispatcher()
    with qtbot.waitSignal(dispatcher.scan_failed, timeout=5000) as lost:
        dispatcher.start_serial(scanner)
    assert lost.args == ["scanner_port_failed"]  # "vẫn có thể quét qua bàn phím"

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(10)
    done = threading.Event()

    def scanner_device() -> None:
        with server:
            conn, _ = server.accept()
            with conn, contextlib.suppress(OSError):
                while not done.wait(0.05):  # scanned again and again until read
                    conn.sendall(CODE.encode() + b"\r\n")

    threading.Thread(target=scanner_device, daemon=True).start()
    info = ListPortInfo(f"socket://127.0.0.1:{server.getsockname()[1]}", skip_link_detection=True)
    info.vid, info.pid = 0x1A86, 0x7523
    with qtbot.waitSignal(dispatcher.code_scanned, timeout=10000) as scanned:
        plugged.append(info)
    done.set()
    dispatcher.stop_serial()
    assert scanned.args == [CODE] and scanner.fault is None

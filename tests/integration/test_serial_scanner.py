"""A serial QR/barcode scanner through pyserial's loop:// port: lines arrive whole and decoded."""

from __future__ import annotations

import threading

import serial

from counter_app.devices.scanner import SerialScanner

QR = "089185002468||Võ Thị Thu Hà|12031985|Nữ|Ấp Mỹ Hòa, xã Mỹ Hòa Hưng|20052021"


def test_lines_split_on_cr_or_lf_and_decode_utf8() -> None:
    port = serial.serial_for_url("loop://", timeout=0.05)
    scanner = SerialScanner("loop://")
    got: list[str] = []
    done = threading.Event()

    def on_scan(text: str) -> None:
        got.append(text)
        if len(got) == 3:
            done.set()

    t = threading.Thread(target=scanner.run, args=(on_scan, port), daemon=True)
    t.start()
    payload = (QR + "\r\n").encode() + b"000.00.20.H01-261128-0001\r" + b"\n\n"
    # Arrives in pieces, as a slow port delivers it, with a split inside a UTF-8 character.
    raw = payload + "Trần".encode() + b"\n"
    for i in range(0, len(raw), 7):
        port.write(raw[i : i + 7])
    assert done.wait(5)
    scanner.stop()
    t.join(5)
    assert got == [QR, "000.00.20.H01-261128-0001", "Trần"]


def test_garbage_without_line_end_is_bounded() -> None:
    lines: list[str] = []
    buf = SerialScanner._emit_lines(bytearray(b"x" * 10_000), lines.append)
    assert lines == [] and len(buf) == 0

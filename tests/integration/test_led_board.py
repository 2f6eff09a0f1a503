"""EDI-style LED counter boards over loop://: frames decode back, settings and failures hold."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import serial

from counter_app.devices.led_board import EdiLedBoard, LedBoard, bcc, frame, parse_frames
from counter_app.domain.errors import CounterAppError


def wired(board: EdiLedBoard) -> serial.SerialBase:
    """Give `board` a loop:// line and return it: what the board writes comes back on read."""
    port = serial.serial_for_url("loop://", timeout=0.2)
    board.use_port(port)
    return port


def test_frames_decode_back_to_what_was_shown() -> None:
    board = EdiLedBoard("loop://")
    port = wired(board)
    as_protocol: LedBoard = board  # the queue only sees the interface
    as_protocol.show(2, "1005")
    as_protocol.show(12, "7")
    as_protocol.clear(2)
    data = port.read(1000)
    board.close()
    assert data[:8] == b"\x0202" + b"1005" + b"\x03"  # STX, address, digits, ETX
    assert parse_frames(data, checksum=False) == [(2, "1005"), (12, "   7"), (2, "    ")]


def test_checksum_is_the_xor_after_stx() -> None:
    board = EdiLedBoard("loop://", width=6, checksum=True)
    port = wired(board)
    board.show(3, "42")
    board.show(99, "123456")
    data = port.read(1000)
    board.close()
    first = data[:11]
    assert first[:10] == b"\x0203    42\x03"
    body = first[1:10]
    xor = 0
    for b in body:
        xor ^= b
    assert first[10] == xor == bcc(body)
    assert parse_frames(data, checksum=True) == [(3, "    42"), (99, "123456")]
    assert frame(2, "1005", 4, True) == bytes.fromhex("02 30 32 31 30 30 35 03 05")  # docstring


def test_bad_frames_are_refused() -> None:
    good = frame(5, "88", 4, True)
    with pytest.raises(ValueError):
        parse_frames(good[:-1] + bytes([good[-1] ^ 1]), checksum=True)
    with pytest.raises(ValueError):
        parse_frames(b"\x03" + good, checksum=True)
    with pytest.raises(ValueError):
        parse_frames(b"\x02AB12\x03", checksum=False)


@pytest.mark.parametrize(("counter", "number"), [(100, "1"), (-1, "1"), (1, "12345"), (1, "A1")])
def test_what_a_numeric_board_cannot_show_is_refused(counter: int, number: str) -> None:
    board = EdiLedBoard("loop://")
    with pytest.raises(ValueError):
        board.show(counter, number)
    board.close()


def test_line_settings_reach_the_port(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[dict[str, Any]] = []
    real = serial.serial_for_url

    def spy(url: str, **kwargs: Any) -> serial.SerialBase:
        opened.append(kwargs)
        return real(url, **kwargs)

    monkeypatch.setattr(serial, "serial_for_url", spy)  # the module led_board calls through
    board = EdiLedBoard("loop://", baudrate=19200, parity=serial.PARITY_EVEN, stopbits=2)
    board.show(1, "1")
    board.show(1, "2")  # the line stays open between updates
    board.close()
    assert len(opened) == 1
    assert opened[0] | {"write_timeout": None} == {
        "baudrate": 19200,
        "parity": "E",
        "bytesize": 8,
        "stopbits": 2,
        "write_timeout": None,
        "exclusive": True,  # POSIX: locked, so that a second program is refused (ports.py)
    }


def test_a_dead_line_raises_a_coded_error_and_reopens_next_time() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        url = f"socket://127.0.0.1:{s.getsockname()[1]}"
    board = EdiLedBoard(url)
    with pytest.raises(CounterAppError) as err:
        board.show(1, "1005")
    assert err.value.code == "led_board_failed" and err.value.params["port"] == url
    with socket.socket() as server:  # the converter is back: the next update opens the line
        server.bind(("127.0.0.1", 0))
        server.listen()
        board.url = f"socket://127.0.0.1:{server.getsockname()[1]}"
        board.show(1, "1005")
        conn, _ = server.accept()
        with conn:
            conn.settimeout(2)
            assert parse_frames(conn.recv(100), checksum=False) == [(1, "1005")]
        board.close()

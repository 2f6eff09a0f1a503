"""Integration fixtures: intake payloads, JSON files, quiet past dates, the one-line error check."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from time import sleep
from types import SimpleNamespace
from typing import Any

import pytest
from cli_helpers import (
    DEMO_AGENCY,
    PROC_3_DAYS,
    VN,
    assert_one_vietnamese_line,
    at_local,
    code_for,
    intake_payload,
    quiet_thursday,
    with_applicant,
)
from pinned_clock import TestClock


@pytest.fixture(autouse=True)
def _pinned_now(clock: TestClock) -> TestClock:
    """Every integration test runs on the test clock (09:00 on the pinned day by default)."""
    return clock


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[..., Path]:
    """write_json(obj, name="intake.json") -> path; a str is written verbatim."""
    counter = iter(range(1_000_000))

    def write(obj: Any, name: str | None = None) -> Path:
        path = tmp_path / (name or f"intake-{next(counter)}.json")
        text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def itest() -> SimpleNamespace:
    """The helpers above, for test modules (conftest modules are not imported directly)."""
    return SimpleNamespace(
        VN=VN,
        DEMO_AGENCY=DEMO_AGENCY,
        PROC_3_DAYS=PROC_3_DAYS,
        payload=intake_payload,
        with_applicant=with_applicant,
        quiet_thursday=quiet_thursday,
        at_local=at_local,
        code_for=code_for,
        assert_one_vietnamese_line=assert_one_vietnamese_line,
    )


# --- a network thermal printer on loopback (tests of ticket printing) -------------------


class FakePrinter:
    """A raw-TCP "printer" on 127.0.0.1 that keeps what each connection sent.

    drop_after: reset the connection once that many bytes arrived; stall: accept and never
    read; status: the byte answered to DLE EOT 4 (None: no answer).
    """

    def __init__(
        self, *, drop_after: int = 0, stall: bool = False, status: int | None = None
    ) -> None:
        self.drop_after, self.stall, self.status = drop_after, stall, status
        self.jobs: list[bytes] = []
        self.job_done = threading.Event()
        self._stop = threading.Event()
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills quickly
        self._server.bind(("127.0.0.1", 0))
        self._server.listen()
        self._server.settimeout(0.1)
        self.url = f"socket://127.0.0.1:{self._server.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                self._job(conn)

    def _job(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        got = bytearray()
        while not self._stop.is_set():
            if self.stall:
                sleep(0.05)
                continue
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            got += chunk
            if self.status is not None and got.endswith(b"\x10\x04\x04"):
                conn.sendall(bytes([self.status]))
            if self.drop_after and len(got) >= self.drop_after:  # pulled plug: reset, not FIN
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                break
        self.jobs.append(bytes(got))
        self.job_done.set()


MakeFake = Callable[..., FakePrinter]


@pytest.fixture
def fake_printer() -> Iterator[MakeFake]:
    made: list[FakePrinter] = []

    def make(**kwargs: object) -> FakePrinter:
        printer = FakePrinter(**kwargs)  # type: ignore[arg-type]
        made.append(printer)
        return printer

    yield make
    for printer in made:
        printer.close()

"""Integration fixtures: intake payloads, JSON files, quiet past dates, the one-line error check."""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import sleep
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pinned_clock import PINNED_DAY, TestClock

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_AGENCY = "000.20.25.H01"
# 3 working days, four checklist lines (two required) in the sample catalogue.
PROC_3_DAYS = "1.004873"
ID_PAPERS = "Giấy tờ tùy thân của người yêu cầu (thẻ Căn cước, Căn cước công dân hoặc Hộ chiếu)"

_VI_LETTERS = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE
)
_SNAKE_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
_RAW_FIELD = re.compile(r"\b(?:applicant|documents)(?:\.|\[)|\[\d+\]")


@pytest.fixture(autouse=True)
def _pinned_now(clock: TestClock) -> TestClock:
    """Every integration test runs on the test clock (09:00 on the pinned day by default)."""
    return clock


def intake_payload(**over: Any) -> dict[str, Any]:
    """A valid intake object (DESIGN.md §4); keyword arguments replace top-level keys."""
    data: dict[str, Any] = {
        "procedure": PROC_3_DAYS,
        "applicant": {
            "name": "Nguyễn Văn An",
            "id_number": "079090001234",
            "phone": "0912345678",
            "address": "Số 12 Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang",
            "email": None,
        },
        "documents": [
            {
                "name": "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
                "kind": "original",
                "count": 1,
            },
            {"name": ID_PAPERS, "kind": "copy", "count": 2},
        ],
        "sets": 1,
        "receive_channel": "counter",
        "return_channel": "counter",
        "return_address": None,
    }
    data.update(over)
    return data


def with_applicant(**fields: Any) -> dict[str, Any]:
    data = intake_payload()
    data["applicant"] = {**data["applicant"], **fields}
    return data


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


def _plain_week(thursday: date) -> bool:
    """Thu..next Thu: weekdays are working days, the weekend is off (no holiday, no make-up)."""
    from counter_app.domain.workdays import WorkCalendar

    cal = WorkCalendar()
    for i in range(8):
        d = thursday + timedelta(days=i)
        if cal.is_working_day(d) != (d.weekday() < 5):
            return False
    return True


def quiet_thursday(weeks_back: int = 3) -> date:
    """A Thursday at least `weeks_back` weeks before the pinned day, its next week plain."""
    d = PINNED_DAY - timedelta(weeks=weeks_back)
    d -= timedelta(days=(d.weekday() - 3) % 7)
    while not _plain_week(d):
        d -= timedelta(weeks=1)
    return d


def at_local(day: date, hh: int = 9, mm: int = 0) -> str:
    return datetime.combine(day, time(hh, mm), VN).isoformat()


def code_for(day: date, seq: int, agency: str = DEMO_AGENCY) -> str:
    return f"{agency}-{day:%y%m%d}-{seq:04d}"


def assert_one_vietnamese_line(err: str, *, strip: tuple[str, ...] = ()) -> str:
    """Exactly one line, handled (starts 'Lỗi'), in Vietnamese, with no raw codes or field paths."""
    assert err.endswith("\n") and err.count("\n") == 1, f"not exactly one line: {err!r}"
    line = err.rstrip("\n")
    assert "Traceback" not in line
    assert line.startswith("Lỗi"), line
    assert not line.startswith("Lỗi không mong đợi"), f"unexpected error path: {line}"
    bare = line
    for s in strip:
        bare = bare.replace(s, "")
    assert _VI_LETTERS.search(bare), f"not Vietnamese: {line}"
    assert not _SNAKE_CODE.search(bare), f"raw error code in message: {line}"
    assert not _RAW_FIELD.search(bare), f"raw field path in message: {line}"
    return line


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

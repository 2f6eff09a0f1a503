"""Helpers of the integration tests, importable by name (`from cli_helpers import …`): a
conftest module is not meant to be imported, and `from conftest import` resolves to whichever
directory's conftest was imported first when one pytest run mixes directories."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pinned_clock import PINNED_DAY

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

"""Queue rules: priority classes, ticket numbers, opening hours, wait estimates, service setup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from counter_app.domain.errors import ValidationError

PRIORITY_CLASSES = ("elderly", "disabled", "pregnant", "child")
PRIORITY_WEIGHTS = {"elderly": 1, "disabled": 1, "pregnant": 1, "child": 1}  # "" -> 0
DEFAULT_SERVICE_S = 300  # service time assumed before the first ticket of the day is done
SERVICE_CODE = re.compile(r"[A-Z0-9]{1,13}")  # "ticket:" + code fits the counter kind (20)
PREFIX = re.compile(r"[0-9]{1,4}")


def display_number(prefix: str, number: int) -> str:
    """The number a ticket shows: its service's prefix and three digits."""
    return f"{prefix}{number:03d}"


def is_open(opens: str, closes: str, moment: datetime) -> bool:
    """Tickets are issued from the opening minute up to, not including, the closing one."""
    return time.fromisoformat(opens) <= moment.time() < time.fromisoformat(closes)


def estimate_minutes(ahead: int, counters: int, avg_service_s: int) -> int:
    """ceil(ahead / counters × average service time) in whole minutes, in integers."""
    return -(-ahead * avg_service_s // (max(1, counters) * 60))


def clean_service(raw: dict[str, Any], position: int) -> dict[str, Any]:
    """A queue service's settings checked and normalised; service_config_invalid if not."""
    code = str(raw.get("code", "")).strip().upper()

    def bad(detail: str) -> ValidationError:
        return ValidationError("service_config_invalid", code=code or "?", detail=detail)

    if not SERVICE_CODE.fullmatch(code):
        raise bad("mã lĩnh vực gồm 1–13 chữ in hoa hoặc chữ số")
    name = str(raw.get("name", "")).strip()
    if not name or len(name) > 100:
        raise bad("tên lĩnh vực trống hoặc quá dài")
    prefix = str(raw.get("prefix", ""))
    if not PREFIX.fullmatch(prefix):
        raise bad("tiền tố gồm 1–4 chữ số")
    counters = raw.get("counters")
    if (
        not isinstance(counters, Sequence)
        or not counters
        or not all(isinstance(c, int) and not isinstance(c, bool) and c > 0 for c in counters)
    ):
        raise bad("danh sách quầy phải gồm các số quầy dương")
    start, end = raw.get("start_number", 1), raw.get("end_number", 999)
    if not (isinstance(start, int) and isinstance(end, int) and 1 <= start <= end):
        raise bad("dải số không hợp lệ")
    opens, closes = str(raw.get("opens", "07:30")), str(raw.get("closes", "17:00"))
    try:
        valid_hours = time.fromisoformat(opens) < time.fromisoformat(closes)
    except ValueError:
        valid_hours = False
    if not valid_hours or len(opens) != 5 or len(closes) != 5:
        raise bad("giờ phát số phải theo dạng HH:MM, mở trước đóng")
    return {
        "code": code,
        "name": name,
        "prefix": prefix,
        "counters": sorted(set(counters)),
        "start_number": start,
        "end_number": end,
        "opens": opens,
        "closes": closes,
        "position": int(raw.get("position", position)),
        "active": bool(raw.get("active", True)),
    }

"""Central's override list of 2025 communes (issue 16): the file an administrator publishes
with `central address-units import`, checked row by row, and the check a counter applies
again to each row it pulls (a row the packaged list could not take is never stored).

File: {"version": "2026-01", "units": [{"code": "30313", "name": "Xã Mỹ Hòa Hưng",
"province_code": "91"}, {"code": "30316", "retired": true}, …]} — the whole list: a
commune missing from a later file is no longer overridden."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from counter_app.domain.admin_units import default_units
from counter_app.domain.errors import ValidationError

CODE_RE = re.compile(r"[0-9]{5}")
PROVINCE_RE = re.compile(r"[0-9]{2}")
NAME_MAX = 100  # admin_unit_overrides.name (local String(100))
VERSION_MAX = 40
SHOWN_BAD_ROWS = 10


@dataclass(frozen=True, slots=True)
class Override:
    code: str
    name: str  # "" when retired
    province_code: str  # "" when retired
    retired: bool

    def as_json(self) -> dict[str, Any]:
        if self.retired:
            return {"code": self.code, "retired": True}
        return {"code": self.code, "name": self.name, "province_code": self.province_code}


def _clean_name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if not name or len(name) > NAME_MAX or any(unicodedata.category(c) == "Cc" for c in name):
        return None
    return name


def _check_row(i: int, raw: object, seen: set[str]) -> tuple[Override | None, list[str]]:
    where = f"mục {i}"
    if not isinstance(raw, dict):
        return None, [f'{where}: phải là một đối tượng {{"code", "name", "province_code"}}']
    code = raw.get("code")
    problems: list[str] = []
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        problems.append(f"{where}: mã {code!r} phải gồm đúng 5 chữ số (mã thống kê)")
        code = None
    elif code in seen:
        problems.append(f"{where}: mã {code} đã có ở mục trước")
    else:
        seen.add(code)
    retired = raw.get("retired", False)
    if retired is not True and retired is not False:
        return None, [*problems, f'{where}: "retired" chỉ nhận true hoặc false']
    if retired is True:
        return (Override(code, "", "", True) if code and not problems else None), problems
    name = _clean_name(raw.get("name"))
    if name is None:
        problems.append(f"{where}: thiếu tên xã, phường (hoặc tên dài quá {NAME_MAX} ký tự)")
    province = raw.get("province_code")
    if not isinstance(province, str) or province not in default_units().provinces:
        problems.append(f"{where}: mã tỉnh {province!r} không có trong danh mục 34 tỉnh, thành phố")
    if problems or code is None or name is None or not isinstance(province, str):
        return None, problems
    return Override(code, name, province, False), []


def parse_override_file(data: object) -> tuple[str, list[Override]]:
    """(version, rows) of a published file, or ValidationError listing every bad row."""
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise ValidationError("admin_units_file_shape")
    version = data.get("version", "")
    if not isinstance(version, str) or len(version.strip()) > VERSION_MAX:
        raise ValidationError("admin_units_file_shape")
    rows: list[Override] = []
    bad: list[str] = []  # one line per bad row, its problems together
    seen: set[str] = set()
    for i, raw in enumerate(data["units"], start=1):
        row, problems = _check_row(i, raw, seen)
        if problems:
            bad.append(problems[0] + "".join(", " + p.split(": ", 1)[1] for p in problems[1:]))
        if row is not None:
            rows.append(row)
    if bad:
        shown = "; ".join(bad[:SHOWN_BAD_ROWS])
        more = f"; và {len(bad) - SHOWN_BAD_ROWS} mục khác" if len(bad) > SHOWN_BAD_ROWS else ""
        raise ValidationError("admin_units_file_invalid", count=len(bad), rows=shown + more)
    return version.strip(), rows


def admin_override_ok(code: str, values: dict[str, Any]) -> bool:
    """A pulled row the packaged list can take (domain/admin_units.with_overrides)."""
    if not CODE_RE.fullmatch(code):
        return False
    if values["retired"]:
        return True
    return (
        _clean_name(values["name"]) == values["name"]
        and values["province_code"] in default_units().provinces
    )

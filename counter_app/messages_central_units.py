# ruff: noqa: E501 (user-facing Vietnamese sentences read better whole, as in messages.py)
"""Messages of central's override list of 2025 communes (issue 16, central's half:
domain/admin_overrides.py, sync/central_admin_units.py), merged into messages.MESSAGES."""

from __future__ import annotations

CENTRAL_UNITS_MESSAGES: dict[str, str] = {
    "admin_units_file_shape": 'Tệp danh sách đơn vị hành chính không đúng mẫu: cần {{"version": "…", "units": [{{"code": "30313", "name": "Xã …", "province_code": "91"}} hoặc {{"code": "…", "retired": true}}, …]}} (version tối đa 40 ký tự). Không có gì được công bố.',
    "admin_units_file_invalid": "Tệp danh sách đơn vị hành chính có {count} mục sai, không có gì được công bố: {rows}.",
}

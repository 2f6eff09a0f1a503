# ruff: noqa: E501 (user-facing Vietnamese sentences read better whole, as in messages.py)
"""Messages of the unit's own place in the 2025 list (issue 16 §4: `unit set --commune`,
`--province`, `--address-street` and the first-run screen's commune field)."""

from __future__ import annotations

UNIT_PLACE_MESSAGES: dict[str, str] = {
    "unit_commune_unknown": "Không tìm thấy xã, phường, đặc khu \u201c{text}\u201d trong danh mục đơn vị hành chính 2025: nhập mã 5 chữ số hoặc tên (có thể không dấu), ví dụ 30313 hoặc \u201cmy hoa hung\u201d.",
    "unit_commune_ambiguous": "Có nhiều xã, phường, đặc khu khớp \u201c{text}\u201d: {candidates}. Nhập mã 5 chữ số, hoặc thêm tên tỉnh sau tên xã, phường.",
    "unit_province_unknown": "Không tìm thấy tỉnh, thành phố \u201c{text}\u201d trong danh mục 34 tỉnh, thành phố 2025: nhập mã 2 chữ số hoặc tên, ví dụ 91 hoặc \u201can giang\u201d.",
    "unit_commune_and_province": "Chỉ chọn một: --commune (đơn vị cấp xã) hoặc --province (Trung tâm Phục vụ hành chính công cấp tỉnh).",
    "unit_street_needs_place": "Đơn vị chưa chọn xã, phường (hoặc tỉnh) trong danh mục: dùng --commune MÃ_HOẶC_TÊN cùng --address-street, hoặc ghi cả địa chỉ bằng --address.",
}

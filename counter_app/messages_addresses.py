# ruff: noqa: E501 (user-facing Vietnamese sentences read better whole, as in messages.py)
"""Messages of the applicant's address in the 2025 units (issue 16), merged into
messages.MESSAGES."""

from __future__ import annotations

ADDRESS_MESSAGES: dict[str, str] = {
    "commune_unknown": "Không có xã/phường mã này trong danh mục đơn vị hành chính 2025 (mã gồm 5 chữ số, ví dụ 30313); chọn lại xã/phường từ gợi ý, hoặc để trống.",
    "commune_mismatch": "Địa chỉ ghi {named}, khác với xã/phường đã chọn ({chosen}). Sửa lại địa chỉ hoặc chọn lại xã/phường.",
    "address_text_empty": "Chưa nhập địa chỉ hoặc tên xã/phường cần tìm.",
    "address_commune_unknown": "Không có xã/phường mã {code} trong danh mục đơn vị hành chính 2025.",
    "address_limit_invalid": "Số kết quả phải từ 1 đến {max}.",
}

ADDRESS_FIELD_LABELS: dict[str, str] = {
    "applicant.commune_code": "Xã/phường (mã)",
    "applicant.address_card": "Địa chỉ trên thẻ",
}

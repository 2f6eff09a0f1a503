"""Which official form set is in force on a date, and each form's number and title.

Circular 01/2018/TT-VPCP before 15/9/2025; Circular 03/2025/TT-VPCP (Appendix I) from then
(DOMAIN.md §3). A correction to a number or title is one edit in FORMS below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SET_2025_FROM = date(2025, 9, 15)


@dataclass(frozen=True)
class FormSpec:
    number: str  # printed as "Mẫu số 01"
    title: str
    circular: str


_C2018 = "Thông tư số 01/2018/TT-VPCP"
_C2025 = "Thông tư số 03/2025/TT-VPCP"

FORMS: dict[str, dict[str, FormSpec]] = {
    "2018": {
        "receipt": FormSpec("01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", _C2018),
        "supplement": FormSpec("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", _C2018),
        "refusal": FormSpec("03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", _C2018),
        "apology": FormSpec("04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", _C2018),
        "control-sheet": FormSpec("05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", _C2018),
        "register": FormSpec("06", "SỔ THEO DÕI HỒ SƠ", _C2018),
    },
    "2025": {
        "receipt": FormSpec("01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", _C2025),
        "supplement": FormSpec("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", _C2025),
        "refusal": FormSpec("03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", _C2025),
        "apology": FormSpec(
            "04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", _C2025
        ),
        "stop-notice": FormSpec("05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", _C2025),
        "control-sheet": FormSpec("06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", _C2025),
        "register": FormSpec("07", "SỔ THEO DÕI HỒ SƠ", _C2025),
    },
}


def form_set_on(day: date) -> str:
    return "2025" if day >= SET_2025_FROM else "2018"


def form_spec(kind: str, form_set: str) -> FormSpec:
    try:
        return FORMS[form_set][kind]
    except KeyError:
        from counter_app.domain.errors import ValidationError

        raise ValidationError("form_kind_unavailable", kind=kind, form_set=form_set) from None

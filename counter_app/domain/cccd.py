"""Citizen ID card (CCCD): the 12-digit number, the QR payload, phone and e-mail checks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from counter_app.domain.errors import ValidationError
from counter_app.domain.text import clean_address, clean_name

# Province-of-birth codes, Circular 07/2016/TT-BCA Art. 7: the 63 provinces before the
# 2025 merger (same numbers as the administrative unit codes).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Thành phố Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# 4th digit: even = male, odd = female; pairs step one century from 1900. Only the
# 20th and 21st centuries (0-3) are plausible today.
_CENTURY_BY_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000}
SEXES = ("Nam", "Nữ")

_ID_RE = re.compile(r"[0-9]{12}")
_OLD_ID_RE = re.compile(r"(?:[0-9]{9}|[0-9]{12})?")
_DATE_RE = re.compile(r"[0-9]{8}")
QR_FIELDS = 7
# Seven |-separated fields (plus any extra ones up to the end of the line), not glued
# to surrounding digits.
_QR_SEARCH_RE = re.compile(
    r"[0-9]{12}\|(?:[0-9]{9}|[0-9]{12})?\|[^|\r\n]+\|[0-9]{8}\|[^|\r\n]*"
    r"\|[^|\r\n]*\|[0-9]{8}(?![0-9])(?:\|[^|\r\n]*)*"
)


@dataclass(frozen=True)
class CccdData:
    id_number: str
    old_id: str
    name: str
    birth_date: date | None
    sex: str  # "Nam" | "Nữ"
    address: str
    issue_date: date | None


def _id_error(field: str) -> ValidationError:
    return ValidationError("invalid", field_errors={field: "id_number_invalid"}, field=field)


def birth_century_sex(id_number: str) -> tuple[int, str]:
    """(first year of the birth century, "Nam"/"Nữ") from the 4th digit, e.g. (1900, "Nam")."""
    digit = int(id_number[3])
    if digit not in _CENTURY_BY_DIGIT:
        raise _id_error("id_number")
    return _CENTURY_BY_DIGIT[digit], SEXES[digit % 2]


def birth_year(id_number: str) -> int:
    """The birth year the number encodes: century (4th digit) + digits 5-6."""
    century, _ = birth_century_sex(id_number)
    return century + int(id_number[4:6])


def validate_id_number(value: str, field: str = "id_number", *, today: date | None = None) -> str:
    """12 ASCII digits (spaces ignored), a known province code, a plausible birth year: not
    after `today` (the app's clock, never the PC's date read here); `today=None` leaves only
    that last check out (a structural check before the database is open; the caller checks
    again on the context's clock)."""
    digits = value.replace(" ", "") if isinstance(value, str) else ""
    if not _ID_RE.fullmatch(digits) or digits[:3] not in PROVINCE_CODES:
        raise _id_error(field)
    if int(digits[3]) not in _CENTURY_BY_DIGIT:
        raise _id_error(field)
    if today is not None and birth_year(digits) > today.year:
        raise _id_error(field)
    return digits


def _qr_error(reason: str) -> ValidationError:
    return ValidationError("cccd_qr_invalid", reason=reason)


def _parse_date(text: str, reason: str) -> date | None:
    if not text:
        return None
    if not _DATE_RE.fullmatch(text):
        raise _qr_error(reason)
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise _qr_error(reason) from None


def _parse_sex(text: str) -> str:
    for sex in SEXES:
        if text.casefold() == sex.casefold():
            return sex
    raise _qr_error("sex")


def _parse_id(text: str, today: date) -> str:
    try:
        return validate_id_number(text, today=today)
    except ValidationError:
        raise _qr_error("id_number") from None


def _check_dates(id_number: str, birth: date | None, issue: date | None, today: date) -> None:
    if birth is not None and (birth > today or birth.year != birth_year(id_number)):
        raise _qr_error("birth_date")
    if issue is not None and (issue > today or (birth is not None and issue < birth)):
        raise _qr_error("issue_date")


def parse_qr(text: str, *, today: date) -> CccdData:
    """Parse `ID|old ID|name|DDMMYYYY|Nam/Nữ|address|DDMMYYYY` (extra fields ignored); the
    dates are checked against `today`, the app's day (ctx.now()).

    Raises ValidationError("cccd_qr_invalid", reason=<field>) for anything else.
    """
    fields = [f.strip() for f in unicodedata.normalize("NFC", text).strip().split("|")]
    if len(fields) < QR_FIELDS:
        raise _qr_error("field_count")
    id_text, old_id, name_text, birth_text, sex_text, address_text, issue_text = fields[:7]
    id_number = _parse_id(id_text, today)
    if not _OLD_ID_RE.fullmatch(old_id):
        raise _qr_error("old_id")
    try:
        name = clean_name(name_text)
        address = clean_address(address_text)
    except ValidationError as exc:
        raise _qr_error(next(iter(exc.field_errors), "text")) from None
    birth = _parse_date(birth_text, "birth_date")
    issue = _parse_date(issue_text, "issue_date")
    _check_dates(id_number, birth, issue, today)
    return CccdData(id_number, old_id, name, birth, _parse_sex(sex_text), address, issue)


def to_qr(data: CccdData) -> str:
    """The QR text a card with these fields carries (inverse of parse_qr)."""
    birth = f"{data.birth_date:%d%m%Y}" if data.birth_date else ""
    issue = f"{data.issue_date:%d%m%Y}" if data.issue_date else ""
    parts = (data.id_number, data.old_id, data.name, birth, data.sex, data.address, issue)
    return "|".join(parts)


def find_qr(text: str) -> tuple[int, int] | None:
    """(start, end) of a QR payload typed into `text` by a keyboard-wedge scanner, or None.

    The span covers the seven fields and any further |-fields up to the end of the line. The
    ID is the 12 digits right before the first "|", so a scan appended to digits the clerk had
    already typed (a phone number, say) is still found, and those digits stay with the field.
    """
    m = _QR_SEARCH_RE.search(text)
    return m.span() if m else None


# --- phone and e-mail -------------------------------------------------------------------

_PHONE_SEPARATORS = str.maketrans("", "", " .-()\u00a0")
_MOBILE_RE = re.compile(r"0[35789][0-9]{8}")
_LANDLINE_RE = re.compile(r"02[0-9]{9}")


def _phone_digits(raw: str) -> str:
    s = raw.translate(_PHONE_SEPARATORS)
    for prefix in ("+84", "0084"):
        if s.startswith(prefix):
            return "0" + s[len(prefix) :].removeprefix("0")
    if s.startswith("84") and len(s) in (11, 12):
        return "0" + s[2:]
    return s


def validate_phone(value: str, field: str = "phone", required: bool = False) -> str:
    """A Vietnamese number as digits with a leading 0: mobile 0[35789]xxxxxxxx, landline 02x…

    Spaces, dots, dashes and brackets are ignored; +84, 0084 and 84 become 0.
    """
    if not isinstance(value, str):
        raise ValidationError("invalid", field_errors={field: "phone_invalid"}, field=field)
    raw = value.strip()
    if not raw:
        if required:
            raise ValidationError("invalid", field_errors={field: "required"}, field=field)
        return ""
    digits = _phone_digits(raw)
    if not (_MOBILE_RE.fullmatch(digits) or _LANDLINE_RE.fullmatch(digits)):
        raise ValidationError("invalid", field_errors={field: "phone_invalid"}, field=field)
    return digits


_EMAIL_LOCAL_RE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)
_EMAIL_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
MAX_EMAIL = 254


def _email_ok(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    if not at or len(address) > MAX_EMAIL or len(local) > 64:
        return False
    labels = domain.split(".")
    return (
        _EMAIL_LOCAL_RE.fullmatch(local) is not None
        and len(labels) >= 2
        and all(_EMAIL_LABEL_RE.fullmatch(label) for label in labels)
        and labels[-1].isalpha()
        and len(labels[-1]) >= 2
    )


def validate_email(value: str, field: str = "email", required: bool = False) -> str:
    """An optional e-mail address (ASCII, one @, a dotted domain); the domain is lowercased."""
    address = value.strip() if isinstance(value, str) else ""
    if not address:
        if required:
            raise ValidationError("invalid", field_errors={field: "required"}, field=field)
        return ""
    if not _email_ok(address):
        raise ValidationError("invalid", field_errors={field: "email_invalid"}, field=field)
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"

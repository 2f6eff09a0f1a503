"""Vietnamese wording shared by the printed forms: dates, times, money, counts, document kinds."""

from __future__ import annotations

from datetime import date, datetime

from counter_app.domain.dates import document_date
from counter_app.domain.model import DocumentLine, DossierView, UnitInfo
from counter_app.ui_text import DOCUMENT_KIND_LABELS as KIND_NAMES
from counter_app.ui_text import WEEKDAYS, thousands

BLANK = "……………………"  # printed where a value is unknown, so the clerk can write it in
COUNTER = "Bộ phận Một cửa"
POSTAL = "Qua dịch vụ bưu chính công ích"

# Longest text printed for each free-text value; longer input is cut with "…".
LIMITS = {
    "unit": 120,
    "name": 120,
    "address": 250,
    "phone": 40,
    "email": 100,
    "procedure": 600,
    "document": 300,
    "clerk": 80,
    "reason": 2000,
    "register": 40,
}


def money(amount: int) -> str:
    """8000 -> "8.000" (Vietnamese thousands separator)."""
    return thousands(amount)


def day_words(day: date) -> str:
    """A date in words as Decree 30/2020 writes it: "ngày 03 tháng 12 năm 2026"."""
    return document_date(day)


def place_date(place: str, day: date) -> str:
    """The header's "<place>, ngày … tháng … năm …" line."""
    return f"{place}, {day_words(day)}"


def clock_words(at: datetime) -> str:
    """A clock time in words: "09 giờ 15 phút"."""
    return f"{at.hour:02d} giờ {at.minute:02d} phút"


def received_words(at: datetime) -> str:
    """Receipt time: "09 giờ 15 phút, ngày 28 tháng 11 năm 2026"."""
    return f"{clock_words(at)}, {day_words(at.date())}"


def due_words(at: datetime) -> str:
    """Due time with the weekday: "09 giờ 15 phút, thứ Năm, ngày 03 tháng 12 năm 2026"."""
    return f"{clock_words(at)}, {weekday(at.date())}, {day_words(at.date())}"


def weekday(day: date) -> str:
    """Weekday name: "thứ Hai" … "thứ Bảy", "Chủ nhật"."""
    return WEEKDAYS[day.weekday()]


def short_date(day: date) -> str:
    """Short date: "03/12/2026"."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def sets_text(sets: int) -> str:
    """Number of sets: "1 bộ"."""
    return f"{sets} bộ"


def kind_name(kind: str) -> str:
    """Kind in words: "Bản chính", "Bản sao", "Bản sao chứng thực"; unknown kinds as given."""
    return KIND_NAMES.get(kind, kind)


def document_name(line: DocumentLine) -> str:
    """The document's name, with "(chứng thực)" after it for a certified copy."""
    return f"{line.name} (chứng thực)" if line.kind == "certified_copy" else line.name


def is_original(line: DocumentLine) -> bool:
    """Certified copies and plain copies both count as "Bản sao" on the receipt."""
    return line.kind == "original"


_UNIT_PREFIXES = ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN ", "UBND ")
CENTRE = "Trung tâm Phục vụ hành chính công"


def receiving_name(unit: UnitInfo) -> str:
    """How the 2025 rules name the commune's counter (Decree 118/2025): the unit's setting, or
    derived from its name: "UBND XÃ MỸ HÒA HƯNG" -> "Trung tâm Phục vụ hành chính công xã Mỹ
    Hòa Hưng"."""
    if unit.receiving_name.strip():
        return unit.receiving_name
    name = unit.name.strip()
    for prefix in _UNIT_PREFIXES:
        if name.upper().startswith(prefix):
            name = name[len(prefix) :]
            break
    kind, place = _unit_kind(name)
    if not place:
        return f"{CENTRE} {unit.place_name}".strip()
    return f"{CENTRE} {kind.lower()} {place.title() if place.isupper() else place}"


# Unit types of one or more words, longest first: "UBND ĐẶC KHU PHÚ QUỐC" is an "đặc khu".
_UNIT_KINDS = (
    *("ĐẶC KHU", "THÀNH PHỐ", "THỊ TRẤN", "THỊ XÃ"),
    *("PHƯỜNG", "HUYỆN", "QUẬN", "TỈNH", "XÃ"),
)


def _unit_kind(name: str) -> tuple[str, str]:
    """("ĐẶC KHU", "PHÚ QUỐC") of "ĐẶC KHU PHÚ QUỐC"; a type not listed: its first word."""
    upper = name.upper()
    for kind in _UNIT_KINDS:
        if upper.startswith(kind + " "):
            return name[: len(kind)], name[len(kind) + 1 :].strip()
    kind, _, place = name.partition(" ")
    return kind, place


def result_place_setting(unit: UnitInfo, form_set: str) -> str:
    """Where results are collected at the counter: the unit's setting, else the receiving
    unit as its form set names it ("Bộ phận Một cửa" under the 2018 set)."""
    if unit.result_place.strip():
        return unit.result_place
    return receiving_name(unit) if form_set != "2018" else COUNTER


def return_place(d: DossierView) -> str:
    """Item 6 of the receipt: the unit's place, or the public postal service with the address."""
    if d.return_channel == "postal":
        return f"{POSTAL}: {d.return_address or BLANK}"
    return result_place_setting(d.unit, d.form_set)


def or_blank(text: str) -> str:
    """`text`, or a dotted blank to write into by hand when it is empty."""
    return text if text.strip() else BLANK

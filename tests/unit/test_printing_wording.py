"""Vietnamese wording on printed forms and text fitting: money, dates, weekdays, clipping."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date, datetime, timedelta, timezone

import pytest

from counter_app.domain.model import DocumentLine, UnitInfo
from counter_app.printing import fonts
from counter_app.printing.wording import (
    BLANK,
    document_name,
    due_words,
    is_original,
    kind_name,
    money,
    or_blank,
    place_date,
    received_words,
    receiving_name,
    result_place_setting,
    short_date,
    weekday,
)
from counter_app.ui_text import fee_text, processing_time

ICT = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0"), (500, "500"), (8000, "8.000"), (1_250_000, "1.250.000"), (-3000, "-3.000")],
)
def test_money_uses_dot_thousands(amount: int, text: str) -> None:
    assert money(amount) == text


def test_fee_text() -> None:
    assert fee_text(8000) == "8.000 đồng"
    assert fee_text(0) == "Không thu phí, lệ phí"
    assert fee_text(0, "page") == "Không thu phí, lệ phí"
    assert fee_text(2000, "page") == "2.000 đ/trang"
    assert fee_text(3000, "copy") == "3.000 đ/bản"
    assert fee_text(8000, "dossier") == "8.000 đồng"


def test_processing_time_follows_the_time_unit() -> None:
    assert processing_time(3, "working_days") == "3 ngày làm việc"
    assert processing_time(15, "calendar_days") == "15 ngày"
    assert processing_time(8, "hours") == "8 giờ làm việc"
    assert processing_time(0, "calendar_days") == "trong ngày"


def test_receiving_name_is_a_setting_or_derived_from_the_unit_name() -> None:
    unit = UnitInfo(
        "u", "000.00.25.H01", "UBND XÃ MỸ HÒA HƯNG", "UBND TỈNH AN GIANG", "Mỹ Hòa Hưng"
    )
    assert receiving_name(unit) == "Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng"
    ward = dataclasses.replace(unit, name="UBND phường Long Xuyên")
    assert receiving_name(ward) == "Trung tâm Phục vụ hành chính công phường Long Xuyên"
    set_by_unit = dataclasses.replace(unit, receiving_name="Bộ phận Một cửa xã Mỹ Hòa Hưng")
    assert receiving_name(set_by_unit) == "Bộ phận Một cửa xã Mỹ Hòa Hưng"
    assert result_place_setting(unit, "2025") == "Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng"
    assert result_place_setting(unit, "2018") == "Bộ phận Một cửa"
    quay = dataclasses.replace(unit, result_place="Quầy số 3, Trung tâm PVHCC xã Mỹ Hòa Hưng")
    assert result_place_setting(quay, "2018") == "Quầy số 3, Trung tâm PVHCC xã Mỹ Hòa Hưng"


def test_dates_and_times_in_words() -> None:
    received = datetime(2026, 11, 28, 9, 5, tzinfo=ICT)
    due = datetime(2026, 12, 3, 9, 5, tzinfo=ICT)

    assert received_words(received) == "09 giờ 05 phút, ngày 28 tháng 11 năm 2026"
    assert due_words(due) == "09 giờ 05 phút, thứ Năm, ngày 03 tháng 12 năm 2026"
    assert place_date("Mỹ Hòa Hưng", date(2026, 1, 2)) == "Mỹ Hòa Hưng, ngày 02 tháng 01 năm 2026"
    assert short_date(date(2026, 12, 3)) == "03/12/2026"


def test_weekday_names_monday_to_sunday() -> None:
    monday = date(2026, 11, 30)
    names = [weekday(monday + timedelta(days=i)) for i in range(7)]
    assert names == ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


def test_processing_time() -> None:
    assert processing_time(3) == "3 ngày làm việc"
    assert processing_time(0) == "trong ngày"


def test_document_kinds() -> None:
    certified = DocumentLine("Căn cước công dân", "certified_copy", 1)
    original = DocumentLine("Tờ khai", "original", 1)

    assert document_name(certified) == "Căn cước công dân (chứng thực)"
    assert document_name(original) == "Tờ khai"
    assert not is_original(certified) and is_original(original)
    assert kind_name("copy") == "Bản sao"
    assert kind_name("certified_copy") == "Bản sao chứng thực"


def test_or_blank() -> None:
    assert or_blank("  ") == BLANK
    assert or_blank("0918") == "0918"


def test_clip_cuts_with_ellipsis_and_cleans() -> None:
    assert fonts.clip("abc", 10) == "abc"
    assert fonts.clip("a" * 20, 10) == "a" * 9 + "…"
    assert fonts.clip("dòng 1\ndòng\t2\x00", 50) == "dòng 1 dòng 2"


def test_clip_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    assert fonts.clip(decomposed, 100) == "Nguyễn Thị Ánh Tuyết"


def test_fit_width_keeps_short_text_and_cuts_long_text() -> None:
    name = "Nguyễn Thị Ánh Tuyết"
    assert fonts.fit_width(name, fonts.BOLD, 11, 200) == name

    cut = fonts.fit_width(name * 10, fonts.BOLD, 11, 130)
    assert cut.endswith("…")
    assert fonts.string_width(cut, fonts.BOLD, 11) <= 130
    assert len(cut) > 10


def test_assets_dir_holds_the_fonts() -> None:
    for face in (fonts.REGULAR, fonts.BOLD, fonts.ITALIC, fonts.BOLD_ITALIC):
        assert fonts.font_path(face).is_file()

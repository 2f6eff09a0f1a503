"""Dates on documents as Decree 30/2020/NĐ-CP writes them."""

from __future__ import annotations

from datetime import date

import pytest

from counter_app.domain.dates import document_date

MONTHS = ["01", "02", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize(("day", "day_text"), [(1, "01"), (9, "09"), (10, "10"), (31, "31")])
def test_every_month_and_edge_days(month: int, day: int, day_text: str) -> None:
    if day == 31 and month in (2, 4, 6, 9, 11):
        day = 28 if month == 2 else 30
        day_text = str(day)
    text = document_date(date(2026, month, day))
    assert text == f"ngày {day_text} tháng {MONTHS[month - 1]} năm 2026"


def test_examples_of_the_domain_notes() -> None:
    assert document_date(date(2025, 9, 12)) == "ngày 12 tháng 9 năm 2025"
    assert document_date(date(2026, 1, 2)) == "ngày 02 tháng 01 năm 2026"
    assert document_date(date(2026, 11, 30)) == "ngày 30 tháng 11 năm 2026"
    assert document_date(date(2026, 2, 9)) == "ngày 09 tháng 02 năm 2026"

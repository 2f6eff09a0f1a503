"""Dates written on official documents (Decree 30/2020/NĐ-CP, DOMAIN.md §3)."""

from __future__ import annotations

from datetime import date


def document_date(day: date) -> str:
    """A date as documents write it: "ngày 02 tháng 01 năm 2026", "ngày 12 tháng 9 năm 2025".

    Decree 30/2020/NĐ-CP: a day below 10 takes a leading zero; a month takes one only for
    January and February (so "tháng 01", "tháng 02", but "tháng 3" … "tháng 9").
    Every printed form writes its dates through this one function.
    """
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"

"""Dossier codes (DOMAIN.md §2) and which form set is in force on a date (DOMAIN.md §3)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.codes import (
    format_code,
    looks_like_code,
    parse_code,
    validate_agency_id,
)
from counter_app.domain.errors import ValidationError
from counter_app.domain.formsets import form_set_on, form_spec


def test_format_matches_the_official_examples() -> None:
    assert format_code("000.00.20.H01", date(2026, 11, 28), 1) == "000.00.20.H01-261128-0001"
    assert format_code("H15.50.05.13", date(2026, 10, 8), 975) == "H15.50.05.13-261008-0975"


def test_sequence_widens_to_five_digits_only_past_9999() -> None:
    assert format_code("000.00.20.H01", date(2026, 1, 2), 9999).endswith("-9999")
    assert format_code("000.00.20.H01", date(2026, 1, 2), 10000).endswith("-10000")
    with pytest.raises(ValidationError):
        format_code("000.00.20.H01", date(2026, 1, 2), 0)
    with pytest.raises(ValidationError):
        format_code("000.00.20.H01", date(2026, 1, 2), 100_000)


@pytest.mark.parametrize("bad", ["", "H01", "000-00-20-H01", "000.00.20.h01 x", "ĐÂ.00.20.H01"])
def test_agency_identifier_is_validated(bad: str) -> None:
    with pytest.raises(ValidationError):
        validate_agency_id(bad)


def test_agency_identifier_is_normalised() -> None:
    assert validate_agency_id(" 000.00.20.h01 ") == "000.00.20.H01"


@pytest.mark.parametrize(
    "bad", ["000.00.20.H01-261328-0001", "000.00.20.H01-261128-01", "x-261128-0001", "261128-0001"]
)
def test_parse_refuses_malformed_codes(bad: str) -> None:
    assert not looks_like_code(bad) or bad.split("-")[1][2:4] == "13"
    with pytest.raises(ValidationError):
        parse_code(bad)


agencies = st.sampled_from(["000.00.20.H01", "H15.50.05.13", "000.20.25.H01", "G03.10.01.H38"])
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
seqs = st.integers(min_value=1, max_value=99_999)


@given(agencies, days, seqs)
def test_codes_round_trip_and_are_ascii(agency: str, day: date, seq: int) -> None:
    code = format_code(agency, day, seq)
    assert code.isascii() and looks_like_code(code)
    parsed = parse_code(code)
    assert (parsed.agency_id, parsed.day, parsed.sequence) == (agency, day, seq)


@given(st.lists(st.tuples(agencies, days, seqs), min_size=2, max_size=50, unique=True))
def test_distinct_agency_day_sequence_give_distinct_codes(
    keys: list[tuple[str, date, int]],
) -> None:
    codes = [format_code(*k) for k in keys]
    assert len(set(codes)) == len(codes)


def test_form_set_switches_on_15_september_2025() -> None:
    assert form_set_on(date(2025, 9, 14)) == "2018"
    assert form_set_on(date(2025, 9, 15)) == "2025"
    assert form_spec("receipt", "2025").circular.endswith("03/2025/TT-VPCP")
    assert form_spec("control-sheet", "2018").number == "05"
    assert form_spec("control-sheet", "2025").number == "06"
    assert form_spec("register", "2025").number == "07"
    with pytest.raises(ValidationError):
        form_spec("stop-notice", "2018")  # Mẫu 05 stop notice is new in the 2025 set

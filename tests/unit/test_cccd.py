"""Unit tests for counter_app.domain.cccd: ID numbers, the card QR, phone and e-mail."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from counter_app.domain.cccd import (
    PROVINCE_CODES,
    CccdData,
    birth_century_sex,
    find_qr,
    parse_qr,
    to_qr,
    validate_email,
    validate_id_number,
    validate_phone,
)
from counter_app.domain.errors import ValidationError

TODAY = date(2026, 3, 10)
ADDRESS = "Số 12, đường Trần Hưng Đạo, Phường 1, Quận 5, TP. Hồ Chí Minh"
PAYLOAD = f"079090001234||Nguyễn Văn An|01011990|Nam|{ADDRESS}|15082021"


def field_error(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return exc.value.field_errors[field]


# --- ID number --------------------------------------------------------------------------


def test_province_table_has_the_63_pre_2025_provinces() -> None:
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["079"] == "Thành phố Hồ Chí Minh"
    assert PROVINCE_CODES["089"] == "An Giang"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert all(len(code) == 3 and "001" <= code <= "096" for code in PROVINCE_CODES)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("079090001234", "079090001234"),
        (" 079 090 001 234 ", "079090001234"),
        ("001305012345", "001305012345"),  # female, born 2005
        ("089200000001", "089200000001"),  # male, born 2000
    ],
)
def test_validate_id_number_accepts(raw: str, clean: str) -> None:
    assert validate_id_number(raw, today=TODAY) == clean


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "07909000123",  # 11 digits
        "0790900012345",  # 13 digits
        "07909000123A",
        "079-090-001234",
        "０７９０９０００１２３４",  # full-width digits
        "003090001234",  # no province 003
        "097090001234",  # above 096
        "000090001234",
        "079490001234",  # 22nd century: not plausible today
        "079990001234",
        "079227001234",  # born 2027, after TODAY
    ],
)
def test_validate_id_number_refuses(bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_id_number(bad, field="cccd", today=TODAY)
    assert field_error(exc, "cccd") == "id_number_invalid"


def test_validate_id_number_birth_year_this_year_is_fine() -> None:
    assert validate_id_number("079226001234", today=TODAY) == "079226001234"


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("079090001234", (1900, "Nam")),
        ("079190001234", (1900, "Nữ")),
        ("079205001234", (2000, "Nam")),
        ("079305001234", (2000, "Nữ")),
    ],
)
def test_birth_century_sex(number: str, expected: tuple[int, str]) -> None:
    assert birth_century_sex(number) == expected


# --- parse_qr ---------------------------------------------------------------------------


def test_parse_qr_realistic_payload() -> None:
    data = parse_qr(PAYLOAD, today=TODAY)
    assert data == CccdData(
        id_number="079090001234",
        old_id="",
        name="Nguyễn Văn An",
        birth_date=date(1990, 1, 1),
        sex="Nam",
        address=ADDRESS,
        issue_date=date(2021, 8, 15),
    )


def test_parse_qr_tolerates_whitespace_crlf_extra_fields_and_nfd() -> None:
    raw = unicodedata.normalize("NFD", f"  {PAYLOAD}|Nguyễn Văn B|Lê Thị C\r\n")
    data = parse_qr(raw, today=TODAY)
    assert data.name == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", data.address)
    assert data.address == ADDRESS
    assert data.issue_date == date(2021, 8, 15)


def test_parse_qr_old_id_and_female() -> None:
    raw = "001185000321|013456789|Trần Thị Bích|20121985|Nữ|Thôn 3, xã Mỹ Hòa Hưng|02032022"
    data = parse_qr(raw, today=TODAY)
    assert (data.old_id, data.sex, data.birth_date) == ("013456789", "Nữ", date(1985, 12, 20))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "field_count"),
        ("079090001234||Nguyễn Văn An|01011990|Nam|Số 12", "field_count"),
        ("Nguyễn Văn An", "field_count"),
        (PAYLOAD.replace("079090001234", "07909000123"), "id_number"),
        (PAYLOAD.replace("079090001234", "003090001234"), "id_number"),
        (PAYLOAD.replace("||", "|12345|"), "old_id"),
        (PAYLOAD.replace("|Nguyễn Văn An|", "||"), "name"),
        (PAYLOAD.replace("|Nguyễn Văn An|", "|Nguyễn 😀|"), "name"),
        (PAYLOAD.replace("01011990", "31021990"), "birth_date"),
        (PAYLOAD.replace("01011990", "1990-1-1"), "birth_date"),
        (PAYLOAD.replace("01011990", "01011991"), "birth_date"),  # ID says 1990
        (PAYLOAD.replace("|Nam|", "|X|"), "sex"),
        (PAYLOAD.replace("15082021", "15132021"), "issue_date"),
        (PAYLOAD.replace("15082021", "15082027"), "issue_date"),  # after TODAY
        (PAYLOAD.replace("15082021", "15081989"), "issue_date"),  # before birth
        (PAYLOAD.replace(ADDRESS, "Số 12\x00"), "address"),
    ],
)
def test_parse_qr_refuses_malformed(raw: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_qr(raw, today=TODAY)
    assert exc.value.code == "cccd_qr_invalid"
    assert exc.value.params["reason"] == reason


# --- find_qr ----------------------------------------------------------------------------


def test_find_qr_inside_surrounding_text() -> None:
    text = f"Nguyễn Văn {PAYLOAD}\r\nghi chú"
    span = find_qr(text)
    assert span == (11, 11 + len(PAYLOAD))
    assert text[span[0] : span[1]] == PAYLOAD


def test_find_qr_after_digits_already_typed() -> None:
    # A wedge scanner appends to the focused field: "0912" typed, then the scan.
    assert find_qr("0912" + PAYLOAD) == (4, 4 + len(PAYLOAD))


def test_find_qr_whole_field_and_extra_fields() -> None:
    assert find_qr(PAYLOAD) == (0, len(PAYLOAD))
    assert find_qr(PAYLOAD + "|Cha|Mẹ") == (0, len(PAYLOAD) + 7)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Nguyễn Văn An",
        "079090001234",
        "079090001234|Nguyễn Văn An|01011990",
        PAYLOAD + "9",  # 9-digit issue date
        PAYLOAD.replace("||", "|1234|"),
    ],
)
def test_find_qr_none(text: str) -> None:
    assert find_qr(text) is None


# --- round trip -------------------------------------------------------------------------

_VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằắặầấậèéẹềếệìíịòóọồốộờớợùúụừứựỳýỵĐÂƠƯÁ"


@st.composite
def cards(draw: st.DrawFn) -> CccdData:
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    century_digit = (0 if birth.year < 2000 else 2) + draw(st.integers(0, 1))
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    serial = draw(st.integers(0, 999_999))
    id_number = f"{province}{century_digit}{birth.year % 100:02d}{serial:06d}"
    word = st.text(alphabet=_VI_LETTERS, min_size=1, max_size=7)
    name = " ".join(draw(st.lists(word, min_size=1, max_size=5)))
    addr_word = st.text(alphabet=_VI_LETTERS + "0123456789,./-", min_size=1, max_size=10)
    address = " ".join(draw(st.lists(addr_word, max_size=8)))
    issue = draw(st.none() | st.dates(min_value=birth, max_value=TODAY))
    old_id = draw(st.sampled_from(["", "012345678", "123456789012"]))
    sex = ("Nam", "Nữ")[century_digit % 2]
    return CccdData(id_number, old_id, name, birth, sex, address, issue)


@given(cards())
def test_parse_qr_round_trips_generated_payloads(card: CccdData) -> None:
    assert parse_qr(to_qr(card), today=TODAY) == card


@given(cards(), st.sampled_from(["", "Họ tên: ", "abc "]), st.sampled_from(["", "\r\n", " ok"]))
def test_find_qr_finds_generated_payloads(card: CccdData, before: str, after: str) -> None:
    assume(card.issue_date is not None)  # the search wants the full seven fields
    payload = to_qr(card)
    span = find_qr(before + payload + after)
    assert span == (len(before), len(before) + len(payload))


# --- phone ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("091-234-5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("+840912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084 912345678", "0912345678"),
        ("0386 123 456", "0386123456"),
        ("0561234567", "0561234567"),
        ("0701234567", "0701234567"),
        ("0812345678", "0812345678"),
        ("(028) 3829 1234", "02838291234"),
        ("0296.3852.123", "02963852123"),
        ("+84 28 3829 1234", "02838291234"),
        ("842838291234", "02838291234"),
    ],
)
def test_validate_phone_accepts_and_normalises(raw: str, clean: str) -> None:
    assert validate_phone(raw) == clean


@pytest.mark.parametrize(
    "bad",
    [
        "0123456789",  # old 11-digit mobile prefix 01x, now 10 digits: invalid
        "01234567890",
        "091234567",  # 9 digits
        "09123456789",  # 11 digits mobile
        "0612345678",  # 06 is not a mobile prefix
        "0283829123",  # landline needs 11 digits
        "0912345678x",
        "+1 415 555 0100",
        "phone",
    ],
)
def test_validate_phone_refuses(bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_phone(bad, field="contact_phone")
    assert field_error(exc, "contact_phone") == "phone_invalid"


def test_validate_phone_empty_optional_or_required() -> None:
    assert validate_phone("   ") == ""
    with pytest.raises(ValidationError) as exc:
        validate_phone("", required=True)
    assert field_error(exc, "phone") == "required"


# --- e-mail -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("an.nguyen@example.vn", "an.nguyen@example.vn"),
        ("  An.Nguyen+hs@Mail.AnGiang.GOV.VN ", "An.Nguyen+hs@mail.angiang.gov.vn"),
        ("x@a-b.com", "x@a-b.com"),
    ],
)
def test_validate_email_accepts(raw: str, clean: str) -> None:
    assert validate_email(raw) == clean


@pytest.mark.parametrize(
    "bad",
    [
        "an",
        "an@",
        "@example.vn",
        "an@example",
        "an@@example.vn",
        "an nguyen@example.vn",
        "an..nguyen@example.vn",
        ".an@example.vn",
        "an@-example.vn",
        "an@example..vn",
        "an@example.v",
        "an@example.123",
        "nguyễn@example.vn",
        "a" * 65 + "@example.vn",
        "a@" + ".".join(["b" * 63] * 4) + ".vn",  # 259 chars
    ],
)
def test_validate_email_refuses(bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_email(bad)
    assert field_error(exc, "email") == "email_invalid"


def test_validate_email_optional() -> None:
    assert validate_email("  ") == ""
    with pytest.raises(ValidationError) as exc:
        validate_email("", required=True)
    assert field_error(exc, "email") == "required"


def test_the_birth_year_is_checked_against_the_given_day_never_the_pcs() -> None:
    born_2099 = "089299000001"  # century digit 2 (a man born in the 2000s), year 99
    assert validate_id_number(born_2099, today=date(2099, 1, 1)) == born_2099
    with pytest.raises(ValidationError):
        validate_id_number(born_2099, today=date(2098, 12, 31))
    # no day given: the structural check only (the CLI's check before the database is open;
    # the intake checks again on the context's clock), never the PC's own date
    assert validate_id_number(born_2099) == born_2099

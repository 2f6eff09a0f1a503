"""Unit tests for counter_app.domain.text: folding, collation, input cleaning."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.errors import ValidationError
from counter_app.domain.text import (
    clean_address,
    clean_name,
    clean_text,
    fold,
    search_tokens,
    vi_sort_key,
)


def field_error(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    assert exc.value.code == "invalid"
    return exc.value.field_errors[field]


# --- fold / search_tokens ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Nguyễn Thị Lan", "nguyen thi lan"),
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        ("  Trần\tHưng \n Đạo  ", "tran hung dao"),
        ("Ưng Hoàng Phúc", "ung hoang phuc"),
        ("ỨNG DỤNG", "ung dung"),
        ("", ""),
    ],
)
def test_fold_examples(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_decomposed_input_matches_composed() -> None:
    composed = "Phường Bến Thành"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert fold(decomposed) == fold(composed) == "phuong ben thanh"


@given(st.text())
def test_fold_is_idempotent(s: str) -> None:
    assert fold(fold(s)) == fold(s)


@given(st.text())
def test_fold_output_is_trimmed_single_spaced_without_d_stroke(s: str) -> None:
    folded = fold(s)
    assert "  " not in folded
    assert folded == folded.strip()
    assert "đ" not in folded


def test_search_tokens_split_dedupe_keep_order() -> None:
    assert search_tokens("Đăng ký, đăng-ký khai sinh! (Khai sinh)") == [
        "dang",
        "ky",
        "khai",
        "sinh",
    ]
    assert search_tokens("H15.50.05.13-261008-0975") == ["h15", "50", "05", "13", "261008", "0975"]
    assert search_tokens(" -- ") == []


# --- vi_sort_key ------------------------------------------------------------------------


def test_sort_brief_example() -> None:
    names = ["Đức", "Dung", "Ánh", "An", "Bình"]
    assert sorted(names, key=vi_sort_key) == ["An", "Ánh", "Bình", "Dung", "Đức"]


def test_sort_alphabet_letters_with_shape_marks_follow_base() -> None:
    words = ["ơ", "ô", "o", "đ", "d", "â", "ă", "a", "ư", "u", "ê", "e"]
    assert sorted(words, key=vi_sort_key) == [
        "a",
        "ă",
        "â",
        "d",
        "đ",
        "e",
        "ê",
        "o",
        "ô",
        "ơ",
        "u",
        "ư",
    ]


def test_sort_tones_are_secondary_in_dictionary_order() -> None:
    # none < huyền < hỏi < ngã < sắc < nặng; the letter always outranks the tone.
    words = ["bạ", "bá", "bã", "bả", "bà", "ba", "bă"]
    assert sorted(words, key=vi_sort_key) == ["ba", "bà", "bả", "bã", "bá", "bạ", "bă"]
    assert sorted(["Bá", "Bác", "Bà"], key=vi_sort_key) == ["Bà", "Bá", "Bác"]


def test_sort_is_case_insensitive_with_lowercase_first_on_ties() -> None:
    assert sorted(["an", "Bình", "An", "bình"], key=vi_sort_key) == ["an", "An", "bình", "Bình"]
    assert sorted(["ĐỨC", "dung"], key=vi_sort_key) == ["dung", "ĐỨC"]


def test_sort_full_names_and_foreign_letters() -> None:
    names = ["Nguyễn Văn Zung", "Nguyễn Văn An", "Nguyễn Văn", "Ngô Bảo Châu", "Fan"]
    assert sorted(names, key=vi_sort_key) == [
        "Fan",
        "Ngô Bảo Châu",
        "Nguyễn Văn",
        "Nguyễn Văn An",
        "Nguyễn Văn Zung",
    ]


def test_sort_key_ignores_normalisation_form() -> None:
    nfd = unicodedata.normalize("NFD", "Đặng Thùy Trâm")
    assert vi_sort_key(nfd)[:3] == vi_sort_key("Đặng Thùy Trâm")[:3]


@given(st.lists(st.text(), max_size=6))
def test_sort_key_gives_a_total_order(words: list[str]) -> None:
    once = sorted(words, key=vi_sort_key)
    assert sorted(reversed(once), key=vi_sort_key) == once


# --- clean_text -------------------------------------------------------------------------


def test_clean_text_trims_collapses_and_nfc_normalises() -> None:
    raw = unicodedata.normalize("NFD", "  Đăng   ký\tkhai  sinh \u00a0 ")
    assert clean_text(raw, "title", max_len=50) == "Đăng ký khai sinh"


def test_clean_text_multiline_keeps_newlines() -> None:
    raw = "  Dòng  một \r\n\r\n  dòng   hai\rdòng ba  \n"
    assert clean_text(raw, "note", max_len=100, multiline=True) == ("Dòng một\n\ndòng hai\ndòng ba")


def test_clean_text_single_line_refuses_inner_newline() -> None:
    with pytest.raises(ValidationError) as exc:
        clean_text("dòng một\ndòng hai", "title", max_len=100)
    assert field_error(exc, "title") == "control_chars"
    # Outer newlines (a pasted line) are simply trimmed.
    assert clean_text("\nmột dòng\r\n", "title", max_len=100) == "một dòng"


def test_clean_text_required_and_optional() -> None:
    for empty in (None, "", "   \t "):
        with pytest.raises(ValidationError) as exc:
            clean_text(empty, "title", max_len=10)
        assert field_error(exc, "title") == "required"
        assert clean_text(empty, "title", max_len=10, required=False) == ""


@pytest.mark.parametrize("value", [123, 4.5, b"bytes", ["a"]])
def test_clean_text_not_text(value: object) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_text(value, "title", max_len=10)
    assert field_error(exc, "title") == "not_text"


def test_clean_text_5000_chars_is_too_long() -> None:
    raw = "Nguyễn " * 715  # 5,005 chars
    with pytest.raises(ValidationError) as exc:
        clean_text(raw, "note", max_len=1000, multiline=True)
    assert field_error(exc, "note") == "too_long"
    assert exc.value.params["max_len"] == 1000


def test_clean_text_length_counts_after_cleaning() -> None:
    assert clean_text("  " + "a" * 10 + "  ", "f", max_len=10) == "a" * 10
    with pytest.raises(ValidationError) as exc:
        clean_text("a" * 11, "f", max_len=10)
    assert field_error(exc, "f") == "too_long"


def test_clean_text_accepts_a_long_valid_input() -> None:
    raw = "Số 12, đường Trần Hưng Đạo; " * 178  # 4,984 chars
    cleaned = clean_text(raw, "note", max_len=5000)
    assert cleaned == raw.strip()
    assert len(cleaned) == 4983


@pytest.mark.parametrize(
    "bad",
    [
        "An\x00",  # NUL
        "Ng\u200buyễn",  # zero-width space
        "Ng\u200duyễn",  # zero-width joiner
        "\ufeffNguyễn",  # BOM
        "abc\u202edcba",  # right-to-left override
        "abc\u2066x\u2069",  # bidi isolates
        "so\u00adft",  # soft hyphen
        "bell\x07",
        "esc\x1b[31m",
    ],
)
@pytest.mark.parametrize("multiline", [False, True])
def test_clean_text_refuses_control_and_format_chars(bad: str, multiline: bool) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_text(bad, "note", max_len=100, multiline=multiline)
    assert field_error(exc, "note") == "control_chars"


@pytest.mark.parametrize(
    "bad", ["Xin chào 😀", "☃ tuyết", "阮文安", "Nguyễn 👍🏽", "→ mũi tên", "١٢٣"]
)
def test_clean_text_refuses_characters_the_form_font_lacks(bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_text(bad, "note", max_len=100)
    assert field_error(exc, "note") == "unsupported_chars"


@pytest.mark.parametrize(
    "ok",
    [
        "'; DROP TABLE x;--",
        'Robert"); DELETE FROM dossiers; --',
        "Diện tích 150 m², nhiệt độ 30°C",
        "“Trích lục” – bản sao… (02 bản) #1 + 50% @ 10/2026! ?",
        "Hồ sơ & giấy tờ: CMND/CCCD; số 12-A",
    ],
)
def test_clean_text_keeps_ordinary_and_sql_looking_text(ok: str) -> None:
    assert clean_text(ok, "note", max_len=200) == ok


# --- clean_name / clean_address ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  nguyễn   văn  an ", "nguyễn văn an"),
        ("H'Hen Niê", "H'Hen Niê"),
        ("Lê-Nguyễn Bảo Ngọc", "Lê-Nguyễn Bảo Ngọc"),
        ("Tr. Thị Ánh", "Tr. Thị Ánh"),
        ("ĐOÀN THỊ ĐIỂM", "ĐOÀN THỊ ĐIỂM"),
    ],
)
def test_clean_name_accepts_names(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


@pytest.mark.parametrize("bad", ["An 2", "An@home", "An, Bình", "Anh (chị)", "An;--", "An 😀"])
def test_clean_name_refuses_non_name_characters(bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_name(bad, field="applicant_name")
    assert field_error(exc, "applicant_name") == "unsupported_chars"


def test_clean_name_is_required_and_at_most_100_chars() -> None:
    with pytest.raises(ValidationError) as exc:
        clean_name("  ")
    assert field_error(exc, "name") == "required"
    assert clean_name("A" * 100) == "A" * 100
    with pytest.raises(ValidationError) as exc:
        clean_name("A" * 101)
    assert field_error(exc, "name") == "too_long"


def test_clean_address_optional_and_at_most_300_chars() -> None:
    assert clean_address(None) == ""
    assert clean_address("  Số 12,  Quận 5 ") == "Số 12, Quận 5"
    assert len(clean_address("x" * 300)) == 300
    with pytest.raises(ValidationError) as exc:
        clean_address("x" * 301)
    assert field_error(exc, "address") == "too_long"


def test_name_keys_are_words_and_order_free_pairs() -> None:
    from counter_app.domain.text import name_keys, pair_key

    assert name_keys("Phạm Thị Hoa") == ["pham", "thi", "hoa", "pham thi", "hoa pham", "hoa thi"]
    assert pair_key("thi", "hoa") == pair_key("hoa", "thi") == "hoa thi"
    assert name_keys("An An") == ["an"]  # repeated words count once, and pair with nothing
    long = "A" * 30 + " " + "B" * 30
    assert name_keys(long) == ["a" * 30, "b" * 30]  # a 61-character pair is left out

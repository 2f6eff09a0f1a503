"""Issue 16: the streets and hamlets of the unit's commune that several applicants gave are
offered by their first letters, from any word ("my hoa" finds "ấp Mỹ Hòa")."""

from __future__ import annotations

from counter_app.domain.text import search_tokens
from counter_app.services.address_entry import Place, match_places


def _place(street: str, people: int) -> Place:
    return Place(street, tuple(search_tokens(street)), people)


PLACES = (
    _place("ấp Mỹ Hòa", 40),
    _place("Tổ 5, ấp Mỹ Hòa", 6),
    _place("ấp Mỹ Long", 12),
    _place("Số 12 Trần Hưng Đạo", 2),
)


def _streets(typed: str, limit: int = 8) -> list[str]:
    return [p.street for p in match_places(PLACES, typed, limit)]


def test_words_start_words_in_order_from_any_word() -> None:
    assert _streets("my hoa") == ["ấp Mỹ Hòa", "Tổ 5, ấp Mỹ Hòa"]
    assert _streets("Mỹ") == ["ấp Mỹ Hòa", "Tổ 5, ấp Mỹ Hòa", "ấp Mỹ Long"]
    assert _streets("to 5 my") == ["Tổ 5, ấp Mỹ Hòa"]
    assert _streets("ap my l") == ["ấp Mỹ Long"]
    assert _streets("tran hung") == ["Số 12 Trần Hưng Đạo"]


def test_out_of_order_or_too_short_finds_nothing() -> None:
    assert _streets("hoa my") == []
    assert _streets("m") == []
    assert _streets("") == []
    assert _streets(", ,") == []


def test_at_most_the_limit_in_the_given_order() -> None:
    assert _streets("my", limit=2) == ["ấp Mỹ Hòa", "Tổ 5, ấp Mỹ Hòa"]

"""Several numbers in one statement (issue 17): next_numbers draws from different counters
as next_number would one by one, and next_number(count=n) hands out n in a row."""

from __future__ import annotations

import pytest

from counter_app.domain.errors import ValidationError
from counter_app.services.numbering import Draw, next_number, next_numbers
from counter_app.services.units import local_unit


def test_many_counters_in_one_upsert_number_as_one_by_one(demo_db, make_context):
    ctx = make_context(demo_db)
    with ctx.uow.write() as s:
        unit = local_unit(s).id
        draws = [Draw("t-code", "261202", start=501, end=600), Draw("t-book", "2026")]
        assert next_numbers(s, unit, draws) == [501, 1]  # new counters start at `start`
        assert next_numbers(s, unit, draws) == [502, 2]
        # a counter below the range's start jumps to it, as next_number does
        assert next_numbers(s, unit, [Draw("t-book", "2026", start=40), draws[0]]) == [40, 503]
        assert next_number(s, unit, "t-code", "261202", start=501, end=600) == 504
        assert next_numbers(s, unit, [draws[1]]) == [41]


def test_a_counter_past_its_end_refuses_the_whole_draw(demo_db, make_context):
    ctx = make_context(demo_db)
    with pytest.raises(ValidationError) as err, ctx.uow.write() as s:
        unit = local_unit(s).id
        draws = [Draw("t-ok", "1"), Draw("t-full", "1", start=5, end=5)]
        assert next_numbers(s, unit, draws) == [1, 5]
        next_numbers(s, unit, draws)
    assert err.value.code == "sequence_exhausted"
    with ctx.uow.write() as s:  # rolled back: nothing was drawn
        assert next_numbers(s, unit, [Draw("t-ok", "1")]) == [1]


def test_count_draws_consecutive_numbers_and_returns_the_last(demo_db, make_context):
    ctx = make_context(demo_db)
    with ctx.uow.write() as s:
        unit = local_unit(s).id
        assert next_number(s, unit, "t-out", "-", start=10, count=2) == 11  # 10, 11
        assert next_number(s, unit, "t-out", "-", count=3) == 14  # 12, 13, 14
        assert next_number(s, unit, "t-out", "-", start=20, count=2) == 21  # jumps to 20
        assert next_number(s, unit, "t-out", "-") == 22

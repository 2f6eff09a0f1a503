"""The rating scales and the report's `ratings` shape (domain/ratings.py)."""

from __future__ import annotations

import pytest

from counter_app.domain import ratings as r
from counter_app.domain.errors import ValidationError


def test_levels_run_from_the_worst_to_the_best_with_one_word_per_key() -> None:
    assert [r.level_key(3, n) for n in (1, 2, 3)] == ["khong_hai_long", "hai_long", "rat_hai_long"]
    assert [r.level_word(5, n) for n in (1, 3, 5)] == [
        "Rất không hài lòng",
        "Bình thường",
        "Rất hài lòng",
    ]
    # the same word is the same key on both scales
    assert r.level_key(3, 2) == r.level_key(5, 4) == "hai_long"


def test_the_report_shape_keeps_the_scales_keys_and_adds_the_others_used() -> None:
    assert r.ratings_row({}) == {"rat_hai_long": 0, "hai_long": 0, "khong_hai_long": 0}
    assert list(r.ratings_row({}, 5)) == list(r.ORDER)
    mixed = r.ratings_row({"binh_thuong": 2, "hai_long": 1}, 3)
    assert mixed == {"rat_hai_long": 0, "hai_long": 1, "binh_thuong": 2, "khong_hai_long": 0}
    assert r.ratings_text(mixed) == "Rất hài lòng 0, Hài lòng 1, Bình thường 2, Không hài lòng 0"
    assert r.add_counts({"hai_long": 1}, {"hai_long": 2, "rat_hai_long": 1}) == {
        "hai_long": 3,
        "rat_hai_long": 1,
    }


@pytest.mark.parametrize(
    ("check", "value", "code"),
    [
        (lambda: r.check_scale(4), 4, "rating_scale_invalid"),
        (lambda: r.check_timeout(4), 4, "rating_timeout_invalid"),
        (lambda: r.check_timeout(601), 601, "rating_timeout_invalid"),
        (lambda: r.check_level(0, 3), 0, "rating_level_invalid"),
        (lambda: r.check_level(4, 3), 4, "rating_level_invalid"),
    ],
)
def test_bad_settings_and_levels_are_refused(check, value, code) -> None:
    with pytest.raises(ValidationError) as exc:
        check()
    assert exc.value.code == code
    assert r.check_level(5, 5) == 5 and r.check_scale(5) == 5 and r.check_timeout(600) == 600

"""Citizen ratings (DOMAIN.md §6, Decision 766/QĐ-TTg): the scales, level names and words.

A level is stored as a number from 1 (the worst) to the scale (the best), with the scale
it was given on. Reports name levels by a stable key, the same word on both scales:

    3 levels: 1 khong_hai_long, 2 hai_long, 3 rat_hai_long
    5 levels: 1 rat_khong_hai_long, 2 khong_hai_long, 3 binh_thuong, 4 hai_long, 5 rat_hai_long

so a unit that moves from 3 to 5 levels keeps adding "hai_long" to "hai_long". A report's
`ratings` holds the keys of the unit's scale (zeros included) plus any other key that has
ratings, best first (`ratings_row`).
"""

from __future__ import annotations

from collections.abc import Mapping

from counter_app.domain.errors import ValidationError

SCALES = (3, 5)
DEFAULT_SCALE = 3
DEFAULT_TIMEOUT_S = 30
TIMEOUT_RANGE = (5, 600)  # seconds the rating screen waits for a touch
SOURCES = ("screen", "keypad", "cli")

LEVEL_KEYS: dict[int, tuple[str, ...]] = {
    3: ("khong_hai_long", "hai_long", "rat_hai_long"),
    5: ("rat_khong_hai_long", "khong_hai_long", "binh_thuong", "hai_long", "rat_hai_long"),
}
# Every key, best first: the order of a report's `ratings`.
ORDER = ("rat_hai_long", "hai_long", "binh_thuong", "khong_hai_long", "rat_khong_hai_long")
WORDS = {
    "rat_hai_long": "Rất hài lòng",
    "hai_long": "Hài lòng",
    "binh_thuong": "Bình thường",
    "khong_hai_long": "Không hài lòng",
    "rat_khong_hai_long": "Rất không hài lòng",
}


def check_scale(scale: int) -> int:
    if scale not in SCALES:
        raise ValidationError("rating_scale_invalid", value=scale)
    return scale


def check_timeout(seconds: int) -> int:
    lo, hi = TIMEOUT_RANGE
    if not lo <= seconds <= hi:
        raise ValidationError("rating_timeout_invalid", value=seconds, lo=lo, hi=hi)
    return seconds


def check_level(level: int, scale: int) -> int:
    if not 1 <= level <= scale:
        raise ValidationError("rating_level_invalid", level=level, scale=scale)
    return level


def level_key(scale: int, level: int) -> str:
    return LEVEL_KEYS[scale][level - 1]


def level_word(scale: int, level: int) -> str:
    return WORDS[level_key(scale, level)]


def ratings_row(counts: Mapping[str, int], scale: int = DEFAULT_SCALE) -> dict[str, int]:
    """A report's `ratings`: {key: count} best first, the scale's keys always present."""
    shown = set(LEVEL_KEYS.get(scale, LEVEL_KEYS[DEFAULT_SCALE]))
    return {k: int(counts.get(k, 0)) for k in ORDER if k in shown or counts.get(k, 0)}


def add_counts(into: dict[str, int], counts: Mapping[str, int]) -> dict[str, int]:
    for k, n in counts.items():
        into[k] = into.get(k, 0) + int(n)
    return into


def ratings_text(counts: Mapping[str, int]) -> str:
    """'Rất hài lòng 2, Hài lòng 1, Không hài lòng 0' (a report's `ratings`, in its order)."""
    return ", ".join(f"{WORDS[k]} {int(n)}" for k, n in counts.items() if k in WORDS)

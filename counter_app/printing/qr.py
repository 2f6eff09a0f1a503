"""A QR code's modules with the mask the standard's penalty rules pick: segno's symbol in
half segno's time.

segno chooses the mask (ISO/IEC 18004:2015 7.8.3: the lowest penalty of the eight) by
masking and scoring the matrix module by module in Python: about 2 ms of the 2.6 ms a
folder label's code takes on this machine, and every label has a new code. Here segno encodes the
symbol once with mask 0; the data modules are unmasked again, the eight masked variants
are rows held as integers (one byte per module, so a whole row is masked by one XOR), and
the four penalties are counted with bytes and bit operations. The scores are segno's own
(its N3 rule included, which is stricter at the quiet zone than some encoders), so the
mask and the modules are exactly segno's: tests/unit/test_qr.py compares them over
thousands of codes. The format information is then written by segno's own function.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from itertools import pairwise
from typing import Any

import segno
from segno import consts
from segno import encoder as _encoder

# segno's encoder module is its internals (untyped): the steps make_qr runs, called the same
encoder: Any = _encoder

_MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)
_RUN = re.compile(rb"\x00{5,}|\x01{5,}")
_FINDER_LIKE = b"\x01\x00\x01\x01\x01\x00\x01"


@cache
def _layout(size: int) -> tuple[tuple[int, ...], tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """For a symbol of `size` modules, rows as integers of one byte per module: where the
    data goes (1), the rows as segno holds them when it scores the masks with no data yet
    (finder, timing and alignment patterns; format and version areas light), and for each
    mask the data modules it flips (1)."""
    matrix = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(matrix, size, size)
    encoder.add_alignment_patterns(matrix, size, size)

    def row_int(values: object) -> int:
        return int.from_bytes(bytes(values), "big")  # type: ignore[call-overload]

    data = tuple(row_int(1 if v == 2 else 0 for v in row) for row in matrix)
    fixed = tuple(row_int(0 if v == 2 else v for v in row) for row in matrix)
    masks = tuple(
        tuple(
            row_int(1 if row[j] == 2 and flips(i, j) else 0 for j in range(size))
            for i, row in enumerate(matrix)
        )
        for flips in _MASKS
    )
    return data, fixed, masks


def qr_modules(text: str) -> tuple[bytearray, ...]:
    """The modules of `text` as a QR code (1 = dark), error correction Q, the smallest
    version: the matrix segno.make_qr(text, error="q", boost_error=False) makes."""
    symbol = segno.make_qr(text, error="q", boost_error=False, mask=0)
    size = len(symbol.matrix)
    where, fixed, masks = _layout(size)
    # the rows as segno scores them: the data modules unmasked (mask 0 undone), the fixed
    # patterns, the format areas light
    plain = [
        (int.from_bytes(row, "big") ^ m0) & w | f
        for row, m0, w, f in zip(symbol.matrix, masks[0], where, fixed, strict=True)
    ]
    best, best_score = 0, -1
    for k, mask in enumerate(masks):
        score = _penalty([p ^ m for p, m in zip(plain, mask, strict=True)], size)
        if best_score < 0 or score < best_score:  # the first of equals wins, as in segno
            best, best_score = k, score
    out = tuple(
        bytearray((p ^ m).to_bytes(size, "big")) for p, m in zip(plain, masks[best], strict=True)
    )
    encoder.add_format_info(out, symbol.version, consts.ERROR_MAPPING["Q"], best)
    encoder.add_version_info(out, symbol.version)
    return out


def _penalty(row_ints: list[int], size: int) -> int:
    """N1 + N2 + N3 + N4 of ISO/IEC 18004:2015 Table 11, counted as segno counts them, over
    the rows given as integers of one byte (0 or 1) per module."""
    rows = [r.to_bytes(size, "big") for r in row_ints]
    lines = rows + [bytes(c) for c in zip(*rows, strict=True)]
    # N1: runs of five or more of one colour, in rows and columns (a 2 keeps lines apart)
    runs = _RUN.findall(b"\x02".join(lines))
    n1 = sum(map(len, runs)) - 2 * len(runs)
    # N2: 2×2 blocks of one colour, each byte's bit 0 a module
    ones = _ONES[size]
    n2 = 0
    for above, row in pairwise(row_ints):
        same_column = ~(above ^ row) & ones
        same_row = ~(row ^ (row >> 8)) & (ones >> 8)
        n2 += (same_column & (same_column >> 8) & same_row).bit_count()
    # N3: 1:1:3:1:1 with four light modules before or after. segno counts a pattern at
    # either end of a line, and looks only at the modules there are before or after it;
    # four light modules around each line do the same, one search for all the lines.
    joined = _LIGHT4 + _LIGHT4.join(lines) + _LIGHT4
    n3 = 0
    at = joined.find(_FINDER_LIKE)
    while at != -1:
        after = at + 7
        if joined[at - 4 : at] == _LIGHT4 or joined[after : after + 4] == _LIGHT4:
            n3 += 40
        else:  # the next possible start: the 1:1:3 part's last dark module
            after = at + 4
        at = joined.find(_FINDER_LIKE, after)
    # N4: how far the dark share is from half, in steps of 5 %
    dark = sum(r.count(1) for r in rows)
    n4 = 10 * int(abs(dark / size**2 * 100 - 50) / 5)
    return n1 + 3 * n2 + n3 + n4


_LIGHT4 = b"\x00" * 4
_ONES = {size: int.from_bytes(b"\x01" * size, "big") for size in range(21, 178, 4)}

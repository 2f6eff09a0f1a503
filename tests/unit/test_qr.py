"""printing/qr: the modules are exactly segno's, mask included, for our codes and for any
text that fits a QR code (versions 1 to 10 here: with and without alignment patterns and
version information)."""

from __future__ import annotations

import random
import string

import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.printing.qr import qr_modules


def _same_as_segno(text: str) -> segno.QRCode:
    ref = segno.make_qr(text, error="q", boost_error=False)
    assert tuple(map(bytes, qr_modules(text))) == tuple(map(bytes, ref.matrix)), text
    return ref


def test_dossier_codes_are_segnos_symbols_mask_for_mask() -> None:
    rng = random.Random(17)
    codes = [
        f"000.{rng.randrange(100):02d}.{rng.randrange(10, 100)}.H{rng.randrange(1, 100):02d}"
        f"-{rng.randrange(24, 27)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        f"-{rng.randrange(1, 100000):0{rng.choice((4, 5))}d}"
        for _ in range(600)
    ]
    masks = {_same_as_segno(code).mask for code in codes}
    assert len(masks) >= 6  # the codes exercise most masks, not one


def test_texts_of_every_length_up_to_version_10() -> None:
    rng = random.Random(3)
    alphabet = string.ascii_letters + string.digits + " -./:%$*+"
    versions = set()
    for length in range(1, 160):
        text = "".join(rng.choice(alphabet) for _ in range(length))
        versions.add(_same_as_segno(text).version)
    assert {1, 2, 6, 7, 10} <= versions  # no alignment (1), alignment (2+), version info (7+)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(min_codepoint=32, max_codepoint=0x1EF9), min_size=1, max_size=60))
def test_any_text(text: str) -> None:
    _same_as_segno(text)

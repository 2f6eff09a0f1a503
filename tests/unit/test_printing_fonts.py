"""The seeded TTF faces: the same subset codes as reportlab's own splitting, in every document."""

from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from counter_app.printing import fonts

# seeded letters, ASCII, the no-break space, and letters the face has but the seed lacks
# (Greek, Cyrillic, Latin Extended-A: enough of them to open a second subset)
_OTHERS = "".join(map(chr, [*range(0x391, 0x3C9), *range(0x410, 0x44F), *range(0x100, 0x17F)]))
_ALPHABET = fonts.SEED + "".join(map(chr, range(32, 127))) + "\u00a0" + _OTHERS + "漢"


class _Doc:
    """A stand-in for a reportlab document: the faces key their per-document state by it."""


def _reportlab_split(face: fonts.SeededTTFont, texts: list[str]) -> list[object]:
    """reportlab's own splitting, after the seed, in a document of its own."""
    doc = _Doc()
    TTFont.splitString(face, face._seed, doc)
    return [TTFont.splitString(face, t, doc) for t in texts]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET, max_size=80), min_size=1, max_size=12))
def test_split_matches_reportlab(texts: list[str]) -> None:
    fonts.register_fonts()
    face = pdfmetrics.getFont(fonts.REGULAR)
    for _ in range(2):  # the first document seeds the face, the second copies the seed
        doc = _Doc()
        assert [face.splitString(t, doc) for t in texts] == _reportlab_split(face, texts)


def _page() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=True, initialFontName=fonts.REGULAR)
    for i, text in enumerate(["Cộng hòa xã hội", _OTHERS, "Độc lập\u00a0- Tự do", _OTHERS[::-1]]):
        canvas.setFont(fonts.BOLD if i % 2 else fonts.REGULAR, 8)
        canvas.drawString(10, 800 - 10 * i, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_every_document_gets_the_same_bytes() -> None:
    fonts.register_fonts()
    first = _page()
    assert _page() == first
    assert re.search(rb"/F\d+\+1 ", first)  # the letters outside the seed opened a 2nd subset


def test_the_font_objects_formatted_once_are_the_bytes_formatted_anew(monkeypatch) -> None:
    """Forms in a row (other procedures, people, letters beyond the seed) embed their fonts
    with bytes kept from an earlier form when the font, its subset and the objects it names
    are the same: each PDF is byte for byte the PDF formatted from scratch."""
    import dataclasses

    from reportlab import rl_config
    from test_printing_labels import make_dossier

    from counter_app.domain.model import Applicant, DocumentLine
    from counter_app.printing.forms import render_receipt, render_supplement

    monkeypatch.setattr(rl_config, "invariant", 1)  # no dates or random ids in the files
    base = make_dossier()
    forms = [
        lambda: render_receipt(base),
        lambda: render_receipt(dataclasses.replace(base, applicant=Applicant("Trần Thị Bảy"))),
        lambda: render_receipt(dataclasses.replace(base, applicant=Applicant("Ωmega Ngô"))),
        lambda: render_supplement(
            dataclasses.replace(
                base, documents=(DocumentLine("Tờ khai", "original", 1, received=False),)
            )
        ),
        lambda: render_receipt(base),
    ]
    fonts._FORMATTED.clear()
    kept = [make() for make in forms]
    # a font and its descriptor per face and form; the last form (the first one again) took
    # all of its from the memo, others some
    formatted = 2 * sum(pdf.count(b"/Type /FontDescriptor") for pdf in kept)
    last = 2 * kept[-1].count(b"/Type /FontDescriptor")
    assert 0 < len(fonts._FORMATTED) <= formatted - last
    for make, pdf in zip(forms, kept, strict=True):
        fonts._FORMATTED.clear()
        assert make() == pdf

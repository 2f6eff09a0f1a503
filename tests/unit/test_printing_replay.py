"""Shared blocks of the forms: operators recorded once, copied into later documents unchanged."""

from __future__ import annotations

import dataclasses
import io

from pypdf import PdfReader
from pypdf.generic import StreamObject
from test_printing_labels import make_dossier

from counter_app.domain.model import DocumentLine
from counter_app.printing import layout
from counter_app.printing.forms import render_receipt, render_supplement


def _streams(pdf: bytes) -> list[bytes]:
    """Every stream of `pdf`, decoded, in object order: the PDF without its dates and ids."""
    reader = PdfReader(io.BytesIO(pdf))
    objects = (reader.get_object(n) for n in range(1, reader.trailer["/Size"]))
    return [obj.get_data() for obj in objects if isinstance(obj, StreamObject)]


_DOCUMENTS = (
    DocumentLine("Tờ khai đăng ký khai sinh", "original", 1),
    DocumentLine("Giấy chứng sinh", "copy", 1, received=False),
)


def _fresh() -> None:
    """Forget the shared blocks (and their recordings): the next document draws them anew."""
    for cached in (layout.form_note, layout.header, layout.title, layout._signature_pair):
        cached.cache_clear()


def test_replayed_blocks_give_the_bytes_drawing_gives() -> None:
    d = dataclasses.replace(make_dossier(), documents=_DOCUMENTS)
    _fresh()
    drawn = [_streams(render_receipt(d)) for _ in range(2)]  # records, then confirms
    replayed = [_streams(render_receipt(d)) for _ in range(2)]
    assert drawn[0] == drawn[1] == replayed[0] == replayed[1]
    header = layout.header(d.unit, d.received_at.date(), d.form_set)
    assert [r.trusted for r in header._recordings.values() if r] == [True]
    # another form draws the same header in another document: same bytes as drawn afresh
    supplement = _streams(render_supplement(d))
    _fresh()
    assert _streams(render_supplement(d)) == supplement


def test_letters_outside_the_seed_are_drawn_every_time() -> None:
    unit = dataclasses.replace(make_dossier().unit, place_name="Ωmega Đà Lạt")
    d = dataclasses.replace(make_dossier(), unit=unit)
    _fresh()
    pdfs = [_streams(render_receipt(d)) for _ in range(3)]
    assert pdfs[0] == pdfs[1] == pdfs[2]
    header = layout.header(d.unit, d.received_at.date(), d.form_set)
    assert list(header._recordings.values()) == [None]  # never replayed

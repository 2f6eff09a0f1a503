"""Shared blocks of the forms: operators recorded once, copied into later documents unchanged."""

from __future__ import annotations

import dataclasses
import io

from pypdf import PdfReader
from pypdf.generic import StreamObject
from test_printing_labels import make_dossier

from counter_app.domain.model import Applicant, DocumentLine
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
    for cached in (
        layout.form_note,
        layout.header,
        layout.title,
        layout._signature_pair,
        layout.shared_line,
        layout.shared_para,
        layout.shared_grid,
    ):
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


def test_a_procedures_lines_and_table_are_shared_and_never_the_applicants(monkeypatch) -> None:
    """Receipts of one procedure for different people: the documents' table and the
    procedure's lines are laid out and drawn twice (recorded, confirmed) and then copied;
    each receipt has the bytes it has when drawn afresh; the applicant's lines (name,
    address, phone) are never kept in the shared blocks."""
    from reportlab.platypus.tables import Table

    base = dataclasses.replace(make_dossier(), documents=_DOCUMENTS)
    people = [
        dataclasses.replace(
            base,
            code=f"000.00.25.H01-261128-{n:04d}",
            applicant=Applicant(name, phone=f"09{n:08d}", address=f"Tổ {n}, ấp Mỹ An"),
        )
        for n, name in enumerate(
            ("Lê Văn Sáu", "Trần Thị Bảy", "Phạm Minh Tám", "Võ Thị Chín", "Đỗ Văn Mười"), 1
        )
    ]
    grids_drawn: list[int] = []
    real_draw = Table.draw

    def counting_draw(self: Table) -> None:
        if len(self._cellvalues) > 1 and len(self._cellvalues[0]) == 5:  # the documents' grid
            grids_drawn.append(1)
        real_draw(self)

    monkeypatch.setattr(Table, "draw", counting_draw)
    _fresh()
    pdfs = [_streams(render_receipt(d)) for d in people]
    shared = [c.cache_info().currsize for c in (layout.shared_line, layout.shared_grid)]
    assert len(grids_drawn) == 2  # recorded, confirmed; three receipts copied it
    _fresh()
    render_receipt(people[0])
    # another four people add no shared line or table: their own lines are not shared
    assert [c.cache_info().currsize for c in (layout.shared_line, layout.shared_grid)] == shared
    for d, pdf in zip(people, pdfs, strict=True):
        _fresh()
        assert _streams(render_receipt(d)) == pdf  # drawn afresh: the same bytes

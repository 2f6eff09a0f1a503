"""Shared blocks of the forms: operators recorded once, copied into later documents unchanged."""

from __future__ import annotations

import dataclasses

from form_blocks import forget_shared_blocks, streams
from test_printing_labels import make_dossier

from counter_app.domain.model import Applicant, DocumentLine
from counter_app.printing import layout
from counter_app.printing.forms import render_receipt, render_supplement

_DOCUMENTS = (
    DocumentLine("Tờ khai đăng ký khai sinh", "original", 1),
    DocumentLine("Giấy chứng sinh", "copy", 1, received=False),
)


def test_replayed_blocks_give_the_bytes_drawing_gives() -> None:
    d = dataclasses.replace(make_dossier(), documents=_DOCUMENTS)
    forget_shared_blocks()
    drawn = [streams(render_receipt(d)) for _ in range(2)]  # records, then confirms
    replayed = [streams(render_receipt(d)) for _ in range(2)]
    assert drawn[0] == drawn[1] == replayed[0] == replayed[1]
    header = layout.header(d.unit, d.received_at.date(), d.form_set)
    assert [r.trusted for r in header._recordings.values() if r] == [True]
    # another form draws the same header in another document: same bytes as drawn afresh
    supplement = streams(render_supplement(d))
    forget_shared_blocks()
    assert streams(render_supplement(d)) == supplement


def test_letters_outside_the_seed_are_drawn_every_time() -> None:
    unit = dataclasses.replace(make_dossier().unit, place_name="Ωmega Đà Lạt")
    d = dataclasses.replace(make_dossier(), unit=unit)
    forget_shared_blocks()
    pdfs = [streams(render_receipt(d)) for _ in range(3)]
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
    forget_shared_blocks()
    pdfs = [streams(render_receipt(d)) for d in people]
    shared = [c.cache_info().currsize for c in (layout.shared_line, layout.shared_grid)]
    assert len(grids_drawn) == 2  # recorded, confirmed; three receipts copied it
    forget_shared_blocks()
    render_receipt(people[0])
    # another four people add no shared line or table: their own lines are not shared
    assert [c.cache_info().currsize for c in (layout.shared_line, layout.shared_grid)] == shared
    for d, pdf in zip(people, pdfs, strict=True):
        forget_shared_blocks()
        assert streams(render_receipt(d)) == pdf  # drawn afresh: the same bytes

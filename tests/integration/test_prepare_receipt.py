"""Issue 17: a procedure's receipt laid out ahead (printjobs.prepare_intake_paper, which the
window runs when the clerk picks the procedure): the save's receipt then copies every block
it shares with other receipts (the unit's header, the procedure's lines and documents'
table, the clerk's signatures) instead of drawing it, and has the bytes it has drawn
afresh. Without it, a procedure's first two receipts drew them whole (+3.5 / +1.5 ms)."""

from __future__ import annotations

import pytest
from form_blocks import forget_shared_blocks, streams
from reportlab.platypus.tables import Table

from counter_app.domain.errors import NotFound
from counter_app.printing import layout
from counter_app.printing.forms import render_receipt
from counter_app.services.intake import parse_intake, register
from counter_app.services.printjobs import prepare_intake_paper
from counter_app.services.views import sample_view


@pytest.fixture
def shared_tables_drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many shared tables (header, documents' table, signatures) were drawn, not copied."""
    drawn: list[int] = []
    real_draw = Table.draw

    def counting_draw(self: Table) -> None:
        if isinstance(self, layout.SharedTable):
            drawn.append(1)
        real_draw(self)

    monkeypatch.setattr(Table, "draw", counting_draw)
    return drawn


@pytest.mark.parametrize("prepared", [True, False])
def test_a_prepared_procedures_first_receipt_copies_its_shared_blocks(
    demo_db, make_context, clock, itest, shared_tables_drawn, prepared
) -> None:
    ctx = make_context(demo_db)
    ctx.clock = clock
    payload = {**itest.payload(), "documents": None}  # the whole checklist handed in
    forget_shared_blocks()
    if prepared:
        prepare_intake_paper(ctx, payload["procedure"], "canbo1")
        assert len(shared_tables_drawn) == 6  # 3 tables, drawn twice: recorded, confirmed
        shared_tables_drawn.clear()
    [view] = register(ctx, [parse_intake(payload)], "canbo1")
    pdf = streams(render_receipt(view))
    # prepared: nothing drawn; not prepared, the first receipt draws all three
    assert len(shared_tables_drawn) == (0 if prepared else 3)
    forget_shared_blocks()
    assert streams(render_receipt(view)) == pdf  # drawn afresh: the same bytes


def test_the_sample_is_the_procedure_received_now_by_the_clerk(
    demo_db, make_context, clock, itest
) -> None:
    ctx = make_context(demo_db)
    ctx.clock = clock
    payload = {**itest.payload(), "documents": None}
    [view] = register(ctx, [parse_intake(payload)], "canbo1")
    sample = sample_view(ctx, payload["procedure"], "canbo1")
    assert sample.procedure == view.procedure and sample.unit == view.unit
    assert sample.documents == view.documents and sample.form_set == view.form_set
    assert sample.received_by == view.received_by != ""
    assert sample.received_at.date() == view.received_at.date()
    assert sample.applicant.name == "" and sample.code.endswith("-0000")
    with pytest.raises(NotFound):
        sample_view(ctx, "9.999999", "canbo1")

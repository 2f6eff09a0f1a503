"""A dossier taken under a called ticket is linked to it; an unknown ticket refuses the save."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from counter_app.db.models import Dossier
from counter_app.domain.errors import NotFound
from counter_app.services import queue
from counter_app.services.intake import IntakeRequest, register


def test_dossier_links_to_the_ticket_it_was_taken_under(demo_db, make_context) -> None:
    ctx = make_context(demo_db)
    ticket = queue.issue(ctx, "CT")
    called = queue.call_next(ctx, 1)
    assert called is not None and called.id == ticket.id
    view = register(
        ctx, [IntakeRequest(procedure="2.000815", name="Lý Thị Mai", ticket_id=ticket.id)], "canbo2"
    )[0]
    with ctx.uow.read() as s:
        assert s.scalar(select(Dossier.ticket_id).where(Dossier.code == view.code)) == ticket.id


def test_unknown_ticket_refuses_the_whole_save(demo_db, make_context) -> None:
    ctx = make_context(demo_db)
    with ctx.uow.read() as s:
        before = s.scalar(select(func.count()).select_from(Dossier))
    with pytest.raises(NotFound):
        register(
            ctx,
            [IntakeRequest(procedure="2.000815", name="Lý Thị Mai", ticket_id="nope")],
            "canbo2",
        )
    with ctx.uow.read() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == before

"""The same person filing the same procedure again the same day: usually a double entry.

The intake window asks before saving such a dossier (issue 14 item 4); nothing is refused,
since a citizen may really file twice (two birth registrations for twins, say).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from counter_app.db.models import Dossier, Procedure
from counter_app.domain.text import fold
from counter_app.services.context import ServiceContext
from counter_app.services.intake import IntakeRequest


def same_day_dossiers(ctx: ServiceContext, req: IntakeRequest) -> list[str]:
    """Codes of the dossiers received today (the context's clock, the unit's day) for the
    same procedure and the same person, in the order they were numbered.

    The same person: the same citizen ID when the request has one; without an ID, the same
    name (accents and case aside) and the same phone.
    """
    local = ctx.now()
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    q = (
        select(Dossier)
        .join(Procedure, Dossier.procedure_id == Procedure.id)
        .where(
            Procedure.code == req.procedure,
            Dossier.received_at >= start,
            Dossier.received_at < start + timedelta(days=1),
        )
        .order_by(Dossier.code_day, Dossier.code_seq)
    )
    if req.id_number:
        q = q.where(Dossier.applicant_id_number == req.id_number)
    else:
        q = q.where(Dossier.applicant_phone == req.phone)
    with ctx.uow.read() as s:
        rows = s.scalars(q).all()
        return [d.code for d in rows if req.id_number or fold(d.applicant_name) == fold(req.name)]

"""Which intake papers (Mẫu 01 receipt, Mẫu 02 supplement request) were printed or saved to
PDF, and how: the day close flags a dossier received that day with none (services/dayclose).

A local fact about this counter's printer, not a business event: no outbox entry."""

from __future__ import annotations

import logging

from sqlalchemy import select

from counter_app.db.models import Dossier, PaperPrint
from counter_app.domain.ids import new_id
from counter_app.services.context import ServiceContext

INTAKE_PAPERS = ("receipt", "supplement")
log = logging.getLogger("counter_app.papers")


def record_paper(ctx: ServiceContext, code: str, kind: str, via: str, username: str = "") -> bool:
    """Note that dossier `code`'s `kind` paper went out `via` printer | pdf | cli, in one
    transaction. Other kinds (refusal, apology, …) are not intake papers: nothing noted.
    False when there was nothing to note."""
    if kind not in INTAKE_PAPERS:
        return False
    with ctx.uow.write() as s:
        dossier_id = s.scalar(select(Dossier.id).where(Dossier.code == code))
        if dossier_id is None:
            return False
        s.add(
            PaperPrint(
                id=new_id(),
                dossier_id=dossier_id,
                kind=kind,
                via=via,
                at=ctx.now(),
                username=username,
            )
        )
    return True


def record_paper_quietly(
    ctx: ServiceContext, code: str, kind: str, via: str, username: str = ""
) -> None:
    """After a print that went out: a failure to note it must not read as a failed print
    (the day close will then list the dossier, and the supervisor checks the paper)."""
    try:
        record_paper(ctx, code, kind, via, username)
    except Exception:
        log.warning("could not note the printed %s paper", kind, exc_info=True)

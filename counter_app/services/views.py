"""Turning stored dossiers into the plain DossierView that printing and the UI use."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.models import Dossier, DossierEvent, DossierFile, StoredFile, Unit, User
from counter_app.domain.admin_units import Commune, default_units
from counter_app.domain.model import (
    Applicant,
    DigitisedFile,
    DocumentLine,
    DossierView,
    EventView,
)
from counter_app.services.admin_units import units_in
from counter_app.services.catalogue import to_info
from counter_app.services.context import ServiceContext
from counter_app.services.units import unit_info


def _names(s: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(s.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def _commune(s: Session, code: str | None) -> Commune | None:
    """The stored commune code's unit: this unit's list, else the packaged one (a commune
    central retired later still names where the applicant lived)."""
    if not code:
        return None
    return units_in(s).commune(code) or default_units().commune(code)


def dossier_view(
    s: Session,
    ctx: ServiceContext,
    d: Dossier,
    *,
    events: Sequence[DossierEvent] | None = None,
    names: dict[str, str] | None = None,
    files: Sequence[tuple[DossierFile, StoredFile]] | None = None,
    unit: Unit | None = None,
) -> DossierView:
    """`events`, `names`, `files` (its digitised files) and `unit` (the dossier's) may be
    handed in by a caller that already holds them (a new dossier), which saves the queries;
    otherwise they are read."""
    if events is None:
        # The history and who did each step, in one query.
        rows = s.execute(
            select(DossierEvent, User.full_name)
            .join(User, User.id == DossierEvent.by_user_id)
            .where(DossierEvent.dossier_id == d.id)
            .order_by(DossierEvent.recorded_at, DossierEvent.id)
        ).all()
        evs: Sequence[DossierEvent] = [r[0] for r in rows]
        names = {**(names or {}), **{r[0].by_user_id: r[1] for r in rows}}
    else:
        evs = events
    wanted = {d.received_by} | {e.by_user_id for e in evs}
    if names is None or not wanted <= names.keys():
        names = {**(names or {}), **_names(s, wanted - (names or {}).keys())}
    presented = {x["name"] for x in d.procedure.documents if x.get("presented")}
    stored = digitised_files(s, d.id) if files is None else files
    digitised = {f.document_id for f, _ in stored}
    if unit is None or unit.id != d.unit_id:
        unit = s.get(Unit, d.unit_id)
    assert unit is not None
    return DossierView(
        id=d.id,
        code=d.code,
        unit=unit_info(unit),
        procedure=to_info(d.procedure),
        applicant=Applicant(
            d.applicant_name,
            d.applicant_id_number,
            d.applicant_phone,
            d.applicant_address,
            d.applicant_email,
            commune=_commune(s, d.applicant_commune_code),
            address_card=d.applicant_address_card or "",
        ),
        documents=tuple(
            DocumentLine(
                x.name,
                x.kind,
                x.count,
                x.received,
                x.required,
                presented=x.name in presented,
                digitised=x.id in digitised,
            )
            for x in d.documents
        ),
        sets=d.sets,
        receive_channel=d.receive_channel,
        return_channel=d.return_channel,
        return_address=d.return_address,
        received_at=ctx.local(d.received_at),
        due_at=ctx.local(d.due_at),
        status=d.status,
        received_by=names.get(d.received_by, ""),
        register_book=d.register_book,
        register_no=d.register_no,
        form_set=d.form_set,
        cert_book=d.cert_book or "",
        cert_no=d.cert_no or 0,
        events=tuple(
            EventView(
                ctx.local(e.at),
                e.kind,
                e.status,
                names.get(e.by_user_id, ""),
                e.reason,
                dict(e.data or {}),
            )
            for e in evs
        ),
        fee=d.fee,
        files=tuple(
            DigitisedFile(
                f.name,
                next((x.name for x in d.documents if x.id == f.document_id), ""),
                f.pages,
                blob.size,
                f.sha256,
                blob.ocr,
                f.source,
            )
            for f, blob in stored
        ),
    )


def digitised_files(s: Session, dossier_id: str) -> list[tuple[DossierFile, StoredFile]]:
    """A dossier's stored archive PDFs with their blobs' rows, by name."""
    rows = s.execute(
        select(DossierFile, StoredFile)
        .join(StoredFile, StoredFile.sha256 == DossierFile.sha256)
        .where(DossierFile.dossier_id == dossier_id)
        .order_by(DossierFile.name)
    ).all()
    return [(f, blob) for f, blob in rows]

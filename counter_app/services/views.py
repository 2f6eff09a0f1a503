"""Turning stored dossiers into the plain DossierView that printing and the UI use."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select
from sqlalchemy.orm import Session

from counter_app.db.driver_reads import DriverReads
from counter_app.db.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierFile,
    Procedure,
    StoredFile,
    Unit,
    User,
)
from counter_app.domain.admin_units import AdminUnits, Commune, default_units
from counter_app.domain.model import (
    Applicant,
    DigitisedFile,
    DocumentLine,
    DossierView,
    EventView,
    ProcedureInfo,
)
from counter_app.services.admin_units import STAMP_COLUMNS, units_at, units_in
from counter_app.services.catalogue import to_info
from counter_app.services.context import ServiceContext
from counter_app.services.units import unit_info

# A read of the view is a handful of plain Core selects built once: rows, not ORM objects
# (no identity map, no lazy loads), one query per table. The user names come joined to
# the rows that name them, so a clerk renamed anywhere shows at once.
# The dossier's unit rides on its select (columns "unit__<name>"), and so does how many
# digitised files it has: most have none, and then their query is not run.
_UNIT_PREFIX = "unit__"
_UNIT_COLUMNS = tuple(Unit.__table__.c.keys())
_DOSSIER = (
    select(
        Dossier.__table__,
        User.full_name.label("received_by_name"),
        *STAMP_COLUMNS,
        *(c.label(_UNIT_PREFIX + c.key) for c in Unit.__table__.c),
        select(func.count())
        .select_from(DossierFile)
        .where(DossierFile.dossier_id == Dossier.id)
        .scalar_subquery()
        .label("file_count"),
    )
    .join(Unit, Unit.id == Dossier.unit_id)
    .outerjoin(User, User.id == Dossier.received_by)
    .where(Dossier.code == bindparam("code"))
)
_PROCEDURE = select(Procedure.__table__).where(Procedure.id == bindparam("id"))
# Plain columns in the order _build unpacks (a Row's .count is tuple.count, not the column).
_DOCUMENTS = (
    select(
        DossierDocument.id,
        DossierDocument.name,
        DossierDocument.kind,
        DossierDocument.count,
        DossierDocument.received,
        DossierDocument.required,
    )
    .where(DossierDocument.dossier_id == bindparam("id"))
    .order_by(DossierDocument.position)
)
# The history and who did each step, in one query.
_EVENTS = (
    select(DossierEvent.__table__, User.full_name.label("by_name"))
    .join(User, User.id == DossierEvent.by_user_id)
    .where(DossierEvent.dossier_id == bindparam("id"))
    .order_by(DossierEvent.step)
)
_FILES = (
    select(
        DossierFile.name,
        DossierFile.document_id,
        DossierFile.pages,
        DossierFile.sha256,
        DossierFile.source,
        StoredFile.size,
        StoredFile.ocr,
    )
    .join(StoredFile, StoredFile.sha256 == DossierFile.sha256)
    .where(DossierFile.dossier_id == bindparam("id"))
    .order_by(DossierFile.name)
)

# A procedure version is never changed once stored (an import adds a new version and only
# flips is_current), so its info is kept per process, by database and id: the view's
# commonest query saved, and its documents' JSON parsed once.
_PROCEDURES: dict[tuple[str, str], tuple[ProcedureInfo, frozenset[str]]] = {}
_PROCEDURES_MAX = 4096

# A Session flushes pending changes first; a Connection or DriverReads does not.
Reader = Session | Connection | DriverReads


def _names(s: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(s.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def _commune(code: str | None, units: Callable[[], AdminUnits]) -> Commune | None:
    """The stored commune code's unit: this unit's list (`units`, asked only when there is a
    code), else the packaged one (a commune central retired later still names where the
    applicant lived)."""
    if not code:
        return None
    return units().commune(code) or default_units().commune(code)


def read_view(conn: Connection | DriverReads, ctx: ServiceContext, code: str) -> DossierView | None:
    """The dossier with this exact code as a view, or None: one select per table, Core rows
    on the read's connection (uow.read_rows)."""
    d = conn.execute(_DOSSIER, {"code": code}).first()
    if d is None:
        return None
    unit = SimpleNamespace(**{k: getattr(d, _UNIT_PREFIX + k) for k in _UNIT_COLUMNS})
    return _build(
        ctx,
        d,
        _procedure(conn, d.procedure_id),
        unit,
        conn.execute(_DOCUMENTS, {"id": d.id}).all(),
        [(e, e.by_name) for e in conn.execute(_EVENTS, {"id": d.id})],
        d.received_by_name or "",
        digitised_files(conn, d.id) if d.file_count else (),
        _commune(d.applicant_commune_code, lambda: units_at(conn, (d.au_count, d.au_latest))),
    )


def _procedure(
    conn: Connection | DriverReads, procedure_id: str
) -> tuple[ProcedureInfo, frozenset[str]]:
    """The procedure version's info and the names of its documents only presented."""
    key = (str(conn.engine.url), procedure_id)
    found = _PROCEDURES.get(key)
    if found is None:
        found = _procedure_parts(conn.execute(_PROCEDURE, {"id": procedure_id}).one())
        if len(_PROCEDURES) >= _PROCEDURES_MAX:
            _PROCEDURES.clear()
        _PROCEDURES[key] = found
    return found


def _procedure_parts(p: Procedure | Row[Any]) -> tuple[ProcedureInfo, frozenset[str]]:
    return to_info(p), frozenset(x["name"] for x in p.documents if x.get("presented"))


def dossier_view(
    s: Session,
    ctx: ServiceContext,
    d: Dossier,
    *,
    events: Sequence[DossierEvent] | None = None,
    names: dict[str, str] | None = None,
    files: Sequence[Any] | None = None,
    unit: Unit | None = None,
) -> DossierView:
    """The view of a dossier the session holds (one just saved or changed). `events`,
    `names`, `files` (its digitised files) and `unit` (the dossier's) may be handed in by a
    caller that already holds them (a new dossier), which saves the queries; otherwise they
    are read."""
    if events is None:
        rows = s.execute(_EVENTS, {"id": d.id}).all()
        evs: Sequence[Any] = rows
        names = {**(names or {}), **{r.by_user_id: r.by_name for r in rows}}
    else:
        evs = events
    wanted = {d.received_by} | {e.by_user_id for e in evs}
    if names is None or not wanted <= names.keys():
        names = {**(names or {}), **_names(s, wanted - (names or {}).keys())}
    if unit is None or unit.id != d.unit_id:
        unit = s.get(Unit, d.unit_id)
    assert unit is not None
    return _build(
        ctx,
        d,
        _procedure_parts(d.procedure),
        unit,
        [(x.id, x.name, x.kind, x.count, x.received, x.required) for x in d.documents],
        [(e, names.get(e.by_user_id, "")) for e in evs],
        names.get(d.received_by, ""),
        digitised_files(s, d.id) if files is None else files,
        _commune(d.applicant_commune_code, lambda: units_in(s)),
    )


def _build(
    ctx: ServiceContext,
    d: Dossier | Row[Any] | SimpleNamespace,
    procedure: tuple[ProcedureInfo, frozenset[str]],
    unit: Unit | Row[Any] | SimpleNamespace,
    documents: Sequence[Any],  # (id, name, kind, count, received, required)
    events: Sequence[tuple[DossierEvent | Row[Any], str]],
    received_by: str,
    files: Sequence[Any],
    commune: Commune | None,
) -> DossierView:
    """The view from a dossier's parts: ORM objects or plain rows with the same names."""
    info, presented = procedure
    digitised = {f.document_id for f in files}
    doc_names = {x[0]: x[1] for x in documents}
    return DossierView(
        id=d.id,
        code=d.code,
        unit=unit_info(unit),
        procedure=info,
        applicant=Applicant(
            d.applicant_name,
            d.applicant_id_number,
            d.applicant_phone,
            d.applicant_address,
            d.applicant_email,
            commune=commune,
            address_card=d.applicant_address_card or "",
        ),
        documents=tuple(
            DocumentLine(
                name,
                kind,
                count,
                received,
                required,
                presented=name in presented,
                digitised=doc_id in digitised,
            )
            for doc_id, name, kind, count, received, required in documents
        ),
        sets=d.sets,
        receive_channel=d.receive_channel,
        return_channel=d.return_channel,
        return_address=d.return_address,
        received_at=ctx.local(d.received_at),
        due_at=ctx.local(d.due_at),
        status=d.status,
        received_by=received_by,
        register_book=d.register_book,
        register_no=d.register_no,
        form_set=d.form_set,
        cert_book=d.cert_book or "",
        cert_no=d.cert_no or 0,
        events=tuple(
            EventView(ctx.local(e.at), e.kind, e.status, by, e.reason, dict(e.data or {}))
            for e, by in events
        ),
        fee=d.fee,
        files=tuple(
            DigitisedFile(
                f.name,
                doc_names.get(f.document_id, ""),
                f.pages,
                f.size,
                f.sha256,
                f.ocr,
                f.source,
            )
            for f in files
        ),
    )


def digitised_files(s: Reader, dossier_id: str) -> Sequence[Any]:
    """A dossier's stored archive PDFs (name, document_id, pages, sha256, source, and the
    blob's size and ocr), by name."""
    return s.execute(_FILES, {"id": dossier_id}).all()


def sample_view(ctx: ServiceContext, procedure_code: str, username: str) -> DossierView:
    """A dossier of `procedure_code` received now by `username`, its checklist handed in
    whole, with no applicant and a code no dossier has: what every receipt of that procedure
    today shares with the next (printing.forms.prepare_receipt). Refused like a save for an
    unknown procedure (NotFound); an unknown clerk signs with no name."""
    from counter_app.domain.formsets import form_set_on
    from counter_app.services.intake_rows import read_procedure
    from counter_app.services.units import local_unit

    now = ctx.now()
    with ctx.uow.read() as s:
        proc = read_procedure(s, procedure_code)
        unit = local_unit(s)
        clerk = s.scalar(select(User.full_name).where(User.username == username)) or ""
        documents = [
            ("", x["name"], x["kind"], x["count"], True, bool(x["required"]))
            for x in proc.documents
        ]
        day = ctx.local(now).date()
        d = SimpleNamespace(
            id="",
            code=f"{unit.agency_id}-{day:%y%m%d}-0000",  # no dossier's: numbers start at 1
            applicant_name="",
            applicant_id_number="",
            applicant_phone="",
            applicant_address="",
            applicant_email="",
            applicant_address_card="",
            sets=1,
            receive_channel="direct",
            return_channel="direct",
            return_address="",
            received_at=now,
            due_at=now,
            status="received",
            register_book="",
            register_no=0,
            form_set=form_set_on(day),
            cert_book="",
            cert_no=0,
            fee=0,
        )
        return _build(ctx, d, _procedure_parts(proc), unit, documents, [], clerk, [], None)

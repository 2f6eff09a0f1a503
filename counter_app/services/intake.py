"""Dossier intake: validate, allocate the code in the same transaction, record the first event."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    IntakeRequestRow,
    Procedure,
    Unit,
    User,
)
from counter_app.domain.cccd import validate_email, validate_id_number, validate_phone
from counter_app.domain.codes import format_code
from counter_app.domain.errors import ValidationError
from counter_app.domain.formsets import form_set_on
from counter_app.domain.ids import new_id
from counter_app.domain.limits import MAX_DOCUMENT_LINES
from counter_app.domain.model import (
    DOCUMENT_KINDS,
    RECEIVE_CHANNELS,
    RETURN_CHANNELS,
    DossierView,
    UnitInfo,
)
from counter_app.domain.receipt import LATE_ENTRY_ACTION, code_period, is_late_entry
from counter_app.domain.register import cert_book_name
from counter_app.domain.text import clean_address, clean_name, clean_text, fold, name_keys
from counter_app.domain.workdays import OfficeHours, WorkCalendar, compute_due
from counter_app.services import addresses, files, resume
from counter_app.services.admin_units import units_in
from counter_app.services.calendar import calendar_for, load_calendar
from counter_app.services.catalogue import CatalogueEntry, list_catalogue
from counter_app.services.context import ServiceContext
from counter_app.services.intake_rows import (
    SaveFacts,
    read_context,
    read_procedure,
    write_dossier,
    write_request,
)
from counter_app.services.lookup import count_name_words
from counter_app.services.numbering import Draw, next_numbers
from counter_app.services.queue import link_dossier
from counter_app.services.receipt import judge_clock
from counter_app.services.records import append_audit, emit_many, event_record, refuse_closed_day
from counter_app.services.units import local_unit, office_hours, unit_info
from counter_app.services.views import dossier_view

FUTURE_TOLERANCE = timedelta(minutes=2)


@dataclass(frozen=True)
class DocumentIn:
    name: str
    kind: str
    count: int
    received: bool = True
    required: bool = True
    # Files of this document to digitise with the dossier (intake JSON "files": paths).
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class IntakeRequest:
    procedure: str
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""
    documents: tuple[DocumentIn, ...] | None = None  # None: the procedure's checklist, all received
    sets: int = 1
    receive_channel: str = "counter"
    return_channel: str = "counter"
    return_address: str = ""
    received_at: datetime | None = None
    ticket_id: str | None = None
    # The client's id for this dossier (intake JSON "request_id"): a repeat of the same
    # request returns the first result instead of registering the dossier again.
    request_id: str | None = None
    # Issue 15: page images or files (bytes) to digitise, by index in `documents` (or in the
    # procedure's checklist when `documents` is None): stored with the dossier, in its
    # transaction. `scans_source` says how they came: "scan" (the scanner) or "file".
    scans: dict[int, list[bytes]] = field(default_factory=dict)
    scans_source: str = "scan"
    # Issue 16: the 2025 commune chosen for the address (GSO code; None: read from the text)
    # and the ID card's own address when its 2025 conversion was accepted.
    commune_code: str | None = None
    address_card: str = ""

    def fingerprint(self) -> str:
        """The request's content without its id: a repeat must carry the same content."""
        body = {k: v for k, v in asdict(self).items() if k not in ("request_id", "scans")}
        # Issue 16's keys only when set: a request stored before them keeps its fingerprint.
        for key in ("commune_code", "address_card"):
            if not body[key]:
                del body[key]
        if self.scans:  # the pages by their hashes, not megabytes of bytes in JSON
            body["scans"] = {
                str(i): [hashlib.sha256(b).hexdigest() for b in pages]
                for i, pages in sorted(self.scans.items())
            }
        text = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _collect(errors: dict[str, str], field: str, fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return fn(*args, **kw)
    except ValidationError as exc:
        errors.update(exc.field_errors or {field: exc.code})
        return None


# JSON types, checked strictly (issue 12 item 10): "false" is a string, not false; 1 is not
# true; true is not 1. A wrong type is an error naming the field, never a silent conversion.
_TYPE_ERRORS = {
    str: "not_text",
    bool: "not_bool",
    int: "not_int",
    dict: "not_object",
    list: "not_list",
}


def _typed(errors: dict[str, str], field: str, value: Any, kind: type, default: Any = None) -> Any:
    """`value` if it has JSON type `kind` (None: `default`), else records the error, `default`."""
    if value is None:
        return default
    ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
    if not ok:
        errors.setdefault(field, _TYPE_ERRORS[kind])
        return default
    return value


def _document_in(d: Any, i: int, errors: dict[str, str]) -> DocumentIn | None:
    where = f"documents[{i}]"
    if not isinstance(d, dict):
        errors[where] = "not_object"
        return None
    name = _collect(
        errors, f"{where}.name", clean_text, d.get("name"), f"{where}.name", max_len=300
    )
    kind = _typed(errors, f"{where}.kind", d.get("kind"), str, "original")
    if f"{where}.kind" not in errors and kind not in DOCUMENT_KINDS:
        errors[f"{where}.kind"] = "document_kind_invalid"
    count = _typed(errors, f"{where}.count", d.get("count"), int, 1)
    if f"{where}.count" not in errors and not 1 <= count <= 99:
        errors[f"{where}.count"] = "count_invalid"
    received = _typed(errors, f"{where}.received", d.get("received"), bool, True)
    required = _typed(errors, f"{where}.required", d.get("required"), bool, True)
    paths = _typed(errors, f"{where}.files", d.get("files"), list, [])
    for j, path in enumerate(paths or []):
        if not isinstance(path, str) or not path.strip():
            errors[f"{where}.files[{j}]"] = "not_text"
    if name is None or any(k.startswith(f"{where}.") for k in errors):
        return None
    return DocumentIn(name, kind, count, received, required, tuple(paths or ()))


def _parse_time(value: Any, errors: dict[str, str]) -> datetime | None:
    value = _typed(errors, "received_at", value, str)
    if value is None or value == "":
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        errors["received_at"] = "datetime_invalid"
        return None


def _sets(value: Any, errors: dict[str, str]) -> int:
    sets: int = _typed(errors, "sets", value, int, 1)
    if "sets" in errors:
        return 1
    if not 1 <= sets <= 99:
        errors["sets"] = "sets_invalid"
        return 1
    return sets


def _channels(raw: dict[str, Any], errors: dict[str, str]) -> tuple[str, str, str]:
    rc = _typed(errors, "receive_channel", raw.get("receive_channel"), str) or "counter"
    ret = _typed(errors, "return_channel", raw.get("return_channel"), str) or "counter"
    if "receive_channel" not in errors and rc not in RECEIVE_CHANNELS:
        errors["receive_channel"] = "channel_invalid"
    if "return_channel" not in errors and ret not in RETURN_CHANNELS:
        errors["return_channel"] = "channel_invalid"
    addr = _collect(
        errors, "return_address", clean_address, raw.get("return_address") or "", "return_address"
    )
    if ret == "postal" and not addr and "return_address" not in errors:
        errors["return_address"] = "return_address_required"
    return rc, ret, addr or ""


def parse_intake(raw: Any, today: date | None = None) -> IntakeRequest:
    """Validate one intake object (DESIGN.md §4); every bad field is reported at once."""
    if not isinstance(raw, dict):
        raise ValidationError("intake_not_object")
    errors: dict[str, str] = {}
    proc = _typed(errors, "procedure", raw.get("procedure"), str)
    if "procedure" not in errors and (proc is None or not proc.strip()):
        errors["procedure"] = "required"
    ap = _typed(errors, "applicant", raw.get("applicant"), dict)
    if ap is None:
        errors.setdefault("applicant", "required")
        ap = {}
    name = _collect(errors, "applicant.name", clean_name, ap.get("name"), "applicant.name")
    idn = _typed(errors, "applicant.id_number", ap.get("id_number"), str, "")
    if idn:
        idn = _collect(
            errors,
            "applicant.id_number",
            validate_id_number,
            idn,
            "applicant.id_number",
            today=today,
        )
    phone = _typed(errors, "applicant.phone", ap.get("phone"), str, "")
    phone = _collect(errors, "applicant.phone", validate_phone, phone, "applicant.phone")
    addr = _collect(
        errors, "applicant.address", clean_address, ap.get("address") or "", "applicant.address"
    )
    email = _typed(errors, "applicant.email", ap.get("email"), str, "")
    email = _collect(errors, "applicant.email", validate_email, email, "applicant.email")
    commune_code = _commune_code(ap.get("commune_code"), errors)
    address_card = _collect(
        errors,
        "applicant.address_card",
        clean_address,
        ap.get("address_card") or "",
        "applicant.address_card",
    )
    docs_raw = _typed(errors, "documents", raw.get("documents"), list)
    docs: tuple[DocumentIn, ...] | None = None
    if docs_raw is not None and len(docs_raw) > MAX_DOCUMENT_LINES:
        errors["documents"] = "documents_too_many"
    elif docs_raw is not None:
        parsed = [_document_in(d, i, errors) for i, d in enumerate(docs_raw)]
        docs = tuple(d for d in parsed if d is not None)
    sets = _sets(raw.get("sets", 1), errors)
    rc, ret, ret_addr = _channels(raw, errors)
    received_at = _parse_time(raw.get("received_at"), errors)
    ticket_id = _typed(errors, "ticket_id", raw.get("ticket_id"), str)
    request_id = raw.get("request_id")
    if request_id is not None:
        request_id = _collect(
            errors, "request_id", clean_text, request_id, "request_id", max_len=64
        )
    if errors:
        raise ValidationError("invalid", field_errors=errors)
    assert isinstance(proc, str)
    return IntakeRequest(
        procedure=proc.strip(),
        name=name,
        id_number=idn or "",
        phone=phone or "",
        address=addr or "",
        email=email or "",
        documents=docs,
        sets=sets,
        receive_channel=rc,
        return_channel=ret,
        return_address=ret_addr,
        received_at=received_at,
        ticket_id=ticket_id or None,
        request_id=request_id or None,
        commune_code=commune_code,
        address_card=address_card or "",
    )


def _commune_code(value: Any, errors: dict[str, str]) -> str | None:
    """Five digits (a GSO commune code) or nothing; whether the list has it is checked at
    registration, against this unit's list (services/addresses.resolve)."""
    code: str | None = _typed(errors, "applicant.commune_code", value, str)
    if code is None or not code.strip():
        return None
    code = code.strip()
    if len(code) != 5 or not code.isascii() or not code.isdigit():
        errors["applicant.commune_code"] = "commune_unknown"
        return None
    return code


def resolve_documents(proc: Procedure, given: tuple[DocumentIn, ...] | None) -> list[DocumentIn]:
    """The dossier's document lines: what was handed in, plus checklist items not received."""
    checklist = [
        DocumentIn(d["name"], d["kind"], d["count"], True, bool(d["required"]))
        for d in proc.documents
    ]
    if given is None:
        return checklist
    by_name = {fold(d.name): d for d in checklist}
    out: list[DocumentIn] = []
    for d in given:
        listed = by_name.pop(fold(d.name), None)
        required = listed.required if listed else False
        out.append(DocumentIn(d.name, d.kind, d.count, d.received, required))
    out.extend(DocumentIn(d.name, d.kind, d.count, False, d.required) for d in by_name.values())
    return out


def _received_at(ctx: ServiceContext, req: IntakeRequest, unit: Unit) -> tuple[datetime, bool]:
    now = ctx.now()
    if req.received_at is None:
        return now, False
    at = req.received_at if req.received_at.tzinfo else req.received_at.replace(tzinfo=ctx.tz)
    at = ctx.local(at)
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError("invalid", field_errors={"received_at": "received_at_future"})
    if at.date() < unit.earliest_receipt:
        raise ValidationError(
            "received_at_too_early",
            received_at=f"{at:%d/%m/%Y}",
            earliest=f"{unit.earliest_receipt:%d/%m/%Y}",
        )
    return at, at < now - FUTURE_TOLERANCE


def _insert(
    s: Session, ctx: ServiceContext, req: IntakeRequest, clerk: User, unit: Unit, facts: SaveFacts
) -> tuple[Dossier, DossierEvent]:
    """Write one dossier's rows (Core inserts, intake_rows); the Dossier and DossierEvent
    returned are built from the same values for the view, never added to the session."""
    at, backdated = _received_at(ctx, req, unit)
    day = at.date()
    refuse_closed_day(facts.closed_day, day)
    proc = read_procedure(s, req.procedure)
    # Issue 16: the address's 2025 commune (refused only for an unknown or contradicting code).
    communes = units_in(s, facts.communes_stamp)
    address, commune_code = addresses.resolve(communes, req.address, req.commune_code)
    address_card = req.address_card if req.address_card != address else ""
    calendar = calendar_for(s, facts.calendar_key)
    hours = office_hours(unit)
    plan = compute_due(at, proc.processing_days, calendar, hours, time_unit=proc.time_unit)
    docs = resolve_documents(proc, req.documents)
    missing = [d for d in docs if d.required and not d.received]
    status = "supplement_requested" if missing else "accepted"
    # The unit's range, a recovery range after a restore, or a refusal until the check ran.
    kind, lo, hi = resume.range_from(unit, facts.fresh_range, facts.restore_pending)
    draws = [
        # Keyed by exactly what the code shows (yymmdd): two dates with one code never share it.
        Draw(kind, code_period(day), start=lo, end=hi),
        # The register book numbers on for the whole year: no cap (DOMAIN.md §3, Số thứ tự).
        Draw("register", str(day.year), end=2**31 - 1),
    ]
    # A certification also enters the year's sổ chứng thực, numbered from 1 (DOMAIN.md §7).
    book = proc.certification_book
    if book:
        draws.append(Draw(f"cert-{book}", str(day.year), end=2**31 - 1))
    seq, reg_no, *cert = next_numbers(s, unit.id, draws)  # one statement
    cert_no = cert[0] if cert else None
    cert_book = cert_book_name(book, day.year) if book else None
    row: dict[str, Any] = {
        "id": new_id(),
        "unit_id": unit.id,
        "code": format_code(unit.agency_id, day, seq),
        "code_day": day,
        "code_seq": seq,
        "procedure_id": proc.id,
        "applicant_name": req.name,
        "applicant_id_number": req.id_number,
        "applicant_phone": req.phone,
        "applicant_address": address,
        "applicant_commune_code": commune_code,
        "applicant_address_card": address_card,
        "applicant_email": req.email,
        "sets": req.sets,
        "receive_channel": req.receive_channel,
        "return_channel": req.return_channel,
        "return_address": req.return_address,
        "fee": proc.fee,
        "received_at": at,
        "effective_day": plan.effective_day,
        "due_at": plan.due_at,
        "original_due_at": plan.due_at,  # the report's: an apology moves due_at only
        # The status its first event gives it: no INSERT "new" then UPDATE in one
        # transaction; nothing outside it could ever see "new".
        "status": status,
        "received_by": clerk.id,
        "register_book": f"01/{day.year}",
        "register_no": reg_no,
        "form_set": form_set_on(day),
        "ticket_id": None,
        "cert_book": cert_book,
        "cert_no": cert_no,
        "returned_postal": False,
        "apologized": False,
    }
    d = Dossier(**row, procedure=proc)
    if req.ticket_id:
        link_dossier(s, req.ticket_id, d)  # an unknown ticket refuses the save: nothing half-linked
        row["ticket_id"] = d.ticket_id
    lines = [
        {
            "id": new_id(),
            "dossier_id": d.id,
            "position": i,
            "name": x.name,
            "kind": x.kind,
            "count": x.count,
            "received": x.received,
            "required": x.required,
        }
        for i, x in enumerate(docs)
    ]
    d.documents = [DossierDocument(**x) for x in lines]
    keys = name_keys(req.name)
    tokens = [{"dossier_id": d.id, "token": k, "received_at": at} for k in keys]
    now = ctx.now()
    event, event_payload = event_record(
        unit_id=unit.id,
        dossier_id=d.id,
        code=d.code,
        kind="received" if not missing else "supplement_requested",
        status=status,
        at=at,
        business_day=day,
        by_user_id=clerk.id,
        recorded_at=now,
        step=1,
        reason="; ".join(m.name for m in missing),
    )
    write_dossier(s, row, lines, tokens, event)
    count_name_words(s, keys)
    # central learns of the dossier first, then of its first event
    outbox = [("dossier", _payload(d, proc)), ("dossier_event", event_payload)]
    emit_many(s, unit.id, outbox, now, table_max=facts.outbox_max)
    if backdated:
        append_audit(
            s,
            now,
            clerk.username,
            "intake_backdated",
            {"code": d.code, "received_at": at.isoformat()},
        )
    if is_late_entry(at, now):
        # Allowed (paper dossiers from an outage, an old register typed in), but on record
        # and listed at the close of the day it was typed (services/dayclose).
        append_audit(
            s,
            now,
            clerk.username,
            LATE_ENTRY_ACTION,
            {"code": d.code, "received_at": at.isoformat(), "recorded_at": now.isoformat()},
        )
    return d, DossierEvent(**event)


def _payload(d: Dossier, proc: Procedure) -> dict[str, Any]:
    return {
        "id": d.id,
        "code": d.code,
        "procedure": proc.code,
        "procedure_version": proc.version,
        "applicant": {
            "name": d.applicant_name,
            "id_number": d.applicant_id_number,
            "phone": d.applicant_phone,
            "address": d.applicant_address,
            "email": d.applicant_email,
            # issue 16: the 2025 commune (None: unverified text), the card's own address
            "commune_code": d.applicant_commune_code,
            **({"address_card": d.applicant_address_card} if d.applicant_address_card else {}),
        },
        "documents": [
            {"name": x.name, "kind": x.kind, "count": x.count, "received": x.received}
            for x in d.documents
        ],
        "sets": d.sets,
        "receive_channel": d.receive_channel,
        "return_channel": d.return_channel,
        "return_address": d.return_address,
        "fee": d.fee,
        "received_at": d.received_at.isoformat(),
        "due_at": d.due_at.isoformat(),
        "received_by": d.received_by,
        "ticket_id": d.ticket_id,
        # optional: central ignores keys it does not know
        **({"certification": {"book": d.cert_book, "number": d.cert_no}} if d.cert_book else {}),
    }


def _digitise(ctx: ServiceContext, req: IntakeRequest) -> list[_Digitised]:
    """A request's documents' archive PDFs, made and written to the store BEFORE the
    dossier's transaction (seconds of OCR must not hold the write lock; a blob whose
    transaction then fails is harmless: unreferenced, reused by the next identical write)."""
    lines = req.documents
    wanted: dict[int, tuple[list[Path | bytes], str]] = {}
    for i, scanned in req.scans.items():
        wanted[i] = (list(scanned), req.scans_source)
    for i, d in enumerate(lines or ()):
        if d.files:
            earlier, _ = wanted.get(i, ([], "file"))
            wanted[i] = ([*earlier, *(Path(p) for p in d.files)], "file")
    out = []
    for i, (sources, source) in sorted(wanted.items()):
        if i < 0 or (lines is not None and i >= len(lines)):
            raise ValidationError("intake_scan_document_unknown", index=i + 1)
        if not sources:
            continue
        read = [files.read_source(ctx, src) for src in sources]
        from counter_app.services.archive import build_archive_pdf  # PIL, pypdfium2

        made = build_archive_pdf(read, ocr=None if ctx.settings.ocr else False)
        sha = files.write_blob_file(ctx, made.pdf)
        out.append(_Digitised(i, sha, len(made.pdf), made.pages, made.ocr, source))
    return out


@dataclass(frozen=True)
class _Digitised:
    index: int
    sha256: str
    size: int
    pages: int
    ocr: bool
    source: str


def register(ctx: ServiceContext, requests: list[IntakeRequest], clerk: str) -> list[DossierView]:
    """Register one or many dossiers in ONE transaction: all are saved, or none. Documents
    digitised at intake (`scans`, documents' `files`) are stored with their dossier."""
    digitised = [_digitise(ctx, r) for r in requests]
    with ctx.uow.write() as s:
        # the clerk, the unit and every guard value in one statement
        user, unit, facts = read_context(s, clerk)
        rows: list[tuple[Dossier, DossierEvent | None, bool]] = []
        clock_checked = False
        for r, made in zip(requests, digitised, strict=True):
            first = _earlier(s, unit, r)
            if first is not None:
                rows.append((first, None, True))  # a repeat: the first result, nothing written
                continue
            if not clock_checked:  # a clock far off would date the dossier wrongly
                judge_clock(
                    ctx, unit, facts.last_outbox_at, facts.last_audit_at, facts.clock_offset
                )
                clock_checked = True
            d, ev = _insert(s, ctx, r, user, unit, facts)
            if r.request_id:
                write_request(
                    s,
                    {
                        "unit_id": unit.id,
                        "request_id": r.request_id,
                        "fingerprint": r.fingerprint(),
                        "dossier_id": d.id,
                        "created_at": ctx.clock(),
                    },
                )
            by_position = {x.position: x for x in d.documents}
            for m in made:  # after the dossier's own event: central learns of it first
                doc = by_position.get(m.index)
                if doc is None:
                    raise ValidationError("intake_scan_document_unknown", index=m.index + 1)
                files.add_file_row(
                    s, ctx, d, doc, m.sha256, m.size, m.pages, m.ocr, m.source, unit.id
                )
            rows.append((d, ev, bool(made)))
        names = {user.id: user.full_name}
        # A dossier saved now holds the files just added (none: no query); a repeat is read.
        views = [
            dossier_view(
                s,
                ctx,
                d,
                events=[ev] if ev else None,
                names=names,
                files=None if ev is None or has_files else (),
                unit=unit,
            )
            for d, ev, has_files in rows
        ]
    return views


def _earlier(s: Session, unit: Unit, req: IntakeRequest) -> Dossier | None:
    """The dossier an earlier request with the same id made, if any. The same id with other
    content is refused: a client reusing ids would otherwise lose a citizen's dossier.
    Writers take turns (uow.write), so two processes racing with one id see each other."""
    if not req.request_id:
        return None
    row = s.get(IntakeRequestRow, (unit.id, req.request_id))
    if row is None:
        return None
    d = s.get(Dossier, row.dossier_id)
    assert d is not None
    if row.fingerprint != req.fingerprint():
        raise ValidationError("intake_request_reused", request_id=req.request_id, code=d.code)
    return d


def returning_applicant(ctx: ServiceContext, id_number: str) -> dict[str, str] | None:
    """The details last recorded for this citizen ID, offered to the clerk."""
    with ctx.uow.read() as s:
        d = s.scalar(
            select(Dossier)
            .where(Dossier.applicant_id_number == id_number)
            .order_by(Dossier.received_at.desc())
            .limit(1)
        )
        if d is None:
            return None
        return {
            "name": d.applicant_name,
            "id_number": d.applicant_id_number,
            "phone": d.applicant_phone,
            "address": d.applicant_address,
            "email": d.applicant_email,
            "commune_code": d.applicant_commune_code or "",  # issue 16; "" = unverified
        }


@dataclass(frozen=True)
class IntakeSetup:
    """What the intake screen needs up front, read once: due dates then need no database trip."""

    entries: tuple[CatalogueEntry, ...]
    calendar: WorkCalendar
    hours: OfficeHours
    unit: UnitInfo


def intake_setup(ctx: ServiceContext) -> IntakeSetup:
    entries = list_catalogue(ctx)
    with ctx.uow.read() as s:
        unit = local_unit(s)
        return IntakeSetup(tuple(entries), load_calendar(s), office_hours(unit), unit_info(unit))

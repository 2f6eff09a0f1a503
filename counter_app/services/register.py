"""The register (Sổ theo dõi hồ sơ) and the certification books for a date range, as plain
data (domain/register.py): read from the dossiers, their register numbers and their events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.models import Dossier, DossierDocument, DossierEvent, Procedure
from counter_app.domain.errors import ValidationError
from counter_app.domain.formsets import form_set_on
from counter_app.domain.register import (
    CERT_BOOKS,
    CertBook,
    CertRow,
    RegisterBook,
    RegisterRow,
    RegisterSection,
    cert_book_name,
)
from counter_app.printing.wording import receiving_name
from counter_app.services.context import ServiceContext
from counter_app.services.units import local_unit, unit_info

MAX_DAYS = 366 * 5  # a register is printed for a month, a quarter, a year: not a decade

_NOTES = {
    "refused": "Từ chối tiếp nhận",
    "withdrawn": "Rút hồ sơ",
    "stopped": "Dừng giải quyết",
    "supplement_requested": "Chờ bổ sung hồ sơ",
}
# Only the columns the register prints (no ORM objects, no documents loaded): 1,000 rows < 2 s.
_COLUMNS = (
    Dossier.id,
    Dossier.code,
    Dossier.register_book,
    Dossier.register_no,
    Dossier.sets,
    Dossier.applicant_name,
    Dossier.applicant_address,
    Dossier.applicant_phone,
    Dossier.received_at,
    Dossier.due_at,
    Dossier.status,
    Dossier.receive_channel,
)
_RECEIVED_BY = {"online": "Nộp trực tuyến", "postal": "Nộp qua bưu chính"}


def check_range(start: date, end: date) -> None:
    """`--from` after `--to`, or a range no one prints, is refused before anything is read."""
    if start > end:
        raise ValidationError(
            "report_range_invalid", start=f"{start:%d/%m/%Y}", end=f"{end:%d/%m/%Y}"
        )
    if (end - start).days > MAX_DAYS:
        raise ValidationError("range_too_long", days=MAX_DAYS)


def _bounds(ctx: ServiceContext, start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(), ctx.tz),
        datetime.combine(end + timedelta(days=1), time(), ctx.tz),
    )


def _book_key(book: str) -> tuple[int, str]:
    """ "01/2026" -> (2026, "01"): books in the order of their years, then their numbers."""
    number, _, year = book.partition("/")
    return (int(year) if year.isdigit() else 0, number)


def register_book(ctx: ServiceContext, start: date, end: date) -> RegisterBook:
    """Every dossier received from `start` to `end` (local days, inclusive), by book and Số thứ
    tự as the receipts cite them; hand-over, result and return from each dossier's events."""
    check_range(start, end)
    lo, hi = _bounds(ctx, start, end)
    with ctx.uow.read() as s:
        unit = local_unit(s)
        rows = s.execute(
            select(*_COLUMNS, Procedure.name.label("procedure"))
            .join(Procedure, Procedure.id == Dossier.procedure_id)
            .where(Dossier.received_at >= lo, Dossier.received_at < hi)
            .order_by(Dossier.register_book, Dossier.register_no)
        ).all()
        events = _events(s, [d.id for d in rows], lo, hi)
        lines = [_row(ctx, d, events.get(d.id, ())) for d in rows]
        unit_name, parent = unit.name, unit.parent_name
        centre = receiving_name(unit_info(unit))
    by_book: dict[str, list[RegisterRow]] = defaultdict(list)
    for line in lines:
        by_book[line.book].append(line)
    sections = []
    for book in sorted(by_book, key=_book_key):
        year = _book_key(book)[0]
        first = max(start, date(year, 1, 1)) if year else start
        book_rows = sorted(by_book[book], key=lambda r: r.number)
        sections.append(RegisterSection(book, form_set_on(first), tuple(book_rows)))
    if not sections:  # an empty range still prints its page, saying there is nothing
        sections.append(RegisterSection(f"01/{start.year}", form_set_on(start), ()))
    return RegisterBook(unit_name, parent, start, end, tuple(sections), centre)


def _events(
    s: Session, ids: Sequence[str], lo: datetime, hi: datetime
) -> dict[str, list[DossierEvent]]:
    out: dict[str, list[DossierEvent]] = defaultdict(list)
    if not ids:
        return out
    in_range = select(Dossier.id).where(Dossier.received_at >= lo, Dossier.received_at < hi)
    for e in s.scalars(
        select(DossierEvent)
        .where(DossierEvent.dossier_id.in_(in_range))
        .order_by(DossierEvent.dossier_id, DossierEvent.step)
    ):
        out[e.dossier_id].append(e)
    return out


def _row(ctx: ServiceContext, d: Any, events: Sequence[DossierEvent]) -> RegisterRow:
    agency = ""
    handed = back = returned = None
    returned_to = ""
    notes: list[str] = []
    if d.receive_channel in _RECEIVED_BY:
        notes.append(_RECEIVED_BY[d.receive_channel])
    for e in events:
        data = e.data or {}
        if e.kind == "handed_over":
            if handed is None:
                handed, agency = ctx.local(e.at), str(data.get("to") or "")
        elif e.kind in ("received_back", "result_ready"):
            back = back or ctx.local(e.at)  # the result back from the agency, or ready here
        elif e.kind == "returned":
            returned = ctx.local(e.at)
            returned_to = _returned_to(data)
        elif e.kind == "apologized" and data.get("due_at"):
            new_due = ctx.local(datetime.fromisoformat(str(data["due_at"])))
            notes.append(f"Xin lỗi, hẹn lại {new_due:%d/%m/%Y}")
    if d.status in _NOTES:
        notes.append(_NOTES[d.status])
    return RegisterRow(
        book=d.register_book,
        number=d.register_no,
        code=d.code,
        procedure=d.procedure,
        sets=d.sets,
        applicant=d.applicant_name,
        address=d.applicant_address,
        phone=d.applicant_phone,
        lead_agency=agency,
        received_at=ctx.local(d.received_at),
        due_at=ctx.local(d.due_at),
        handed_over_at=handed,
        result_back_at=back,
        returned_at=returned,
        returned_to=returned_to,
        note="; ".join(notes),
    )


def _returned_to(data: dict[str, object]) -> str:
    if data.get("channel") == "postal":
        tracking = str(data.get("tracking") or "")
        return f"Bưu chính, mã vận đơn {tracking}" if tracking else "Bưu chính"
    person = data.get("to")
    if isinstance(person, dict) and person.get("name"):
        return f"Người nhận thay: {person['name']}"
    return ""


def check_cert_range(start: date, end: date) -> None:
    """A certification book is one year's: its range stays within that year."""
    check_range(start, end)
    if start.year != end.year:
        raise ValidationError("cert_book_one_year", start=start.year, end=end.year)


def certification_book(ctx: ServiceContext, kind: str, start: date, end: date) -> CertBook:
    """The year's certification book `kind` (BS | CK) for the range: the numbers given at
    intake, the requester, the fee; for copies the originals' names and the copies made."""
    check_cert_range(start, end)
    if kind not in CERT_BOOKS:
        raise ValidationError("cert_book_unknown", book=kind)
    book = cert_book_name(kind, start.year)
    lo, hi = _bounds(ctx, start, end)
    with ctx.uow.read() as s:
        unit = local_unit(s)
        dossiers = s.scalars(
            select(Dossier)
            .where(Dossier.cert_book == book, Dossier.received_at >= lo, Dossier.received_at < hi)
            .order_by(Dossier.cert_no)
        ).all()
        docs: dict[str, list[DossierDocument]] = defaultdict(list)
        for doc in s.scalars(
            select(DossierDocument)
            .where(DossierDocument.dossier_id.in_([d.id for d in dossiers]))
            .order_by(DossierDocument.dossier_id, DossierDocument.position)
        ):
            docs[doc.dossier_id].append(doc)
        rows = tuple(_cert_row(ctx, kind, d, docs[d.id]) for d in dossiers)
        unit_name, parent = unit.name, unit.parent_name
    return CertBook(kind, book, unit_name, parent, start, end, rows)


def _cert_row(
    ctx: ServiceContext, kind: str, d: Dossier, docs: Sequence[DossierDocument]
) -> CertRow:
    originals: tuple[str, ...] = ()
    copies = 0
    if kind == "BS":
        originals = tuple(x.name for x in docs if x.received and x.kind == "original")
        copies = sum(x.count for x in docs if x.received and x.kind != "original")
    note = _NOTES.get(d.status, "")
    return CertRow(
        number=d.cert_no or 0,
        day=ctx.local(d.received_at).date(),
        code=d.code,
        requester=d.applicant_name,
        id_number=d.applicant_id_number,
        signer="",
        fee=d.fee,
        note=note,
        originals=originals,
        copies=copies,
    )

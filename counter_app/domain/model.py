"""Plain data the services hand to printing and the UI (no ORM objects leave services)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from counter_app.domain.admin_units import Commune

DOCUMENT_KINDS = ("original", "copy", "certified_copy")
RECEIVE_CHANNELS = ("counter", "online", "postal")
RETURN_CHANNELS = ("counter", "postal")


@dataclass(frozen=True)
class UnitInfo:
    unit_id: str
    agency_id: str  # electronic identifier, e.g. 000.00.20.H01
    name: str  # e.g. "UBND XÃ MỸ HÒA HƯNG" (the unit, underlined on forms)
    parent_name: str  # e.g. "UBND TỈNH AN GIANG" (parent body, first header line)
    place_name: str  # e.g. "Mỹ Hòa Hưng" for "<place>, ngày … tháng … năm …"
    address: str = ""
    phone: str = ""
    # Unit settings (DOMAIN.md §3); "" = derived from `name` when printed (printing/wording)
    receiving_name: str = ""  # "Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng"
    result_place: str = ""  # Mẫu 01 item 6 "Đăng ký nhận kết quả tại"
    commune_code: str = ""  # its 2025 commune ("30313"; "" = not set from the list), issue 16


FEE_UNITS = ("dossier", "page", "copy")
# Certification books (DOMAIN.md §7): copies from originals, signatures ("…-SCT/BS", "-SCT/CK")
CERTIFICATION_BOOKS = ("BS", "CK")


@dataclass(frozen=True)
class ProcedureInfo:
    code: str
    name: str
    sector: str
    level: str
    processing_days: int
    fee: int  # VND, per `fee_unit`
    version: int = 1
    fee_unit: str = "dossier"  # dossier | page | copy
    time_unit: str = "working_days"  # working_days | calendar_days | hours
    certification_book: str = ""  # BS | CK: its dossiers enter that sổ chứng thực; "" none


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""
    # Issue 16: the 2025 commune the address names (None: unverified free text), and the ID
    # card's own (old) address when its 2025 conversion was accepted ("" otherwise).
    commune: Commune | None = None
    address_card: str = ""

    @property
    def address_verified(self) -> bool:
        return self.commune is not None


@dataclass(frozen=True)
class DocumentLine:
    name: str
    kind: str  # original | copy | certified_copy
    count: int
    received: bool = True
    required: bool = True
    presented: bool = False  # only shown (ID card, passport): checked, not submitted
    digitised: bool = False  # an archive PDF of it is stored (issue 15)


@dataclass(frozen=True)
class DigitisedFile:
    """A dossier's stored archive PDF (issue 15): dossier_files joined with stored_files."""

    name: str  # "<code>_<nn>_<document slug>.pdf"
    document: str  # the checklist line's name, "" for a file not tied to one
    pages: int
    size: int
    sha256: str
    ocr: bool
    source: str  # scan | file


@dataclass(frozen=True)
class EventView:
    at: datetime
    kind: str
    status: str
    by: str
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # the action's details (DossierEvent.data)


@dataclass(frozen=True)
class DossierView:
    id: str
    code: str
    unit: UnitInfo
    procedure: ProcedureInfo
    applicant: Applicant
    documents: tuple[DocumentLine, ...]
    sets: int
    receive_channel: str
    return_channel: str
    return_address: str
    received_at: datetime  # aware, unit local time
    due_at: datetime  # aware, unit local time
    status: str
    received_by: str  # clerk full name (NGƯỜI TIẾP NHẬN HỒ SƠ)
    register_book: str  # "Quyển số", e.g. "01/2026"
    register_no: int  # "Số thứ tự" in that book
    form_set: str  # "2025" (Circular 03/2025) or "2018" (Circular 01/2018)
    events: tuple[EventView, ...] = field(default_factory=tuple)
    fee: int = 0  # VND charged for this dossier (the default of a return's fee)
    cert_book: str = ""  # "01/2026-SCT/BS" for a certification; "" otherwise
    cert_no: int = 0  # "Số chứng thực" in that book
    files: tuple[DigitisedFile, ...] = ()  # digitised documents (issue 15), by name

    @property
    def certification(self) -> str:
        """ "Số chứng thực: 12, Quyển số 01/2026-SCT/BS", or "" for other dossiers."""
        if not self.cert_book:
            return ""
        return f"Số chứng thực: {self.cert_no}, Quyển số {self.cert_book}"

    @property
    def missing_documents(self) -> tuple[DocumentLine, ...]:
        return tuple(d for d in self.documents if d.required and not d.received)

    @property
    def due_date(self) -> date:
        return self.due_at.date()

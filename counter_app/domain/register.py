"""The register (Sổ theo dõi hồ sơ, DOMAIN.md §3) and the certification books (sổ chứng thực,
§7) as plain data: what services/register.py gathers and printing/register.py lays out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# A procedure's certification book (catalogue field `certification_book`): copies from
# originals (BS) or signatures (CK). Printed "Quyển số 01/2026-SCT/BS".
CERT_BOOKS: dict[str, str] = {
    "BS": "SỔ CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH",
    "CK": "SỔ CHỨNG THỰC CHỮ KÝ",
}


def cert_book_name(kind: str, year: int) -> str:
    """The book a certification number belongs to: "01/2026-SCT/BS" (one book a year)."""
    return f"01/{year}-SCT/{kind}"


def parse_book_option(value: str) -> str:
    """`--book SCT/BS` (or just BS) -> "BS"; "" when the value names no certification book."""
    v = value.strip().upper()
    if v.startswith("SCT/"):
        v = v[4:]
    return v if v in CERT_BOOKS else ""


@dataclass(frozen=True)
class RegisterRow:
    """One line of the register, in the order of the official columns."""

    book: str  # "01/2026"
    number: int  # Số thứ tự, as the receipt cites it (STT)
    code: str
    procedure: str
    sets: int
    applicant: str
    address: str
    phone: str
    lead_agency: str  # the first agency the dossier was handed to ("" while at the counter)
    received_at: datetime
    due_at: datetime
    handed_over_at: datetime | None
    result_back_at: datetime | None  # the agency's result back at the counter
    returned_at: datetime | None
    returned_to: str  # "" = the applicant; else who collected it, or the postal tracking
    note: str


@dataclass(frozen=True)
class RegisterSection:
    """The rows of one book (Quyển số) within the range."""

    book: str
    form_set: str  # "2018" -> Mẫu số 06, "2025" -> Mẫu số 07
    rows: tuple[RegisterRow, ...]


@dataclass(frozen=True)
class RegisterBook:
    unit_name: str
    parent_name: str
    start: date
    end: date
    sections: tuple[RegisterSection, ...]  # one per book; an empty range has one, without rows
    # The 2025 set's heading under the unit (Decree 118/2025): "Trung tâm Phục vụ hành chính
    # công xã …"; "" prints the 2018 heading (the parent body above the unit) for every book.
    centre_name: str = ""

    def heading(self, form_set: str) -> tuple[str, str]:
        """(the line above, the unit's line in bold) of a book in this form set, as Mẫu 01's
        header: the 2025 set names the UBND above its centre, the 2018 set the parent body."""
        if form_set == "2018" or not self.centre_name:
            return self.parent_name, self.unit_name
        return self.unit_name, self.centre_name.upper()


@dataclass(frozen=True)
class CertRow:
    number: int
    day: date
    code: str
    requester: str
    id_number: str
    signer: str  # name and title of the one who signs; "" = written in by hand
    fee: int
    note: str
    originals: tuple[str, ...] = ()  # copies: the originals' names
    copies: int = 0  # copies: how many certified copies


@dataclass(frozen=True)
class CertBook:
    kind: str  # BS | CK
    book: str  # "01/2026-SCT/BS"
    unit_name: str
    parent_name: str
    start: date
    end: date
    rows: tuple[CertRow, ...] = field(default_factory=tuple)

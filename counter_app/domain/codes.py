"""Dossier codes: <agency identifier>-<yymmdd>-<sequence> (DOMAIN.md §2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from counter_app.domain.errors import ValidationError

# Groups of digits/letters separated by dots, e.g. 000.00.20.H01 or H15.50.05.13.
AGENCY_RE = re.compile(r"^[A-Z0-9]{1,4}(\.[A-Z0-9]{1,4}){2,5}$")
CODE_RE = re.compile(
    r"^(?P<agency>[A-Z0-9]{1,4}(?:\.[A-Z0-9]{1,4}){2,5})-(?P<day>\d{6})-(?P<seq>\d{4,5})$"
)
CODE_SEARCH_RE = re.compile(r"[A-Z0-9]{1,4}(?:\.[A-Z0-9]{1,4}){2,5}-\d{6}-\d{4,5}")
MAX_SEQUENCE = 99_999
# Ranges a unit hands out in normal work end here: 90,000-99,999 are kept for the recovery
# ranges a counter restored offline may go on in (services/resume), so they never clash.
CODE_RANGE_TOP = 89_999


@dataclass(frozen=True)
class DossierCode:
    agency_id: str
    day: date
    sequence: int

    def __str__(self) -> str:
        return format_code(self.agency_id, self.day, self.sequence)


def validate_agency_id(value: str) -> str:
    value = value.strip().upper()
    if not AGENCY_RE.match(value):
        raise ValidationError("agency_id_invalid", value=value)
    return value


def format_code(agency_id: str, day: date, sequence: int) -> str:
    """4-digit sequence, widened to 5 only past 9999 (DOMAIN.md §2, CHOICE)."""
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValidationError("sequence_exhausted", sequence=sequence)
    width = 4 if sequence <= 9999 else 5
    return f"{agency_id}-{day:%y%m%d}-{sequence:0{width}d}"


def parse_code(value: str) -> DossierCode:
    m = CODE_RE.match(value.strip().upper())
    if not m:
        raise ValidationError("code_invalid", value=value)
    d = m["day"]
    try:
        day = date(2000 + int(d[:2]), int(d[2:4]), int(d[4:]))
    except ValueError:
        raise ValidationError("code_invalid", value=value) from None
    return DossierCode(m["agency"], day, int(m["seq"]))


def looks_like_code(value: str) -> bool:
    return bool(CODE_RE.match(value.strip().upper()))

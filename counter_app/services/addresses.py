"""The applicant's address against the 2025 units (issue 16): what intake stores, and the
`address` commands' look-ups.

Rules at intake (`resolve`):
- no commune code given: the text is read (`AdminUnits.recognise`, the window's rule too):
  when it ends with a 2025 commune and its province ("…, Xã Mỹ Hòa Hưng, tỉnh An Giang")
  that commune's code is stored; otherwise the text is stored as typed with no code
  ("unverified"), never refused;
- a code given: it must name a commune of the list (else `commune_unknown`); a text that
  already ends with that commune is kept as typed; a text naming no 2025 commune gets the
  commune's label appended ("Ấp Mỹ Hòa" + 30313 -> "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An
  Giang"), so the stored text always says what the code says; a text ending with ANOTHER
  2025 commune is refused (`commune_mismatch`): one of the two is wrong and only the clerk
  knows which.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from counter_app.db.models import AdminUnitOverride
from counter_app.domain.admin_units import AdminUnits, Commune, core, format_address
from counter_app.domain.errors import ValidationError
from counter_app.services.admin_units import units_in
from counter_app.services.context import ServiceContext
from counter_app.services.unit_place import home_in

MAX_ADDRESS = 300  # Dossier.applicant_address


def resolve(units: AdminUnits, address: str, commune_code: str | None) -> tuple[str, str | None]:
    """(the address text to store, the commune code or None = unverified): see the module."""
    if not commune_code:
        _, found = units.recognise(address)
        return address, found.code if found is not None else None
    commune = units.commune(commune_code)
    if commune is None:
        raise ValidationError("invalid", field_errors={"applicant.commune_code": "commune_unknown"})
    _, named = units.recognise(address)
    if named is None:
        composed = format_address(address, commune)
        if len(composed) > MAX_ADDRESS:
            raise ValidationError("invalid", field_errors={"applicant.address": "too_long"})
        return composed, commune.code
    if named.code != commune.code:
        raise ValidationError("commune_mismatch", named=named.label, chosen=commune.label)
    return address, commune.code


def commune_json(c: Commune | None) -> dict[str, str] | None:
    """{"code", "name", "province", "label"} of a commune; None for none."""
    if c is None:
        return None
    return {"code": c.code, "name": c.name, "province": c.province.name, "label": c.label}


# --- the `address` commands ------------------------------------------------------------


def _text(text: str) -> str:
    if not text or not text.strip() or not core(text):
        raise ValidationError("address_text_empty")
    return text.strip()


def find(
    units: AdminUnits,
    text: str,
    *,
    home_commune: str | None = None,
    home_province: str | None = None,
    limit: int = 8,
) -> list[dict[str, str]]:
    """Communes matching the typed text, the unit's own commune and province first."""
    if not 1 <= limit <= 100:
        raise ValidationError("address_limit_invalid", max=100)
    found = units.complete(
        _text(text), home_commune=home_commune, home_province=home_province, limit=limit
    )
    return [x for x in (commune_json(c) for c in found) if x is not None]


def convert(units: AdminUnits, text: str) -> dict[str, Any]:
    """An ID card's (old) address against the 2025 units: status current | converted | split
    | unknown, with every candidate of a split commune (never a guess)."""
    conv = units.convert(_text(text))
    return {
        "status": conv.status,
        "street": conv.street,
        "old_place": conv.old_place,
        "candidates": [
            {"code": c.code, "label": c.label, "address": conv.address(i)}
            for i, c in enumerate(conv.candidates)
        ],
    }


def show(units: AdminUnits, code: str) -> dict[str, str]:
    c = units.commune(code.strip())
    if c is None:
        raise ValidationError("address_commune_unknown", code=code.strip()[:20])
    out = commune_json(c)
    assert out is not None
    return {**out, "province_code": c.province.code}


def info(units: AdminUnits, overrides: int) -> dict[str, Any]:
    return {
        "version": units.version,
        "provinces": len(units.provinces),
        "communes": len(units.communes),
        "overrides": overrides,
    }


def local_list(ctx: ServiceContext) -> tuple[AdminUnits, tuple[str | None, str | None], int]:
    """(this unit's list, (its own commune code, its province code) as the completion ranks
    them (services/unit_place.home_in), how many override rows), in one short read."""
    with ctx.uow.read() as s:
        overrides = int(s.scalar(select(func.count()).select_from(AdminUnitOverride)) or 0)
        return units_in(s), home_in(s), overrides

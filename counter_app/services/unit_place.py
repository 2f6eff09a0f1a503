"""The unit's own place in the 2025 list (issue 16 §4): its commune (or, for a province's
centre, its province) chosen by code or by name, and the names the forms print derived from
it (domain/unit_names). services/unit_setup calls `place_changes` inside its transaction; the
intake screen ranks the unit's commune and province first with `home_in`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from counter_app.db.models import Meta, Unit
from counter_app.domain.admin_units import AdminUnits, Commune, Province, core
from counter_app.domain.errors import ValidationError
from counter_app.domain.unit_names import UnitNames, commune_names, province_names
from counter_app.services.admin_units import units_in
from counter_app.services.context import ServiceContext
from counter_app.services.units import find_local_unit

# A province's centre has no commune: its province code is kept here (no column needed).
PROVINCE_KEY = "unit.province_code"
# Keys of set_unit's `changes` handled here (never columns of their own).
PLACE_KEYS = ("commune", "province", "address_street")
SHOWN = 8  # candidates listed when a name is ambiguous


def _listing(found: list[Commune]) -> str:
    return "; ".join(f"{c.code} {c.label}" for c in found[:SHOWN])


def resolve_commune(units: AdminUnits, text: str) -> Commune:
    """A 2025 commune from its five-digit code, its label ("Xã Mỹ Hòa Hưng, tỉnh An Giang") or
    its name typed with or without accents ("my hoa hung", "an binh an giang"). A name that
    fits several and none exactly is refused with up to 8 candidates and their codes."""
    typed = " ".join(str(text).split())
    if not typed:
        raise ValidationError("unit_commune_unknown", text=typed)
    if typed.isdigit():
        found = units.commune(typed.zfill(5)) if len(typed) <= 5 else None
        if found is None:
            raise ValidationError("unit_commune_unknown", text=typed)
        return found
    if "," in typed:
        street, commune = units.recognise(typed)
        if commune is not None and not street:
            return commune
    hits = units.complete(typed.replace(",", " "), limit=200)
    if len(hits) == 1:
        return hits[0]
    exact = [c for c in hits if core(c.name) == core(typed)]
    if len(exact) == 1:
        return exact[0]
    if not hits:
        raise ValidationError("unit_commune_unknown", text=typed)
    shown = exact if len(exact) > 1 else hits
    more = len(shown) - SHOWN
    return_text = _listing(shown) + (f" (và {more} nơi khác)" if more > 0 else "")
    raise ValidationError("unit_commune_ambiguous", text=typed, candidates=return_text)


def resolve_province(units: AdminUnits, text: str) -> Province:
    """A province from its two-digit code or its name ("an giang", "Thành phố Hà Nội")."""
    typed = " ".join(str(text).split())
    found = units.province(typed.zfill(2)) if typed.isdigit() else units.find_province(typed)
    if found is None:
        raise ValidationError("unit_province_unknown", text=typed)
    return found


def place_changes(s: Session, raw: dict[str, Any]) -> dict[str, Any]:
    """set_unit's changes with the place keys (commune, province, address_street) turned into
    settings: commune_code and the derived names, each unless given in the same change (a
    value given wins). Returns the changes without the place keys; the province of a
    province's centre is stored here (Meta) as part of the caller's transaction."""
    changes = {k: v for k, v in raw.items() if k not in PLACE_KEYS}
    commune_text, province_text = raw.get("commune"), raw.get("province")
    street = raw.get("address_street")
    if commune_text is None and province_text is None and street is None:
        return changes
    if commune_text is not None and province_text is not None:
        raise ValidationError("unit_commune_and_province")
    units = units_in(s)
    names: UnitNames
    if commune_text is not None:
        commune = resolve_commune(units, commune_text)
        names = commune_names(commune, street or "")
        home = commune.province.code
        derived: dict[str, Any] = {"commune_code": commune.code, **names.as_changes()}
    elif province_text is not None:
        province = resolve_province(units, province_text)
        names = province_names(province, street or "")
        home = province.code
        derived = {"commune_code": "", **names.as_changes()}
    else:  # only the street: the unit's own commune (or province) as set before
        commune_code, province_code = home_in(s)
        if commune_code is not None:
            address = commune_names(units.communes[commune_code], street or "").address
        elif province_code is not None:
            address = province_names(units.provinces[province_code], street or "").address
        else:
            raise ValidationError("unit_street_needs_place")
        return {"address": address, **{k: v for k, v in changes.items() if v is not None}}
    _store_province(s, home)
    return {**derived, **{k: v for k, v in changes.items() if v is not None}}


def _store_province(s: Session, code: str) -> None:
    row = s.get(Meta, PROVINCE_KEY)
    if row is None:
        s.add(Meta(key=PROVINCE_KEY, value=code))
    else:
        row.value = code


def home_in(s: Session) -> tuple[str | None, str | None]:
    """(the unit's commune code, its province code); None where not set up from the list.
    What the intake screen's completion ranks first (AdminUnits.complete's home_commune,
    home_province)."""
    unit = find_local_unit(s)
    if unit is None:
        return None, None
    units = units_in(s)
    commune = units.commune(unit.commune_code)
    if commune is not None:
        return commune.code, commune.province.code
    meta = s.get(Meta, PROVINCE_KEY)
    if meta is not None and units.province(meta.value) is not None:
        return None, meta.value
    return None, None


def home_units(ctx: ServiceContext) -> tuple[str | None, str | None]:
    with ctx.uow.read() as s:
        return home_in(s)


def place_json(s: Session, unit: Unit) -> dict[str, Any]:
    """`unit show`'s "commune" ({code, label} or null) and "province" ({code, name} or null)."""
    units = units_in(s)
    commune = units.commune(unit.commune_code)
    _code, province_code = home_in(s)
    province = units.province(province_code) if province_code else None
    return {
        "commune": {"code": commune.code, "label": commune.label} if commune else None,
        "province": {"code": province.code, "name": province.name} if province else None,
    }


def unit_place(ctx: ServiceContext) -> dict[str, Any]:
    with ctx.uow.read() as s:
        unit = find_local_unit(s)
        return place_json(s, unit) if unit else {"commune": None, "province": None}

"""What the intake form's address field needs, read once per form (off the GUI thread: the
packaged list takes about a second to load): the 2025 units with central's overrides, and
the unit's own commune and province, which the completion ranks first."""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.db.models import Unit
from counter_app.domain.admin_units import AdminUnits
from counter_app.services.admin_units import units_in
from counter_app.services.context import ServiceContext
from counter_app.services.units import find_local_unit


@dataclass(frozen=True)
class AddressSetup:
    units: AdminUnits
    home_commune: str | None  # the unit's own commune code (Unit.commune_code), if set
    home_province: str | None  # its province code


def home_commune_code(unit: Unit | None) -> str | None:
    """The unit's own commune (Unit.commune_code, "" until set up)."""
    code = (getattr(unit, "commune_code", "") or "").strip() if unit is not None else ""
    return code or None


def address_setup(ctx: ServiceContext) -> AddressSetup:
    with ctx.uow.read() as s:
        units = units_in(s)
        home = home_commune_code(find_local_unit(s))
    commune = units.commune(home)
    if commune is None:  # not set, or no longer in the list: nothing ranked first
        return AddressSetup(units, None, None)
    return AddressSetup(units, commune.code, commune.province.code)

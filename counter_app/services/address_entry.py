"""What the intake form's address field needs, read once per form (off the GUI thread: the
packaged list's asset takes ~50 ms to load): the 2025 units with central's overrides, and
the unit's own commune and province, which the completion ranks first."""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.domain.admin_units import AdminUnits
from counter_app.services.admin_units import units_in
from counter_app.services.context import ServiceContext
from counter_app.services.unit_place import home_in


@dataclass(frozen=True)
class AddressSetup:
    units: AdminUnits
    home_commune: str | None  # the unit's own commune code (Unit.commune_code), if set
    home_province: str | None  # its province code (a province centre: its own province)


def address_setup(ctx: ServiceContext) -> AddressSetup:
    with ctx.uow.read() as s:
        home_commune, home_province = home_in(s)
        return AddressSetup(units_in(s), home_commune, home_province)

"""The local unit (this install's agency) and its office hours."""

from __future__ import annotations

from datetime import time

from sqlalchemy.orm import Session

from counter_app.db.models import Meta, Unit
from counter_app.domain.errors import NotFound
from counter_app.domain.model import UnitInfo
from counter_app.domain.workdays import OfficeHours

LOCAL_UNIT_KEY = "local_unit_id"


def find_local_unit(s: Session) -> Unit | None:
    """This install's unit, or None before it is set up (by `init --demo` or a first sync)."""
    meta = s.get(Meta, LOCAL_UNIT_KEY)
    return s.get(Unit, meta.value) if meta else None


def local_unit(s: Session) -> Unit:
    unit = find_local_unit(s)
    if unit is None:
        raise NotFound("unit_not_set_up")
    return unit


def set_local_unit(s: Session, unit: Unit) -> None:
    meta = s.get(Meta, LOCAL_UNIT_KEY)
    if meta is None:
        s.add(Meta(key=LOCAL_UNIT_KEY, value=unit.id))
    else:
        meta.value = unit.id


def office_hours(unit: Unit) -> OfficeHours:
    return OfficeHours(
        open=time.fromisoformat(unit.office_open),
        close=time.fromisoformat(unit.office_close),
        cutoff=time.fromisoformat(unit.cutoff),
    )


def unit_info(unit: Unit) -> UnitInfo:
    return UnitInfo(
        unit_id=unit.id,
        agency_id=unit.agency_id,
        name=unit.name,
        parent_name=unit.parent_name,
        place_name=unit.place_name,
        address=unit.address,
        phone=unit.phone,
        receiving_name=unit.receiving_name,
        result_place=unit.result_place,
    )

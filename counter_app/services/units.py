"""The local unit (this install's agency) and its office hours."""

from __future__ import annotations

import re
import socket
from datetime import time
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from counter_app.db.models import Meta, Unit
from counter_app.domain.errors import NotFound, ValidationError
from counter_app.domain.ids import new_id
from counter_app.domain.model import UnitInfo
from counter_app.domain.text import clean_text
from counter_app.domain.workdays import OfficeHours
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit

LOCAL_UNIT_KEY = "local_unit_id"
SOURCE_KEY = "sync.source_id"  # services/sync.source_id


def find_local_unit(s: Session) -> Unit | None:
    """This install's unit, or None before it is set up (by `init --demo` or a first sync)."""
    meta = s.get(Meta, LOCAL_UNIT_KEY)
    return s.get(Unit, meta.value) if meta else None


def local_unit(s: Session) -> Unit:
    unit = find_local_unit(s)
    if unit is None:
        raise NotFound("unit_not_set_up")
    return unit


def new_source_id() -> str:
    """A name for this database's event stream at central: the host, and a random tail."""
    host = re.sub(r"[^A-Za-z0-9._-]+", "-", socket.gethostname())[:24].strip("-") or "counter"
    return f"{host}-{new_id()[-12:]}"


def set_local_unit(s: Session, unit: Unit) -> None:
    """Make `unit` this install's, and name its event stream at central now: a backup taken
    before the first sync then carries the name, and a counter restored from it goes on in
    the same stream (without one it made a new stream and re-sent under it events central
    held under the old: a gap central can never fill)."""
    meta = s.get(Meta, LOCAL_UNIT_KEY)
    if meta is None:
        s.add(Meta(key=LOCAL_UNIT_KEY, value=unit.id))
    else:
        meta.value = unit.id
    if s.get(Meta, SOURCE_KEY) is None:
        s.add(Meta(key=SOURCE_KEY, value=new_source_id()))


def office_hours(unit: Unit) -> OfficeHours:
    return OfficeHours(
        open=time.fromisoformat(unit.office_open),
        close=time.fromisoformat(unit.office_close),
        cutoff=time.fromisoformat(unit.cutoff),
    )


def unit_info(unit: Unit | Row[Any] | SimpleNamespace) -> UnitInfo:
    """The unit as forms and views see it (from its ORM object, a plain row or the same
    names in a namespace)."""
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
        commune_code=unit.commune_code,
    )


def set_form_settings(
    ctx: ServiceContext,
    *,
    receiving_name: str | None = None,
    result_place: str | None = None,
    username: str = "system",
) -> UnitInfo:
    """The unit's names on the forms (DOMAIN.md §3): how the receiving unit is named ("Trung
    tâm Phục vụ hành chính công xã …") and where results are collected (Mẫu 01 item 6). An
    empty value goes back to the default derived from the unit's name. One transaction,
    audited."""
    if receiving_name is None and result_place is None:
        raise ValidationError("unit_settings_none")
    changes: dict[str, str] = {}
    if receiving_name is not None:
        changes["receiving_name"] = clean_text(
            receiving_name, "receiving_name", max_len=200, required=False
        )
    if result_place is not None:
        changes["result_place"] = clean_text(
            result_place, "result_place", max_len=300, required=False
        )
    now = ctx.clock()
    with ctx.uow.write() as s:
        unit = local_unit(s)
        for key, value in changes.items():
            setattr(unit, key, value)
        append_audit(s, now, username, "unit_set", changes)
        return unit_info(unit)

"""The 2025 administrative units as this unit sees them: the packaged list
(domain/admin_units) with central's override list (table admin_unit_overrides, pulled by
sync) applied on top. Cached per process, rebuilt when the override list changes."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from counter_app.db.driver_reads import DriverReads
from counter_app.db.models import AdminUnitOverride
from counter_app.domain.admin_units import AdminUnits, default_units, with_overrides
from counter_app.services.context import ServiceContext

_lock = threading.Lock()
_cache: dict[tuple[int, str], AdminUnits] = {}


Stamp = tuple[int | None, Any]  # how many overrides, and when the latest changed
# The stamp as two scalar subqueries, for a caller to add to a select it runs anyway.
STAMP_COLUMNS = (
    select(func.count()).select_from(AdminUnitOverride).scalar_subquery().label("au_count"),
    select(func.max(AdminUnitOverride.updated_at)).scalar_subquery().label("au_latest"),
)
_STAMP = select(*STAMP_COLUMNS)  # built once


def _stamp(s: Session | Connection | DriverReads) -> tuple[int, str]:
    count, latest = s.execute(_STAMP).one()
    return _normal((count, latest))


def stamp_of(count: int | None, latest: object) -> tuple[int, str]:
    """The list's stamp from its row count and newest updated_at (read by the caller)."""
    return _normal((count, latest))


def _normal(stamp: Stamp) -> tuple[int, str]:
    count, latest = stamp
    return int(count or 0), str(latest or "")


_SESSION_KEY = "admin_units"


def forget_in(s: Session) -> None:
    """Drop the session's memo (sync calls it after writing an override)."""
    s.info.pop(_SESSION_KEY, None)


def units_in(s: Session, stamp: Stamp | None = None) -> AdminUnits:
    """The list with this database's overrides, inside an open session. Read once per
    session (one session is one transaction in db/uow): a save asks for it twice (the
    address, then the view's commune), and the override list cannot change under a
    transaction except through sync, which calls forget_in. `stamp`: the STAMP_COLUMNS a
    caller already read in this transaction (saves the query)."""
    memo = s.info.get(_SESSION_KEY)
    if memo is not None:
        return memo  # type: ignore[no-any-return]
    built = _units_in(s, None if stamp is None else _normal(stamp))
    s.info[_SESSION_KEY] = built
    return built


def units_at(conn: Connection | DriverReads, stamp: Stamp) -> AdminUnits:
    """The list with this database's overrides for a Core read that has read the STAMP_COLUMNS
    itself (opening a dossier): no session to keep it in, the process cache by stamp."""
    return _units_in(conn, _normal(stamp))


def _units_in(s: Session | Connection | DriverReads, stamp: tuple[int, str] | None) -> AdminUnits:
    stamp = stamp or _stamp(s)
    if stamp[0] == 0:
        return default_units()
    with _lock:
        found = _cache.get(stamp)
    if found is not None:
        return found
    o = AdminUnitOverride
    rows = [
        {
            "code": code,
            "name": name,
            "province_code": province_code,
            **({"retired": "1"} if retired else {}),
        }
        for code, name, province_code, retired in s.execute(
            select(o.code, o.name, o.province_code, o.retired).order_by(o.code)
        )
    ]
    built = with_overrides(default_units(), rows)
    with _lock:
        _cache.clear()
        _cache[stamp] = built
    return built


def units(ctx: ServiceContext) -> AdminUnits:
    """The list with this unit's overrides (one short read)."""
    with ctx.uow.read() as s:
        return units_in(s)

"""Setting up a real unit without --demo (issue 11 §4): the unit, its counters, accounts,
queue services and printers. Every change is one audited transaction; a refusal changes
nothing. The window's first-run screen and the CLI both call these functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counter_app.config import Settings, stored_sources, with_stored
from counter_app.db.models import Dossier, Meta, QueueService, ServiceCounter, Unit, User
from counter_app.domain.accounts import check_account, hash_password
from counter_app.domain.codes import validate_agency_id
from counter_app.domain.errors import Conflict, NotFound, ValidationError
from counter_app.domain.ids import new_id
from counter_app.domain.queue import clean_service
from counter_app.domain.setup_rules import PRINTER_KINDS, check_hours, clock_time
from counter_app.domain.text import clean_text
from counter_app.services.auth import create_user
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit
from counter_app.services.unit_place import place_changes
from counter_app.services.units import find_local_unit, local_unit, set_local_unit

SUPERVISING_ROLES = ("supervisor", "admin")
# The local database's key for each printer, and the Settings field it stands in for.
PRINTER_FIELDS = {"a4": "a4_printer", "label": "label_printer", "ticket": "ticket_printer"}


# --- the unit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSettings:
    agency_id: str
    name: str
    parent_name: str
    place_name: str
    address: str
    phone: str
    office_open: str
    office_close: str
    cutoff: str
    code_range: tuple[int, int]
    receiving_name: str
    result_place: str
    commune_code: str = ""  # the 2025 commune it serves ("" = not set from the list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["code_range"] = list(self.code_range)
        return data


def unit_settings(unit: Unit) -> UnitSettings:
    return UnitSettings(
        agency_id=unit.agency_id,
        name=unit.name,
        parent_name=unit.parent_name,
        place_name=unit.place_name,
        address=unit.address,
        phone=unit.phone,
        office_open=unit.office_open,
        office_close=unit.office_close,
        cutoff=unit.cutoff,
        code_range=(unit.seq_start, unit.seq_end),
        receiving_name=unit.receiving_name,
        result_place=unit.result_place,
        commune_code=unit.commune_code,
    )


_TEXT_LIMITS = {
    "name": 200,
    "parent_name": 200,
    "place_name": 100,
    "address": 300,
    "phone": 20,
    "receiving_name": 200,
    "result_place": 300,
}
_TIMES = {"office_open": "giờ mở cửa", "office_close": "giờ đóng cửa", "cutoff": "giờ chốt nhận"}


def _clean_unit_changes(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if key == "agency_id":
            out[key] = validate_agency_id(str(value))
        elif key in _TEXT_LIMITS:
            required = key == "name"
            out[key] = clean_text(
                str(value), f"unit.{key}", max_len=_TEXT_LIMITS[key], required=required
            )
        elif key in _TIMES:
            out[key] = clock_time(str(value), _TIMES[key])
        elif key == "commune_code":  # from the list: services/unit_place.place_changes
            out[key] = str(value).strip()
            if out[key] and not (len(out[key]) == 5 and out[key].isdigit()):
                raise ValidationError("unit_commune_unknown", text=out[key])
        elif key == "code_range":
            start, end = value
            out["seq_start"], out["seq_end"] = int(start), int(end)
        else:
            raise ValueError(f"not a unit setting: {key}")
    return out


def set_unit(
    ctx: ServiceContext, changes: dict[str, Any], *, username: str = "system"
) -> tuple[UnitSettings, bool]:
    """Create this install's unit when there is none, else change the given settings.

    Keys (None = leave as is): agency_id, name, parent_name, place_name, address, phone,
    office_open, office_close, cutoff ("HH:MM"), code_range ((start, end), already checked
    by setup_rules.number_range), receiving_name, result_place. Creating needs agency_id and
    name. The agency id of a unit that has dossiers is never changed (their codes carry it).
    The unit's place (issue 16 §4): `commune` (code or name) or `province` (a province's
    centre) sets commune_code and derives name, parent_name, place_name, receiving_name and
    address (services/unit_place), each unless given too; `address_street` is the address's
    street part before the commune.
    Returns the settings and whether the unit was created.
    """
    if all(v is None for v in changes.values()):
        raise ValidationError("unit_settings_none")
    now = ctx.clock()
    with ctx.uow.write() as s:
        values = _clean_unit_changes(place_changes(s, changes))
        unit, created = _set_unit_in(s, now, values, username)
        return unit_settings(unit), created


def _set_unit_in(
    s: Session, now: datetime, values: dict[str, Any], username: str
) -> tuple[Unit, bool]:
    unit = find_local_unit(s)
    created = unit is None
    if unit is None:
        if "agency_id" not in values or "name" not in values:
            raise ValidationError("unit_create_needs")
        if s.scalar(select(Unit.id).where(Unit.agency_id == values["agency_id"])):
            raise Conflict("unit_agency_taken", agency=values["agency_id"])
        unit = Unit(
            id=new_id(),
            agency_id=values["agency_id"],
            name=values["name"],
            parent_name="",
            place_name="",
            address="",
            phone="",
            cutoff="15:00",
            office_open="07:30",
            office_close="17:00",
            seq_start=1,
            seq_end=99_999,
            receiving_name="",
            result_place="",
        )
        s.add(unit)
    elif values.get("agency_id", unit.agency_id) != unit.agency_id:
        has_dossiers = s.scalar(
            select(func.count()).select_from(Dossier).where(Dossier.unit_id == unit.id)
        )
        if has_dossiers:
            raise ValidationError("unit_agency_locked", agency=unit.agency_id)
    merged = {k: values.get(k, getattr(unit, k)) for k in ("office_open", "office_close", "cutoff")}
    check_hours(merged["office_open"], merged["office_close"], merged["cutoff"])
    before = unit_settings(unit).as_json() if not created else {}
    for key, value in values.items():
        setattr(unit, key, value)
    s.flush()
    if created:
        set_local_unit(s, unit)
    diff = {k: v for k, v in unit_settings(unit).as_json().items() if before.get(k) != v}
    append_audit(s, now, username, "unit_created" if created else "unit_set", diff)
    return unit, created


def current_unit(ctx: ServiceContext) -> UnitSettings | None:
    with ctx.uow.read() as s:
        unit = find_local_unit(s)
        return unit_settings(unit) if unit else None


# --- counters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterInfo:
    number: int
    name: str
    active: bool
    services: tuple[str, ...]  # codes of the active queue services it serves


def _services(s: Session, unit_id: str) -> list[QueueService]:
    return list(
        s.scalars(
            select(QueueService)
            .where(QueueService.unit_id == unit_id)
            .order_by(QueueService.position, QueueService.code)
        )
    )


def _counter_infos(s: Session, unit_id: str) -> list[CounterInfo]:
    services = [svc for svc in _services(s, unit_id) if svc.active]
    rows = s.scalars(
        select(ServiceCounter)
        .where(ServiceCounter.unit_id == unit_id)
        .order_by(ServiceCounter.number)
    )
    return [
        CounterInfo(
            c.number,
            c.name,
            c.active,
            tuple(svc.code for svc in services if c.number in svc.counters),
        )
        for c in rows
    ]


def list_counters(ctx: ServiceContext) -> list[CounterInfo]:
    with ctx.uow.read() as s:
        return _counter_infos(s, local_unit(s).id)


def ensure_counters(s: Session, unit_id: str, numbers: list[int]) -> None:
    """Counters named by a service set up in bulk (demo, central's reference data): created
    when missing, re-activated when disabled."""
    for n in numbers:
        row = s.get(ServiceCounter, (unit_id, n))
        if row is None:
            s.add(ServiceCounter(unit_id=unit_id, number=n, name="", active=True))
        elif not row.active:
            row.active = True


def add_counter(
    ctx: ServiceContext, number: int, name: str = "", *, username: str = "system"
) -> CounterInfo:
    """A new counter (or a disabled one back in use, with its new name if given)."""
    now = ctx.clock()
    with ctx.uow.write() as s:
        unit = local_unit(s)
        _add_counter_in(s, now, unit.id, number, name, username)
        return next(c for c in _counter_infos(s, unit.id) if c.number == number)


def _add_counter_in(
    s: Session, now: datetime, unit_id: str, number: int, name: str, username: str
) -> None:
    if number < 1 or number > 999:
        raise ValidationError("counter_number_invalid", value=number)
    name = clean_text(name, "counter.name", max_len=100, required=False)
    row = s.get(ServiceCounter, (unit_id, number))
    if row is not None and row.active:
        raise Conflict("counter_exists", counter=number)
    if row is None:
        row = ServiceCounter(unit_id=unit_id, number=number, name=name, active=True)
        s.add(row)
    else:
        row.active = True
        row.name = name or row.name
    s.flush()
    append_audit(s, now, username, "counter_added", {"counter": number, "name": row.name})


def remove_counter(ctx: ServiceContext, number: int, *, username: str = "system") -> CounterInfo:
    """Take a counter out of use (kept for its history); refused while a service names it."""
    now = ctx.clock()
    with ctx.uow.write() as s:
        unit = local_unit(s)
        row = s.get(ServiceCounter, (unit.id, number))
        if row is None or not row.active:
            raise NotFound("counter_unknown", counter=number)
        users = [svc.code for svc in _services(s, unit.id) if svc.active and number in svc.counters]
        if users:
            raise ValidationError("counter_in_use", counter=number, services=", ".join(users))
        row.active = False
        s.flush()
        append_audit(s, now, username, "counter_removed", {"counter": number})
        return next(c for c in _counter_infos(s, unit.id) if c.number == number)


def _check_counters(s: Session, unit_id: str, numbers: list[int]) -> None:
    known = set(
        s.scalars(
            select(ServiceCounter.number).where(
                ServiceCounter.unit_id == unit_id, ServiceCounter.active
            )
        )
    )
    for n in numbers:
        if n not in known:
            raise ValidationError("counter_unknown_for_service", counter=n)


# --- accounts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountInfo:
    username: str
    full_name: str
    role: str
    active: bool


def _account(u: User) -> AccountInfo:
    return AccountInfo(u.username, u.full_name, u.role, u.active)


def list_users(ctx: ServiceContext) -> list[AccountInfo]:
    with ctx.uow.read() as s:
        rows = s.scalars(select(User).order_by(User.active.desc(), User.username))
        return [_account(u) for u in rows]


def add_user(
    ctx: ServiceContext,
    username: str,
    full_name: str,
    role: str,
    password: str,
    *,
    by: str = "system",
) -> AccountInfo:
    now = ctx.clock()
    with ctx.uow.write() as s:
        return _add_user_in(s, now, local_unit(s).id, username, full_name, role, password, by)


def _add_user_in(
    s: Session,
    now: datetime,
    unit_id: str,
    username: str,
    full_name: str,
    role: str,
    password: str,
    by: str,
) -> AccountInfo:
    user = create_user(s, unit_id, username, full_name, role, password)
    s.flush()
    append_audit(s, now, by, "user_added", {"username": user.username, "role": role})
    return _account(user)


def _find_user(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound("user_unknown", username=username)
    return user


def _supervisors_left(s: Session, without: str) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(User)
            .where(User.active, User.role.in_(SUPERVISING_ROLES), User.id != without)
        )
        or 0
    )


def set_user_active(
    ctx: ServiceContext, username: str, active: bool, *, by: str = "system"
) -> AccountInfo:
    """Disable (or enable again) an account; the last active supervisor stays."""
    now = ctx.clock()
    with ctx.uow.write() as s:
        user = _find_user(s, username)
        last = user.active and user.role in SUPERVISING_ROLES and not _supervisors_left(s, user.id)
        if not active and last:
            raise ValidationError("last_supervisor", username=user.username)
        if user.active != active:
            user.active = active
            if active:
                user.failed_attempts, user.locked_until = 0, None
            append_audit(
                s,
                now,
                by,
                "user_enabled" if active else "user_disabled",
                {"username": user.username},
            )
        return _account(user)


def reset_password(
    ctx: ServiceContext, username: str, password: str, *, by: str = "system"
) -> AccountInfo:
    now = ctx.clock()
    with ctx.uow.write() as s:
        user = _find_user(s, username)
        check_account(user.username, user.role, password)
        user.password_hash = hash_password(password)
        user.failed_attempts, user.locked_until = 0, None
        append_audit(s, now, by, "password_reset", {"username": user.username})
        return _account(user)


# --- queue services ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueServiceInfo:
    code: str
    name: str
    prefix: str
    counters: tuple[int, ...]
    opens: str
    closes: str
    range: tuple[int, int]
    active: bool

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["counters"] = list(self.counters)
        data["range"] = list(self.range)
        return data


def _service_info(svc: QueueService) -> QueueServiceInfo:
    return QueueServiceInfo(
        svc.code,
        svc.name,
        svc.prefix,
        tuple(svc.counters),
        svc.opens,
        svc.closes,
        (svc.start_number, svc.end_number),
        svc.active,
    )


def list_queue_services(ctx: ServiceContext) -> list[QueueServiceInfo]:
    with ctx.uow.read() as s:
        return [_service_info(svc) for svc in _services(s, local_unit(s).id)]


def _row_values(svc: QueueService) -> dict[str, Any]:
    return {
        "code": svc.code,
        "name": svc.name,
        "prefix": svc.prefix,
        "counters": list(svc.counters),
        "start_number": svc.start_number,
        "end_number": svc.end_number,
        "opens": svc.opens,
        "closes": svc.closes,
        "position": svc.position,
        "active": svc.active,
    }


def _checked_service(
    s: Session, unit_id: str, raw: dict[str, Any], position: int
) -> dict[str, Any]:
    """A service's settings with the clear refusals first, then clean_service's format rules."""
    code = str(raw.get("code", "")).strip().upper()
    try:
        opens = clock_time(str(raw.get("opens", "07:30")), f"Lĩnh vực {code}: giờ bắt đầu phát số")
        closes = clock_time(str(raw.get("closes", "17:00")), f"Lĩnh vực {code}: giờ ngừng phát số")
        check_hours(opens, closes)
    except ValidationError as exc:
        exc.params["service"] = code  # the first-run screen shows it by the services table
        raise
    values = clean_service({**raw, "opens": opens, "closes": closes}, position)
    _check_counters(s, unit_id, values["counters"])
    if values["active"]:
        for other in _services(s, unit_id):
            if other.code != code and other.active and other.prefix == values["prefix"]:
                raise ValidationError(
                    "service_prefix_taken", prefix=values["prefix"], other=other.code
                )
    return values


def add_queue_service(
    ctx: ServiceContext, raw: dict[str, Any], *, username: str = "system"
) -> QueueServiceInfo:
    """Keys as services.queue.set_up_services: code, name, prefix, counters, opens, closes,
    start_number, end_number; the counters must have been added (counter add)."""
    now = ctx.clock()
    with ctx.uow.write() as s:
        return _add_service_in(s, now, local_unit(s).id, raw, username)


def _add_service_in(
    s: Session, now: datetime, unit_id: str, raw: dict[str, Any], username: str
) -> QueueServiceInfo:
    code = str(raw.get("code", "")).strip().upper()
    existing = _services(s, unit_id)
    if any(svc.code == code for svc in existing):
        raise Conflict("service_exists", code=code)
    values = _checked_service(s, unit_id, raw, len(existing))
    row = QueueService(id=new_id(), unit_id=unit_id, **values)
    s.add(row)
    s.flush()
    append_audit(s, now, username, "queue_service_added", values)
    return _service_info(row)


def set_queue_service(
    ctx: ServiceContext, code: str, changes: dict[str, Any], *, username: str = "system"
) -> QueueServiceInfo:
    """Change a service's settings (None = unchanged); `active: False` stops its tickets."""
    now = ctx.clock()
    with ctx.uow.write() as s:
        unit = local_unit(s)
        want = code.strip().upper()
        row = next((svc for svc in _services(s, unit.id) if svc.code == want), None)
        if row is None:
            raise NotFound("service_unknown", code=code)
        current = _row_values(row)
        given = {k: v for k, v in changes.items() if v is not None}
        if not given:
            raise ValidationError("service_settings_none")
        values = _checked_service(s, unit.id, {**current, **given}, row.position)
        diff = {k: v for k, v in values.items() if current.get(k) != v}
        for key, value in diff.items():
            setattr(row, key, value)
        s.flush()
        if diff:
            append_audit(s, now, username, "queue_service_set", {"code": row.code, **diff})
        return _service_info(row)


# --- printers ----------------------------------------------------------------------------------


def _printer_key(kind: str) -> str:
    return f"printer.{kind}"


@dataclass(frozen=True)
class PrinterInfo:
    kind: str  # a4 | label | ticket
    stored: str  # set with `printer set` (this database)
    config: str  # from the config file or the environment
    effective: str  # what this install prints on
    source: str  # config | database | default


def stored_printers(ctx: ServiceContext) -> dict[str, str]:
    with ctx.uow.read() as s:
        rows = s.scalars(select(Meta).where(Meta.key.in_([_printer_key(k) for k in PRINTER_KINDS])))
        return {m.key.split(".", 1)[1]: m.value for m in rows}


def effective_settings(settings: Settings, stored: dict[str, str]) -> Settings:
    """The settings a process runs with: a printer named in the config file (or environment)
    wins; otherwise the one a supervisor set in the database (`printer set`)."""
    return with_stored(settings, stored, PRINTER_FIELDS)


def list_printers(ctx: ServiceContext) -> list[PrinterInfo]:
    """Each printer: what the config file says, what the database holds, which one is used."""
    rows = stored_sources(ctx.configured or ctx.settings, stored_printers(ctx), PRINTER_FIELDS)
    return [PrinterInfo(*row) for row in rows]


def _check_os_printer(name: str, known: Callable[[], list[str]]) -> None:
    names = known()
    if name not in names:
        listed = ", ".join(names) if names else "(không có máy in nào)"
        raise ValidationError("printer_unknown", printer=name, known=listed)


def _clean_printer(kind: str, value: str) -> str:
    value = clean_text(value, "printer", max_len=200, required=False)
    if value.lower().startswith("folder:") and not value[len("folder:") :].strip():
        raise ValidationError("printer_setting_invalid", setting=value)
    if kind == "ticket":  # usb:VID:PID well written, winspool: only on Windows (issue 13)
        from counter_app.services.devices import check_ticket_setting

        check_ticket_setting(value)
    elif value.lower().startswith(("usb:", "winspool:")):  # the ticket printer's forms only
        raise ValidationError("printer_setting_invalid", setting=value)
    return value


def set_printer(
    ctx: ServiceContext,
    kind: str,
    value: str,
    *,
    username: str = "system",
    known: Callable[[], list[str]] | None = None,
) -> PrinterInfo:
    """Store this install's printer of a kind ("" = back to the default). An A4 or label
    printer is named as the OS lists it (`known`, default QPrinterInfo's names): a name the
    OS does not know is refused, with the names it does know."""
    if kind not in PRINTER_KINDS:
        raise ValidationError("printer_kind_invalid", kind=kind)
    value = _clean_printer(kind, value)
    named = value.lower() not in ("", "default") and not value.lower().startswith("folder:")
    if kind in ("a4", "label") and named:
        _check_os_printer(value, known or ctx.adapters.printer_names)
    now = ctx.clock()
    with ctx.uow.write() as s:
        local_unit(s)
        key = _printer_key(kind)
        row = s.get(Meta, key)
        if value and row is None:
            s.add(Meta(key=key, value=value))
        elif value and row is not None:
            row.value = value
        elif row is not None:
            s.delete(row)
        append_audit(s, now, username, "printer_set", {"kind": kind, "value": value})
    return next(p for p in list_printers(ctx) if p.kind == kind)


# --- the window's first run --------------------------------------------------------------------


@dataclass(frozen=True)
class FirstRun:
    """What the first-run screen collects (the same checks and messages as the CLI's)."""

    unit: dict[str, Any]  # set_unit's keys
    username: str  # the first supervisor
    full_name: str
    password: str
    counters: tuple[int, ...]
    services: tuple[dict[str, Any], ...]  # add_queue_service's keys


def first_run(ctx: ServiceContext, plan: FirstRun, *, username: str = "system") -> UnitSettings:
    """Unit, first supervisor, counters and queue services in ONE transaction: a refusal
    anywhere leaves the database as empty as it was. Refused once a unit exists."""
    now = ctx.clock()
    with ctx.uow.write() as s:
        if find_local_unit(s) is not None:
            raise Conflict("unit_already_set_up")
        values = _clean_unit_changes(place_changes(s, plan.unit))
        unit, _created = _set_unit_in(s, now, values, username)
        _add_user_in(
            s, now, unit.id, plan.username, plan.full_name, "supervisor", plan.password, username
        )
        for n in plan.counters:
            _add_counter_in(s, now, unit.id, n, "", username)
        for raw in plan.services:
            _add_service_in(s, now, unit.id, raw, username)
        return unit_settings(unit)


# --- from central (the reference pull, services/sync.py) ---------------------------------------


def apply_central_counter(
    s: Session, now: datetime, unit_id: str, number: int, name: str, present: bool
) -> bool:
    """A counter set on central. Withdrawn there, it goes out of use here unless an active
    local service still names it (the queue would stop). Returns whether anything changed."""
    row = s.get(ServiceCounter, (unit_id, number))
    if present:
        if row is None:
            s.add(ServiceCounter(unit_id=unit_id, number=number, name=name, active=True))
        elif row.active and (row.name == name or not name):
            return False
        else:
            row.active = True
            row.name = name or row.name
        append_audit(s, now, "system", "counter_from_central", {"counter": number, "name": name})
        return True
    if row is None or not row.active:
        return False
    if any(svc.active and number in svc.counters for svc in _services(s, unit_id)):
        return False
    row.active = False
    append_audit(s, now, "system", "counter_removed_by_central", {"counter": number})
    return True


def apply_central_service(
    s: Session, now: datetime, unit_id: str, code: str, data: dict[str, Any], present: bool
) -> bool:
    """A queue service set on central: central's settings win over the unit's for that code,
    and a local service using the same prefix under another code is stopped (its numbers
    would clash). Withdrawn on central, the service stops here."""
    services = _services(s, unit_id)
    row = next((svc for svc in services if svc.code == code), None)
    if not present:
        if row is None or not row.active:
            return False
        row.active = False
        append_audit(s, now, "system", "queue_service_removed_by_central", {"code": code})
        return True
    values = clean_service({**data, "code": code}, int(data.get("position", len(services))))
    ensure_counters(s, unit_id, values["counters"])
    if values["active"]:
        for other in services:
            if other.code != code and other.active and other.prefix == values["prefix"]:
                other.active = False
                append_audit(
                    s,
                    now,
                    "system",
                    "queue_service_stopped_by_central",
                    {"code": other.code, "prefix": other.prefix, "by": code},
                )
    if row is None:
        s.add(QueueService(id=new_id(), unit_id=unit_id, **values))
    else:
        diff = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not diff:
            return False
        for key, value in diff.items():
            setattr(row, key, value)
    s.flush()
    append_audit(s, now, "system", "queue_service_from_central", values)
    return True

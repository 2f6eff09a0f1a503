"""The serial devices of this PC and the state of each configured one (issue 13 item 3).

`serial_devices` is what `counter-app device list` shows a supervisor choosing a setting
(usb:VID:PID[:SERIAL] to paste into the config or `printer set ticket`); `device_states` is
each device's state for a status bar or `device status`: ok, not_set, or failing with a
Vietnamese message. It never opens a port (a scanner being read holds its port): a usb: id is
looked up in the system's list, a local port checked to be there, a network URL (socket://)
reported ok as set, a Windows printer asked for its spooler status; a live device's own last
failure (the scanner's `fault`) is passed in `faults` and wins."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from counter_app.config import Settings, stored_sources, with_stored
from counter_app.devices.ports import (
    DEVICE_NAMES,
    Comports,
    SerialDevice,
    find_port,
    list_devices,
    parse_usb,
)
from counter_app.devices.winspool import WinspoolPrinter, is_winspool, printer_name
from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.domain.setup_rules import STORED_DEVICE_KINDS
from counter_app.messages import describe
from counter_app.services.context import ServiceContext

DEVICE_SETTINGS = {
    "scanner": "scanner_port",
    "ticket_printer": "ticket_printer",
    "led_board": "led_board",
}


@dataclass(frozen=True)
class DeviceState:
    kind: str  # scanner | ticket_printer | led_board
    setting: str  # as configured: COM3, usb:1a86:7523, winspool:…, socket://…, "" = none
    state: str  # ok | not_set | failing
    port: str  # where it is now (a usb: id's current port), "" when unknown
    message: str  # Vietnamese, "" when ok

    def as_json(self) -> dict[str, str]:
        return {
            "device": self.kind,
            "setting": self.setting,
            "state": self.state,
            "port": self.port,
            "message": self.message,
        }


def serial_devices(comports: Comports | None = None) -> list[SerialDevice]:
    try:
        return list_devices(comports)
    except OSError as exc:  # the system's device list unreadable (permissions, sysfs)
        raise CounterAppError("device_list_failed", detail=str(exc)) from exc


def used_by(device: SerialDevice, settings: Settings) -> list[str]:
    """The device settings that name this device, by its USB id or by its port."""
    out = []
    for kind, field in DEVICE_SETTINGS.items():
        spec = str(getattr(settings, field)).strip()
        if not spec:
            continue
        try:
            usb = parse_usb(spec)
        except ValidationError:
            continue
        if usb is not None:
            if (device.vid, device.pid) == (usb.vid, usb.pid) and (
                not usb.serial or usb.serial.lower() == device.serial_number.lower()
            ):
                out.append(kind)
        elif _same_port(spec, device.port):
            out.append(kind)
    return out


def _same_port(a: str, b: str) -> bool:
    if sys.platform == "win32" or a.upper().startswith("COM"):
        return a.strip().upper() == b.strip().upper()
    if a.startswith("/") and b.startswith("/"):  # /dev/serial/by-id/… links to /dev/ttyUSB0
        return os.path.realpath(a) == os.path.realpath(b)
    return a.strip() == b.strip()


def _is_local_port(spec: str) -> bool:
    """COM3, /dev/ttyUSB0: a port the system lists (not socket://, loop://, rfc2217://)."""
    return "://" not in spec


def device_states(
    settings: Settings,
    comports: Comports | None = None,
    *,
    winspool_api: Any = None,
    faults: Mapping[str, CounterAppError | None] | None = None,
) -> list[DeviceState]:
    """The scanner's, the ticket printer's and the LED board's state, in that order."""
    listed: list[SerialDevice] | None = None

    def devices() -> list[SerialDevice]:
        nonlocal listed
        if listed is None:
            listed = serial_devices(comports)
        return listed

    out = []
    for kind, field in DEVICE_SETTINGS.items():
        spec = str(getattr(settings, field)).strip()
        fault = (faults or {}).get(kind)
        if not spec:
            out.append(DeviceState(kind, "", "not_set", "", ""))
            continue
        try:
            port = _check(kind, spec, devices, winspool_api)
        except CounterAppError as exc:
            out.append(DeviceState(kind, spec, "failing", "", describe(exc)))
            continue
        if fault is not None:
            out.append(DeviceState(kind, spec, "failing", port, describe(fault)))
        else:
            out.append(DeviceState(kind, spec, "ok", port, ""))
    return out


def _check(kind: str, spec: str, devices: Any, winspool_api: Any) -> str:
    """The device's current port; CounterAppError when it is not there."""
    if kind == "ticket_printer" and is_winspool(spec):
        name = printer_name(spec)
        code, detail = WinspoolPrinter(name, api=winspool_api).state()
        if code != "ok":
            raise CounterAppError(code, printer=name, detail=detail)
        return spec
    usb = parse_usb(spec)
    if usb is not None:
        return find_port(usb, devices(), kind)
    if _is_local_port(spec):
        if spec.startswith("/"):  # POSIX: /dev/ttyUSB0, /dev/serial/by-id/…, a pty
            if not os.path.exists(spec):
                raise CounterAppError("device_port_missing", device=DEVICE_NAMES[kind], port=spec)
            return spec
        if not any(_same_port(spec, d.port) for d in devices()):
            raise CounterAppError("device_port_missing", device=DEVICE_NAMES[kind], port=spec)
        return spec
    return spec


def check_ticket_setting(value: str) -> None:
    """`printer set ticket VALUE`: a usb: id well written; winspool: only on Windows."""
    if is_winspool(value):
        if sys.platform != "win32":
            raise ValidationError("winspool_not_windows", printer=printer_name(value))
        if not printer_name(value):
            raise ValidationError("winspool_unknown_printer", printer="")
        return
    parse_usb(value)


def live_states(
    ctx: ServiceContext,
    *,
    scanner: object = None,
    board: object = None,
    comports: Comports | None = None,
) -> list[DeviceState]:
    """device_states for a window: with the running scanner's and LED board's last failure
    (their `fault`) and the ticket printer's (the context's printer for the setting). It lists
    the system's ports (tens of ms on Windows): call it off the GUI thread (ui.tasks)."""
    faults: dict[str, CounterAppError | None] = {
        "scanner": getattr(scanner, "fault", None),
        "led_board": getattr(board, "fault", None),
    }
    url = ctx.settings.ticket_printer
    if url:
        # no adapters attached, a malformed setting: the setting's own check says what is wrong
        with contextlib.suppress(LookupError, CounterAppError):
            faults["ticket_printer"] = getattr(ctx.adapters.ticket_printer(url), "fault", None)
    return device_states(ctx.settings, comports, faults=faults)


# --- the scanner and the LED board set by a supervisor (the ticket printer: printer set) ------

_STORED_FIELDS = {kind: DEVICE_SETTINGS[kind] for kind in STORED_DEVICE_KINDS}


def _key(kind: str) -> str:
    return f"device.{kind}"


@dataclass(frozen=True)
class DeviceSetting:
    kind: str  # scanner | led_board
    stored: str  # set with `device set` (this database)
    config: str  # from the config file or the environment
    effective: str  # what this install uses
    source: str  # config | database | default

    def as_json(self) -> dict[str, str]:
        return {
            "device": self.kind,
            "value": self.effective,
            "source": self.source,
            "stored": self.stored,
            "config": self.config,
        }


def stored_devices(ctx: ServiceContext) -> dict[str, str]:
    from sqlalchemy import select

    from counter_app.db.models import Meta

    with ctx.uow.read() as s:
        rows = s.scalars(select(Meta).where(Meta.key.in_([_key(k) for k in STORED_DEVICE_KINDS])))
        return {m.key.split(".", 1)[1]: m.value for m in rows}


def effective_device_settings(settings: Settings, stored: Mapping[str, str]) -> Settings:
    """A device named in the config file (or environment) wins; otherwise the one a
    supervisor set in the database (`device set`), as for the printers."""
    return with_stored(settings, dict(stored), _STORED_FIELDS)


def device_settings(ctx: ServiceContext) -> list[DeviceSetting]:
    stored = stored_devices(ctx)
    rows = stored_sources(ctx.configured or ctx.settings, stored, _STORED_FIELDS)
    return [DeviceSetting(*row) for row in rows]


def set_device(
    ctx: ServiceContext, kind: str, value: str, *, username: str = "system"
) -> DeviceSetting:
    """Store this install's scanner or LED board ("" = none); one audited transaction."""
    from counter_app.db.models import Meta
    from counter_app.domain.text import clean_text
    from counter_app.services.records import append_audit
    from counter_app.services.units import local_unit

    if kind not in STORED_DEVICE_KINDS:
        raise ValidationError("device_kind_invalid", kind=kind)
    value = clean_text(value, "device", max_len=200, required=False)
    if is_winspool(value):  # a Windows printer is a ticket printer only
        raise ValidationError("device_setting_invalid", device=DEVICE_NAMES[kind], value=value)
    parse_usb(value)
    now = ctx.clock()
    with ctx.uow.write() as s:
        local_unit(s)
        row = s.get(Meta, _key(kind))
        if value and row is None:
            s.add(Meta(key=_key(kind), value=value))
        elif value and row is not None:
            row.value = value
        elif row is not None:
            s.delete(row)
        append_audit(s, now, username, "device_set", {"kind": kind, "value": value})
    return next(d for d in device_settings(ctx) if d.kind == kind)

"""`device list` (the serial devices of this PC, with their USB ids) and `device status` (the
configured scanner, ticket printer and LED board: ok, not set, failing)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from counter_app.cli.output import Result
from counter_app.devices.ports import SerialDevice
from counter_app.domain.setup_rules import STORED_DEVICE_KINDS
from counter_app.lazy import lazy

if TYPE_CHECKING:
    from counter_app.services import devices as svc
    from counter_app.services.context import ServiceContext
else:
    svc = lazy("counter_app.services.devices")

DEVICE_NAMES = {"scanner": "máy quét", "ticket_printer": "máy in vé", "led_board": "bảng LED"}
STATE_NAMES = {"ok": "sẵn sàng", "not_set": "chưa cài đặt", "failing": "lỗi"}


def add_parser(
    cmd: Callable[[str, str], argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = cmd("device", "serial devices: list them with their USB ids, or the configured ones' state")
    sub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    sub.add_parser(
        "list",
        parents=[common],
        help="serial ports with VID:PID, serial number, description (usb:… settings)",
    )
    sub.add_parser(
        "status",
        parents=[common],
        help="the scanner, ticket printer and LED board: ok | not_set | failing",
    )
    a = sub.add_parser(
        "set",
        parents=[common],
        help="this install's scanner or LED board (the config file's setting wins)",
    )
    a.add_argument("kind", choices=STORED_DEVICE_KINDS)
    a.add_argument("value", help='COM3, /dev/ttyUSB0, socket://host:port, usb:VID:PID; "" = none')


def _hex(n: int | None) -> str:
    return f"{n:04x}" if n is not None else ""


def _device_json(d: SerialDevice, used: list[str]) -> dict[str, Any]:
    return {
        "port": d.port,
        "usb": d.usb,
        "vid": _hex(d.vid),
        "pid": _hex(d.pid),
        "serial_number": d.serial_number,
        "description": d.description,
        "manufacturer": d.manufacturer,
        "used_by": used,
    }


def _device_line(d: SerialDevice, used: list[str]) -> str:
    parts = [d.port, d.usb or "(không phải USB)"]
    if d.description:
        parts.append(d.description)
    if d.manufacturer and d.manufacturer not in d.description:
        parts.append(d.manufacturer)
    if used:
        parts.append("đang dùng cho " + ", ".join(DEVICE_NAMES[k] for k in used))
    return " · ".join(parts)


def cmd_device(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.action == "set":
        d = svc.set_device(ctx, args.kind, args.value)

        def saved() -> str:
            text = f"Đã lưu. {DEVICE_NAMES[d.kind]}: {d.effective or '(không có)'}"
            if d.source == "config" and d.stored:
                text += f" (tệp cấu hình đã đặt {d.config}: giá trị vừa lưu chưa được dùng)"
            return text

        return d.as_json(), saved
    if args.action == "list":
        rows = [(d, svc.used_by(d, ctx.settings)) for d in svc.serial_devices()]
        return (
            [_device_json(d, used) for d, used in rows],
            lambda: (
                "\n".join(_device_line(d, used) for d, used in rows)
                or "Không thấy cổng nối tiếp nào trên máy này."
            ),
        )
    states = svc.device_states(ctx.settings)

    def line(st: svc.DeviceState) -> str:
        text = f"{DEVICE_NAMES[st.kind]}: {STATE_NAMES[st.state]}"
        if st.setting:
            text += f" · {st.setting}"
        if st.port and st.port != st.setting:
            text += f" (cổng {st.port})"
        return text + (f" · {st.message}" if st.message else "")

    return [st.as_json() for st in states], lambda: "\n".join(map(line, states))

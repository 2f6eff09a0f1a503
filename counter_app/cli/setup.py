"""Setting up a real unit (DESIGN.md §4, issue 11 §4): unit set|show, counter add|list|remove,
user add|list|disable|enable|reset-password, service add|set|list, printer set|list|test.

Passwords are never taken on the command line (they would sit in the shell history and in
`ps`): they are typed at a prompt, twice, or read as the first line of standard input with
--password-stdin."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from counter_app.cli import ratings as rating_cli
from counter_app.cli import receipt as receipt_cli
from counter_app.cli.output import Result
from counter_app.domain.errors import ValidationError
from counter_app.domain.setup_rules import PRINTER_KINDS, counter_list, number_range
from counter_app.lazy import lazy

if TYPE_CHECKING:
    from counter_app.services import unit_place
    from counter_app.services import unit_setup as svc
    from counter_app.services.context import ServiceContext
else:
    unit_place = lazy("counter_app.services.unit_place")
    svc = lazy("counter_app.services.unit_setup")

ROLES = ("clerk", "supervisor", "admin")
ROLE_NAMES = {"clerk": "cán bộ", "supervisor": "giám sát", "admin": "quản trị"}
PRINTER_NAMES = {"a4": "máy in A4", "label": "máy in nhãn", "ticket": "máy in vé"}
SOURCE_NAMES = {
    "config": "theo tệp cấu hình",
    "database": "đặt bằng printer set",
    "default": "mặc định",
}

Cmd = Callable[[str, str], argparse.ArgumentParser]


def _subs(p: argparse.ArgumentParser) -> Any:
    # the command's own parser class (cli.main.Parser: usage errors as one line, exit 2)
    return p.add_subparsers(dest="action", required=True, parser_class=type(p))


def add_unit_parser(cmd: Cmd, common: argparse.ArgumentParser) -> None:
    p = cmd("unit", "this install's unit: create it, change it, show it")
    usub = _subs(p)
    us = usub.add_parser(
        "set",
        parents=[common],
        help="create the unit (first time: --agency and --name) or change its settings",
    )
    us.add_argument("--agency", metavar="ID", help="mã định danh, e.g. 000.20.25.H01")
    us.add_argument("--name", metavar="T", help="UBND XÃ …")
    us.add_argument("--parent-name", metavar="T", help="UBND TỈNH …")
    us.add_argument("--place-name", metavar="T", help="the place named in dates on forms")
    us.add_argument("--address", metavar="T")
    us.add_argument("--phone", metavar="T")
    us.add_argument("--opens", metavar="HH:MM", help="office opens (default 07:30)")
    us.add_argument("--closes", metavar="HH:MM", help="office closes (default 17:00)")
    us.add_argument("--cutoff", metavar="HH:MM", help="dossiers after it count from the next day")
    us.add_argument(
        "--code-range",
        metavar="A-B",
        help="this database's dossier-code sequence numbers, e.g. 1-4999 (each stand-alone "
        "counter PC of one unit its own range)",
    )
    us.add_argument("--receiving-name", metavar="T", help="Trung tâm Phục vụ hành chính công xã …")
    us.add_argument(
        "--result-place", metavar="T", help="Mẫu 01 item 6: where results are collected"
    )
    rating_cli.add_unit_set_options(us)
    receipt_cli.add_unit_set_options(us)
    place = us.add_mutually_exclusive_group()
    place.add_argument(
        "--commune",
        metavar="CODE_OR_NAME",
        help="the unit's 2025 commune/ward/special zone: 5-digit code or name (accents optional), "
        'e.g. 30313 or "my hoa hung"; derives --name, --parent-name, --place-name, '
        "--receiving-name and --address unless given",
    )
    place.add_argument(
        "--province",
        metavar="CODE_OR_NAME",
        help="a province's Trung tâm Phục vụ hành chính công: 2-digit code or name; derives "
        "the names as --commune does",
    )
    us.add_argument(
        "--address-street",
        metavar="T",
        help="the address's street/hamlet part, before the commune and province (e.g. Ấp Mỹ Hòa)",
    )
    usub.add_parser("show", parents=[common], help="the unit's settings")


def add_parsers(cmd: Cmd, common: argparse.ArgumentParser) -> None:
    """counter, user, service and printer (the unit's parser is add_unit_parser)."""
    p = cmd("counter", "the unit's counters (quầy)")
    csub = _subs(p)
    a = csub.add_parser("add", parents=[common], help="a counter number queue services can name")
    a.add_argument("number", type=int)
    a.add_argument("--name", default="", metavar="T", help='e.g. "Quầy Hộ tịch"')
    csub.add_parser("list", parents=[common])
    csub.add_parser("remove", parents=[common], help="take a counter out of use").add_argument(
        "number", type=int
    )

    p = cmd("user", "accounts of this unit")
    usub = _subs(p)
    a = usub.add_parser("add", parents=[common], help="a new account (password asked for)")
    a.add_argument("username")
    a.add_argument("--name", required=True, metavar="T", help="full name")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    usub.add_parser("list", parents=[common])
    usub.add_parser("disable", parents=[common], help="no more log-ins").add_argument("username")
    usub.add_parser("enable", parents=[common], help="a disabled account back").add_argument(
        "username"
    )
    a = usub.add_parser("reset-password", parents=[common], help="a new password (asked for)")
    a.add_argument("username")
    a.add_argument("--password-stdin", action="store_true", help="read the password from stdin")

    p = cmd("service", "queue services (lĩnh vực) with their hours and counters")
    ssub = _subs(p)
    for name in ("add", "set"):
        a = ssub.add_parser(
            name,
            parents=[common],
            help="a new queue service" if name == "add" else "change a queue service",
        )
        a.add_argument("code", help="e.g. HT")
        a.add_argument("--name", required=name == "add", metavar="T", help="e.g. Hộ tịch")
        a.add_argument("--prefix", required=name == "add", metavar="D", help="1–4 digits")
        a.add_argument("--counters", required=name == "add", metavar="N,N", help="e.g. 1,2")
        a.add_argument("--opens", metavar="HH:MM", help="tickets from (default 07:30)")
        a.add_argument("--closes", metavar="HH:MM", help="tickets until (default 17:00)")
        a.add_argument("--range", metavar="A-B", help="daily ticket numbers (default 1-999)")
        if name == "set":
            onoff = a.add_mutually_exclusive_group()
            onoff.add_argument("--deactivate", action="store_true", help="stop issuing tickets")
            onoff.add_argument("--activate", action="store_true")
    ssub.add_parser("list", parents=[common], help="every service, inactive ones included")

    p = cmd("printer", "this install's printers (the config file's setting wins)")
    psub = _subs(p)
    a = psub.add_parser("set", parents=[common], help='a printer name, "folder:/path", a URL')
    a.add_argument("kind", choices=PRINTER_KINDS)
    a.add_argument("value", help='"" = back to the default')
    pl = psub.add_parser("list", parents=[common], help="the app's printers, then the OS's")
    pl.add_argument(
        "--os", action="store_true", help="only the printers the OS lists (name, default, state)"
    )
    t = psub.add_parser("test", parents=[common], help="print a test page on the a4/label printer")
    t.add_argument("kind", choices=("a4", "label"))


# --- unit --------------------------------------------------------------------------------------


def _unit_lines(u: svc.UnitSettings) -> str:
    a, b = u.code_range
    return "\n".join(
        [
            f"Đơn vị {u.agency_id}: {u.name}" + (f" ({u.parent_name})" if u.parent_name else ""),
            f"  Địa danh: {u.place_name or '—'} · Địa chỉ: {u.address or '—'}"
            f" · Điện thoại: {u.phone or '—'}",
            f"  Giờ làm việc {u.office_open}–{u.office_close}, chốt nhận hồ sơ {u.cutoff}",
            f"  Dải số mã hồ sơ của máy này: {a}–{b}",
            f'  Tên trên giấy tờ: "{u.receiving_name or "(mặc định theo tên đơn vị)"}",'
            f' nơi nhận kết quả: "{u.result_place or "(mặc định)"}"',
        ]
    )


def cmd_unit(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.action == "show":
        u = svc.current_unit(ctx)
        if u is None:
            return None, lambda: "Chưa thiết lập đơn vị (counter-app unit set --agency … --name …)."
        shown = receipt_cli.unit_show(ctx)  # --earliest-receipt / --clock-skew-h
        where = unit_place.unit_place(ctx)  # commune {code, label}, province {code, name}
        data = {**u.as_json(), **shown, **where}
        return (
            data,
            lambda: _unit_lines(u) + _place_line(where) + "\n  " + receipt_cli.unit_set_text(shown),
        )
    changes: dict[str, Any] = {
        "agency_id": args.agency,
        "name": args.name,
        "parent_name": args.parent_name,
        "place_name": args.place_name,
        "address": args.address,
        "phone": args.phone,
        "office_open": args.opens,
        "office_close": args.closes,
        "cutoff": args.cutoff,
        "receiving_name": args.receiving_name,
        "result_place": args.result_place,
        "code_range": number_range(args.code_range) if args.code_range else None,
        "commune": args.commune,  # issue 16 §4: services/unit_place
        "province": args.province,
        "address_street": args.address_street,
    }
    rating_cli.check_unit_set(args)  # --rating-scale / --rating-timeout: cli/ratings.py
    receipt_cli.check_unit_set(ctx, args)  # --earliest-receipt / --clock-skew-h: cli/receipt.py
    if all(v is None for v in changes.values()):
        rated_only = rating_cli.unit_set(ctx, args)
        bounds_only = receipt_cli.unit_set(ctx, args)
        if rated_only is not None or bounds_only is not None:
            only = {**(rated_only or {}), **(bounds_only or {})}
            lines = [rating_cli.unit_set_text(rated_only)] if rated_only else []
            lines += [receipt_cli.unit_set_text(bounds_only)] if bounds_only else []
            return only, lambda: "\n".join(lines)
    u, created = svc.set_unit(ctx, changes)
    where = unit_place.unit_place(ctx)
    data = {**u.as_json(), "unit": u.agency_id, "created": created, **where}
    rated = rating_cli.unit_set(ctx, args)
    data.update(rated or {})
    bounds = receipt_cli.unit_set(ctx, args)
    data.update(bounds or {})
    head = "Đã tạo đơn vị." if created else "Đã lưu."
    tail = f"\n{rating_cli.unit_set_text(rated)}" if rated else ""
    tail += f"\n{receipt_cli.unit_set_text(bounds)}" if bounds else ""
    return data, lambda: head + "\n" + _unit_lines(u) + _place_line(where) + tail


def _place_line(where: dict[str, Any]) -> str:
    """The unit's place in the 2025 list, under its settings."""
    commune, province = where["commune"], where["province"]
    if commune:
        return f"\n  Đơn vị hành chính: {commune['label']} (mã {commune['code']})"
    if province:
        return f"\n  Đơn vị hành chính: {province['name']} (mã {province['code']})"
    return "\n  Đơn vị hành chính: chưa chọn trong danh mục 2025 (unit set --commune …)"


# --- counters ----------------------------------------------------------------------------------


def _counter_json(c: svc.CounterInfo) -> dict[str, Any]:
    return {"number": c.number, "name": c.name, "active": c.active, "services": list(c.services)}


def _counter_line(c: svc.CounterInfo) -> str:
    state = "" if c.active else " (ngừng dùng)"
    serves = ", ".join(c.services) or "chưa phục vụ lĩnh vực nào"
    return f"Quầy {c.number}{' · ' + c.name if c.name else ''}{state} · {serves}"


def cmd_counter(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.action == "list":
        rows = svc.list_counters(ctx)
        return [
            _counter_json(c) for c in rows
        ], lambda: "\n".join(_counter_line(c) for c in rows) or "Chưa có quầy nào."
    if args.action == "add":
        c = svc.add_counter(ctx, args.number, args.name)
        return _counter_json(c), lambda: "Đã thêm. " + _counter_line(c)
    c = svc.remove_counter(ctx, args.number)
    return _counter_json(c), lambda: "Đã ngừng dùng. " + _counter_line(c)


# --- users -------------------------------------------------------------------------------------


def read_password(from_stdin: bool) -> str:
    """The first line of stdin, or typed twice at a prompt that does not echo it."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise ValidationError("password_stdin_empty")
        return line
    if not sys.stdin.isatty():
        raise ValidationError("password_needs_prompt")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise ValidationError("password_mismatch")
    return first


def _user_json(u: svc.AccountInfo) -> dict[str, Any]:
    return {"username": u.username, "name": u.full_name, "role": u.role, "active": u.active}


def _user_line(u: svc.AccountInfo) -> str:
    state = "" if u.active else " (đã khoá)"
    return f"{u.username} · {u.full_name} · {ROLE_NAMES.get(u.role, u.role)}{state}"


def cmd_user(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.action == "list":
        rows = svc.list_users(ctx)
        return [
            _user_json(u) for u in rows
        ], lambda: "\n".join(_user_line(u) for u in rows) or "Chưa có tài khoản nào."
    if args.action == "add":
        password = read_password(args.password_stdin)
        u = svc.add_user(ctx, args.username, args.name, args.role, password)
        return _user_json(u), lambda: "Đã tạo tài khoản " + _user_line(u)
    if args.action == "reset-password":
        password = read_password(args.password_stdin)
        u = svc.reset_password(ctx, args.username, password)
        return _user_json(u), lambda: f"Đã đặt mật khẩu mới cho {u.username}."
    u = svc.set_user_active(ctx, args.username, args.action == "enable")
    done = "Đã mở lại" if u.active else "Đã khoá"
    return _user_json(u), lambda: f"{done} tài khoản {_user_line(u)}"


# --- queue services ----------------------------------------------------------------------------


def _service_line(s: svc.QueueServiceInfo) -> str:
    state = "" if s.active else " (ngừng phát số)"
    return (
        f"{s.code:<4} {s.name} · số {s.prefix}xxx ({s.range[0]}–{s.range[1]})"
        f" · quầy {', '.join(map(str, s.counters))} · {s.opens}–{s.closes}{state}"
    )


def cmd_service(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.action == "list":
        rows = svc.list_queue_services(ctx)
        return [
            s.as_json() for s in rows
        ], lambda: "\n".join(_service_line(s) for s in rows) or "Chưa có lĩnh vực nào."
    raw: dict[str, Any] = {
        "code": args.code,
        "name": args.name,
        "prefix": args.prefix,
        "counters": counter_list(args.counters) if args.counters else None,
        "opens": args.opens,
        "closes": args.closes,
    }
    if args.range:
        raw["start_number"], raw["end_number"] = number_range(
            args.range, top=999, what="ticket_range"
        )
    if args.action == "add":
        s = svc.add_queue_service(ctx, {k: v for k, v in raw.items() if v is not None})
        return s.as_json(), lambda: "Đã thêm lĩnh vực " + _service_line(s)
    if args.deactivate or args.activate:
        raw["active"] = bool(args.activate)
    raw.pop("code")
    s = svc.set_queue_service(ctx, args.code, raw)
    return s.as_json(), lambda: "Đã lưu lĩnh vực " + _service_line(s)


# --- printers ----------------------------------------------------------------------------------


def _printer_json(p: svc.PrinterInfo) -> dict[str, Any]:
    return {
        "kind": p.kind,
        "value": p.effective,
        "source": p.source,
        "stored": p.stored,
        "config": p.config,
    }


def _printer_line(p: svc.PrinterInfo) -> str:
    line = f"{PRINTER_NAMES[p.kind]}: {p.effective or '(mặc định)'} · {SOURCE_NAMES[p.source]}"
    if p.source == "config" and p.stored:
        line += f" (trong cơ sở dữ liệu: {p.stored}, không dùng vì tệp cấu hình đã đặt)"
    return line


STATE_NAMES = {
    "idle": "sẵn sàng",
    "printing": "đang in",
    "aborted": "đã hủy lệnh in",
    "error": "lỗi hoặc tạm dừng",
    "unknown": "không rõ",
}
DETAIL_NAMES = {
    "rejecting": "từ chối lệnh in",
    "disabled": "bị tạm dừng",
    "media-empty": "hết giấy",
    "media-needed": "hết giấy",
    "input-tray-missing": "thiếu khay giấy",
    "paused": "bị tạm dừng",
    "offline": "mất kết nối",
    "jam": "kẹt giấy",
    "door-open": "mở nắp",
    "error": "báo lỗi",
}


def _os_line(p: Any) -> str:
    state = STATE_NAMES.get(p.state, p.state)
    if p.detail:
        state += f", {DETAIL_NAMES.get(p.detail, p.detail)}"
    return f"  {p.name}{' (mặc định)' if p.default else ''}: {state}"


def _os_text(rows: list[Any]) -> str:
    if not rows:
        return "Máy tính không có máy in nào."
    return "Máy in của máy tính:\n" + "\n".join(map(_os_line, rows))


def cmd_printer(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    from counter_app.services import printers

    if args.action == "test":
        report = printers.print_test_page(ctx, args.kind)
        where = "lưu PDF vào" if report.via == "pdf" else "gửi tới máy in"
        return (
            report.as_json(),
            lambda: (
                f"Đã {where} {report.printer}: {report.pages} trang in thử, "
                f"{report.seconds:.2f} giây."
            ),
        )
    if args.action == "list" and args.os:
        found = printers.os_printers(ctx)
        return [p.as_json() for p in found], lambda: _os_text(found)
    if args.action == "list":
        rows = svc.list_printers(ctx)
        found = printers.os_printers(ctx)
        return [_printer_json(p) for p in rows], lambda: "\n".join(
            [*map(_printer_line, rows), _os_text(found)]
        )
    p = svc.set_printer(ctx, args.kind, args.value)
    return _printer_json(p), lambda: "Đã lưu. " + _printer_line(p)


# --- on central ----------------------------------------------------------------------------


def add_central_parsers(sub: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """`central counter` and `central service` (`sub` adds --url)."""
    a = sub("counter", "a unit's counter, sent to the unit by sync")
    a.add_argument("number", type=int)
    a.add_argument("--unit", required=True, metavar="ID")
    a.add_argument("--name", default="", metavar="T")
    a.add_argument("--remove", action="store_true", help="withdraw it")
    a = sub("service", "create or replace a unit's queue service, sent to the unit by sync")
    a.add_argument("code")
    a.add_argument("--unit", required=True, metavar="ID")
    a.add_argument("--name", required=True, metavar="T")
    a.add_argument("--prefix", required=True, metavar="D")
    a.add_argument("--counters", required=True, metavar="N,N")
    a.add_argument("--opens", default="07:30", metavar="HH:MM")
    a.add_argument("--closes", default="17:00", metavar="HH:MM")
    a.add_argument("--range", default="1-999", metavar="A-B")
    a.add_argument("--deactivate", action="store_true", help="stop issuing tickets")


def cmd_central_setup(args: argparse.Namespace) -> Result:
    from counter_app.sync import central_setup

    if args.action == "counter":
        data = central_setup.set_counter(
            args.url, args.unit, args.number, args.name, remove=args.remove
        )
        verb = "Đã rút" if args.remove else "Đã lưu"
        return (
            data,
            lambda: (
                f"{verb} quầy số {data['number']} của đơn vị {data['unit']} trên máy chủ trung tâm"
                " (đến quầy ở lần đồng bộ sau)."
            ),
        )
    start, end = number_range(args.range, top=999, what="ticket_range")
    data = central_setup.set_service(
        args.url,
        args.unit,
        {
            "code": args.code,
            "name": args.name,
            "prefix": args.prefix,
            "counters": counter_list(args.counters),
            "opens": args.opens,
            "closes": args.closes,
            "start_number": start,
            "end_number": end,
            "active": not args.deactivate,
        },
    )
    return (
        data,
        lambda: (
            f"Đã lưu lĩnh vực {data['code']} ({data['name']}) của đơn vị {data['unit']} trên máy"
            " chủ trung tâm (đến quầy ở lần đồng bộ sau)."
        ),
    )

"""Queue ticket commands (DESIGN.md §4, §7): ticket services | issue | self-test | call-next | …"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING, Any

from counter_app.cli.output import Result
from counter_app.domain.errors import CounterAppError
from counter_app.lazy import lazy
from counter_app.messages import describe
from counter_app.ui_text import thousands

if TYPE_CHECKING:
    from counter_app.services import queue
    from counter_app.services import units as units_svc
    from counter_app.services.context import ServiceContext
else:
    queue = lazy("counter_app.services.queue")
    units_svc = lazy("counter_app.services.units")


def _ticket_services(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    services = queue.list_services(ctx)
    data = [
        {"code": s.code, "name": s.name, "prefix": s.prefix, "counters": list(s.counters)}
        for s in services
    ]
    return (
        data,
        lambda: (
            "\n".join(
                f"{s.code:<4} {s.name} · số {s.prefix}xxx · quầy {', '.join(map(str, s.counters))}"
                f" · đang chờ {s.waiting}"
                for s in services
            )
            or "Chưa có lĩnh vực nào."
        ),
    )


def _ticket_issue(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    t = queue.issue(ctx, args.service, args.priority)
    data: dict[str, Any] = {
        "number": t.number,
        "service": t.service_code,
        "ahead": t.ahead,
        "estimated_wait_min": t.estimated_wait_min,
    }
    if args.printer:
        # The ticket is issued whatever happens at the printer: a failure is a warning on
        # stderr and "printed": false, and the ticket can be reprinted.
        data["printed"], problem = _print_ticket(ctx, t, args.printer)
        if problem:
            data["print_error"] = problem
            sys.stderr.write(f"Cảnh báo: {problem}\n")

    def human() -> str:
        if t.ahead == 0:
            return f"Số {t.number} · {t.service_name} · không có ai chờ trước bạn"
        return (
            f"Số {t.number} · {t.service_name} · trước bạn {t.ahead} người"
            f" · dự kiến {t.estimated_wait_min} phút"
        )

    return data, human


def _print_ticket(ctx: ServiceContext, t: Any, url: str) -> tuple[bool, str]:
    with ctx.uow.read() as s:
        unit = units_svc.local_unit(s).name
    counters = next((s.counters for s in queue.list_services(ctx) if s.code == t.service_code), ())
    settings = dataclasses.replace(ctx.settings, ticket_printer=url)
    from counter_app.services import printjobs  # PIL, reportlab: only to print

    try:
        printjobs.print_ticket(printjobs.ticket_data(t, unit, counters), settings, ctx.adapters)
    except CounterAppError as exc:
        return False, describe(exc)
    return True, ""


def _ticket_self_test(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    s = ctx.settings
    from counter_app.printing.escpos import PrinterProfile, render_self_test

    profile = PrinterProfile(dots=args.dots or s.ticket_printer_dots)
    data = render_self_test(profile)
    ctx.adapters.ticket_printer(args.printer).send(data)
    out = {"printer": args.printer, "bytes": len(data), "dots": profile.dots}
    return out, lambda: f"Đã gửi trang in thử ({thousands(len(data))} byte) tới {args.printer}"


def _ticket_store_logo(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    """Store the unit's constant ticket lines in the printer's NV graphics memory (GS ( L);
    run again after the unit or a service is renamed, counters change, or the printer is
    reset: a missing key prints nothing, and the printer cannot say which keys it holds."""
    from counter_app.printing.escpos import constant_lines, render_nv_store
    from counter_app.services import printjobs  # PIL, reportlab: only to print

    with ctx.uow.read() as s:
        unit = units_svc.local_unit(s).name
    services = [(s.name, printjobs.service_counters(s.counters)) for s in queue.list_services(ctx)]
    lines = constant_lines(unit, printjobs.TICKET_FOOTER, services, printjobs.priority_lines())
    profile = printjobs.ticket_profile(ctx.settings, args.dots)
    data = render_nv_store(lines, profile)
    ctx.adapters.ticket_printer(args.printer).send(data)
    out = {"printer": args.printer, "bytes": len(data), "dots": profile.dots, "images": len(lines)}
    return (
        out,
        lambda: (
            f"Đã lưu {len(lines)} dòng cố định vào bộ nhớ máy in {args.printer}"
            f" ({thousands(len(data))} byte); bật ticket_printer_nv để in vé theo mã lưu."
        ),
    )


def _ticket_call_next(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    t = queue.call_next(ctx, args.counter)
    if t is None:
        return {"number": None}, lambda: f"Không còn ai chờ ở quầy số {args.counter}."
    data = {
        "number": t.number,
        "service": t.service_code,
        "counter": t.counter,
        "waited_s": t.waited_s,
    }
    return (
        data,
        lambda: (
            f"Mời số {t.number} đến quầy số {t.counter} · {t.service_name}"
            f" · đã chờ {t.waited_s // 60} phút"
        ),
    )


_TICKET_DONE = {
    "recall": "Mời lại số {n} đến quầy số {c}",
    "skip": "Số {n} vắng mặt (quầy số {c})",
    "finish": "Đã xong số {n} (quầy số {c})",
    "hold": "Đang giữ số {n} (quầy số {c})",
    "transfer": "Đã chuyển số {n} sang {to}",
}


def _ticket_action(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.action == "transfer":
        t = queue.transfer(
            ctx, args.counter, to_service=args.to_service, to_counter=args.to_counter
        )
    else:
        t = getattr(queue, args.action)(ctx, args.counter)
    data = {
        "number": t.number,
        "service": t.service_code,
        "counter": args.counter,
        "status": t.status,
    }
    to_counter = getattr(args, "to_counter", None)
    to = f"quầy số {to_counter}" if to_counter else f"lĩnh vực {t.service_name}"
    text = _TICKET_DONE[args.action].format(n=t.number, c=args.counter, to=to)
    return data, lambda: text


def _ticket_held(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    held = queue.held_tickets(ctx)
    data = [
        {
            "number": t.number,
            "service": t.service_code,
            "counter": t.counter,
            "priority": t.priority,
            "issued_at": t.issued_at.isoformat(),
        }
        for t in held
    ]
    return (
        data,
        lambda: (
            "\n".join(
                f"Số {t.number} · {t.service_name} · giữ ở quầy số {t.counter}"
                f" · lấy số lúc {t.issued_at:%H:%M}"
                for t in held
            )
            or "Không có số nào đang được giữ."
        ),
    )


def _ticket_resume(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    t = queue.resume(ctx, args.number, args.counter)
    data = {
        "number": t.number,
        "service": t.service_code,
        "counter": t.counter,
        "status": t.status,
    }
    return data, lambda: f"Mời số {t.number} trở lại quầy số {t.counter} · {t.service_name}"


def cmd_ticket(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    handler = {
        "held": _ticket_held,
        "resume": _ticket_resume,
        "services": _ticket_services,
        "issue": _ticket_issue,
        "self-test": _ticket_self_test,
        "store-logo": _ticket_store_logo,
        "call-next": _ticket_call_next,
    }.get(args.action, _ticket_action)
    return handler(ctx, args)

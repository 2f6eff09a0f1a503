"""Command handlers: each returns (JSON-able data, a function that renders it for people)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.domain.lifecycle import STATUS_CODES
from counter_app.domain.model import DossierView
from counter_app.dossier_cli import cmd_dossier, dossier_events, event_line
from counter_app.services import calendar as cal_svc
from counter_app.services import catalogue as cat_svc
from counter_app.services import intake as intake_svc
from counter_app.services import lookup
from counter_app.services.context import ServiceContext
from counter_app.services.setup import init_database, load_catalogue_file
from counter_app.ui_text import money, thousands

Result = tuple[Any, Callable[[], str]]


def context(args: argparse.Namespace) -> ServiceContext:
    from counter_app.app import build_context

    return build_context(db=args.db, config=args.config)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written output."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise CounterAppError("file_unwritable", path=str(path), detail=exc.strerror) from None


def cmd_init(args: argparse.Namespace) -> Result:
    ctx = context(args)
    res = init_database(ctx, demo=args.demo, agency=args.unit)
    data = {
        "db": str(ctx.uow.engine.url),
        "unit": res.unit,
        "created_unit": res.created_unit,
        "catalogue": res.catalogue,
    }

    def human() -> str:
        lines = [f"Cơ sở dữ liệu sẵn sàng: {ctx.uow.engine.url}"]
        if res.unit:
            lines.append(f"Đơn vị: {res.unit}" + (" (mới tạo)" if res.created_unit else ""))
            c = res.catalogue
            lines.append(
                f"Danh mục: thêm {c['added']}, cập nhật {c['updated']}, giữ nguyên {c['unchanged']}"
            )
            lines.append("Tài khoản mẫu: giamsat, canbo1, canbo2 (mật khẩu: demo)")
        return "\n".join(lines)

    return data, human


def cmd_catalogue(args: argparse.Namespace) -> Result:
    ctx = context(args)
    if args.action == "import":
        res = cat_svc.import_catalogue(ctx, load_catalogue_file(args.file))
        return (
            res.__dict__,
            lambda: (
                f"Đã nhập danh mục: thêm {res.added}, cập nhật {res.updated}, "
                f"giữ nguyên {res.unchanged}"
            ),
        )
    entries = cat_svc.list_catalogue(ctx)
    data = [
        {
            "code": e.procedure.code,
            "name": e.procedure.name,
            "sector": e.procedure.sector,
            "level": e.procedure.level,
            "processing_days": e.procedure.processing_days,
            "fee": e.procedure.fee,
            "version": e.procedure.version,
            "documents": list(e.documents),
        }
        for e in entries
    ]
    return data, lambda: "\n".join(
        f"{e.procedure.code:<14} {e.procedure.name} · {e.procedure.sector} · "
        f"{e.procedure.processing_days} ngày · {money(e.procedure.fee)}"
        for e in entries
    )


def cmd_calendar(args: argparse.Namespace) -> Result:
    ctx = context(args)
    if args.action == "set":
        o = cal_svc.set_override(ctx, args.date, args.kind == "work", args.note)
        data = {
            "date": o.day.isoformat(),
            "kind": "work" if o.is_workday else "off",
            "note": o.note,
        }
        word = "ngày làm việc bù" if o.is_workday else "ngày nghỉ"
        return data, lambda: f"{o.day:%d/%m/%Y}: {word}" + (f" ({o.note})" if o.note else "")
    rows = cal_svc.list_overrides(ctx, args.year)
    listing = [
        {"date": o.day.isoformat(), "kind": "work" if o.is_workday else "off", "note": o.note}
        for o in rows
    ]
    return (
        listing,
        lambda: (
            "\n".join(
                f"{o.day:%d/%m/%Y} {'làm việc' if o.is_workday else 'nghỉ'} {o.note}".rstrip()
                for o in rows
            )
            or "Chưa có ngày điều chỉnh nào."
        ),
    )


def _read_intake(file: str) -> Any:
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError("file_missing", path=file) from None
    except UnicodeDecodeError:
        raise ValidationError("json_invalid", path=file, detail="không phải UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"dòng {exc.lineno}, cột {exc.colno}"
        raise ValidationError("json_invalid", path=file, detail=where) from None


def _parse_many(raw: Any) -> list[intake_svc.IntakeRequest]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise ValidationError("intake_empty")
    out = []
    for i, item in enumerate(items):
        try:
            out.append(intake_svc.parse_intake(item))
        except ValidationError as exc:
            if isinstance(raw, list):
                exc.field_errors = {f"[{i}] {k}": v for k, v in exc.field_errors.items()}
            raise
    return out


def cmd_intake(args: argparse.Namespace) -> Result:
    requests = _parse_many(_read_intake(args.file))
    ctx = context(args)
    views = intake_svc.register(ctx, requests, args.clerk)
    data = [
        {
            "code": v.code,
            "due_date": v.due_date.isoformat(),
            "status": v.status,
            "due_at": v.due_at.isoformat(),
        }
        for v in views
    ]
    return data, lambda: "\n".join(
        f"{v.code}  hẹn trả {v.due_at:%H:%M %d/%m/%Y}  {v.status}" for v in views
    )


def dossier_json(v: DossierView) -> dict[str, Any]:
    return {
        "code": v.code,
        "status": v.status,
        "status_code": STATUS_CODES.get(v.status),
        "unit": v.unit.agency_id,
        "procedure": {
            "code": v.procedure.code,
            "name": v.procedure.name,
            "sector": v.procedure.sector,
            "processing_days": v.procedure.processing_days,
            "fee": v.procedure.fee,
            "version": v.procedure.version,
        },
        "applicant": v.applicant.__dict__,
        "documents": [d.__dict__ for d in v.documents],
        "sets": v.sets,
        "receive_channel": v.receive_channel,
        "return_channel": v.return_channel,
        "return_address": v.return_address,
        "received_at": v.received_at.isoformat(),
        "due_at": v.due_at.isoformat(),
        "due_date": v.due_date.isoformat(),
        "received_by": v.received_by,
        "register_book": v.register_book,
        "register_no": v.register_no,
        "form_set": v.form_set,
        "events": dossier_events(v),
    }


def _human_dossier(v: DossierView) -> str:
    from counter_app.ui_text import STATUS_LABELS, document_kind_label

    lines = [
        f"Mã hồ sơ: {v.code}   Trạng thái: {STATUS_LABELS.get(v.status, v.status)}",
        f"Thủ tục:  {v.procedure.name} ({v.procedure.code}) · {v.procedure.sector}",
        f"Người nộp: {v.applicant.name}  CCCD {v.applicant.id_number or '—'}  "
        f"ĐT {v.applicant.phone or '—'}",
        f"Địa chỉ:  {v.applicant.address or '—'}",
        f"Nhận lúc: {v.received_at:%H:%M %d/%m/%Y}   Hẹn trả: {v.due_at:%H:%M %d/%m/%Y}",
        f"Cán bộ tiếp nhận: {v.received_by}   Sổ {v.register_book}, số {v.register_no}",
        "Thành phần hồ sơ:",
    ]
    lines += [
        f"  {'[x]' if d.received else '[ ]'} {d.name} · {document_kind_label(d.kind)} · {d.count}"
        for d in v.documents
    ]
    lines.append("Lịch sử:")
    lines += [event_line(e) for e in v.events]
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> Result:
    v = lookup.get_dossier(context(args), args.code)
    return dossier_json(v), lambda: _human_dossier(v)


def cmd_form(args: argparse.Namespace) -> Result:
    from counter_app.services.printjobs import render_form

    v, pdf = render_form(context(args), args.code, args.kind)
    write_atomically(args.output, pdf)
    data = {"code": v.code, "kind": args.kind, "output": str(args.output), "bytes": len(pdf)}
    return data, lambda: f"Đã ghi {args.output} ({thousands(len(pdf))} byte)"


def cmd_label(args: argparse.Namespace) -> Result:
    from counter_app.printing.labels import render_label

    fmt = args.output.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "png", "svg"):
        raise ValidationError("output_format_invalid", path=str(args.output))
    v = lookup.get_dossier(context(args), args.code)
    data_bytes = render_label(v, fmt)
    write_atomically(args.output, data_bytes)
    data = {"code": v.code, "format": fmt, "output": str(args.output), "bytes": len(data_bytes)}
    return data, lambda: f"Đã ghi nhãn {args.output}"


# --- queue tickets (DESIGN.md §4, §7) -------------------------------------------------------


def _ticket_services(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    from counter_app.services import queue

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
    from counter_app.services import queue

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
    import dataclasses

    from counter_app.messages import describe
    from counter_app.services import printjobs, queue
    from counter_app.services.units import local_unit

    with ctx.uow.read() as s:
        unit = local_unit(s).name
    counters = next((s.counters for s in queue.list_services(ctx) if s.code == t.service_code), ())
    settings = dataclasses.replace(ctx.settings, ticket_printer=url)
    try:
        printjobs.print_ticket(printjobs.ticket_data(t, unit, counters), settings)
    except CounterAppError as exc:
        return False, describe(exc)
    return True, ""


def _ticket_self_test(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    from counter_app.devices.ticket_printer import TicketPrinter
    from counter_app.printing.escpos import PrinterProfile, render_self_test

    s = ctx.settings
    profile = PrinterProfile(dots=args.dots or s.ticket_printer_dots)
    data = render_self_test(profile)
    TicketPrinter(
        args.printer, baudrate=s.ticket_printer_baud, dsrdtr=s.ticket_printer_dsrdtr
    ).send(data)
    out = {"printer": args.printer, "bytes": len(data), "dots": profile.dots}
    return out, lambda: f"Đã gửi trang in thử ({thousands(len(data))} byte) tới {args.printer}"


def _ticket_call_next(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    from counter_app.services import queue

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
    from counter_app.services import queue

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


def cmd_ticket(args: argparse.Namespace) -> Result:
    handler = {
        "services": _ticket_services,
        "issue": _ticket_issue,
        "self-test": _ticket_self_test,
        "call-next": _ticket_call_next,
    }.get(args.action, _ticket_action)
    return handler(context(args), args)


from counter_app.sync.commands import cmd_central, cmd_sync  # noqa: E402

__all__ = ["cmd_central", "cmd_dossier", "cmd_sync"]

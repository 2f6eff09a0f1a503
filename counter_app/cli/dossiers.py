"""Dossier commands: init, catalogue, calendar, intake, show, form, label.

Each handler takes the context and the arguments and returns (JSON-able data, a function
that renders it for people)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from counter_app.cli.actions import dossier_events, event_line
from counter_app.cli.output import Result, check_output, write_atomically
from counter_app.domain.errors import ValidationError
from counter_app.domain.lifecycle import STATUS_CODES
from counter_app.domain.limits import INTAKE_FILE_MAX_BYTES, MAX_DOSSIERS_PER_INTAKE
from counter_app.domain.model import Applicant, DossierView
from counter_app.inputs import read_limited
from counter_app.lazy import lazy
from counter_app.printing.label_spec import label_spec
from counter_app.ui_text import STATUS_LABELS, document_kind_label, money, thousands

if TYPE_CHECKING:
    from counter_app.services import addresses as addresses_svc
    from counter_app.services import calendar as cal_svc
    from counter_app.services import catalogue as cat_svc
    from counter_app.services import intake as intake_svc
    from counter_app.services import lookup, unit_setup
    from counter_app.services import repeats as repeats_svc
    from counter_app.services import setup as setup_svc
    from counter_app.services.context import ServiceContext
else:
    cal_svc = lazy("counter_app.services.calendar")
    cat_svc = lazy("counter_app.services.catalogue")
    intake_svc = lazy("counter_app.services.intake")
    lookup = lazy("counter_app.services.lookup")
    unit_setup = lazy("counter_app.services.unit_setup")
    addresses_svc = lazy("counter_app.services.addresses")
    repeats_svc = lazy("counter_app.services.repeats")
    setup_svc = lazy("counter_app.services.setup")


def cmd_init(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    res = setup_svc.init_database(ctx, demo=args.demo, agency=args.unit)
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
        elif unit_setup.current_unit(ctx) is None:
            lines.append(
                "Chưa có đơn vị: thiết lập bằng counter-app unit set --agency MÃ --name TÊN …"
                " (hoặc mở cửa sổ counter-app: màn hình thiết lập lần đầu)."
            )
        return "\n".join(lines)

    return data, human


def cmd_catalogue(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.action == "import":
        res = cat_svc.import_catalogue(ctx, setup_svc.load_catalogue_file(args.file))
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


def cmd_calendar(ctx: ServiceContext, args: argparse.Namespace) -> Result:
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
    data = read_limited(file, INTAKE_FILE_MAX_BYTES)  # a regular file, at most the limit
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("json_invalid", path=file, detail="không phải UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"dòng {exc.lineno}, cột {exc.colno}"
        raise ValidationError("json_invalid", path=file, detail=where) from None


def _parse_many(raw: Any, today: date | None = None) -> list[intake_svc.IntakeRequest]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise ValidationError("intake_empty")
    if len(items) > MAX_DOSSIERS_PER_INTAKE:
        raise ValidationError("intake_too_many", count=len(items), limit=MAX_DOSSIERS_PER_INTAKE)
    out = []
    for i, item in enumerate(items):
        try:
            out.append(intake_svc.parse_intake(item, today))
        except ValidationError as exc:
            if isinstance(raw, list):
                exc.field_errors = {f"[{i}] {k}": v for k, v in exc.field_errors.items()}
            raise
    return out


def check_intake(args: argparse.Namespace) -> None:
    """Read and check the file before the database is opened: a bad file touches nothing."""
    args.intake_raw = _read_intake(args.file)
    args.requests = _parse_many(args.intake_raw)


def cmd_intake(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    # Again on the context's clock (the birth-year check of a CCCD number reads "today").
    args.requests = _parse_many(args.intake_raw, ctx.now().date())
    # The same person's dossiers for the same procedure already received today (usually a
    # double entry; registered all the same, and said). A repeated request id's own first
    # dossier is not one of them.
    earlier = [repeats_svc.same_day_dossiers(ctx, r) for r in args.requests]
    views = intake_svc.register(ctx, args.requests, args.clerk)
    repeats = [[c for c in e if c != v.code] for e, v in zip(earlier, views, strict=True)]
    data = [
        {
            "code": v.code,
            "due_date": v.due_date.isoformat(),
            "status": v.status,
            "due_at": v.due_at.isoformat(),
            **({"request_id": r.request_id} if r.request_id else {}),
            **({"same_day_earlier": rep} if rep else {}),
        }
        for v, r, rep in zip(views, args.requests, repeats, strict=True)
    ]
    return data, lambda: "\n".join(
        f"{v.code}  hẹn trả {v.due_at:%H:%M %d/%m/%Y}  {v.status}"
        + (f"  (cùng người, cùng thủ tục đã nhận hôm nay: {', '.join(rep)})" if rep else "")
        for v, rep in zip(views, repeats, strict=True)
    )


def applicant_json(a: Applicant) -> dict[str, Any]:
    """The applicant's keys; issue 16: "commune" {code, name, province, label} or null (the
    address matched no 2025 commune), "address_verified", and "address_card" (the ID card's
    own address) when a conversion was accepted."""
    out: dict[str, Any] = {
        "name": a.name,
        "id_number": a.id_number,
        "phone": a.phone,
        "address": a.address,
        "email": a.email,
        "commune": addresses_svc.commune_json(a.commune),
        "address_verified": a.address_verified,
    }
    if a.address_card:
        out["address_card"] = a.address_card
    return out


def address_lines(a: Applicant) -> list[str]:
    """Issue 16: the address's 2025 commune (or "chưa xác minh"), the card's own address."""
    lines = []
    if a.commune is not None:
        lines.append(f"Xã/phường: {a.commune.label} (mã {a.commune.code})")
    elif a.address:
        lines.append("Xã/phường: chưa xác minh (địa chỉ không khớp xã/phường nào năm 2025)")
    if a.address_card:
        lines.append(f"Địa chỉ trên thẻ: {a.address_card}")
    return lines


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
        "applicant": applicant_json(v.applicant),
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
        "certification": {"book": v.cert_book, "number": v.cert_no} if v.cert_book else None,
        "events": dossier_events(v),
        "files": [f.__dict__ for f in v.files],
    }


def _human_dossier(v: DossierView) -> str:
    lines = [
        f"Mã hồ sơ: {v.code}   Trạng thái: {STATUS_LABELS.get(v.status, v.status)}",
        f"Thủ tục:  {v.procedure.name} ({v.procedure.code}) · {v.procedure.sector}",
        f"Người nộp: {v.applicant.name}  CCCD {v.applicant.id_number or '—'}  "
        f"ĐT {v.applicant.phone or '—'}",
        f"Địa chỉ:  {v.applicant.address or '—'}",
        *address_lines(v.applicant),
        f"Nhận lúc: {v.received_at:%H:%M %d/%m/%Y}   Hẹn trả: {v.due_at:%H:%M %d/%m/%Y}",
        f"Cán bộ tiếp nhận: {v.received_by}   Sổ {v.register_book}, số {v.register_no}",
        *([v.certification] if v.cert_book else []),
        "Thành phần hồ sơ:",
    ]
    lines += [
        f"  {'[x]' if d.received else '[ ]'} {d.name} · {document_kind_label(d.kind)} · {d.count}"
        + (" · đã số hóa" if d.digitised else "")
        for d in v.documents
    ]
    if v.files:  # issue 15: the digitised documents, with pages and the hash's start
        lines.append("Tệp số hóa:")
        lines += [
            f"  {f.name} · {f.pages} trang · {thousands(f.size)} byte · {f.sha256[:12]}"
            + (" · OCR" if f.ocr else "")
            for f in v.files
        ]
    lines.append("Lịch sử:")
    lines += [event_line(e) for e in v.events]
    return "\n".join(lines)


def cmd_show(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    v = lookup.get_dossier(ctx, args.code)
    return dossier_json(v), lambda: _human_dossier(v)


def check_form(args: argparse.Namespace) -> None:
    """A PDF, never the database nor any other SQLite file or foreign file: refused before the
    database is opened (`form CODE -o counter.db` once replaced the database with a PDF)."""
    check_output(args.output, ("pdf",), getattr(args, "db", None))


def cmd_form(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    from counter_app.services.papers import record_paper
    from counter_app.services.printjobs import render_form  # reportlab: only here

    v, pdf = render_form(ctx, args.code, args.kind)
    write_atomically(args.output, pdf)
    record_paper(ctx, v.code, args.kind, "cli")  # Mẫu 01 / 02 out: the day close reads it
    data = {"code": v.code, "kind": args.kind, "output": str(args.output), "bytes": len(pdf)}
    return data, lambda: f"Đã ghi {args.output} ({thousands(len(pdf))} byte)"


def check_label(args: argparse.Namespace) -> None:
    """A format we cannot write, the database or a file not ours: refused before the database
    is opened."""
    check_output(args.output, ("pdf", "png", "svg"), getattr(args, "db", None))


SYMBOLOGY_NAMES = {"qr": "mã QR", "code128": "mã vạch Code 128"}


def cmd_label(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    fmt = args.output.suffix.lower().lstrip(".")
    spec = label_spec(
        args.size or ctx.settings.label_size, args.symbology or ctx.settings.label_symbology
    )
    v = lookup.get_dossier(ctx, args.code)
    from counter_app.printing.labels import render_label  # segno, PIL: only here

    data_bytes = render_label(v, fmt, spec)
    write_atomically(args.output, data_bytes)
    data = {
        "code": v.code,
        "format": fmt,
        "output": str(args.output),
        "bytes": len(data_bytes),
        "size": spec.size,
        "symbology": spec.symbology,
    }
    return (
        data,
        lambda: (
            f"Đã ghi nhãn {args.output} ({spec.size_text} mm, {SYMBOLOGY_NAMES[spec.symbology]})"
        ),
    )

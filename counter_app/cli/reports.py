"""`counter-app report` (the unit's periodic report) and `counter-app central report`
(the province's), DESIGN.md §4, DOMAIN.md §6."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.cli.output import Result, check_output, write_atomically
from counter_app.domain.model import UnitInfo
from counter_app.domain.ratings import WORDS as RATING_WORDS
from counter_app.domain.report import Period
from counter_app.lazy import lazy

if TYPE_CHECKING:
    from counter_app.services import report as report_svc
    from counter_app.services.context import ServiceContext
else:
    report_svc = lazy("counter_app.services.report")

# reportlab (printing.report) and psycopg (sync.central_report) load inside the handlers
# that use them: every command is one process (issue 17).

FORMATS = ("pdf", "csv", "json")
_SHOWN: tuple[str, ...] = ("carried_over", "received", "resolved", "resolved_early")
_SHOWN += ("resolved_on_time", "resolved_late", "in_progress", "in_progress_overdue")
_SHOWN += ("returned", "on_time_rate")


def day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ngày không đúng định dạng (ví dụ 2026-12-09): {value!r}"
        ) from None


def add_range(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", required=True, type=day, metavar="D")
    p.add_argument("--to", dest="end", required=True, type=day, metavar="D")
    p.add_argument("-o", "--output", type=Path, help="OUT.pdf | OUT.csv | OUT.json")


def add_parser(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    add_range(cmd("report", "the periodic report (received, resolved, on time, …)"))


def check_report(args: argparse.Namespace) -> None:
    """Bad dates or a bad output path are refused before any database is opened."""
    Period(args.start, args.end)
    args.format = check_output(args.output, FORMATS, args.db) if args.output else None


def _write(args: argparse.Namespace, data: dict[str, Any], pdf: Callable[[], bytes]) -> None:
    if args.format == "json":
        body = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif args.format == "csv":
        from counter_app.printing.report_text import render_csv

        body = render_csv(data)
    else:
        body = pdf()
    write_atomically(args.output, body)


def _human(data: dict[str, Any], args: argparse.Namespace) -> str:
    from counter_app.printing.report_text import LABELS, cell, number

    t = data["totals"]
    lines = [
        f"Báo cáo {data['unit'] or 'toàn tỉnh'} từ {args.start:%d/%m/%Y} đến {args.end:%d/%m/%Y}:"
    ]
    # A part of the line above ("— trực tiếp") is indented under it.
    lines += [
        ("      " if LABELS[k].startswith("—") else "  ") + f"{LABELS[k].strip(' —')}: {cell(t, k)}"
        for k in _SHOWN
    ]
    rated = t.get("ratings") or {}
    if rated:
        lines.append(
            "  Đánh giá của người dân: "
            + ", ".join(f"{RATING_WORDS[k]} {number(int(n))}" for k, n in rated.items())
        )
    for r in data.get("by_unit", []):
        lines.append(
            f"  {r['unit']} {r['name']}: nhận {cell(r, 'received')}, giải quyết "
            f"{cell(r, 'resolved')}, đúng hạn {cell(r, 'on_time_rate')}"
        )
    if args.output:
        lines.append(f"Đã ghi {args.output}")
    return "\n".join(lines)


def _result(args: argparse.Namespace, data: dict[str, Any], pdf: Callable[[], bytes]) -> Result:
    if args.output:
        _write(args, data, pdf)
    return data, lambda: _human(data, args)


def cmd_report(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    rep = report_svc.unit_report(ctx, args.start, args.end)
    data = rep.as_json()
    unit: UnitInfo = rep.unit
    from counter_app.printing.report import render_pdf
    from counter_app.printing.report_text import UNIT_TITLE

    return _result(args, data, lambda: render_pdf(data, unit, ctx.now().date(), UNIT_TITLE))


def cmd_central_report(args: argparse.Namespace) -> Result:
    from counter_app.printing.report import render_pdf
    from counter_app.printing.report_text import PROVINCE_TITLE
    from counter_app.sync.central_report import province_report

    data = province_report(args.url, args.start, args.end)
    return _result(args, data, lambda: render_pdf(data, None, None, PROVINCE_TITLE))


def check_central(args: argparse.Namespace) -> None:
    if args.action == "report":
        check_report(args)

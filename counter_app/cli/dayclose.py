"""`counter-app close-day [--date D] --supervisor USER [-o SHEET.pdf] [--preview]`: the
supervisor closes the day (DESIGN.md §4, services/dayclose.py). The output lists the day's
figures per clerk and every anomaly the close acknowledged; -o writes the day sheet."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.cli.output import Result, check_output, write_atomically
from counter_app.cli.reports import day
from counter_app.domain.dayclose import COLUMNS, anomaly_text, cell
from counter_app.lazy import lazy

if TYPE_CHECKING:
    from counter_app.services import dayclose as svc
    from counter_app.services.context import ServiceContext
else:
    svc = lazy("counter_app.services.dayclose")


def add_parser(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = cmd("close-day", "close the day's register (supervisor); prints its summary")
    p.add_argument("--date", dest="day", type=day, metavar="D", help="default: today")
    p.add_argument("--supervisor", required=True, metavar="USER")
    p.add_argument("-o", "--output", type=Path, help="write the day sheet (PDF)")
    p.add_argument(
        "--preview", action="store_true", help="show the day's summary without closing it"
    )


def check_close_day(args: argparse.Namespace) -> None:
    """A bad output path is refused before the database is opened."""
    if args.output is not None:
        check_output(args.output, ("pdf",), args.db)


def cmd_close_day(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.preview:
        summary = svc.day_summary(ctx, args.day)
    else:
        summary = svc.close_day(ctx, args.supervisor, args.day)
    data = summary.as_json()
    data["output"] = None
    if args.output is not None:
        from counter_app.printing.day_sheet import render_day_sheet  # reportlab

        write_atomically(args.output, render_day_sheet(summary))
        data["output"] = str(args.output)
    return data, lambda: human(data)


def human(data: dict[str, Any]) -> str:
    d = f"{date.fromisoformat(data['day']):%d/%m/%Y}"
    if data["closed"]:
        at = datetime.fromisoformat(data["closed_at"])
        lines = [
            f"Đã khóa sổ ngày {d} — {data['closed_by_name']} ({data['closed_by']}) "
            f"lúc {at:%H:%M %d/%m/%Y}; mã kiểm tra {data['hash'][:16]}…"
        ]
    else:
        lines = [f"Ngày {d}: CHƯA khóa sổ (xem trước)."]
    for r in [*data["per_clerk"], {**data["totals"], "name": "Tổng cộng", "username": ""}]:
        who = f"{r['name']} ({r['username']})" if r["username"] else r["name"]
        figures = ", ".join(f"{h.lower()} {cell(r, k)}" for k, h in COLUMNS)
        lines.append(f"  {who}: {figures}")
    n = len(data["anomalies"])
    lines.append(f"Điểm bất thường: {n}" + (" (đã xác nhận khi khóa sổ)" if data["closed"] else ""))
    lines += [f"  - {anomaly_text(a)}" for a in data["anomalies"]]
    if data["output"]:
        lines.append(f"Đã ghi phiếu khóa sổ vào {data['output']}")
    return "\n".join(lines)

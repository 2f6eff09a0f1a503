"""Book commands: `register` prints the register (Sổ theo dõi hồ sơ) or, with --book, a
certification book (sổ chứng thực) for a date range (DESIGN.md §4, DOMAIN.md §3 and §7)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app.cli.output import Result, check_pdf_output, write_atomically
from counter_app.domain.errors import ValidationError
from counter_app.domain.register import parse_book_option
from counter_app.lazy import lazy
from counter_app.ui_text import thousands

if TYPE_CHECKING:
    from counter_app.services import register as register_svc
    from counter_app.services.context import ServiceContext
else:
    register_svc = lazy("counter_app.services.register")


def add_register_parser(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = cmd("register", "the register (Sổ theo dõi hồ sơ) or a certification book, as PDF")
    p.add_argument("--from", dest="start", required=True, type=date.fromisoformat, metavar="D")
    p.add_argument("--to", dest="end", required=True, type=date.fromisoformat, metavar="D")
    p.add_argument("-o", "--output", required=True, type=Path)
    p.add_argument(
        "--book", default="", metavar="SCT/BS|SCT/CK", help="a certification book instead"
    )


def check_register(args: argparse.Namespace) -> None:
    """Bad dates, a wrong extension or a database as the output: refused before anything opens."""
    register_svc.check_range(args.start, args.end)
    if args.book:
        args.cert_kind = parse_book_option(args.book)
        if not args.cert_kind:
            raise ValidationError("cert_book_unknown", book=args.book)
        register_svc.check_cert_range(args.start, args.end)
    check_pdf_output(args.output)


def cmd_register(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.book:
        return _cert_book(ctx, args)
    book = register_svc.register_book(ctx, args.start, args.end)
    from counter_app.printing.register import render_register  # reportlab: only here

    pdf = render_register(book)
    write_atomically(args.output, pdf)
    rows = sum(len(s.rows) for s in book.sections)
    data = {
        "from": args.start.isoformat(),
        "to": args.end.isoformat(),
        "books": [s.book for s in book.sections],
        "rows": rows,
        "output": str(args.output),
        "bytes": len(pdf),
    }
    size = thousands(len(pdf))
    return data, lambda: f"Đã ghi sổ theo dõi hồ sơ ({rows} hồ sơ) vào {args.output} ({size} byte)"


def _cert_book(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    book = register_svc.certification_book(ctx, args.cert_kind, args.start, args.end)
    from counter_app.printing.register import render_cert_book

    pdf = render_cert_book(book)
    write_atomically(args.output, pdf)
    data = {
        "from": args.start.isoformat(),
        "to": args.end.isoformat(),
        "book": book.book,
        "rows": len(book.rows),
        "output": str(args.output),
        "bytes": len(pdf),
    }
    size = thousands(len(pdf))
    what = f"sổ chứng thực {book.book} ({len(book.rows)} việc)"
    return data, lambda: f"Đã ghi {what} vào {args.output} ({size} byte)"

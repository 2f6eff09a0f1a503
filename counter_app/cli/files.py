"""Digitised documents on the command line (issue 15): `attach CODE --document "TÊN" FILE…`,
`files CODE`, `file get CODE NAME -o OUT`, `file verify`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app.cli.output import Result, check_output, write_atomically
from counter_app.domain.errors import ValidationError
from counter_app.lazy import lazy
from counter_app.ui_text import thousands

if TYPE_CHECKING:
    from counter_app.services import files
    from counter_app.services.context import ServiceContext
else:
    files = lazy("counter_app.services.files")


def add_parsers(
    cmd: Callable[[str, str], argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = cmd("attach", "store a document's archive PDF from page images or PDFs")
    p.add_argument("code")
    p.add_argument(
        "--document", metavar="NAME", help="the checklist line (omit: a file of the dossier)"
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="PDF, JPEG, PNG, TIFF")
    p.add_argument("--clerk", default="", metavar="USER")
    p.add_argument("--source", choices=("file", "scan"), default="file")
    ocr = p.add_mutually_exclusive_group()
    ocr.add_argument("--ocr", dest="ocr", action="store_true", default=None)
    ocr.add_argument("--no-ocr", dest="ocr", action="store_false")
    p = cmd("files", "a dossier's digitised documents")
    p.add_argument("code")
    p = cmd("file", "an archive PDF out, or every stored file's hash checked")
    fsub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    g = fsub.add_parser("get", parents=[common])
    g.add_argument("code")
    g.add_argument("name")
    g.add_argument("-o", "--output", required=True, type=Path)
    fsub.add_parser("verify", parents=[common])


def _size(n: int) -> str:
    return f"{thousands(n)} byte"


def cmd_attach(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    info = files.attach(
        ctx,
        args.code,
        args.document,
        list(args.files),
        source=args.source,
        clerk=args.clerk,
        ocr=args.ocr,
    )
    data = {
        k: v
        for k, v in info.as_json().items()
        if k in ("code", "document", "sha256", "size", "pages", "ocr", "name")
    }

    def human() -> str:
        ocr = ", có lớp chữ (OCR)" if info.ocr else ""
        return (
            f"Đã lưu {info.name}: {info.pages} trang, {_size(info.size)}{ocr}; "
            f"SHA-256 {info.sha256[:12]}…"
        )

    return data, human


def cmd_files(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    listed = files.dossier_files(ctx, args.code)
    code = args.code.strip().upper()

    def human() -> str:
        if not listed:
            return f"Hồ sơ {code} chưa có tệp số hóa."
        return "\n".join(
            f"{f.name}  {f.pages} trang  {_size(f.size)}  {f.sha256[:12]}"
            f"{'  OCR' if f.ocr else ''}  {f.document or '—'}"
            for f in listed
        )

    return {"code": code, "files": [f.as_json() for f in listed]}, human


def check_file(args: argparse.Namespace) -> None:
    if args.action == "get":
        check_output(args.output, ("pdf",), getattr(args, "db", None))


def cmd_file(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.action == "get":
        info, pdf = files.get_file(ctx, args.code, args.name)
        write_atomically(args.output, pdf)
        data = {
            "code": info.code,
            "name": info.name,
            "sha256": info.sha256,
            "output": str(args.output),
            "bytes": len(pdf),
        }
        return data, lambda: f"Đã ghi {args.output} ({_size(len(pdf))})"
    checks = files.verify(ctx)
    bad = [c for c in checks if c.status != "ok"]
    data = {
        "files": len(checks),
        "ok": len(checks) - len(bad),
        "bad": [{"sha256": c.sha256, "status": c.status} for c in bad],
    }

    def human() -> str:
        if not bad:
            return f"{len(checks)} tệp lưu trữ, tất cả đúng mã băm."
        lines = [f"{len(checks)} tệp lưu trữ, {len(bad)} hỏng hoặc mất:"]
        lines += [f"  {c.sha256}  {_STATUS[c.status]}" for c in bad]
        return "\n".join(lines)

    if bad:  # the list on stdout, then exit 1 with one line: a script sees the fault
        if args.json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(human() + "\n")
        raise ValidationError(
            "file_verify_bad", bad=len(bad), total=len(checks), sha=bad[0].sha256[:12]
        )
    return data, human


_STATUS = {"mismatch": "mã băm không khớp (tệp đã bị thay đổi)", "missing": "không còn trên ổ đĩa"}

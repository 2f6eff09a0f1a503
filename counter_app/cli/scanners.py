"""`scanner list` (the document scanners this PC sees) and `scanner scan` (scan pages to PNG
files: checks a scanner at set-up, without the window). Issue 15 item 1."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app.cli.output import Result, write_atomically
from counter_app.domain.errors import ValidationError
from counter_app.domain.scanning import DocumentScanner, ScanInterrupted, ScannerInfo
from counter_app.messages import describe

if TYPE_CHECKING:
    from counter_app.services.context import ServiceContext


def add_parser(
    cmd: Callable[[str, str], argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = cmd("scanner", "document scanners (SANE on Linux, WIA on Windows): list, test scan")
    sub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    sub.add_parser("list", parents=[common], help="the scanners this PC sees: name and model")
    s = sub.add_parser(
        "scan", parents=[common], help="scan pages into PNG files (page-001.png, …) in --out"
    )
    s.add_argument("--out", required=True, type=Path, help="folder for the pages")
    s.add_argument("--device", default="", help="scanner name (default: document_scanner)")
    s.add_argument("--dpi", type=int, default=None, help="resolution (default: scan_dpi)")
    s.add_argument("--pages", type=int, default=None, help="at most this many pages")
    s.add_argument("--duplex", action="store_true", help="both sides, if the scanner can")


def _list(ctx: ServiceContext) -> list[ScannerInfo]:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        from counter_app.devices.wia_scanner import list_scanners as wia_list

        return wia_list()
    from counter_app.devices.document_scanner import list_scanners, sane_env

    return list_scanners(env=sane_env(ctx.settings.sane_config_dir))


def _scanner(ctx: ServiceContext, device: str) -> DocumentScanner | None:
    if not device:
        return ctx.adapters.document_scanner()
    if sys.platform == "win32":  # pragma: no cover - Windows only
        from counter_app.devices.wia_scanner import WiaScanner

        return WiaScanner(device)
    from counter_app.devices.document_scanner import SaneScanner, sane_env

    return SaneScanner(device, env=sane_env(ctx.settings.sane_config_dir))


def cmd_scanner(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.action == "list":
        found = _list(ctx)
        return (
            [{"name": s.name, "label": s.label} for s in found],
            lambda: "\n".join(f"{s.name} · {s.label}" for s in found) or "Không thấy máy quét nào.",
        )
    if args.dpi is not None and not 50 <= args.dpi <= 1200:
        raise ValidationError("scan_dpi_invalid", value=args.dpi)
    scanner = _scanner(ctx, args.device)
    if scanner is None:
        raise ValidationError("scanner_none")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    try:
        for n, page in enumerate(
            scanner.scan(
                dpi=args.dpi or ctx.settings.scan_dpi,
                duplex=args.duplex,
                pages=args.pages,
            ),
            start=1,
        ):
            path = out / f"page-{n:03d}.png"
            write_atomically(path, page)
            written.append(str(path))
    except ScanInterrupted as exc:
        if not written:
            raise
        raise ScanInterrupted(
            "scan_cli_partial", pages_done=len(written), reason=describe(exc), out=str(out)
        ) from None
    data = {"device": scanner.name, "pages": written}
    return data, lambda: f"Đã quét {len(written)} trang vào {out}"

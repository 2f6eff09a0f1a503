"""`counter-app file fetch CODE NAME`: a dossier's digitised file from central (issue 15).

Another counter of the same unit downloads the file the first one uploaded (only its own
unit's files), checks it by sha256 and keeps it in the file store; `-o` also writes a copy.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app.cli.output import Result, write_atomically
from counter_app.domain.errors import CounterAppError
from counter_app.lazy import lazy

if TYPE_CHECKING:
    from counter_app.services import file_sync
    from counter_app.services.context import ServiceContext
else:
    file_sync = lazy("counter_app.services.file_sync")


def add_parser(
    cmd: Callable[[str, str], argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = cmd("file", "digitised files of dossiers")
    fsub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    add_fetch_action(fsub, common)


def add_fetch_action(fsub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    f = fsub.add_parser(
        "fetch", parents=[common], help="download a dossier's file from central (same unit)"
    )
    f.add_argument("code", help="the dossier code")
    f.add_argument("name", help="the file's name, e.g. <code>_01_don-de-nghi.pdf")
    f.add_argument("--central", metavar="URL", help="the unit's URL (else central_url)")
    f.add_argument("-o", "--output", type=Path, help="also write a copy here")


def cmd_file(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    return cmd_file_fetch(ctx, args)


def cmd_file_fetch(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    url = args.central or ctx.settings.central_url
    if not url:
        raise CounterAppError("sync_no_central")
    link = ctx.adapters.sync_link(url)
    try:
        got = file_sync.fetch(ctx, link, args.code, args.name)  # type: ignore[arg-type]
    finally:
        link.close()
    if args.output is not None:
        write_atomically(args.output, got.path.read_bytes())
    data = got.as_json()
    if args.output is not None:
        data["output"] = str(args.output)

    def human() -> str:
        how = "đã tải từ trung tâm" if got.downloaded else "đã có sẵn trên máy"
        where = args.output or got.path
        return f"{got.name}: {got.pages} trang, {got.size} byte, {how}; lưu tại {where}."

    return data, human


# With the file store's own `file` command (get, verify: cli/files.py), `fetch` joins it as
# one more action: main.py adds it to that parser and routes it here.
def add_fetch_to(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    parser = commands.choices["file"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            add_fetch_action(action, common)
            return
    raise AssertionError("the file command has no actions")


Handler = Callable[["ServiceContext", argparse.Namespace], Result]


def routed(handler: Handler | None) -> Handler:
    """`file fetch` here, every other `file` action to the file store's handler."""

    def run(ctx: ServiceContext, args: argparse.Namespace) -> Result:
        if args.action == "fetch" or handler is None:
            return cmd_file_fetch(ctx, args)
        return handler(ctx, args)

    return run


def routed_check(
    check: Callable[[argparse.Namespace], None] | None,
) -> Callable[[argparse.Namespace], None]:
    def run(args: argparse.Namespace) -> None:
        if args.action != "fetch" and check is not None:
            check(args)

    return run

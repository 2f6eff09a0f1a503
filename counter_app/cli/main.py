"""The command line (DESIGN.md §4): a stable contract that scripts and checks rely on.

Parsing, the dispatch table, output and exit codes. app.py builds the context and hands
this module the way to open it; the handlers live in dossiers.py, queue.py and sync.py."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from counter_app import __version__, filemodes
from counter_app.cli import (
    actions,
    books,
    central_units,
    dayclose,
    dossiers,
    queue,
    ratings,
    reports,
    setup,
    sync,
)
from counter_app.cli import addresses as addresses_cli
from counter_app.cli import backup as backup_cli
from counter_app.cli import devices as devices_cli
from counter_app.cli import file_sync as file_sync_cli
from counter_app.cli import files as files_cli
from counter_app.cli import scanners as scanners_cli
from counter_app.cli import updates as updates_cli
from counter_app.cli.output import Result
from counter_app.db import faults
from counter_app.domain.errors import CounterAppError, StorageFault, ValidationError
from counter_app.domain.redact import redact_secrets
from counter_app.messages import describe

if TYPE_CHECKING:  # the services load with the command that uses them (counter_app/lazy.py)
    from counter_app.services.context import ServiceContext

FORM_KINDS = ("receipt", "supplement", "refusal", "apology", "stop-notice", "control-sheet")


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _globals(p: argparse.ArgumentParser, default: Any) -> None:
    p.add_argument(
        "--db", metavar="URL", default=default, help="SQLAlchemy URL or a SQLite file path"
    )
    p.add_argument("--config", metavar="PATH", default=default, help="settings TOML file")
    p.add_argument("--json", action="store_true", default=default, help="machine-readable output")


def _counter_number(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"số quầy phải là số nguyên dương, không phải {value!r}")
    return n


def _ticket_commands(p: argparse.ArgumentParser, common: Parser) -> None:
    tsub = p.add_subparsers(dest="action", required=True, parser_class=Parser)
    tsub.add_parser("services", parents=[common], help="services with code, name, prefix, counters")
    ti = tsub.add_parser("issue", parents=[common], help="take a number")
    ti.add_argument("--service", required=True, metavar="S", help="service code, e.g. HT")
    ti.add_argument(
        "--priority", default="", metavar="CLASS", help="elderly | disabled | pregnant | child"
    )
    ti.add_argument(
        "--printer",
        metavar="URL",
        help="print the ticket on this ESC/POS printer (pyserial URL, usb:VID:PID, winspool:NAME)",
    )
    st = tsub.add_parser("self-test", parents=[common], help="print a thermal printer test page")
    st.add_argument(
        "--printer", required=True, metavar="URL", help="pyserial URL, usb:VID:PID, winspool:NAME"
    )
    st.add_argument("--dots", type=int, default=None, help="paper width in dots (576 / 384)")
    sl = tsub.add_parser(
        "store-logo",
        parents=[common],
        help="store the unit's constant ticket lines in the printer (NV graphics), once",
    )
    sl.add_argument(
        "--printer", required=True, metavar="URL", help="pyserial URL, usb:VID:PID, winspool:NAME"
    )
    sl.add_argument("--dots", type=int, default=None, help="paper width in dots (576 / 384)")
    for action, help_ in (
        ("call-next", "finish the current ticket and call the next one"),
        ("recall", "call the current ticket again"),
        ("skip", "the person called did not come"),
        ("finish", "done with the current ticket"),
        ("hold", "park the current ticket"),
    ):
        ta = tsub.add_parser(action, parents=[common], help=help_)
        ta.add_argument("--counter", required=True, type=_counter_number, metavar="N")
    tsub.add_parser("held", parents=[common], help="today's held tickets")
    tr_ = tsub.add_parser("resume", parents=[common], help="call a held ticket back")
    tr_.add_argument("number", help="the ticket's number, e.g. 1005")
    tr_.add_argument("--counter", required=True, type=_counter_number, metavar="N")
    tt = tsub.add_parser("transfer", parents=[common], help="send the current ticket elsewhere")
    tt.add_argument("--counter", required=True, type=_counter_number, metavar="N")
    where = tt.add_mutually_exclusive_group(required=True)
    where.add_argument("--to-service", metavar="S")
    where.add_argument("--to-counter", type=_counter_number, metavar="N")


def _sync_commands(cmd: Callable[[str, str], argparse.ArgumentParser], common: Parser) -> None:
    p = cmd("sync", "push the outbox to central, pull reference data")
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument("--central", metavar="URL", help="the unit's URL (else central_url)")
    p.add_argument("--status", action="store_true", help="show the local sync state only")
    p = cmd("central", "the central database (administrator)")
    csub = p.add_subparsers(dest="action", required=True, parser_class=Parser)

    def sub(name: str, help_: str) -> argparse.ArgumentParser:
        a = csub.add_parser(name, parents=[common], help=help_)
        a.add_argument("--url", required=True, metavar="URL", help="administrator's URL")
        return a

    sub("init", "create or upgrade the central schema, roles, row-level security")
    a = sub("add-unit", "provision a unit; prints the unit's own connection URL")
    a.add_argument("--unit", required=True, metavar="ID")
    a.add_argument("--name", required=True)
    a.add_argument("--parent-name", default="")
    a.add_argument("--place-name", default="")
    a.add_argument("--address", default="")
    a.add_argument("--phone", default="")
    sub(
        "rotate-unit", "new credentials for a unit (prints its new URL; the old one stops)"
    ).add_argument("--unit", required=True, metavar="ID")
    sub("disable-unit", "revoke a unit's credentials (its data stays)").add_argument(
        "--unit", required=True, metavar="ID"
    )
    sub("status", "per unit: dossiers, events, contiguous sequence, gaps, rejections")
    sub("catalogue", "publish a catalogue file to every unit").add_argument("file", type=Path)
    a = sub("calendar", "publish a calendar override (none = remove it)")
    a.add_argument("date", type=date.fromisoformat)
    a.add_argument("kind", choices=("off", "work", "none"))
    a.add_argument("--note", default="")
    a = sub("user", "create or update a unit's account")
    a.add_argument("username")
    a.add_argument("--unit", required=True, metavar="ID")
    a.add_argument("--name", required=True)
    a.add_argument("--role", choices=("clerk", "supervisor", "admin"), default="clerk")
    a.add_argument("--password", required=True)
    sub("remove-user", "disable an account at every counter").add_argument("username")
    reports.add_range(sub("report", "the province's report, per unit and in total"))
    setup.add_central_parsers(sub)
    central_units.add_parser(sub, common)  # issue 16: central address-units import|list


def build_parser() -> Parser:
    root = Parser(prog="counter-app", description="Phần mềm Bộ phận Một cửa")
    _globals(root, None)
    root.add_argument("--demo", action="store_true", help="open the window with demo data")
    root.add_argument("--version", action="version", version=f"counter-app {__version__}")
    common = Parser(add_help=False)
    _globals(common, argparse.SUPPRESS)
    sub = root.add_subparsers(dest="command", parser_class=Parser)

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, parents=[common])

    p = cmd("init", "create or migrate the database")
    p.add_argument("--demo", action="store_true")
    p.add_argument("--unit", metavar="ID")
    p = cmd("gui", "open the window")
    p.add_argument("--demo", action="store_true")
    p.add_argument("--window", choices=("counter", "kiosk", "board", "rating"), default="counter")
    p = cmd("catalogue", "procedures")
    csub = p.add_subparsers(dest="action", required=True, parser_class=Parser)
    csub.add_parser("import", parents=[common]).add_argument("file", type=Path)
    csub.add_parser("list", parents=[common])
    p = cmd("calendar", "calendar overrides for due dates")
    ksub = p.add_subparsers(dest="action", required=True, parser_class=Parser)
    ks = ksub.add_parser("set", parents=[common])
    ks.add_argument("date", type=date.fromisoformat)
    ks.add_argument("kind", choices=("off", "work"))
    ks.add_argument("--note", default="")
    ksub.add_parser("list", parents=[common]).add_argument("--year", type=int)
    p = cmd("intake", "register one dossier (object) or many (list)")
    p.add_argument("file", help="JSON file, or - for standard input")
    p.add_argument("--clerk", required=True, metavar="USER")
    p = cmd("show", "a dossier, its documents and its full history")
    p.add_argument("code")
    p = cmd("form", "print a form to PDF")
    p.add_argument("code")
    p.add_argument("--kind", required=True, choices=FORM_KINDS)
    p.add_argument("-o", "--output", required=True, type=Path)
    p = cmd("label", "the folder label")
    p.add_argument("code")
    p.add_argument("-o", "--output", required=True, type=Path)
    p.add_argument("--size", help="label stock WxH mm: 50x30 | 60x40 | 100x50 (label_size)")
    p.add_argument("--symbology", help="qr | code128 (label_symbology; code128 needs 100x50)")
    actions.add_dossier_parser(cmd)
    setup.add_unit_parser(cmd, common)
    reports.add_parser(cmd)
    books.add_register_parser(cmd)
    _ticket_commands(cmd("ticket", "queue tickets"), common)
    _sync_commands(cmd, common)
    setup.add_parsers(cmd, common)
    dayclose.add_parser(cmd)
    ratings.add_rate_parser(cmd, _counter_number)
    backup_cli.add_parsers(cmd)
    updates_cli.add_parser(cmd, common)
    devices_cli.add_parser(cmd, common)
    files_cli.add_parsers(cmd, common)
    scanners_cli.add_parser(cmd, common)
    file_sync_cli.add_fetch_to(sub, common)  # `file fetch` beside the store's get / verify
    addresses_cli.add_parser(cmd, common)  # issue 16: the 2025 communes and wards
    return root


def _print(args: argparse.Namespace, data: Any, human: Callable[[], str]) -> None:
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(human() + "\n")


@dataclass(frozen=True)
class Command:
    """An entry of the dispatch table.

    `local` handlers take the local database's context, opened (created, for `init`) only
    once the arguments passed `check`, which refuses bad input before anything is opened.
    `standalone` handlers (central …) need no local database at all.
    """

    local: Callable[[ServiceContext, argparse.Namespace], Result] | None = None
    standalone: Callable[[argparse.Namespace], Result] | None = None
    check: Callable[[argparse.Namespace], None] | None = None


COMMANDS: dict[str, Command] = {
    "init": Command(dossiers.cmd_init),
    "catalogue": Command(dossiers.cmd_catalogue),
    "calendar": Command(dossiers.cmd_calendar),
    "intake": Command(dossiers.cmd_intake, check=dossiers.check_intake),
    "show": Command(dossiers.cmd_show),
    "form": Command(dossiers.cmd_form, check=dossiers.check_form),
    "label": Command(dossiers.cmd_label, check=dossiers.check_label),
    "dossier": Command(actions.cmd_dossier),
    "unit": Command(setup.cmd_unit),
    "register": Command(books.cmd_register, check=books.check_register),
    "ticket": Command(queue.cmd_ticket),
    "sync": Command(sync.cmd_sync),
    "report": Command(reports.cmd_report, check=reports.check_report),
    "central": Command(standalone=sync.cmd_central, check=reports.check_central),
    "counter": Command(setup.cmd_counter),
    "user": Command(setup.cmd_user),
    "service": Command(setup.cmd_service),
    "printer": Command(setup.cmd_printer),
    "close-day": Command(dayclose.cmd_close_day, check=dayclose.check_close_day),
    "rate": Command(ratings.cmd_rate),
    "backup": Command(backup_cli.cmd_backup, check=backup_cli.check_backup),
    "restore": Command(backup_cli.cmd_restore, check=backup_cli.check_restore),
    "update": Command(standalone=updates_cli.cmd_update),
    "device": Command(devices_cli.cmd_device),
    "attach": Command(files_cli.cmd_attach),
    "files": Command(files_cli.cmd_files),
    "file": Command(files_cli.cmd_file, check=files_cli.check_file),
    "scanner": Command(scanners_cli.cmd_scanner),
    "address": Command(addresses_cli.cmd_address),  # issue 16 (cli/addresses.py)
}
# Issue 15 (sync): `file fetch CODE NAME` downloads from central (cli/file_sync.py); the
# other `file` actions stay the file store's.
COMMANDS["file"] = Command(
    file_sync_cli.routed(COMMANDS["file"].local),
    check=file_sync_cli.routed_check(COMMANDS["file"].check),
)

OpenContext = Callable[[argparse.Namespace], "ServiceContext"]
OpenGui = Callable[[argparse.Namespace], int]


def dispatch(args: argparse.Namespace, open_context: OpenContext) -> Result:
    command = COMMANDS[args.command]
    if command.check is not None:
        command.check(args)
    if command.standalone is not None:
        return command.standalone(args)
    assert command.local is not None
    ctx = open_context(args)
    try:
        return command.local(ctx, args)
    finally:
        # Closed when the command ends, not whenever the garbage collector gets to it: the
        # last close checkpoints SQLite's -wal into the main file (in a test's process, or a
        # window that runs a command, that would happen at some later, random moment).
        ctx.uow.dispose()


def run(argv: Sequence[str] | None = None, *, open_context: OpenContext, open_gui: OpenGui) -> int:
    """Parse and run one command; returns the exit code. Errors: one line on stderr."""
    filemodes.take_notices()  # only this command's
    try:
        args = build_parser().parse_args(argv)
        if args.command in (None, "gui"):
            return open_gui(args)
        data, human = dispatch(args, open_context)
        _print(args, data, human)
        # Files found readable by other accounts (and tightened): one line, after the
        # output. An error keeps its one line; the log has the details either way.
        notices = filemodes.take_notices()
        if notices:
            sys.stderr.write(filemodes.warning_line(notices) + "\n")
        return 0
    except UsageError as exc:
        sys.stderr.write(f"Lỗi cú pháp lệnh: {exc}\n")
        return 2
    except ValidationError as exc:
        sys.stderr.write(f"Lỗi: {describe(exc)}\n")
        return 1
    except StorageFault as exc:  # disk full, read-only, locked, the database file replaced
        sys.stderr.write(f"Lỗi: {describe(exc)}\n")
        return 4
    except CounterAppError as exc:
        sys.stderr.write(f"Lỗi: {describe(exc)}\n")
        return 1
    except BrokenPipeError:
        # The reader went away (e.g. `… | head`): not an error of ours. Point stdout at
        # /dev/null so the flush at exit does not fail again (Python's SIGPIPE recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        sys.stderr.write("Đã dừng theo yêu cầu.\n")
        return 130
    except Exception as exc:  # the last resort: one line for the user, the trace in the log
        known = faults.classify(exc)  # a storage fault raised outside a transaction
        if known is not None:
            logging.getLogger("counter_app").warning("storage fault: %s", type(exc).__name__)
            sys.stderr.write(f"Lỗi: {describe(known)}\n")
            return 4 if isinstance(known, StorageFault) else 1
        logging.getLogger("counter_app").exception("unexpected error")
        first = (str(exc).splitlines() or [""])[0]
        sys.stderr.write(
            f"Lỗi không mong đợi ({type(exc).__name__}): {redact_secrets(first)[:300]}\n"
        )
        return 3

"""The operating system's printers and the "print a test page" action (issue 13 item 1).

`printer list` and the window's printers section show what the OS lists (QPrinterInfo);
`printer test a4|label` and the window's test buttons send one test page through the very
path the dossiers' papers take (the configured spooler), so a good test page means the
receipts will print too."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from counter_app.domain.errors import ValidationError
from counter_app.printing.spool import FolderSpooler, PrinterSpooler, PrinterStatus, Spooler
from counter_app.services.context import ServiceContext

TEST_KINDS = ("a4", "label")


def os_printers(ctx: ServiceContext) -> list[PrinterStatus]:
    """Every printer the OS lists: name, whether it is the default, its state (through the
    adapter app.py attached: Qt's QPrinterInfo, ui/qtprint.py)."""
    return ctx.adapters.os_printers()


@dataclass(frozen=True)
class TestPrint:
    kind: str
    printer: str  # the printer's name, or the folder the PDF went to
    via: str  # printer | pdf
    pages: int
    seconds: float

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "printer": self.printer,
            "via": self.via,
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
        }


def print_test_page(ctx: ServiceContext, kind: str, spooler: Spooler | None = None) -> TestPrint:
    """One test page on the A4 or the label printer this install prints with; raises
    PrintFailed (with the reason in Vietnamese) when the printer cannot print."""
    from counter_app.printing.test_page import render_test_page
    from counter_app.services.unit_setup import current_unit

    if kind not in TEST_KINDS:
        raise ValidationError("printer_test_kind", kind=kind)
    if spooler is None:
        spooler = ctx.adapters.a4_printer() if kind == "a4" else ctx.adapters.label_printer()
    unit = current_unit(ctx)
    name = _name(spooler)
    from counter_app.services.printjobs import settings_label_spec

    spec = settings_label_spec(ctx.settings)
    pdf = render_test_page(kind, name, unit.name if unit else "", ctx.now(), spec)
    started = time.perf_counter()
    spooler.send(pdf, copies=1, title=f"in thu {kind}")
    seconds = time.perf_counter() - started
    report = spooler.last_report if isinstance(spooler, PrinterSpooler) else None
    if report is not None:
        name = report.printer
    via = "pdf" if isinstance(spooler, FolderSpooler) else "printer"
    return TestPrint(kind, name, via, report.pages if report else 1, seconds)


def _name(spooler: Spooler) -> str:
    if isinstance(spooler, FolderSpooler):
        return str(spooler.directory)
    if isinstance(spooler, PrinterSpooler):
        return spooler.printer_name() or "mặc định"
    return str(getattr(spooler, "printer", "") or "mặc định")

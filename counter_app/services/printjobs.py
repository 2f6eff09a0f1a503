"""Rendering a dossier's papers and sending them to the configured printers (no dialog)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app.config import Settings
from counter_app.domain.model import DossierView
from counter_app.printing.forms import render_receipt, render_supplement
from counter_app.printing.labels import render_label
from counter_app.printing.spool import FolderSpooler, Spooler
from counter_app.services.context import Adapters

if TYPE_CHECKING:
    from counter_app.printing.escpos import TicketData
    from counter_app.services.queue import TicketInfo

SUPPLEMENT_REASON = "Hồ sơ chưa đủ thành phần theo quy định; đề nghị bổ sung các giấy tờ dưới đây."


@dataclass
class Printers:
    a4: Spooler
    label: Spooler

    @classmethod
    def attached(cls, adapters: Adapters) -> Printers:
        """The A4 and label printers app.py attached to the context."""
        return cls(adapters.a4_printer(), adapters.label_printer())


def saved_folder(spooler: Spooler) -> Path | None:
    """Where papers are saved as PDFs when no printer is set up (None: they are printed)."""
    return spooler.directory if isinstance(spooler, FolderSpooler) else None


def describe(spooler: Spooler) -> str:
    """Where the papers go, in words for the status bar."""
    if isinstance(spooler, FolderSpooler):
        return f"lưu PDF vào {spooler.directory}"
    name = getattr(spooler, "printer", None)
    return str(name) if name else "máy in mặc định"


def intake_paper(view: DossierView) -> tuple[str, bytes]:
    """The paper the citizen takes away: Mẫu 01 receipt, or Mẫu 02 when documents are missing."""
    if view.missing_documents:
        return "supplement", render_supplement(view, SUPPLEMENT_REASON)
    return "receipt", render_receipt(view)


def print_intake_paper(view: DossierView, printers: Printers) -> str:
    kind, pdf = intake_paper(view)
    printers.a4.send(pdf, copies=1, title=f"{view.code} {kind}")
    return kind


def print_label(view: DossierView, printers: Printers) -> None:
    printers.label.send(render_label(view, "pdf"), copies=1, title=f"{view.code} nhan")


def preview_file(view: DossierView, directory: Path) -> Path:
    """Write the intake paper to a file for the system viewer (preview on demand)."""
    from counter_app.filemodes import make_dir, write_private

    kind, pdf = intake_paper(view)
    make_dir(directory)
    path = directory / f"{view.code}-{kind}.pdf"
    write_private(path, pdf)
    return path


def ticket_data(ticket: TicketInfo, unit_name: str, counters: tuple[int, ...]) -> TicketData:
    from counter_app.printing.escpos import TicketData
    from counter_app.ui_text import PRIORITY_LABELS

    label = PRIORITY_LABELS.get(ticket.priority, "")
    priority = f"Ưu tiên: {label.lower()}" if label else ""
    return TicketData(
        unit_name=unit_name,
        number=ticket.number,
        service_name=ticket.service_name,
        issued_at=ticket.issued_at,
        ahead=ticket.ahead,
        estimated_wait_min=ticket.estimated_wait_min,
        priority_label=priority,
        counters="Quầy " + ", ".join(str(c) for c in counters) if counters else "",
        footer="Vui lòng chờ gọi số. Xin cảm ơn!",
    )


def print_ticket(data: TicketData, settings: Settings, adapters: Adapters) -> str:
    """The thermal printer when one is set (ESC/POS over pyserial), else a PDF ticket in the
    print folder. Returns where it went; raises PrintFailed (the ticket stays issued)."""
    from counter_app.printing.escpos import PrinterProfile, render_ticket, render_ticket_pdf

    if settings.ticket_printer:
        profile = PrinterProfile(
            dots=settings.ticket_printer_dots,
            native_barcode=settings.ticket_printer_barcode,
            narrow=settings.ticket_printer_narrow,
        )
        printer = adapters.ticket_printer(settings.ticket_printer)
        printer.send(render_ticket(data, profile))
        return settings.ticket_printer
    folder = FolderSpooler(settings.effective_print_dir / "tickets")
    folder.send(render_ticket_pdf(data), title=f"ve-{data.number}")
    return str(folder.directory)

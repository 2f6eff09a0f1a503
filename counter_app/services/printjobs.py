"""Rendering a dossier's papers and sending them to the configured printers (no dialog)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app.config import Settings
from counter_app.domain.errors import ValidationError
from counter_app.domain.lifecycle import ACTION_KINDS
from counter_app.domain.model import DocumentLine, DossierView
from counter_app.printing.label_spec import LabelSpec, label_spec
from counter_app.printing.spool import FolderSpooler, Spooler
from counter_app.services.context import Adapters

if TYPE_CHECKING:
    from counter_app.printing.escpos import PrinterProfile, TicketData
    from counter_app.services.context import ServiceContext
    from counter_app.services.queue import TicketInfo

FORM_KINDS = ("receipt", "supplement", "refusal", "apology", "stop-notice", "control-sheet")


@dataclass
class Printers:
    a4: Spooler
    label: Spooler
    label_spec: LabelSpec = field(default_factory=LabelSpec)  # stock size and symbology

    @classmethod
    def attached(cls, adapters: Adapters, settings: Settings | None = None) -> Printers:
        """The A4 and label printers app.py attached to the context; the label's stock and
        symbology from `settings` (label_size, label_symbology)."""
        return cls(adapters.a4_printer(), adapters.label_printer(), settings_label_spec(settings))


def settings_label_spec(settings: Settings | None) -> LabelSpec:
    """The folder label the settings ask for (default 50×30 mm with a QR code)."""
    if settings is None:
        return LabelSpec()
    return label_spec(settings.label_size, settings.label_symbology)


def saved_folder(spooler: Spooler) -> Path | None:
    """Where papers are saved as PDFs when no printer is set up (None: they are printed)."""
    return spooler.directory if isinstance(spooler, FolderSpooler) else None


def describe(spooler: Spooler) -> str:
    """Where the papers go, in words for the status bar."""
    if isinstance(spooler, FolderSpooler):
        return f"lưu PDF vào {spooler.directory}"
    name = getattr(spooler, "printer", None)
    return str(name) if name else "máy in mặc định"


def preload() -> None:
    """Load the forms' and labels' code (reportlab, segno, python-barcode) and the fonts ahead
    of the first receipt: ~0.3–0.4 s that used to come before the window showed. The window
    runs this on a worker thread once it is up; a save before it ends just waits on the
    same imports."""
    from counter_app.printing import fonts, forms, labels  # noqa: F401

    fonts.register_fonts()


def prepare_intake_paper(ctx: ServiceContext, procedure_code: str, username: str) -> None:
    """The receipt of this procedure laid out ahead, for the save that follows (the window
    calls it on a worker thread when the clerk picks the procedure; printing.forms.
    prepare_receipt says what is kept)."""
    from counter_app.printing.forms import prepare_receipt
    from counter_app.services.views import sample_view

    prepare_receipt(sample_view(ctx, procedure_code, username))


def intake_paper(view: DossierView) -> tuple[str, bytes]:
    """The paper the citizen takes away: Mẫu 01 receipt, or Mẫu 02 when documents are missing
    (with the form's default reason)."""
    from counter_app.printing.forms import render_receipt, render_supplement

    if view.missing_documents:
        return "supplement", render_supplement(view)
    return "receipt", render_receipt(view)


def render_form(ctx: ServiceContext, code: str, kind: str) -> tuple[DossierView, bytes]:
    """Any form of DOMAIN.md §3 for a stored dossier, by its CLI name; the set in force on the
    receipt date gives its number and title. Refuses what must not be printed: a receipt
    (with a due date) for a dossier still waiting for documents, a form for an action the
    dossier never had."""
    from counter_app.printing import action_forms
    from counter_app.printing.forms import render_receipt
    from counter_app.services.lookup import get_dossier

    view = get_dossier(ctx, code)
    if kind == "receipt":
        if view.status == "supplement_requested":
            raise ValidationError("receipt_waiting_documents", code=view.code)
        return view, render_receipt(view)
    if kind == "supplement":
        return view, supplement_form(view)
    renderers = {
        "refusal": action_forms.render_refusal,
        "apology": action_forms.render_apology,
        "stop-notice": action_forms.render_stop_notice,
        "control-sheet": action_forms.render_control_sheet,
    }
    if kind not in renderers:
        raise ValidationError("form_kind_unavailable", kind=kind, form_set=view.form_set)
    return view, renderers[kind](view)


def supplement_form(view: DossierView) -> bytes:
    """Mẫu 02 of the latest request: a later request's (the `supplement` action at the
    processing stage) reason and documents, else what was missing at intake (with the
    default reason: intake records only the names)."""
    from counter_app.printing.forms import render_supplement

    for ev in reversed(view.events):
        if ev.kind == ACTION_KINDS["supplement"] and ev.data.get("stage") == "processing":
            names = [str(n) for n in ev.data.get("documents", []) if str(n).strip()]
            known = {x.name: x for x in view.documents}
            docs = tuple(known.get(n) or DocumentLine(n, "", 1) for n in names)
            return render_supplement(
                view, ev.reason, issued_at=ev.at, documents=docs or view.missing_documents
            )
    return render_supplement(view)


def print_intake_paper(
    view: DossierView, printers: Printers, ctx: ServiceContext | None = None, username: str = ""
) -> str:
    """Send the intake paper to the A4 printer; with `ctx`, note that it went out (printed,
    or saved to PDF when no printer is set up) for the day close (services/papers)."""
    kind, pdf = intake_paper(view)
    printers.a4.send(pdf, copies=1, title=f"{view.code} {kind}")
    if ctx is not None:
        from counter_app.services.papers import record_paper_quietly

        via = "pdf" if saved_folder(printers.a4) is not None else "printer"
        record_paper_quietly(ctx, view.code, kind, via, username)
    return kind


def print_label(view: DossierView, printers: Printers) -> None:
    from counter_app.printing.labels import render_label

    pdf = render_label(view, "pdf", printers.label_spec)
    printers.label.send(pdf, copies=1, title=f"{view.code} nhan")


def preview_file(view: DossierView, directory: Path) -> Path:
    """Write the intake paper to a file for the system viewer (preview on demand)."""
    from counter_app.filemodes import make_dir, write_private

    kind, pdf = intake_paper(view)
    make_dir(directory)
    path = directory / f"{view.code}-{kind}.pdf"
    write_private(path, pdf)
    return path


TICKET_FOOTER = "Vui lòng chờ gọi số. Xin cảm ơn!"


def ticket_data(ticket: TicketInfo, unit_name: str, counters: tuple[int, ...]) -> TicketData:
    from counter_app.printing.escpos import TicketData
    from counter_app.ui_text import PRIORITY_LABELS

    label = PRIORITY_LABELS.get(ticket.priority, "")
    priority = f"Ưu tiên: {label.lower()}" if label else ""  # as priority_lines()
    return TicketData(
        unit_name=unit_name,
        number=ticket.number,
        service_name=ticket.service_name,
        issued_at=ticket.issued_at,
        ahead=ticket.ahead,
        estimated_wait_min=ticket.estimated_wait_min,
        priority_label=priority,
        counters=service_counters(counters),
        footer=TICKET_FOOTER,
    )


def priority_lines() -> list[str]:
    """The priority line of each class, as a ticket prints it."""
    from counter_app.ui_text import PRIORITY_LABELS

    return [f"Ưu tiên: {label.lower()}" for label in PRIORITY_LABELS.values()]


def service_counters(counters: tuple[int, ...]) -> str:
    return "Quầy " + ", ".join(str(c) for c in counters) if counters else ""


def ticket_profile(settings: Settings, dots: int | None = None) -> PrinterProfile:
    from counter_app.printing.escpos import PrinterProfile

    return PrinterProfile(
        dots=dots or settings.ticket_printer_dots,
        native_barcode=settings.ticket_printer_barcode,
        narrow=settings.ticket_printer_narrow,
        nv_graphics=settings.ticket_printer_nv,
    )


def print_ticket(data: TicketData, settings: Settings, adapters: Adapters) -> str:
    """The thermal printer when one is set (ESC/POS over pyserial), else a PDF ticket in the
    print folder. Returns where it went; raises PrintFailed (the ticket stays issued)."""
    from counter_app.printing.escpos import render_ticket, render_ticket_pdf

    if settings.ticket_printer:
        profile = ticket_profile(settings)
        printer = adapters.ticket_printer(settings.ticket_printer)
        printer.send(render_ticket(data, profile))
        return settings.ticket_printer
    folder = FolderSpooler(settings.effective_print_dir / "tickets")
    folder.send(render_ticket_pdf(data), title=f"ve-{data.number}")
    return str(folder.directory)

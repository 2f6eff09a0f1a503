"""Sending a PDF to a printer without a dialog: the spooler interface, a folder, a fake.

The operating system's printers are reached through Qt (ui/qtprint.py: QtSpooler, and
make_spooler, which picks one for a printer setting); app.py wires them into the context's
adapters, so nothing outside ui/ imports Qt."""

# Sends are synchronous; callers run them on a worker thread, never on the UI thread.
# Failures raise PrintFailed with a code (printer_unknown, printer_offline, printer_rejecting,
# printer_out_of_paper, pdf_unreadable, folder_unwritable, …); the dossier is already saved,
# so the job can simply be retried (F8).

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from counter_app.domain.errors import PrintFailed, ValidationError
from counter_app.filemodes import make_dir, write_private

_UNSAFE = re.compile(r"[^\w.-]+")


class Spooler(Protocol):
    def send(self, pdf: bytes, *, copies: int = 1, title: str = "") -> None: ...


@dataclass(frozen=True)
class PrinterStatus:
    """One printer as the operating system lists it."""

    name: str
    default: bool
    state: str  # idle | printing | aborted | error | unknown (Qt's QPrinter.PrinterState)
    detail: str = ""  # CUPS: "disabled", "rejecting", "media-empty", … (else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "default": self.default,
            "state": self.state,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class PrintReport:
    printer: str
    pages: int  # pages of the document (each copy prints them all)
    copies: int
    dpi: int
    seconds: float


@runtime_checkable
class PrinterSpooler(Protocol):
    """A spooler for a printer of the operating system (ui/qtprint.QtSpooler): which printer
    its jobs go to, and what the last one printed."""

    last_report: PrintReport | None

    def send(self, pdf: bytes, *, copies: int = 1, title: str = "") -> None: ...
    def printer_name(self) -> str: ...


class FolderSpooler:
    """Writes each job as "<timestamp>-<title>.pdf": no printer configured, demos, previews."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.last_path: Path | None = None

    def send(self, pdf: bytes, *, copies: int = 1, title: str = "") -> None:
        _check_copies(copies)
        stem = _job_title(title)
        if copies > 1:
            stem += f"-x{copies}"
        try:
            make_dir(self.directory)
            path = _unique_path(self.directory, stem)
            write_private(path, pdf)  # a receipt names the applicant: 0600
        except OSError as exc:
            raise PrintFailed(
                "folder_unwritable", printer=str(self.directory), detail=str(exc)
            ) from None
        self.last_path = path


@dataclass(frozen=True)
class Job:
    pdf: bytes
    copies: int
    title: str


@dataclass
class FakeSpooler:
    """Records jobs in memory; `fail_next(n)` makes the next n sends raise PrintFailed."""

    jobs: list[Job] = field(default_factory=list)
    failures: int = 0
    failure_code: str = "printer_offline"

    def fail_next(self, n: int = 1, code: str = "printer_offline") -> None:
        self.failures, self.failure_code = n, code

    def send(self, pdf: bytes, *, copies: int = 1, title: str = "") -> None:
        _check_copies(copies)
        if self.failures > 0:
            self.failures -= 1
            raise PrintFailed(self.failure_code, printer="fake")
        self.jobs.append(Job(pdf, copies, title))


def _check_copies(copies: int) -> None:
    if not 1 <= copies <= 99:
        raise ValidationError("copies_invalid", copies=copies)


def _job_title(title: str) -> str:
    """A title safe for a file name and an `lp -t` argument: letters, digits, "._-"."""
    safe = _UNSAFE.sub("-", title).strip("-.")[:80]
    return safe or "counter-app"


def _unique_path(directory: Path, stem: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = directory / f"{stamp}-{stem}.pdf"
    n = 1
    while path.exists():
        n += 1
        path = directory / f"{stamp}-{stem}-{n}.pdf"
    return path

"""Sending a PDF to a printer without a dialog: CUPS `lp`, the Windows spooler, a folder, a fake."""

# Sends are synchronous; callers run them on a worker thread, never on the UI thread.
# Failures raise PrintFailed with a code (no_spooler, printer_rejected, printer_timeout,
# folder_unwritable, …); the dossier is already saved, so the job can simply be retried.

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from counter_app.domain.errors import PrintFailed, ValidationError
from counter_app.filemodes import make_dir, write_private

LP_TIMEOUT_S = 60
STALE_TEMP_S = 24 * 3600  # Windows temp PDFs older than this are removed on the next send
_UNSAFE = re.compile(r"[^\w.-]+")


class Spooler(Protocol):
    def send(self, pdf: bytes, *, copies: int = 1, title: str = "") -> None: ...


def make_spooler(setting: str, fallback_dir: Path, *, platform: str = sys.platform) -> Spooler:
    """The spooler for a printer setting.

    "" or "default": the system's default printer (`lp` or Windows), else files in
    `fallback_dir`; "folder:/path": files in that folder; anything else: that printer's name.
    """
    value = setting.strip()
    if value.lower().startswith("folder:"):
        directory = value[len("folder:") :].strip()
        if not directory:
            raise ValidationError("printer_setting_invalid", setting=setting)
        return FolderSpooler(Path(directory).expanduser())
    windows = platform == "win32"
    if value.lower() in ("", "default"):
        if windows:
            return WindowsSpooler(None)
        if shutil.which("lp"):
            return LpSpooler(None)
        return FolderSpooler(fallback_dir)
    return WindowsSpooler(value) if windows else LpSpooler(value)


class LpSpooler:
    """CUPS `lp` (Linux, macOS): the PDF goes in on stdin."""

    def __init__(self, printer: str | None = None) -> None:
        self.printer = printer or None

    def command(self, lp: str, copies: int, title: str) -> list[str]:
        args = [lp]
        if self.printer:
            args += ["-d", self.printer]
        args += ["-n", str(copies)]
        if title:
            args += ["-t", title]
        return [*args, "-"]

    def send(self, pdf: bytes, *, copies: int = 1, title: str = "") -> None:
        _check_copies(copies)
        name = self.printer or "default"
        lp = shutil.which("lp")
        if lp is None:
            raise PrintFailed("no_spooler", printer=name)
        try:
            done = subprocess.run(
                self.command(lp, copies, _job_title(title)),
                input=pdf,
                capture_output=True,
                timeout=LP_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PrintFailed("printer_timeout", printer=name) from None
        except OSError as exc:
            raise PrintFailed("no_spooler", printer=name, detail=str(exc)) from None
        if done.returncode != 0:
            raise PrintFailed("printer_rejected", printer=name, detail=_first_line(done.stderr))


class WindowsSpooler:
    """The Windows print spooler through the shell's "print"/"printto" verb on a temp PDF."""

    def __init__(
        self,
        printer: str | None = None,
        *,
        launcher: Callable[..., None] | None = None,
        temp_dir: Path | None = None,
    ) -> None:
        self.printer = printer or None
        self._launcher = launcher or getattr(os, "startfile", None)
        self._temp_dir = temp_dir or Path(tempfile.gettempdir()) / "counter-app-print"

    def send(self, pdf: bytes, *, copies: int = 1, title: str = "") -> None:
        _check_copies(copies)
        name = self.printer or "default"
        if self._launcher is None:
            raise PrintFailed("no_spooler", printer=name)
        try:
            make_dir(self._temp_dir)
            _remove_stale(self._temp_dir)
            # The PDF viewer reads the file after startfile returns, so it is not deleted here.
            path = _unique_path(self._temp_dir, _job_title(title))
            write_private(path, pdf)
            try:
                for _ in range(copies):
                    if self.printer:
                        self._launcher(str(path), "printto", f'"{self.printer}"')
                    else:
                        self._launcher(str(path), "print")
            except OSError:  # nothing will read it: not left behind with personal data
                with contextlib.suppress(OSError):
                    path.unlink()
                raise
        except OSError as exc:
            raise PrintFailed("printer_rejected", printer=name, detail=str(exc)) from None


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


def _remove_stale(directory: Path) -> None:
    cutoff = time.time() - STALE_TEMP_S
    for old in directory.glob("*.pdf"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue  # still open in the viewer, or gone already


def _first_line(stderr: bytes) -> str:
    for line in stderr.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""

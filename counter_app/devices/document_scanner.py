"""Document scanners through SANE (Linux), by running `scanimage` from sane-utils.

Why `scanimage` and not the `python-sane` binding: a SANE backend is vendor C code that
runs inside the process that loads it; a backend that crashes on an unplugged USB cable
would take the counter window (and the dossier being typed) down with it. As a child
process it can only fail its own run: the window gets a clear message and keeps the pages
already read. Cancelling is ending that child process, safe at any moment, where
sane_cancel from a second thread is not. And nothing has to be compiled on the counter PCs.

`scanimage --batch --batch-print` writes each page as a PNG and prints the file's name
once the page is complete, so pages reach the window one by one while the feeder runs.
A run that ends badly is read from scanimage's last SANE status message (the English
sane_strstatus texts, fixed by the SANE standard)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from counter_app.domain.errors import ValidationError
from counter_app.domain.scanning import DEFAULT_DPI, ScanInterrupted, ScannerInfo

ADF = "Automatic Document Feeder"
LIST_TIMEOUT_S = 30.0  # network backends (airscan, net) may probe for a while
# The longest wait for the next page (or for the child to end after the last one) before
# the scan is ended: a slow A4 page at 600 dpi over USB 1.1 with the lamp warming takes
# about a minute. A backend can hang without ever failing: SANE's own `test` backend
# deadlocks at exit after a jammed feeder about once in twenty runs.
PAGE_TIMEOUT_S = 180.0

# sane_strstatus() texts -> our message codes
_STATUS_CODES = (
    ("Device busy", "scanner_busy"),
    ("Error during device I/O", "scanner_lost"),
    ("Document feeder jammed", "scanner_jammed"),
    ("Scanner cover is open", "scanner_cover_open"),
    ("Access to resource has been denied", "scanner_denied"),
    ("Out of memory", "scanner_failed"),
)
_NO_DOCS = "Document feeder out of documents"


def _scanimage(program: str | None) -> str:
    found = program or shutil.which("scanimage")
    if not found:
        raise ValidationError("scanner_sane_missing")
    return found


def list_scanners(
    *, program: str | None = None, env: Mapping[str, str] | None = None
) -> list[ScannerInfo]:
    """The scanners SANE sees now (`scanimage -f`), in its order."""
    exe = _scanimage(program)
    try:
        out = subprocess.run(
            [exe, "-f", "%d\t%v %m%n"],
            capture_output=True,
            text=True,
            timeout=LIST_TIMEOUT_S,
            env=dict(env) if env is not None else None,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ValidationError("scanner_list_failed", detail=type(exc).__name__) from None
    found = []
    for line in out.splitlines():
        name, _, label = line.partition("\t")
        if name.strip():
            found.append(ScannerInfo(name=name.strip(), label=label.strip() or name.strip()))
    return found


def failure_code(stderr: str) -> tuple[str, str]:
    """(message code, SANE's own words) for how a scanimage run ended badly."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    # A known SANE status anywhere wins over scanimage's own closing words (it may add
    # "trying to stop scanner" after the status that ended the scan).
    for line in reversed(lines):
        if "open of device" in line and "failed" in line:
            return "scanner_not_found", line.rsplit(":", 1)[-1].strip()
        for text, code in _STATUS_CODES:
            if text in line:
                return code, text
    for line in reversed(lines):
        if line.startswith("scanimage:") and "trying to stop" not in line:
            return "scanner_failed", line.removeprefix("scanimage:").strip()[:200]
    return "scanner_failed", (lines[-1][:200] if lines else "")


class SaneScanner:
    """One SANE device ("test:0", "epson2:libusb:001:004") scanned with `scanimage`."""

    def __init__(
        self,
        device: str,
        *,
        program: str | None = None,
        env: Mapping[str, str] | None = None,
        extra_args: tuple[str, ...] = (),
        page_timeout_s: float = PAGE_TIMEOUT_S,
    ) -> None:
        self.device = device
        self._page_timeout_s = page_timeout_s
        self._program = program
        self._env = dict(env) if env is not None else None
        self._extra = tuple(extra_args)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._cancelled = False
        self._sources: list[str] | None = None

    @property
    def name(self) -> str:
        return self.device

    def sources(self) -> list[str]:
        """The device's --source choices ("Flatbed", "Automatic Document Feeder", "ADF Duplex")."""
        if self._sources is None:
            exe = _scanimage(self._program)
            try:
                out = subprocess.run(
                    [exe, "-d", self.device, "-A"],
                    capture_output=True,
                    text=True,
                    timeout=LIST_TIMEOUT_S,
                    env=self._env,
                    check=False,
                ).stdout
            except (OSError, subprocess.TimeoutExpired):
                out = ""
            self._sources = []
            for line in out.splitlines():
                words = line.strip()
                if words.startswith("--source "):
                    choices = words.removeprefix("--source ").split(" [", 1)[0]
                    self._sources = [c.strip() for c in choices.split("|") if c.strip()]
        return self._sources

    def has_duplex(self) -> bool:
        return any("duplex" in s.lower() for s in self.sources())

    def _source_args(self, duplex: bool) -> tuple[list[str], bool]:
        """(--source arguments, feeder?) : the duplex feeder when asked and present, else the
        plain feeder when the device has one, else the flatbed (one page)."""
        sources = self.sources()
        if duplex:
            for s in sources:
                if "duplex" in s.lower():
                    return ["--source", s], True
        for s in sources:
            low = s.lower()
            if ("feeder" in low or "adf" in low) and "duplex" not in low:
                return ["--source", s], True
        return [], False

    def scan(
        self,
        *,
        dpi: int = DEFAULT_DPI,
        mode: str = "Gray",
        duplex: bool = False,
        pages: int | None = None,
    ) -> Iterator[bytes]:
        """Pages as PNG bytes, each as soon as the scanner finishes it. From a feeder: until it
        is empty (or `pages` pages); from a flatbed: one page (or `pages`)."""
        exe = _scanimage(self._program)
        source, feeder = self._source_args(duplex)
        count = pages if pages is not None else (None if feeder else 1)
        with tempfile.TemporaryDirectory(prefix="counter-scan-") as tmp:
            args = [
                exe,
                "-d",
                self.device,
                "--format=png",
                "--mode",
                mode,
                "--resolution",
                str(dpi),
                *source,
                *self._extra,
                f"--batch={Path(tmp) / 'page%04d.png'}",
                "--batch-print",
            ]
            if count is not None:
                args.append(f"--batch-count={count}")
            err_path = Path(tmp) / "stderr.txt"
            with open(err_path, "w+", encoding="utf-8", errors="replace") as err:
                with self._lock:
                    self._cancelled = False
                    try:
                        self._proc = subprocess.Popen(
                            args,
                            stdout=subprocess.PIPE,
                            stderr=err,
                            stdin=subprocess.DEVNULL,
                            text=True,
                            env=self._env,
                            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
                        )
                    except OSError as exc:
                        raise ValidationError(
                            "scanner_failed", scanner=self.device, detail=exc.strerror or ""
                        ) from None
                    proc = self._proc
                done = 0
                watchdog = _Watchdog(self._page_timeout_s, proc.kill)
                try:
                    assert proc.stdout is not None
                    for line in proc.stdout:
                        watchdog.feed()
                        path = Path(line.strip())
                        if not line.strip() or not path.is_file():
                            continue
                        data = path.read_bytes()
                        path.unlink(missing_ok=True)
                        done += 1
                        watchdog.pause()  # the consumer's time is not the scanner's
                        yield data
                        watchdog.feed()
                    rc = proc.wait()
                finally:
                    watchdog.stop()
                    if proc.poll() is None:  # the consumer stopped early: end the scan
                        proc.kill()
                        proc.wait()
                    if proc.stdout is not None:
                        proc.stdout.close()
                    with self._lock:
                        self._proc = None
                if self._cancelled:
                    return
                err.seek(0)
                stderr = err.read()
            if rc == 0:
                return
            code, detail = failure_code(stderr)
            if watchdog.fired and code == "scanner_failed" and _NO_DOCS not in stderr:
                # no status from the backend: it went silent (a hung driver, a lost
                # network scanner); the status it did print, if any, is the better reason
                raise ScanInterrupted(
                    "scan_timeout",
                    pages_done=done,
                    scanner=self.device,
                    seconds=f"{self._page_timeout_s:.0f}",
                )
            if code == "scanner_failed" and _NO_DOCS in stderr:
                code = "scanner_no_paper"
            if _NO_DOCS in stderr and done:
                return  # the feeder ran out after some pages: the normal end
            raise ScanInterrupted(code, pages_done=done, scanner=self.device, detail=detail)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._proc is not None and self._proc.poll() is None:
                self._proc.terminate()


class _Watchdog:
    """Calls `on_expire` once when `seconds` pass without a feed() while running; pause()
    stops the count until the next feed()."""

    def __init__(self, seconds: float, on_expire: Callable[[], None]) -> None:
        self._seconds = seconds
        self._on_expire = on_expire
        self._last: float | None = time.monotonic()
        self._stop = threading.Event()
        self.fired = False
        self._thread = threading.Thread(target=self._run, name="scan-watchdog", daemon=True)
        self._thread.start()

    def feed(self) -> None:
        self._last = time.monotonic()

    def pause(self) -> None:
        self._last = None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        step = min(1.0, self._seconds / 4)
        while not self._stop.wait(step):
            last = self._last
            if last is not None and time.monotonic() - last >= self._seconds:
                self.fired = True
                with contextlib.suppress(OSError):  # the child ended on its own meanwhile
                    self._on_expire()
                return


class AutoSaneScanner:
    """`document_scanner = "auto"`: the first scanner SANE lists, looked up when a scan starts
    (so a scanner plugged in after the window opened is found)."""

    def __init__(self, *, program: str | None = None, env: Mapping[str, str] | None = None) -> None:
        self._program = program
        self._env = env
        self._current: SaneScanner | None = None

    @property
    def name(self) -> str:
        return self._current.device if self._current else "auto"

    def _pick(self) -> SaneScanner:
        found = list_scanners(program=self._program, env=self._env)
        if not found:
            raise ValidationError("scanner_not_found", scanner="", detail="")
        if self._current is None or self._current.device != found[0].name:
            self._current = SaneScanner(found[0].name, program=self._program, env=self._env)
        return self._current

    def has_duplex(self) -> bool:
        return self._pick().has_duplex()

    def scan(
        self,
        *,
        dpi: int = DEFAULT_DPI,
        mode: str = "Gray",
        duplex: bool = False,
        pages: int | None = None,
    ) -> Iterator[bytes]:
        return self._pick().scan(dpi=dpi, mode=mode, duplex=duplex, pages=pages)

    def cancel(self) -> None:
        if self._current is not None:
            self._current.cancel()


def sane_env(config_dir: str | None) -> dict[str, str] | None:
    """The environment for scanimage: SANE_CONFIG_DIR set when the counter's config names one
    (a dll.conf of its own, e.g. listing only the scanner's backend)."""
    if not config_dir:
        return None
    env = dict(os.environ)
    env["SANE_CONFIG_DIR"] = config_dir  # that folder only (no trailing separator)
    return env

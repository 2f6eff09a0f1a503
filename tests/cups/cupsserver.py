"""A private CUPS server for the printing tests, with CUPS-PDF queues writing into temp dirs.

cupsd runs in the foreground from a temporary ServerRoot, listening only on a Unix socket
inside its temp dir (no TCP port, nothing shared with a system CUPS); clients reach it
through CUPS_SERVER=<socket>, which libcups (and so Qt's CUPS plugin) reads. The CUPS-PDF
backend takes its settings only from /etc/cups/cups-pdf-<queue>.conf (compiled in), so each
queue gets such a file, named after a queue unique to this run, removed at stop.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CUPSD = "/usr/sbin/cupsd"
BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
PPD_DIR = Path("/usr/share/ppd/cups-pdf")
CUPS_PDF_CONF_DIR = Path("/etc/cups")  # compiled into cups-pdf (CP_CONFIG_PATH)
START_TIMEOUT_S = 30
JOB_TIMEOUT_S = 120


def _job_number(path: Path) -> int:
    """CUPS-PDF names a file "job_<id>-<title>.pdf" (Label 1): print order, job_9 before job_10."""
    m = re.match(r"job_(\d+)", path.name)
    return int(m.group(1)) if m else 0


class CupsUnavailable(Exception):
    """Why a private cupsd with a CUPS-PDF queue cannot run here."""


def _ppd() -> Path | None:
    found = sorted(PPD_DIR.glob("CUPS-PDF*.ppd")) if PPD_DIR.is_dir() else []
    noopt = [p for p in found if "noopt" in p.name]
    return (noopt or found or [None])[0]


class CupsServer:
    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="cups-"))  # short: a socket path is ≤ 107 bytes
        self.socket = self.base / "cups.sock"
        self.proc: subprocess.Popen[bytes] | None = None
        self.queues: list[str] = []
        self._confs: list[Path] = []

    # --- start / stop ----------------------------------------------------------------------

    def check(self) -> None:
        if shutil.which("cupsd") is None and not Path(CUPSD).exists():
            raise CupsUnavailable("cupsd not installed (Debian package cups)")
        if not BACKEND.exists() or _ppd() is None:
            raise CupsUnavailable("CUPS-PDF not installed (printer-driver-cups-pdf)")
        if shutil.which("lpadmin") is None or shutil.which("lpstat") is None:
            raise CupsUnavailable("lpadmin/lpstat missing (cups-client)")
        if os.geteuid() != 0:
            raise CupsUnavailable("the CUPS-PDF backend runs only under a root cupsd")
        if not os.access(CUPS_PDF_CONF_DIR, os.W_OK):
            raise CupsUnavailable(f"{CUPS_PDF_CONF_DIR} not writable (CUPS-PDF's queue settings)")

    def start(self) -> None:
        self.check()
        root = self.base / "root"
        for name in ("root", "spool", "cache", "state", "log", "tmp"):
            (self.base / name).mkdir()
        os.chmod(self.base, 0o755)
        os.chmod(self.base / "tmp", 0o1777)  # filters run as lp
        (root / "cupsd.conf").write_text(
            f"Listen {self.socket}\n"
            "LogLevel info\nWebInterface No\nBrowsing No\nErrorPolicy abort-job\n"
            "DefaultAuthType None\nMaxJobs 50\nPreserveJobHistory Yes\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"
        )
        b = self.base
        (root / "cups-files.conf").write_text(
            f"ServerRoot {root}\nRequestRoot {b / 'spool'}\nCacheDir {b / 'cache'}\n"
            f"StateDir {b / 'state'}\nTempDir {b / 'tmp'}\n"
            f"AccessLog {b / 'log/access_log'}\nErrorLog {b / 'log/error_log'}\n"
            f"PageLog {b / 'log/page_log'}\nSystemGroup root\n"
        )
        cupsd = shutil.which("cupsd") or CUPSD
        args = [cupsd, "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")]
        with open(b / "log/stderr", "wb") as stderr:  # cupsd keeps its own copy of the fd
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CupsUnavailable(f"cupsd exited {self.proc.returncode}: {self.log_tail()}")
            if self.socket.exists() and self._run("lpstat", "-r").returncode == 0:
                return
            time.sleep(0.1)
        raise CupsUnavailable(f"cupsd did not answer in {START_TIMEOUT_S} s: {self.log_tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for conf in self._confs:
            with contextlib.suppress(OSError):
                conf.unlink()
        for queue in self.queues:  # CUPS-PDF's own log, if its LogType made one
            with contextlib.suppress(OSError):
                Path(f"/var/log/cups/cups-pdf-{queue}_log").unlink()
        shutil.rmtree(self.base, ignore_errors=True)

    # --- queues and jobs -------------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        return {"CUPS_SERVER": str(self.socket)}

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **self.env}
        return subprocess.run(
            list(args), env=env, capture_output=True, text=True, timeout=30, check=False
        )

    def add_queue(self, out_dir: Path) -> str:
        """A CUPS-PDF queue whose PDFs land in `out_dir`; returns its name."""
        name = f"ca{os.getpid()}_{len(self.queues) + 1}"
        out_dir.mkdir(parents=True, exist_ok=True)
        conf = CUPS_PDF_CONF_DIR / f"cups-pdf-{name}.conf"
        conf.write_text(
            f"Out {out_dir}\nAnonDirName {out_dir}\nSpool {self.base / 'tmp' / name}\n"
            "Label 1\nUserUMask 0022\nLogType 0\n"
        )
        self._confs.append(conf)
        self.queues.append(name)
        done = self._run("lpadmin", "-p", name, "-E", "-v", f"cups-pdf:/{name}", "-P", str(_ppd()))
        if done.returncode != 0:
            raise CupsUnavailable(f"lpadmin refused the queue: {done.stderr.strip()}")
        return name

    def lp(self, *args: str) -> None:
        """A CUPS admin command on this server (cupsdisable, cupsreject, …)."""
        done = self._run(*args)
        assert done.returncode == 0, done.stderr

    def wait_done(self, queue: str, out_dir: Path, count: int) -> list[Path]:
        """The queue's finished PDFs, in print order, once `count` of them are there."""
        deadline = time.monotonic() + JOB_TIMEOUT_S
        while time.monotonic() < deadline:
            pending = self._run("lpstat", "-W", "not-completed", "-o", queue).stdout.strip()
            files = sorted(out_dir.glob("*.pdf"), key=_job_number)
            if not pending and len(files) >= count:
                return files
            time.sleep(0.2)
        raise AssertionError(f"{queue}: no {count} PDF(s) in {JOB_TIMEOUT_S} s: {self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        text = ""
        for name in ("stderr", "error_log"):
            with contextlib.suppress(OSError):
                text += (self.base / "log" / name).read_text(errors="replace")
        return " | ".join(text.strip().splitlines()[-lines:])


class Queue:
    """One CUPS-PDF queue of the server and the directory its PDFs land in."""

    def __init__(self, server: CupsServer, out: Path) -> None:
        self.server, self.out = server, out
        self.name = server.add_queue(out)

    def printed(self, count: int = 1) -> list[Path]:
        return self.server.wait_done(self.name, self.out, count)

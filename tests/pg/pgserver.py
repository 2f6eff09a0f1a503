"""Start a throw-away PostgreSQL server from the installed server programs.

Used by the test fixtures (tests/pg/conftest.py) and the sync benchmarks (bench/). The
server listens only on 127.0.0.1 on a free port, its socket directory in a temp dir; the
superuser `postgres` connects without a password, every other role needs its password.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

PG_USER = "postgres"
# Tuning for throw-away servers; the benches pass their own.
TEST_SETTINGS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=50 -c shared_buffers=32MB"
)


def _bindir() -> Path | None:
    """Server programs: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass
    lib = Path("/usr/lib/postgresql")
    if lib.is_dir():
        versions = sorted(
            (p for p in lib.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True
        )
        candidates += [p / "bin" for p in versions]
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file() and (c / "postgres").is_file():
            return c
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    """initdb refuses root: as root, run the server programs as the `postgres` OS user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_USER, "--", *cmd]
    return cmd


def _run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    # From "/": the server user may not enter the caller's directory (a checkout in a
    # private temp dir, mode 0700), and initdb refuses to start where it cannot chdir back.
    kw.setdefault("cwd", "/")
    return subprocess.run(_as_server_user(cmd), capture_output=True, text=True, **kw)


class PgServer:
    def __init__(self, bindir: Path, base: Path, port: int) -> None:
        self.bindir = bindir
        self.base = base
        self.data = base / "data"
        self.sockets = base / "sock"
        self.log = base / "server.log"
        self.port = port

    @classmethod
    def create(cls, bindir: Path, prefix: str) -> PgServer:
        """A server in a new temp dir (owned by the server user when we are root)."""
        base = Path(tempfile.mkdtemp(prefix=prefix))
        server = cls(bindir, base, _free_port())
        server.sockets.mkdir()
        if os.geteuid() == 0:
            base.chmod(0o700)
            shutil.chown(base, PG_USER, PG_USER)
            shutil.chown(server.sockets, PG_USER, PG_USER)
        return server

    def remove(self) -> None:
        """Stop the server (if it runs) and delete its directory."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={PG_USER} dbname={dbname}"

    def start(self, settings: str = TEST_SETTINGS) -> None:
        init = _run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                PG_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            timeout=120,
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr[-2000:]}")
        # The superuser (the tests' admin) connects without a password; every other role -
        # the units' sync roles - must give its password, as on a real central server.
        hba = self.data / "pg_hba.conf"
        _run(
            [
                "sh",
                "-c",
                f"printf '%s\\n' 'local all all trust' "
                f"'host all {PG_USER} 127.0.0.1/32 trust' "
                f"'host all all 127.0.0.1/32 scram-sha-256' > {hba}",
            ],
            timeout=30,
        )
        # TLS like a real central server: a self-signed certificate made for this run, so
        # sslmode=prefer/require connections really are encrypted.
        tls = ""
        if shutil.which("openssl"):
            cert = _run(
                [
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=127.0.0.1",
                    "-keyout",
                    str(self.data / "server.key"),
                    "-out",
                    str(self.data / "server.crt"),
                ],
                timeout=60,
            )
            if cert.returncode == 0:
                tls = "-c ssl=on "
        opts = (
            tls + f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.sockets} " + settings
        )
        start = _run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
            timeout=90,
        )
        if start.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {start.stderr[-1000:]} {log}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            _run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                timeout=60,
            )

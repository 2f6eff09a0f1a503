"""Updates (issue 13 item 5) against a real HTTP server in a thread: a signed manifest, a
download cut half-way and resumed with a Range request, a wrong checksum, a manifest that does
not parse or is not signed by the province's key, an older version, no network; applied only
at the next start."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import counter_app
from counter_app.services import updates as svc

PACKAGE = "counter-app-9.0.0-setup.exe"
PACKAGE_BYTES = os.urandom(300_000)


class Source:
    """The province's update folder behind a local HTTP server that honours Range requests
    and can cut the next package download after `cut_after` bytes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cut_after: int | None = None
        self.requests: list[tuple[str, str | None]] = []
        source = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                name = self.path.lstrip("/")
                rng = self.headers.get("Range")
                source.requests.append((name, rng))
                path = source.folder / name
                if not path.is_file():
                    self.send_error(404)
                    return
                body = path.read_bytes()
                start = 0
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                chunk = body[start:]
                if name == PACKAGE and source.cut_after is not None:
                    chunk = chunk[: source.cut_after]
                    source.cut_after = None
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(chunk)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def key() -> tuple[bytes, str]:
    return svc.generate_key()


@pytest.fixture
def source(tmp_path: Path, key: tuple[bytes, str]) -> Iterator[Source]:
    folder = tmp_path / "central-updates"
    pkg = tmp_path / PACKAGE
    pkg.write_bytes(PACKAGE_BYTES)
    svc.publish(pkg, "9.0.0", key[0], folder)
    src = Source(folder)
    yield src
    src.close()


@pytest.fixture
def configured(source: Source, key: tuple[bytes, str], data_dir: Path, monkeypatch) -> Path:
    """The counter's settings name the server and the province's public key."""
    monkeypatch.setenv("COUNTER_APP_UPDATE_URL", source.url)
    monkeypatch.setenv("COUNTER_APP_UPDATE_PUBLIC_KEY", key[1])
    return data_dir / "updates"


def run_json(cli, *args: str) -> tuple[int, Any, str]:  # type: ignore[no-untyped-def]
    res = cli("update", *args, "--json", db=None)
    return res.rc, json.loads(res.out) if res.rc == 0 else None, res.err


def test_check_reads_the_signed_manifest(cli, configured: Path) -> None:  # type: ignore[no-untyped-def]
    rc, data, err = run_json(cli, "check")
    assert rc == 0, err
    assert data["installed"] == counter_app.__version__
    assert data["available"] == "9.0.0"
    assert data["newer"] is True
    assert data["size"] == len(PACKAGE_BYTES)
    assert data["sha256"] == hashlib.sha256(PACKAGE_BYTES).hexdigest()
    assert not (configured / PACKAGE).exists()  # a check downloads nothing


def test_download_verifies_and_waits_for_the_next_start(cli, configured: Path) -> None:  # type: ignore[no-untyped-def]
    rc, data, err = run_json(cli, "download")
    assert rc == 0, err
    assert data["ready"] is True
    assert data["version"] == "9.0.0"
    assert Path(data["path"]).read_bytes() == PACKAGE_BYTES
    rc, status, _ = run_json(cli, "status")
    assert status["ready"]["version"] == "9.0.0"
    assert status["last_error"] is None
    human = cli("update", "status", db=None).out
    assert "cài ở lần khởi động sau" in human


def test_a_cut_download_resumes_with_a_range_request(cli, configured: Path, source: Source) -> None:  # type: ignore[no-untyped-def]
    source.cut_after = 100_000
    res = cli("update", "download", db=None)
    assert res.rc == 1
    assert "bị ngắt giữa chừng (100000/300000 byte)" in res.err
    assert "Traceback" not in res.err
    assert (configured / (PACKAGE + ".part")).stat().st_size == 100_000
    assert not (configured / svc.READY).exists()  # nothing ready half-way
    rc, status, _ = run_json(cli, "status")
    assert status["partial_bytes"] == 100_000
    assert status["last_error"]["code"] == "update_download_cut"

    rc, data, err = run_json(cli, "download")
    assert rc == 0, err
    assert data["resumed_from"] == 100_000
    assert (PACKAGE, "bytes=100000-") in source.requests
    assert Path(data["path"]).read_bytes() == PACKAGE_BYTES
    assert not (configured / (PACKAGE + ".part")).exists()


def test_a_wrong_checksum_is_rejected_and_removed(cli, configured: Path, source: Source) -> None:  # type: ignore[no-untyped-def]
    # The package on the server replaced after signing (same size): the manifest's sha256
    # no longer matches.
    (source.folder / PACKAGE).write_bytes(bytes(len(PACKAGE_BYTES)))
    res = cli("update", "download", db=None)
    assert res.rc == 1
    assert "không đúng mã kiểm tra (sha256): đã xóa tệp, không cài" in res.err
    assert sorted(p.name for p in configured.iterdir()) == [svc.STATE]


def test_a_manifest_that_does_not_parse(cli, configured: Path, source: Source, key) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization

    body = b"{not json"
    private = serialization.load_pem_private_key(key[0], password=None)
    (source.folder / svc.MANIFEST).write_bytes(body)
    (source.folder / svc.SIGNATURE).write_bytes(base64.b64encode(private.sign(body)))  # type: ignore[union-attr, call-arg]
    res = cli("update", "download", db=None)
    assert res.rc == 1
    assert "(manifest.json) trên máy chủ không đọc được" in res.err
    assert not (configured / PACKAGE).exists()


def test_a_manifest_not_signed_by_the_province_is_refused(cli, configured, source) -> None:  # type: ignore[no-untyped-def]
    # A compromised central rewrites the manifest to point at its own package.
    m = json.loads((source.folder / svc.MANIFEST).read_text())
    evil = os.urandom(1000)
    (source.folder / "evil.exe").write_bytes(evil)
    m.update(file="evil.exe", size=len(evil), sha256=hashlib.sha256(evil).hexdigest())
    (source.folder / svc.MANIFEST).write_text(json.dumps(m))
    res = cli("update", "download", db=None)
    assert res.rc == 1
    assert "Chữ ký của bản cập nhật trên máy chủ không đúng" in res.err
    assert not configured.exists() or not list(configured.glob("*.exe*"))
    assert ("evil.exe", None) not in source.requests


def test_no_public_key_no_update(cli, configured: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COUNTER_APP_UPDATE_PUBLIC_KEY", "")
    res = cli("update", "check", db=None)
    assert res.rc == 1
    assert "update_public_key" in res.err


def test_an_older_version_is_ignored(cli, configured: Path, source: Source, key, tmp_path) -> None:  # type: ignore[no-untyped-def]
    old = tmp_path / "counter-app-0.0.9-setup.exe"
    old.write_bytes(b"old")
    svc.publish(old, "0.0.9", key[0], source.folder)
    rc, data, err = run_json(cli, "download")
    assert rc == 0, err
    assert data == {"installed": counter_app.__version__, "available": "0.0.9", "newer": False}
    assert not list(configured.glob("*.exe*"))
    assert "Không có bản mới hơn" in cli("update", "download", db=None).out


def test_no_network_is_quiet_and_tried_again(configured: Path, key, source: Source, caplog) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/"
    up = svc.Updater(dead, key[1], configured, clock=lambda: svc.datetime(2026, 12, 2))
    worker = svc.UpdateWorker(up)
    with caplog.at_level(logging.INFO, logger="counter_app"):
        assert worker.run_once() is None
    offline = [r for r in caplog.records if "update_offline" in r.getMessage()]
    assert offline and offline[0].levelno == logging.INFO
    assert up.state()["last_error"]["code"] == "update_offline"
    # The network is back: the next round downloads.
    up.url = source.url
    assert worker.run_once()["ready"] is True  # type: ignore[index]


def test_a_password_in_the_update_url_is_not_kept(cli, configured, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://province:s3cret-pw@127.0.0.1:{s.getsockname()[1]}/updates/"
    monkeypatch.setenv("COUNTER_APP_UPDATE_URL", dead)
    res = cli("update", "check", db=None)
    assert res.rc == 1
    _rc, status, _ = run_json(cli, "status")
    assert "s3cret-pw" not in json.dumps(status)
    assert "s3cret-pw" not in (configured / svc.STATE).read_text() + res.err


def test_the_worker_thread_downloads_in_the_background(configured, key, source) -> None:  # type: ignore[no-untyped-def]
    up = svc.Updater(source.url, key[1], configured, clock=lambda: svc.datetime(2026, 12, 2))
    worker = svc.UpdateWorker(up, interval_s=3600)
    worker.start()
    try:
        assert worker.round_done.wait(60)
        assert worker.ident != threading.main_thread().ident
    finally:
        worker.stop()
        worker.join(10)
    assert up.ready() is not None


def test_a_local_folder_or_file_url_for_usb_roll_outs(cli, configured, source, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for url in (str(source.folder), source.folder.as_uri() + "/"):
        monkeypatch.setenv("COUNTER_APP_UPDATE_URL", url)
        rc, data, err = run_json(cli, "download")
        assert rc == 0, err
        assert data["version"] == "9.0.0"
    assert source.requests == []


def ready_update(configured: Path, source: Source, key) -> Path:  # type: ignore[no-untyped-def]
    up = svc.Updater(source.url, key[1], configured, clock=lambda: svc.datetime(2026, 12, 2))
    return Path(up.download()["path"])


def test_applied_at_the_next_start_once(configured: Path, source: Source, key) -> None:  # type: ignore[no-untyped-def]
    package = ready_update(configured, source, key)
    launched: list[list[str]] = []
    assert svc.apply_at_start(configured, launched.append, can_install=False) is False
    assert launched == []  # a developer's copy or a Linux build: never an installer
    assert svc.apply_at_start(configured, launched.append, can_install=True) is True
    assert launched[0][0] == str(package)
    assert "/VERYSILENT" in launched[0] and "/SUPPRESSMSGBOXES" in launched[0]
    # Started again still at the old version: the install failed; not tried in a loop.
    assert svc.apply_at_start(configured, launched.append, can_install=True) is False
    assert len(launched) == 1
    assert svc.Updater("", "", configured, lambda: svc.datetime.min).state()["last_error"] == {
        "code": "update_install_failed",
        "version": "9.0.0",
    }


def test_an_installer_that_does_not_start_is_tried_at_the_next_start(configured, source, key):  # type: ignore[no-untyped-def]
    ready_update(configured, source, key)

    def refused(_argv: list[str]) -> None:
        raise PermissionError(13, "Access is denied")

    assert svc.apply_at_start(configured, refused, can_install=True) is False
    launched: list[list[str]] = []
    assert svc.apply_at_start(configured, launched.append, can_install=True) is True
    assert len(launched) == 1


def test_a_package_changed_on_disk_is_not_installed(configured: Path, source: Source, key) -> None:  # type: ignore[no-untyped-def]
    package = ready_update(configured, source, key)
    package.write_bytes(bytes(len(PACKAGE_BYTES)))
    launched: list[list[str]] = []
    assert svc.apply_at_start(configured, launched.append, can_install=True) is False
    assert launched == []
    assert not package.exists()


def test_keygen_and_publish_from_the_command_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    keyfile = tmp_path / "province-update.pem"
    res = cli("update", "keygen", "--private-key", keyfile, "--json", db=None)
    assert res.rc == 0, res.err
    public = json.loads(res.out)["public_key"]
    if os.name == "posix":
        assert keyfile.stat().st_mode & 0o077 == 0
    pkg = tmp_path / "counter-app-1.2.3-setup.exe"
    pkg.write_bytes(b"x" * 10)
    out = tmp_path / "folder"
    res = cli(
        "update", "publish", pkg, "--version", "1.2.3", "--key", keyfile, "--to", out, db=None
    )
    assert res.rc == 0, res.err
    body = (out / svc.MANIFEST).read_bytes()
    svc.verify_signature(body, (out / svc.SIGNATURE).read_bytes(), svc.public_key(public))
    assert svc.parse_manifest(body).version == "1.2.3"
    assert cli("update", "keygen", "--private-key", keyfile, db=None).rc == 1  # not overwritten
    bad = cli("update", "publish", pkg, "--version", "x", "--key", keyfile, "--to", out, db=None)
    assert bad.rc == 1


def test_the_window_start_installs_a_waiting_update_first(configured, source, key, monkeypatch):  # type: ignore[no-untyped-def]
    """On an installed Windows build a verified update is installed before the window opens
    (never mid-session); otherwise the window opens and a background worker checks."""
    from counter_app import app

    package = ready_update(configured, source, key)
    launched: list[list[str]] = []
    monkeypatch.setattr(app, "installed_windows_build", lambda: True)
    monkeypatch.setattr(app, "_launch_detached", launched.append)

    def no_window(*_args: object) -> int:
        raise AssertionError("the window opened before the update was installed")

    monkeypatch.setattr("counter_app.ui.main.run", no_window)
    assert app.run_cli([]) == 0
    assert launched and launched[0][0] == str(package)

    # Next start (the install failed: still the old version): the window opens, and the
    # background worker runs.
    opened: list[bool] = []
    monkeypatch.setattr("counter_app.ui.main.run", lambda *_a: opened.append(True) or 0)
    workers: list[Any] = []
    real_start = svc.UpdateWorker.start
    monkeypatch.setattr(
        svc.UpdateWorker, "start", lambda self: (workers.append(self), real_start(self))
    )
    assert app.run_cli([]) == 0
    assert opened == [True]
    assert len(launched) == 1
    assert workers and workers[0].daemon
    workers[0].stop()
    workers[0].join(10)

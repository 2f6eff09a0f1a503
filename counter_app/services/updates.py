"""Updates from the province's central server (issue 13 item 5); no Qt.

The update source is a static directory, served over HTTP(S) beside the sync database, or a
`file:` URL / local folder (tests, USB roll-outs). It holds:

  manifest.json      {"app": "counter-app", "version": "0.2.0", "file": "<package>",
                      "size": <bytes>, "sha256": "<hex>"}
  manifest.json.sig  the Ed25519 signature of manifest.json's exact bytes (base64)
  <package>          the installer (Windows: the Inno Setup setup .exe, run silently)

The manifest must carry a valid signature by the province's update key, whose public half is
in this install's config (`update_public_key`): the central server only hosts the files, so
a compromised central cannot push code (it can withhold updates, nothing more).

`check` reads and verifies the manifest; `download` fetches the package into
<data dir>/updates with resume (HTTP Range, from the `.part` file a cut download left),
verifies its size and sha256 (a mismatch removes the file) and writes `ready.json`. Nothing is
applied here: `pending_install` tells the start-up code (app.py) what to install before the
window opens, never mid-session. Every outcome is recorded in `state.json` for `update status`
and the log. `UpdateWorker` runs check + download on a background thread, quietly retrying
later when the server cannot be reached."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.client import HTTPException
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

import counter_app
from counter_app import filemodes
from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.domain.redact import redact_secrets

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
READY = "ready.json"
STATE = "state.json"
APP = "counter-app"
MAX_MANIFEST = 64 * 1024
MAX_PACKAGE = 2 * 1024**3
CHUNK = 64 * 1024
TIMEOUT_S = 30.0
_VERSION = re.compile(r"^\d+(\.\d+){0,3}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def installed_version() -> str:
    return counter_app.__version__


def version_key(version: str) -> tuple[int, ...]:
    if not _VERSION.match(version):
        raise ValidationError("update_manifest_invalid", detail=f"version {version!r}")
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (4 - len(parts))


def updates_dir(data: Path) -> Path:
    return data / "updates"


# --- keys and publishing (the province's administrator) --------------------------------------


def generate_key() -> tuple[bytes, str]:
    """A new update key: (private key PEM, public key as base64 for `update_public_key`)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return pem, base64.b64encode(raw).decode("ascii")


def _private_key(pem: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise ValidationError("update_key_invalid") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValidationError("update_key_invalid")
    return key


def public_key(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise ValidationError("update_public_key_invalid") from None


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def publish(package: Path, version: str, key_pem: bytes, out: Path) -> dict[str, Any]:
    """Copy `package` into the update folder `out` with its signed manifest (the manifest
    last, so a unit never reads a manifest whose package is not there yet)."""
    version_key(version)
    if not package.is_file():
        raise ValidationError("update_package_missing", path=str(package))
    if not _FILE.match(package.name):
        raise ValidationError("update_manifest_invalid", detail=f"file {package.name!r}")
    key = _private_key(key_pem)
    out.mkdir(parents=True, exist_ok=True)
    target = out / package.name
    if target.resolve() != package.resolve():
        shutil.copyfile(package, target)
    manifest = {
        "app": APP,
        "version": version,
        "file": package.name,
        "size": target.stat().st_size,
        "sha256": _sha256_file(target),
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    (out / SIGNATURE).write_bytes(base64.b64encode(key.sign(body)) + b"\n")
    (out / MANIFEST).write_bytes(body)
    return manifest


# --- fetching -------------------------------------------------------------------------------


def _join(base: str, name: str) -> str:
    """`name` in the update source `base`: a URL (http, https, file) or a local folder."""
    if re.match(r"^(https?|file):", base, re.IGNORECASE):
        return urllib.parse.urljoin(base if base.endswith("/") else base + "/", name)
    return str(Path(base) / name)


def _is_url(where: str) -> bool:
    return bool(re.match(r"^(https?|file):", where, re.IGNORECASE))


def _open(where: str, offset: int = 0) -> tuple[IO[bytes], int, bool]:
    """(stream, status, resumed): `resumed` when the source honoured the byte offset."""
    try:
        if not _is_url(where):
            f = Path(where).open("rb")  # noqa: SIM115 (the caller closes it)
            f.seek(offset)
            return f, 200, offset > 0
        req = urllib.request.Request(where, headers={"User-Agent": f"{APP}/{installed_version()}"})
        if offset and where.lower().startswith("http"):
            req.add_header("Range", f"bytes={offset}-")
        resp = urllib.request.urlopen(req, timeout=TIMEOUT_S)
        status = int(getattr(resp, "status", 200) or 200)
        if where.lower().startswith("file:") and offset:
            resp.read(offset)
            return resp, 200, True
        return resp, status, status == 206
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise CounterAppError("update_not_found", url=where) from None
        raise CounterAppError("update_offline", url=where, detail=f"HTTP {exc.code}") from None
    except FileNotFoundError:
        raise CounterAppError("update_not_found", url=where) from None
    except (urllib.error.URLError, OSError, HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise CounterAppError("update_offline", url=where, detail=str(reason)[:200]) from None


def _read_small(where: str) -> bytes:
    f, _status, _resumed = _open(where)
    try:
        data = f.read(MAX_MANIFEST + 1)
    except (OSError, HTTPException) as exc:
        raise CounterAppError("update_offline", url=where, detail=str(exc)[:200]) from None
    finally:
        f.close()
    if len(data) > MAX_MANIFEST:
        raise ValidationError("update_manifest_invalid", detail="too large")
    return data


@dataclass(frozen=True)
class Manifest:
    version: str
    file: str
    size: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "file": self.file,
            "size": self.size,
            "sha256": self.sha256,
        }


def parse_manifest(body: bytes) -> Manifest:
    try:
        raw = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError("update_manifest_invalid", detail=str(exc)[:100]) from None
    if not isinstance(raw, dict) or raw.get("app") != APP:
        raise ValidationError("update_manifest_invalid", detail="not a counter-app manifest")
    version, file, size, sha = (
        raw.get("version"),
        raw.get("file"),
        raw.get("size"),
        raw.get("sha256"),
    )
    if not isinstance(version, str):
        raise ValidationError("update_manifest_invalid", detail="version")
    version_key(version)
    if not isinstance(file, str) or not _FILE.match(file) or ".." in file:
        raise ValidationError("update_manifest_invalid", detail="file")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_PACKAGE:
        raise ValidationError("update_manifest_invalid", detail="size")
    if not isinstance(sha, str) or not _SHA256.match(sha):
        raise ValidationError("update_manifest_invalid", detail="sha256")
    return Manifest(version, file, size, sha)


def verify_signature(body: bytes, signature: bytes, key: Ed25519PublicKey) -> None:
    try:
        sig = base64.b64decode(signature.strip(), validate=True)
        key.verify(sig, body)
    except (binascii.Error, ValueError, InvalidSignature):
        raise ValidationError("update_signature_bad") from None


# --- the updater ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    installed: str
    manifest: Manifest
    newer: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "installed": self.installed,
            "available": self.manifest.version,
            "newer": self.newer,
            **{k: v for k, v in self.manifest.as_json().items() if k != "version"},
        }


class Updater:
    """Check and download for one install: the source URL, the verifying key, the folder."""

    def __init__(
        self,
        url: str,
        key_b64: str,
        folder: Path,
        clock: Callable[[], datetime],
        installed: str | None = None,
    ) -> None:
        self.url = url.strip()
        self.key_b64 = key_b64
        self.folder = folder
        self.clock = clock
        self.installed = installed or installed_version()

    # state.json: what `update status` shows -------------------------------------------------

    def state(self) -> dict[str, Any]:
        try:
            data = json.loads((self.folder / STATE).read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _record(self, **changes: Any) -> None:
        state = {**self.state(), **changes}
        with contextlib.suppress(OSError):
            filemodes.make_dir(self.folder)
            tmp = self.folder / (STATE + ".tmp")
            tmp.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
            os.replace(tmp, self.folder / STATE)

    def _fail(self, exc: CounterAppError) -> None:
        params = {k: redact_secrets(str(v)) for k, v in exc.params.items()}
        self._record(last_error={"code": exc.code, **params})

    # check ---------------------------------------------------------------------------------

    def check(self) -> CheckResult:
        if not self.url:
            raise ValidationError("update_no_url")
        if not self.key_b64.strip():
            raise ValidationError("update_no_key")
        key = public_key(self.key_b64)
        try:
            body = _read_small(_join(self.url, MANIFEST))
            signature = _read_small(_join(self.url, SIGNATURE))
            verify_signature(body, signature, key)
            manifest = parse_manifest(body)
        except CounterAppError as exc:
            self._record(last_check_at=self.clock().isoformat())
            self._fail(exc)
            raise
        newer = version_key(manifest.version) > version_key(self.installed)
        self._record(
            last_check_at=self.clock().isoformat(),
            last_error=None,
            available=manifest.as_json() if newer else None,
        )
        if not newer:
            log.info(
                "update %s on the server ignored: not newer than %s",
                manifest.version,
                self.installed,
            )
        return CheckResult(self.installed, manifest, newer)

    # download ------------------------------------------------------------------------------

    def ready(self) -> dict[str, Any] | None:
        """The verified package waiting for the next start, if any (and newer than this)."""
        try:
            info = json.loads((self.folder / READY).read_text(encoding="utf-8"))
            m = parse_manifest(json.dumps({"app": APP, **info["manifest"]}).encode())
        except (OSError, ValueError, KeyError, TypeError, CounterAppError):
            return None
        if version_key(m.version) <= version_key(self.installed):
            return None
        path = self.folder / m.file
        if not path.is_file() or path.stat().st_size != m.size:
            return None
        return {**info, "path": str(path)}

    def download(self) -> dict[str, Any]:
        """Check, then fetch the newer package (resuming a cut download) and verify it."""
        result = self.check()
        m = result.manifest
        if not result.newer:
            return {"installed": self.installed, "available": m.version, "newer": False}
        waiting = self.ready()
        if waiting and waiting["manifest"]["sha256"] == m.sha256:
            return {**self._ready_json(waiting), "resumed_from": 0, "already": True}
        try:
            path, resumed_from = self._fetch(m)
        except CounterAppError as exc:
            self._fail(exc)
            raise
        info = {"manifest": m.as_json(), "downloaded_at": self.clock().isoformat()}
        tmp = self.folder / (READY + ".tmp")
        tmp.write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.folder / READY)
        self._record(last_error=None, ready=m.as_json())
        log.info("update %s downloaded and verified; installed at the next start", m.version)
        return {**self._ready_json({**info, "path": str(path)}), "resumed_from": resumed_from}

    @staticmethod
    def _ready_json(info: dict[str, Any]) -> dict[str, Any]:
        m = info["manifest"]
        return {
            "newer": True,
            "version": m["version"],
            "path": info["path"],
            "bytes": m["size"],
            "sha256": m["sha256"],
            "ready": True,
        }

    def _fetch(self, m: Manifest) -> tuple[Path, int]:
        try:
            filemodes.make_dir(self.folder)
        except OSError as exc:
            raise CounterAppError(
                "update_unwritable", path=str(self.folder), detail=exc.strerror or str(exc)
            ) from None
        final = self.folder / m.file
        part = self.folder / (m.file + ".part")
        for old in self.folder.iterdir():  # an older package, or an older cut download
            if old.name not in (m.file, part.name, STATE) and old.is_file():
                with contextlib.suppress(OSError):
                    old.unlink()
        have = part.stat().st_size if part.exists() else 0
        if have > m.size:
            part.unlink()
            have = 0
        start = have
        if have < m.size:
            have = self._transfer(_join(self.url, m.file), part, have, m.size)
        if have != m.size:
            raise CounterAppError("update_download_cut", got=have, size=m.size)
        digest = _sha256_file(part)
        if digest != m.sha256:
            with contextlib.suppress(OSError):
                part.unlink()
            log.warning("update %s rejected: wrong sha256; file removed", m.version)
            raise ValidationError("update_checksum", version=m.version)
        os.replace(part, final)
        return final, start

    def _transfer(self, where: str, part: Path, have: int, size: int) -> int:
        stream, _status, resumed = _open(where, have)
        if have and not resumed:
            have = 0  # the server sent the whole file: start over
        try:
            with part.open("ab" if have else "wb") as out:
                while have < size:
                    try:
                        block = stream.read(min(CHUNK, size - have))
                    except (OSError, HTTPException) as exc:
                        log.info("update download cut at %d of %d bytes: %s", have, size, exc)
                        break
                    if not block:
                        break
                    out.write(block)
                    have += len(block)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise CounterAppError(
                "update_unwritable", path=str(part), detail=exc.strerror or str(exc)
            ) from None
        finally:
            stream.close()
        return have


# --- applying at the next start -------------------------------------------------------------

APPLYING = "applying.json"
SILENT_SWITCHES = ("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/SP-")


def pending_install(folder: Path, installed: str | None = None) -> Path | None:
    """The verified installer to run before the window opens, or None.

    Checked again here (size and sha256 of the file on disk against the signed manifest's).
    One try per version: if the app starts again still at the old version, that install
    failed; it is not retried in a loop (the log and `update status` say so)."""
    installed = installed or installed_version()
    up = Updater("", "", folder, clock=lambda: datetime.min, installed=installed)
    waiting = up.ready()
    if waiting is None:
        return None
    m = waiting["manifest"]
    path = Path(waiting["path"])
    if _sha256_file(path) != m["sha256"]:
        log.warning("update %s not installed: the file changed since it was verified", m["version"])
        with contextlib.suppress(OSError):
            path.unlink()
            (folder / READY).unlink()
        return None
    try:
        tried = json.loads((folder / APPLYING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        tried = {}
    if tried.get("version") == m["version"]:
        log.warning("update %s was tried at the last start and did not install", m["version"])
        up._record(last_error={"code": "update_install_failed", "version": m["version"]})
        return None
    (folder / APPLYING).write_text(json.dumps({"version": m["version"]}), encoding="utf-8")
    return path


def install_command(package: Path) -> list[str]:
    """The silent per-user install of the Inno Setup package (packaging/counter_app.iss);
    its [Run] entry starts the app again when it is done."""
    return [str(package), *SILENT_SWITCHES, f"/LOG={package.with_suffix('.log')}"]


# --- the background worker ------------------------------------------------------------------


class UpdateWorker(threading.Thread):
    """Checks and downloads in the background: once at start, then every `interval_s`.
    No network, a bad manifest, a cut download: a log line, tried again at the next round."""

    def __init__(self, updater: Updater, interval_s: float = 3600.0) -> None:
        super().__init__(name="update-worker", daemon=True)
        self.updater = updater
        self.interval_s = interval_s
        self.stopping = threading.Event()
        self.rounds = 0
        self.round_done = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.run_once()
            self.rounds += 1
            self.round_done.set()
            self.stopping.wait(self.interval_s)

    def run_once(self) -> dict[str, Any] | None:
        try:
            return self.updater.download()
        except CounterAppError as exc:
            level = logging.INFO if exc.code == "update_offline" else logging.WARNING
            log.log(level, "update round: %s %s", exc.code, exc.params)
        except Exception:  # the worker must never die on an unexpected error
            log.exception("update round failed")
        return None

    def stop(self) -> None:
        self.stopping.set()


def apply_at_start(
    folder: Path, launch: Callable[[list[str]], object], *, can_install: bool
) -> bool:
    """Before the window opens: start the silent install of a verified update, if one is
    waiting (True: the caller exits, the installer starts the app again when done).

    `can_install`: this is an installed Windows build (app.py); a developer's `uv run` or a
    Linux build never runs an installer, it only logs that an update is waiting."""
    if not can_install:
        waiting = Updater("", "", folder, clock=lambda: datetime.min).ready()
        if waiting is not None:
            log.info(
                "update %s downloaded; this copy is not an installed Windows build: not applied",
                waiting["manifest"]["version"],
            )
        return False
    package = pending_install(folder)
    if package is None:
        return False
    log.info("installing update from %s before the window opens", package.name)
    try:
        launch(install_command(package))
    except OSError as exc:
        log.warning("update installer did not start: %s", exc)
        with contextlib.suppress(OSError):
            (folder / APPLYING).unlink()  # not tried: the next start tries again
        return False
    return True

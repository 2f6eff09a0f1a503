"""The file store of digitised documents (issue 15 item 3): archive PDFs beside the database,
content-addressed, referenced from the dossier in the same transaction as the rest.

A blob is <files dir>/<sha256[:2]>/<sha256>.pdf, written once: a temp file in the same
folder, fsync, os.replace (a cut power leaves the old state or the whole file, never half
of one); the same bytes have the same name, so a document attached twice is stored once.
The blob is written before the transaction that refers to it: a failed transaction leaves
at most an unreferenced file (harmless: the next identical write reuses it), never a row
pointing at a missing or half-written file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.config import data_dir
from counter_app.db import faults
from counter_app.db.models import Dossier, DossierDocument, DossierFile, StoredFile
from counter_app.domain.errors import NotFound, ValidationError
from counter_app.domain.text import fold
from counter_app.services.archive import PageImage, build_archive_pdf, sniff
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit, emit
from counter_app.services.units import local_unit

MIME_PDF = "application/pdf"
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileInfo:
    code: str
    document: str  # the checklist line's name, "" for a file not tied to one
    sha256: str
    size: int
    pages: int
    ocr: bool
    name: str
    source: str  # scan | file
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "document": self.document,
            "sha256": self.sha256,
            "size": self.size,
            "pages": self.pages,
            "ocr": self.ocr,
            "name": self.name,
            "source": self.source,
            "created_at": self.created_at.isoformat(),
        }


def files_dir(ctx: ServiceContext) -> Path:
    """Where the blobs live: settings.files_dir, else the SQLite database's folder + /files
    (PostgreSQL: the data folder + /files). Created owner-only (0700) when missing."""
    configured = getattr(ctx.settings, "files_dir", "")
    if configured:
        folder = Path(configured)
    else:
        url = ctx.uow.engine.url
        db = url.database if url.get_backend_name() == "sqlite" else None
        folder = (
            Path(db).resolve().parent / "files" if db and db != ":memory:" else data_dir() / "files"
        )
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise (faults.classify(exc) or exc) from None
    return folder


def _check_sha(sha: str) -> str:
    if not _SHA_RE.match(sha):
        raise ValidationError("file_bad_hash", sha=sha[:70])
    return sha


def blob_path(ctx: ServiceContext, sha: str) -> Path:
    sha = _check_sha(sha)
    return files_dir(ctx) / sha[:2] / f"{sha}.pdf"


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder to fsync; NTFS journals the rename
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def write_blob_file(ctx: ServiceContext, data: bytes) -> str:
    """The bytes on disk at their hash's name (atomically; an existing good copy is kept)."""
    return write_blob_at(files_dir(ctx), data)


def write_blob_at(folder: Path, data: bytes) -> str:
    """write_blob_file into a given files folder (a restore writes the live database's)."""
    sha = hashlib.sha256(data).hexdigest()
    path = folder / sha[:2] / f"{sha}.pdf"
    try:
        if path.exists() and path.stat().st_size == len(data) and file_sha(path) == sha:
            return sha
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pdf", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)  # a damaged copy (hash mismatch) is replaced by good bytes
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)
    except OSError as exc:
        raise (faults.classify(exc) or exc) from None
    return sha


def _add_row(
    s: Session, ctx: ServiceContext, sha: str, size: int, pages: int, ocr: bool
) -> StoredFile:
    row = s.get(StoredFile, sha)
    if row is None:
        row = StoredFile(
            sha256=sha, size=size, pages=pages, mime=MIME_PDF, ocr=ocr, created_at=ctx.clock()
        )
        s.add(row)
        s.flush()
    return row


def store_blob(
    ctx: ServiceContext, pdf: bytes, *, pages: int, ocr: bool, session: Session | None = None
) -> str:
    """Store a PDF (file + stored_files row, each only if new); its SHA-256. With `session`
    the row joins the caller's transaction; the file is written first either way."""
    sha = write_blob_file(ctx, pdf)
    if session is not None:
        _add_row(session, ctx, sha, len(pdf), pages, ocr)
    else:
        with ctx.uow.write() as s:
            _add_row(s, ctx, sha, len(pdf), pages, ocr)
    return sha


def read_blob(ctx: ServiceContext, sha: str) -> bytes:
    """The blob's bytes; ValidationError file_hash_mismatch when they changed on disk."""
    path = blob_path(ctx, sha)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError("blob_missing", sha=sha[:12]) from None
    except OSError as exc:
        raise (faults.classify(exc) or exc) from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise ValidationError("file_hash_mismatch", sha=sha[:12], path=str(path))
    return data


# ---- the sources a clerk attaches -------------------------------------------------------


def max_file_bytes(ctx: ServiceContext) -> int:
    return int(getattr(ctx.settings, "file_max_mb", 50)) * 1024 * 1024


def read_source(ctx: ServiceContext, source: Path | bytes | PageImage) -> bytes | PageImage:
    """A source's bytes, refused before reading when over the limit or not a document."""
    limit = max_file_bytes(ctx)
    if isinstance(source, PageImage):
        data = source.data
    elif isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        try:
            if path.is_dir():
                raise ValidationError("path_is_directory", path=str(path))
            size = path.stat().st_size  # a 200 MB file is refused without reading it
            if size > limit:
                raise ValidationError(
                    "file_too_big", name=path.name, mb=_mb(size), limit=limit // (1 << 20)
                )
            with path.open("rb") as f:
                head = f.read(1024)
                if sniff(head) is None:
                    raise ValidationError("file_not_document_named", name=path.name)
                data = head + f.read(limit + 1 - len(head))
        except FileNotFoundError:
            raise ValidationError("file_missing", path=str(path)) from None
        except OSError as exc:
            raise (faults.classify(exc) or exc) from None
        if len(data) > limit:  # grew while read
            raise ValidationError(
                "file_too_big", name=path.name, mb=_mb(len(data)), limit=limit // (1 << 20)
            )
        return data
    if len(data) > limit:
        raise ValidationError(
            "file_too_big", name="(trang quét)", mb=_mb(len(data)), limit=limit // (1 << 20)
        )
    return source if isinstance(source, PageImage) else data


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.0f}"


def slug(name: str) -> str:
    """ASCII file-name part of a document's name: "Tờ khai đăng ký" -> "to-khai-dang-ky"."""
    words = re.findall(r"[a-z0-9]+", fold(name))
    return "-".join(words)[:60].strip("-") or "tai-lieu"


def file_name(code: str, position: int | None, document: str, taken: set[str]) -> str:
    nn = f"{position + 1:02d}" if position is not None else "00"
    base = f"{code}_{nn}_{slug(document)}"
    name, k = f"{base}.pdf", 2
    while name in taken:
        name, k = f"{base}-{k}.pdf", k + 1
    return name


def _find_document(d: Dossier, document: str | None) -> DossierDocument | None:
    if document is None or not document.strip():
        return None
    key = fold(document)
    for row in d.documents:
        if fold(row.name) == key:
            return row
    raise ValidationError("file_document_unknown", code=d.code, document=document.strip())


def _dossier(s: Session, code: str) -> Dossier:
    d = s.scalar(select(Dossier).where(Dossier.code == code.strip().upper()))
    if d is None:
        raise NotFound("dossier_unknown", code=code.strip())
    return d


def add_file_row(
    s: Session,
    ctx: ServiceContext,
    d: Dossier,
    doc: DossierDocument | None,
    sha: str,
    size: int,
    pages: int,
    ocr: bool,
    source: str,
    unit_id: str,
) -> FileInfo:
    """The dossier's reference to a stored blob and its event, in the caller's transaction."""
    _add_row(s, ctx, sha, size, pages, ocr)
    taken = set(s.scalars(select(DossierFile.name).where(DossierFile.dossier_id == d.id)))
    document = doc.name if doc is not None else ""
    name = file_name(d.code, doc.position if doc is not None else None, document, taken)
    now = ctx.clock()
    s.add(
        DossierFile(
            dossier_id=d.id,
            document_id=doc.id if doc is not None else None,
            sha256=sha,
            pages=pages,
            name=name,
            source=source,
            created_at=now,
        )
    )
    payload = {
        "code": d.code,
        "document": document,
        "sha256": sha,
        "size": size,
        "pages": pages,
        "name": name,
    }
    emit(s, unit_id, "document_digitised", payload, now)
    return FileInfo(d.code, document, sha, size, pages, ocr, name, source, now)


def attach(
    ctx: ServiceContext,
    code: str,
    document: str | None,
    sources: Sequence[Path | bytes | PageImage],
    *,
    source: str = "file",
    clerk: str = "",
    ocr: bool | None = None,
) -> FileInfo:
    """One archive PDF of a document from its pages (images, PDFs, phone photos), stored and
    referenced from the dossier in one transaction with a "document_digitised" event.
    Slow (OCR): call it from a worker. Any refusal leaves the dossier as it was."""
    if source not in ("scan", "file"):
        raise ValidationError("file_bad_source", source=source)
    if not sources:
        raise ValidationError("file_no_pages")
    # Check the dossier and the document first: a typo is refused before seconds of OCR.
    with ctx.uow.read() as s:
        d = _dossier(s, code)
        _find_document(d, document)
    pages = [read_source(ctx, src) for src in sources]
    if ocr is None:
        ocr = bool(getattr(ctx.settings, "ocr", True))
    archive = build_archive_pdf(pages, ocr=None if ocr else False)
    sha = write_blob_file(ctx, archive.pdf)
    with ctx.uow.write() as s:
        unit = local_unit(s)
        d = _dossier(s, code)
        doc = _find_document(d, document)
        info = add_file_row(
            s, ctx, d, doc, sha, len(archive.pdf), archive.pages, archive.ocr, source, unit.id
        )
        append_audit(
            s,
            ctx.now(),
            clerk or "-",
            "document_digitised",
            {"code": d.code, "name": info.name, "sha256": sha},
        )
        return info


def dossier_files(ctx: ServiceContext, code: str) -> list[FileInfo]:
    with ctx.uow.read() as s:
        d = _dossier(s, code)
        return files_of(s, d)


def files_of(s: Session, d: Dossier) -> list[FileInfo]:
    rows = s.execute(
        select(DossierFile, StoredFile, DossierDocument.name)
        .join(StoredFile, StoredFile.sha256 == DossierFile.sha256)
        .outerjoin(DossierDocument, DossierDocument.id == DossierFile.document_id)
        .where(DossierFile.dossier_id == d.id)
        .order_by(DossierFile.name)
    ).all()
    return [
        FileInfo(
            d.code,
            doc_name or "",
            f.sha256,
            blob.size,
            f.pages,
            blob.ocr,
            f.name,
            f.source,
            f.created_at,
        )
        for f, blob, doc_name in rows
    ]


def get_file(ctx: ServiceContext, code: str, name: str) -> tuple[FileInfo, bytes]:
    for info in dossier_files(ctx, code):
        if info.name == name.strip():
            return info, read_blob(ctx, info.sha256)
    raise NotFound("file_unknown", code=code.strip(), name=name.strip())


@dataclass(frozen=True)
class BlobCheck:
    sha256: str
    size: int
    status: str  # ok | mismatch | missing


def verify(ctx: ServiceContext) -> list[BlobCheck]:
    """Every stored blob's hash read back from disk (in hash order)."""
    with ctx.uow.read() as s:
        rows = list(s.execute(select(StoredFile.sha256, StoredFile.size).order_by("sha256")))
    out = []
    for sha, size in rows:
        path = blob_path(ctx, sha)
        try:
            status = "ok" if file_sha(path) == sha else "mismatch"
        except FileNotFoundError:
            status = "missing"
        except OSError as exc:
            raise (faults.classify(exc) or exc) from None
        out.append(BlobCheck(sha, size, status))
    return out

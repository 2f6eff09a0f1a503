"""Digitised files to and from central (issue 15, the sync half).

Upload: after a sync round's push, each stored file whose `document_digitised` event central
already acknowledged goes up in chunks (CHUNK_BYTES). Central says where its copy ends
(file_begin), so a cut link resumes there and nothing it holds is sent again; it checks the
whole file's sha256 when the last chunk arrives and discards a file that fails, which is
then sent again whole. Events are never held up by files: between chunks, events written
meanwhile are pushed first (the `between` hook), and a round sends at most `budget_bytes`.
What is left waits for the next round; `waiting()` says how much (files, pages, bytes).

Fetch: another counter of the same unit downloads a dossier's file from central by the
dossier code and the file's name, checks its sha256 and stores it where the file store keeps
blobs (`<files dir>/<sha[:2]>/<sha>.pdf`), written atomically.

Local state is `file_uploads` (one row per distinct file, 0014_sync) and the app_meta key
`sync.files_seq` (the outbox events looked at so far). No personal data is logged: only
hashes, sizes and counts.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import func, select

from counter_app.db.models import FileUpload, Meta, OutboxEvent
from counter_app.domain.errors import ValidationError
from counter_app.services.context import ServiceContext
from counter_app.services.files import blob_path, file_sha, files_dir, write_blob_at

log = logging.getLogger(__name__)

CHUNK_BYTES = 256 * 1024
ROUND_BYTES = 64 * 1024 * 1024  # at most this much file data per sync round
EVENT_KIND = "document_digitised"
MAX_REJECTS_PER_ROUND = 2  # a file central rejects twice in a round waits for the next one
_SEQ_KEY = "sync.files_seq"
_ACKED_KEY = "sync.acked_seq"
_SHA = re.compile(r"[0-9a-f]{64}")


class FileLink(Protocol):
    """The part of the link to central that carries files (PgTransport, central c0008)."""

    def file_begin(self, sha256: str, size: int) -> dict[str, Any]: ...
    def file_put(self, sha256: str, offset: int, data: bytes) -> dict[str, Any]: ...
    def file_read(self, sha256: str, offset: int, length: int) -> bytes | None: ...
    def file_find(self, code: str, name: str) -> dict[str, Any] | None: ...


def carries_files(link: object) -> bool:
    return all(hasattr(link, m) for m in ("file_begin", "file_put", "file_read", "file_find"))


def size_text(n: int) -> str:
    """A byte count as the counter staff read it: "850 KB", "12,4 MB"."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(n / 1024)) if n else 0} KB"


# --- local state ------------------------------------------------------------------------------


def _meta_int(s: Any, key: str) -> int:
    row = s.get(Meta, key)
    return int(row.value) if row and row.value else 0


def _note_events(ctx: ServiceContext) -> None:
    """One file_uploads row per file named by an event central acknowledged, not seen yet."""
    with ctx.uow.read() as s:  # most rounds: nothing new, no write transaction
        if _meta_int(s, _ACKED_KEY) <= _meta_int(s, _SEQ_KEY):
            return
    with ctx.uow.write() as s:
        seen = _meta_int(s, _SEQ_KEY)
        acked = _meta_int(s, _ACKED_KEY)
        if acked <= seen:
            return
        rows = s.execute(
            select(OutboxEvent.seq, OutboxEvent.payload)
            .where(OutboxEvent.kind == EVENT_KIND, OutboxEvent.seq > seen)
            .where(OutboxEvent.seq <= acked)
            .order_by(OutboxEvent.seq)
        ).all()
        for seq, payload in rows:
            sha = str(payload.get("sha256") or "")
            if not _SHA.fullmatch(sha) or s.get(FileUpload, sha) is not None:
                continue
            s.add(
                FileUpload(
                    sha256=sha,
                    seq=seq,
                    size=int(payload.get("size") or 0),
                    pages=int(payload.get("pages") or 0),
                    acked_bytes=0,
                    done=False,
                    rejected=0,
                    last_error="",
                    updated_at=ctx.clock(),
                )
            )
            s.flush()
        row = s.get(Meta, _SEQ_KEY)
        if row is None:
            s.add(Meta(key=_SEQ_KEY, value=str(acked)))
        else:
            row.value = str(acked)


@dataclass(frozen=True)
class Waiting:
    files: int = 0
    pages: int = 0
    bytes: int = 0

    def as_json(self) -> dict[str, int]:
        return {"files": self.files, "pages": self.pages, "bytes": self.bytes}


def waiting(ctx: ServiceContext) -> Waiting:
    """Files not yet verified by central: their count, pages and the bytes still to send."""
    with ctx.uow.read() as s:
        seen = _meta_int(s, _SEQ_KEY)
        files, pages, left = s.execute(
            select(
                func.count(),
                func.coalesce(func.sum(FileUpload.pages), 0),
                func.coalesce(func.sum(FileUpload.size - FileUpload.acked_bytes), 0),
            ).where(FileUpload.done.is_(False))
        ).one()
        known = set(s.scalars(select(FileUpload.sha256)))
        later: dict[str, tuple[int, int]] = {}
        for (payload,) in s.execute(
            select(OutboxEvent.payload).where(
                OutboxEvent.kind == EVENT_KIND, OutboxEvent.seq > seen
            )
        ):
            sha = str(payload.get("sha256") or "")
            if _SHA.fullmatch(sha) and sha not in known:
                later[sha] = (int(payload.get("pages") or 0), int(payload.get("size") or 0))
    return Waiting(
        files=int(files) + len(later),
        pages=int(pages) + sum(p for p, _ in later.values()),
        bytes=int(left) + sum(b for _, b in later.values()),
    )


def _save(ctx: ServiceContext, sha: str, **values: Any) -> None:
    with ctx.uow.write() as s:
        row = s.get(FileUpload, sha)
        if row is None:
            return
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = ctx.clock()


# --- upload -----------------------------------------------------------------------------------


@dataclass
class UploadReport:
    files_done: int = 0  # files central verified in this round
    bytes_sent: int = 0
    chunks: int = 0
    rejected: int = 0  # whole files central discarded (hash mismatch) in this round
    skipped: int = 0  # files left with an error (blob missing, changed on disk, no event)
    budget_left: bool = True  # False: the round's byte budget ran out, more waits

    def as_json(self) -> dict[str, Any]:
        return {
            "files_done": self.files_done,
            "bytes_sent": self.bytes_sent,
            "chunks": self.chunks,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "budget_left": self.budget_left,
        }


def upload(
    ctx: ServiceContext,
    link: FileLink,
    *,
    budget_bytes: int = ROUND_BYTES,
    chunk_bytes: int = CHUNK_BYTES,
    between: Callable[[], None] | None = None,
) -> UploadReport:
    """Send the files central's events name and central lacks, oldest event first.

    Offline (or any transport error) propagates; the offset central acknowledged for each
    chunk is kept locally, and central's own offset decides where the next round starts.
    """
    report = UploadReport()
    _note_events(ctx)
    with ctx.uow.read() as s:
        todo = [
            (r.sha256, r.size)
            for r in s.scalars(
                select(FileUpload).where(FileUpload.done.is_(False)).order_by(FileUpload.seq)
            )
        ]
    for sha, size in todo:
        if report.bytes_sent >= budget_bytes:
            report.budget_left = False
            break
        _upload_one(ctx, link, sha, size, report, budget_bytes, chunk_bytes, between)
    return report


def _checked_blob(ctx: ServiceContext, sha: str, size: int) -> Path | None:
    """The stored file if it is the one the event names; else None, the reason recorded."""
    path = blob_path(ctx, sha)
    if not path.is_file():
        _save(ctx, sha, last_error="blob_missing")
        return None
    if path.stat().st_size != size or file_sha(path) != sha:
        # Never send bytes that are not the file the event names.
        log.warning("stored file %s… changed on disk; not uploaded", sha[:12])
        _save(ctx, sha, last_error="local_hash_mismatch")
        return None
    return path


def _upload_one(
    ctx: ServiceContext,
    link: FileLink,
    sha: str,
    size: int,
    report: UploadReport,
    budget_bytes: int,
    chunk_bytes: int,
    between: Callable[[], None] | None,
) -> None:
    path = _checked_blob(ctx, sha, size)
    if path is None:
        report.skipped += 1
        return
    reply = link.file_begin(sha, size)
    status = reply.get("status")
    if status == "no_event":
        _save(ctx, sha, last_error="no_event")
        report.skipped += 1
        return
    offset = int(reply.get("offset") or 0)
    rejects = 0
    with path.open("rb") as f:
        while status != "complete":
            if report.bytes_sent >= budget_bytes:
                report.budget_left = False
                _save(ctx, sha, acked_bytes=offset)
                return
            f.seek(offset)
            data = f.read(chunk_bytes)
            if not data:  # the file shrank on disk since it was checked
                _save(ctx, sha, acked_bytes=offset, last_error="local_hash_mismatch")
                report.skipped += 1
                return
            reply = link.file_put(sha, offset, data)
            report.chunks += 1
            report.bytes_sent += len(data)
            status = reply.get("status")
            offset = int(reply.get("offset") or 0)
            if status == "rejected":
                rejects += 1
                report.rejected += 1
                log.warning("central rejected file %s… (%s)", sha[:12], reply.get("reason"))
                with ctx.uow.write() as s:
                    row = s.get(FileUpload, sha)
                    if row is not None:
                        row.rejected += 1
                        row.acked_bytes = 0
                        row.last_error = "hash_mismatch"
                        row.updated_at = ctx.clock()
                if rejects >= MAX_REJECTS_PER_ROUND:
                    return
                continue
            if status == "unknown":
                _save(ctx, sha, last_error="no_event")
                report.skipped += 1
                return
            if status != "complete":
                _save(ctx, sha, acked_bytes=offset)
            if between is not None:
                between()
    _save(ctx, sha, acked_bytes=size, done=True, last_error="")
    report.files_done += 1


# --- fetch ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchedFile:
    code: str
    name: str
    sha256: str
    size: int
    pages: int
    path: Path
    downloaded: bool  # False: the blob was here already (and its hash checked)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "sha256": self.sha256,
            "size": self.size,
            "pages": self.pages,
            "path": str(self.path),
            "downloaded": self.downloaded,
        }


def fetch(
    ctx: ServiceContext, link: FileLink, code: str, name: str, *, chunk_bytes: int = CHUNK_BYTES
) -> FetchedFile:
    """A dossier's file from central (the unit's own only), verified by its sha256."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationError("file_fetch_args")
    info = link.file_find(code, name)
    if not info:
        raise ValidationError("file_not_on_central", code=code, name=name)
    sha = str(info.get("sha256") or "")
    size = int(info.get("size") or 0)
    if not _SHA.fullmatch(sha):
        raise ValidationError("file_not_on_central", code=code, name=name)
    if not info.get("complete"):
        raise ValidationError("file_not_uploaded_yet", code=code, name=name)
    path = blob_path(ctx, sha)
    result = FetchedFile(code, name, sha, size, int(info.get("pages") or 0), path, False)
    if path.is_file() and file_sha(path) == sha:
        return result
    parts: list[bytes] = []
    got = 0
    while got < size:
        data = link.file_read(sha, got, chunk_bytes)
        if not data:
            raise ValidationError("file_not_uploaded_yet", code=code, name=name)
        parts.append(data)
        got += len(data)
    blob = b"".join(parts)
    if len(blob) != size or hashlib.sha256(blob).hexdigest() != sha:
        raise ValidationError("file_download_mismatch", code=code, name=name)
    write_blob_at(files_dir(ctx), blob)
    return FetchedFile(code, name, sha, size, result.pages, path, True)


def open_copy(ctx: ServiceContext, code: str, name: str, directory: Path) -> Path:
    """A readable copy of a dossier's archive PDF for the viewer, named as the dossier lists it:
    from this PC's file store, or, when the blob is not here (a dossier taken at another counter
    of the unit, a file lost from this disk), fetched from central and checked by its hash."""
    from counter_app.filemodes import make_dir, write_private
    from counter_app.services import files

    try:
        _info, data = files.get_file(ctx, code, name)
    except ValidationError as exc:
        if exc.code not in ("blob_missing", "file_hash_mismatch"):
            raise
        if not ctx.settings.central_url:
            raise
        link = ctx.adapters.sync_link(ctx.settings.central_url)
        try:
            if not carries_files(link):
                raise
            fetched = fetch(ctx, cast(FileLink, link), code, name)
        finally:
            close = getattr(link, "close", None)
            if callable(close):
                close()
        data = fetched.path.read_bytes()
    make_dir(directory)
    target = directory / Path(name.strip()).name
    write_private(target, data)
    return target

"""Digitised files to central and back (issue 15, the sync half): resumable chunks, a hash
check on central, a unit's files only its own, events before files, another counter of the
same unit fetching a file."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sync_support import UNIT_A as A
from sync_support import UNIT_B as B
from sync_support import FaultyTransport, LinkDown, take_dossiers

from counter_app.db.models import Dossier, DossierDocument, OutboxEvent
from counter_app.services import file_sync, files
from counter_app.services.records import emit
from counter_app.services.report import unit_report
from counter_app.services.setup import load_catalogue_file, sample_catalogue_path
from counter_app.services.sync import Syncer, local_status
from counter_app.services.units import find_local_unit
from counter_app.sync import central
from counter_app.sync.central_report import province_report
from counter_app.sync.transport import PgTransport

CHUNK = 4096


def pdf_bytes(n: int, seed: int) -> bytes:
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    data = head + random.Random(seed).randbytes(n - len(head) - len(tail)) + tail
    assert len(data) == n
    return data


def digitise(ctx: Any, data: bytes, *, pages: int = 2, nn: int = 1) -> dict[str, Any]:
    """A stored blob and its document_digitised event, as 15-store's attach writes them."""
    sha = hashlib.sha256(data).hexdigest()
    files.write_blob_at(files.files_dir(ctx), data)
    with ctx.uow.write() as s:
        unit = find_local_unit(s)
        assert unit is not None
        code = s.scalars(select(Dossier.code).order_by(Dossier.code)).first()
        assert code is not None
        payload = {
            "code": code,
            "document": "Đơn đề nghị",
            "sha256": sha,
            "size": len(data),
            "pages": pages,
            "name": f"{code}_{nn:02d}_don-de-nghi.pdf",
        }
        emit(s, unit.id, "document_digitised", payload, ctx.clock())
    return payload


def push_events_only(ctx: Any, url: str) -> None:
    """A round through a link that carries no files: the events reach central, files wait."""
    t = PgTransport(url, sslmode="disable")
    try:
        Syncer(ctx, FaultyTransport(t)).run_once()
    finally:
        t.close()


def central_file(admin_url: str, unit: str, sha: str) -> dict[str, Any]:
    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as c:
        row = c.execute(
            "SELECT f.size, f.received, f.complete, f.rejected, "
            "(SELECT string_agg(k.data, ''::bytea ORDER BY k.off) FROM central.file_chunks k "
            " WHERE k.unit_id = f.unit_id AND k.sha256 = f.sha256) AS data "
            "FROM central.files f WHERE f.unit_id = %s AND f.sha256 = %s",
            (unit, sha),
        ).fetchone()
    assert row is not None
    size, received, complete, rejected, data = row
    return {
        "size": size,
        "received": received,
        "complete": complete,
        "rejected": rejected,
        "data": bytes(data or b""),
    }


@dataclass
class FileLinkSpy:
    """Wraps the real link; records each chunk's offset; `cut_after` chunks go through, then
    the link drops: before the next chunk reaches central ("before"), or after central
    committed it and the reply is lost ("after"). `corrupt` flips a byte of the chunk with
    that index (counted over the spy's life) on its way."""

    inner: PgTransport
    cut_after: int | None = None
    cut: str = "before"
    corrupt: int | None = None
    offsets: list[int] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    on_put: Any = None

    def hello(self) -> dict[str, Any]:
        return self.inner.hello()

    def push(self, unit: str, source: str, events_json: str) -> Any:
        self.calls.append("push")
        return self.inner.push(unit, source, events_json)

    def fetch(self, table: str, after: int, limit: int) -> list[dict[str, Any]]:
        return self.inner.fetch(table, after, limit)

    def clashes(self) -> list[dict[str, Any]]:
        return self.inner.clashes()

    def resume_point(self, source: str, lo: int, hi: int) -> dict[str, Any]:
        return self.inner.resume_point(source, lo, hi)

    def source_events(self, source: str, after: int, limit: int) -> list[dict[str, Any]]:
        return self.inner.source_events(source, after, limit)

    def close(self) -> None:
        self.inner.close()

    def file_begin(self, sha256: str, size: int) -> dict[str, Any]:
        return self.inner.file_begin(sha256, size)

    def file_put(self, sha256: str, offset: int, data: bytes) -> dict[str, Any]:
        index = len(self.offsets)
        if self.cut_after is not None and index == self.cut_after and self.cut == "before":
            self.cut_after = None
            raise LinkDown("central_unreachable", url="test", detail="cut before the chunk")
        self.offsets.append(offset)
        self.calls.append("file_put")
        if self.corrupt == index:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        reply = self.inner.file_put(sha256, offset, data)
        if self.cut_after is not None and index == self.cut_after and self.cut == "after":
            self.cut_after = None
            raise LinkDown("central_unreachable", url="test", detail="reply lost")
        if self.on_put is not None:
            self.on_put(index)
        return reply

    def file_read(self, sha256: str, offset: int, length: int) -> bytes | None:
        return self.inner.file_read(sha256, offset, length)

    def file_find(self, code: str, name: str) -> dict[str, Any] | None:
        return self.inner.file_find(code, name)


@pytest.mark.parametrize("cut", ["before", "after"])
def test_upload_resumes_after_a_cut_at_every_chunk_boundary(
    cut: str, central_url: str, unit_urls: dict[str, str], counter: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 1)
    size = 5 * CHUNK + 123  # six chunks, the last one short
    n_chunks = 6
    files = [digitise(ctx, pdf_bytes(size, seed), nn=seed + 1) for seed in range(n_chunks)]
    push_events_only(ctx, unit_urls[A])
    assert local_status(ctx).files_waiting == {
        "files": n_chunks,
        "pages": 2 * n_chunks,
        "bytes": n_chunks * size,
    }
    link = PgTransport(unit_urls[A], sslmode="disable")
    try:
        for k, f in enumerate(files):
            # File k is cut after k chunks: every boundary, from before the first chunk on.
            spy = FileLinkSpy(link, cut_after=k, cut=cut)
            with pytest.raises(LinkDown):
                file_sync.upload(ctx, spy, chunk_bytes=CHUNK)
            held = central_file(central_url, A, f["sha256"])
            expected = (k + 1) * CHUNK if cut == "after" else k * CHUNK
            assert held["received"] == min(expected, size)
            before_cut = list(spy.offsets)
            resumed = FileLinkSpy(link)
            # The budget ends the round with this file (the next ones wait).
            budget = max(1, size - held["received"])
            file_sync.upload(ctx, resumed, chunk_bytes=CHUNK, budget_bytes=budget)
            # Nothing central held is sent again: the resumed upload starts where it ended
            # (a file central completed before the reply was lost is not sent at all).
            assert resumed.offsets == list(range(held["received"], size, CHUNK))
            assert before_cut == list(range(0, held["received"], CHUNK))
            done = central_file(central_url, A, f["sha256"])
            assert done["complete"] and done["received"] == size
            assert hashlib.sha256(done["data"]).hexdigest() == f["sha256"]
    finally:
        link.close()
    assert local_status(ctx).files_waiting == {"files": 0, "pages": 0, "bytes": 0}


def test_a_corrupted_chunk_is_rejected_and_the_file_sent_again_whole(
    central_url: str, unit_urls: dict[str, str], counter: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 1)
    data = pdf_bytes(4 * CHUNK, 7)
    f = digitise(ctx, data)
    push_events_only(ctx, unit_urls[A])
    link = PgTransport(unit_urls[A], sslmode="disable")
    try:
        spy = FileLinkSpy(link, corrupt=2)
        report = file_sync.upload(ctx, spy, chunk_bytes=CHUNK)
    finally:
        link.close()
    assert report.rejected == 1 and report.files_done == 1
    # Four chunks, central discards the whole file at the last one, then four again from 0.
    step = [0, CHUNK, 2 * CHUNK, 3 * CHUNK]
    assert spy.offsets == step + step
    held = central_file(central_url, A, f["sha256"])
    assert held["complete"] and held["rejected"] == 1 and held["data"] == data


def test_another_unit_can_neither_read_nor_write_a_units_files(
    central_url: str, unit_urls: dict[str, str], counter: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 1)
    data = pdf_bytes(2 * CHUNK + 5, 3)
    f = digitise(ctx, data)
    link = PgTransport(unit_urls[A], sslmode="disable")
    try:
        Syncer(ctx, link).run_once()  # events, then the file, in one round
    finally:
        link.close()
    assert central_file(central_url, A, f["sha256"])["complete"]
    other = PgTransport(unit_urls[B], sslmode="disable")
    try:
        assert other.file_find(f["code"], f["name"]) is None
        assert other.file_read(f["sha256"], 0, 1000) is None
        assert other.file_begin(f["sha256"], f["size"])["status"] == "no_event"
        assert other.file_put(f["sha256"], 0, b"x")["status"] == "unknown"
        assert other.file_put(f["sha256"], f["size"], b"x")["status"] == "unknown"
    finally:
        other.close()
    with psycopg.connect(unit_urls[B], autocommit=True) as c:
        for sql in (
            "SELECT count(*) FROM central.files",
            "SELECT count(*) FROM central.file_chunks",
            "DELETE FROM central.file_chunks",
            "UPDATE central.files SET complete = false",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql)
    held = central_file(central_url, A, f["sha256"])
    assert held["complete"] and held["data"] == data


def test_events_go_before_files_and_are_never_held_up_by_one(
    central_url: str, unit_urls: dict[str, str], counter: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 2)
    big = pdf_bytes(40 * CHUNK, 11)
    f = digitise(ctx, big, pages=20)
    link = PgTransport(unit_urls[A], sslmode="disable")
    seen: list[tuple[int, int, int]] = []

    def clerk_works(index: int) -> None:
        # While the file goes up, the clerk takes another dossier at chunk 3.
        if index == 3:
            take_dossiers(ctx, 1, start=10)
        st = local_status(ctx)
        with ctx.uow.read() as s:
            top = max(s.scalars(select(OutboxEvent.seq)))
        seen.append((index, st.acked_seq, top))

    spy = FileLinkSpy(link, on_put=clerk_works)
    try:
        syncer = Syncer(ctx, spy, file_budget=20 * CHUNK, file_chunk=CHUNK)
        report = syncer.run_once()
    finally:
        link.close()
    # The round's events all went before the first chunk.
    assert spy.calls.index("file_put") > spy.calls.index("push")
    # The event written during chunk 3 was pushed before chunk 4 went.
    after = {i: (acked, top) for i, acked, top in seen}
    assert after[3][0] < after[3][1]  # written, not yet pushed
    assert after[4][0] == after[4][1]  # pushed before the next chunk
    fourth = [i for i, c in enumerate(spy.calls) if c == "file_put"][4]
    assert spy.calls[fourth - 1] == "push"
    # The round's budget stopped the big file; the rest waits for the next round.
    assert report.files["budget_left"] is False
    waiting = local_status(ctx).files_waiting
    assert waiting["files"] == 1 and waiting["pages"] == 20
    assert 0 < waiting["bytes"] <= len(big) - 20 * CHUNK
    assert report.as_json()["files_waiting"] == waiting
    link2 = PgTransport(unit_urls[A], sslmode="disable")
    try:
        Syncer(ctx, link2).run_once()
    finally:
        link2.close()
    assert central_file(central_url, A, f["sha256"])["data"] == big
    assert local_status(ctx).files_waiting == {"files": 0, "pages": 0, "bytes": 0}


def test_another_counter_of_the_unit_fetches_the_file(
    central_url: str, unit_urls: dict[str, str], counter: Any, cli: Any, tmp_path: Any
) -> None:
    c1 = counter(A, "c1")
    take_dossiers(c1, 1)
    data = pdf_bytes(3 * CHUNK + 77, 5)
    f = digitise(c1, data)
    t1 = PgTransport(unit_urls[A], sslmode="disable")
    try:
        Syncer(c1, t1).run_once()
    finally:
        t1.close()
    # Each counter on its own PC: its own folder, its own file store.
    (tmp_path / "pc2").mkdir()
    c2 = counter(A, "pc2/c2")
    assert files.files_dir(c2) != files.files_dir(c1)
    t2 = PgTransport(unit_urls[A], sslmode="disable")
    try:
        got = file_sync.fetch(c2, t2, f["code"], f["name"], chunk_bytes=CHUNK)
        assert got.downloaded and got.sha256 == f["sha256"] and got.pages == 2
        assert got.path.read_bytes() == data
        assert got.path == files.files_dir(c2) / f["sha256"][:2] / f"{f['sha256']}.pdf"
        again = file_sync.fetch(c2, t2, f["code"], f["name"])
        assert not again.downloaded and again.path == got.path
    finally:
        t2.close()
    # The command line, on a third counter.
    (tmp_path / "pc3").mkdir()
    db3 = tmp_path / "pc3" / "c3.db"
    counter(A, "pc3/c3")
    res = cli("--json", "file", "fetch", f["code"], f["name"], "--central", unit_urls[A], db=db3)
    assert res.rc == 0, res.err
    out = json.loads(res.out)
    assert out["sha256"] == f["sha256"] and out["downloaded"] is True
    stored = tmp_path / "pc3" / "files" / f["sha256"][:2] / f"{f['sha256']}.pdf"
    assert stored.read_bytes() == data
    res = cli("file", "fetch", f["code"], "khong-co.pdf", "--central", unit_urls[A], db=db3)
    assert res.rc == 1 and "không có tệp khong-co.pdf" in res.err


def _required_names(ctx: Any, code: str) -> list[str]:
    with ctx.uow.read() as s:
        return list(
            s.scalars(
                select(DossierDocument.name)
                .join(Dossier, Dossier.id == DossierDocument.dossier_id)
                .where(Dossier.code == code, DossierDocument.required.is_(True))
                .order_by(DossierDocument.position)
            )
        )


def test_reports_count_dossiers_with_every_required_document_digitised(
    central_url: str, unit_urls: dict[str, str], counter: Any, tmp_path: Any
) -> None:
    central.import_catalogue(central_url, load_catalogue_file(sample_catalogue_path()))
    ctx = counter(A)
    take_dossiers(ctx, 3)
    with ctx.uow.read() as s:
        codes = list(s.scalars(select(Dossier.code).order_by(Dossier.code)))
    required = _required_names(ctx, codes[0])
    assert len(required) >= 2
    with ctx.uow.write() as s:
        unit = find_local_unit(s)
        assert unit is not None
        # The first dossier: every required document; the second: all but one.
        for code, names in ((codes[0], required), (codes[1], required[:-1])):
            for n, name in enumerate(names, 1):
                payload = {
                    "code": code,
                    "document": name,
                    "sha256": hashlib.sha256(f"{code}/{n}".encode()).hexdigest(),
                    "size": 10,
                    "pages": 1,
                    "name": f"{code}_{n:02d}.pdf",
                }
                emit(s, unit.id, "document_digitised", payload, ctx.clock())
    push_events_only(ctx, unit_urls[A])
    nov = (date(2026, 11, 1), date(2026, 11, 30))
    local = unit_report(ctx, *nov).as_json()
    received = local["totals"]["received"]  # the demo's dossiers and these three
    assert local["totals"]["digitised"] == 1 and received >= 3
    assert sum(r["digitised"] for r in local["by_procedure"]) == 1
    assert sum(r["digitised"] for r in local["by_sector"]) == 1
    province = province_report(central_url, *nov)
    assert province["totals"]["digitised"] == 1
    by_unit = {r["unit"]: r["digitised"] for r in province["by_unit"]}
    assert by_unit == {A: 1, B: 0}
    assert {r["procedure"]: r["digitised"] for r in province["by_procedure"]} == {
        r["procedure"]: r["digitised"] for r in local["by_procedure"]
    }
    assert {r["sector"]: r["digitised"] for r in province["by_sector"]} == {
        r["sector"]: r["digitised"] for r in local["by_sector"]
    }
    # In the PDF: a line under the totals, a column in the breakdowns.
    from counter_app.printing.report import render_pdf
    from counter_app.printing.report_text import UNIT_TITLE

    pdf = render_pdf(local, None, None, UNIT_TITLE)
    out = tmp_path / "report.pdf"
    out.write_bytes(pdf)
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert f"đã số hóa đủ thành phần bắt buộc: 1/{received}" in text
    assert "Số hóa" in text  # the breakdowns' column heading (wrapped)


def test_a_scanned_document_attached_at_one_counter_opens_at_another(
    central_url: str, unit_urls: dict[str, str], counter: Any, tmp_path: Any
) -> None:
    """End to end with the file store: attach (a real archive PDF from a page image), one
    sync round, then the unit's second counter fetches it; pdftotext reads it there."""
    import re
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from page_images import text_page

    c1 = counter(A, "c1")
    take_dossiers(c1, 1)
    with c1.uow.read() as s:
        code = s.scalars(select(Dossier.code).order_by(Dossier.code.desc())).first()
    assert code is not None
    info = files.attach(c1, code, None, [text_page(dpi=100, lines=12)], clerk="canbo1", ocr=False)
    assert local_status(c1).files_waiting["files"] == 1
    t1 = PgTransport(unit_urls[A], sslmode="disable")
    try:
        report = Syncer(c1, t1).run_once()
    finally:
        t1.close()
    assert report.files["files_done"] == 1 and report.files_waiting["files"] == 0
    (tmp_path / "pc2").mkdir()
    c2 = counter(A, "pc2/c2")
    t2 = PgTransport(unit_urls[A], sslmode="disable")
    try:
        got = file_sync.fetch(c2, t2, code, info.name)
    finally:
        t2.close()
    assert got.downloaded and got.sha256 == info.sha256
    assert got.path.read_bytes() == files.read_blob(c1, info.sha256)
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(got.path)], capture_output=True, text=True)
        assert out.returncode == 0 and re.search(r"^Pages:\s+1$", out.stdout, re.M)


def test_a_blob_changed_on_disk_is_not_sent(
    central_url: str, unit_urls: dict[str, str], counter: Any
) -> None:
    from counter_app.db.models import FileUpload

    ctx = counter(A)
    take_dossiers(ctx, 1)
    data = pdf_bytes(2 * CHUNK, 21)
    f = digitise(ctx, data)
    path = files.blob_path(ctx, f["sha256"])
    path.write_bytes(data[:-1] + b"X")  # same size, other bytes
    push_events_only(ctx, unit_urls[A])
    link = PgTransport(unit_urls[A], sslmode="disable")
    try:
        spy = FileLinkSpy(link)
        report = file_sync.upload(ctx, spy, chunk_bytes=CHUNK)
    finally:
        link.close()
    assert report.skipped == 1 and report.bytes_sent == 0 and spy.offsets == []
    with ctx.uow.read() as s:
        row = s.get(FileUpload, f["sha256"])
        assert row is not None and row.last_error == "local_hash_mismatch" and not row.done
    assert local_status(ctx).files_waiting["files"] == 1
    with psycopg.connect(central_url.replace("+psycopg", ""), autocommit=True) as c:
        assert c.execute("SELECT count(*) FROM central.files").fetchone() == (0,)


def test_a_file_lost_from_this_pc_opens_from_central(
    central_url: str, unit_urls: dict[str, str], counter: Any, tmp_path: Any
) -> None:
    """The dossier view's open (file_sync.open_copy): the blob gone from this PC's store is
    fetched from central, checked by its hash, and the viewer's copy carries the file's name."""
    import sys
    from dataclasses import replace
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from page_images import text_page

    ctx = counter(A)
    take_dossiers(ctx, 1)
    with ctx.uow.read() as s:
        code = s.scalars(select(Dossier.code).order_by(Dossier.code.desc())).first()
    assert code is not None
    info = files.attach(ctx, code, None, [text_page(dpi=100, lines=8)], clerk="canbo1", ocr=False)
    data = files.read_blob(ctx, info.sha256)
    t = PgTransport(unit_urls[A], sslmode="disable")
    try:
        assert Syncer(ctx, t).run_once().files["files_done"] == 1
    finally:
        t.close()
    local = tmp_path / "here"
    assert file_sync.open_copy(ctx, code, info.name, local).read_bytes() == data  # from disk
    files.blob_path(ctx, info.sha256).unlink()  # lost from this disk
    ctx.settings = replace(ctx.settings, central_url=unit_urls[A])
    ctx.adapters = replace(ctx.adapters, sync_link=lambda url: PgTransport(url, sslmode="disable"))
    copy = file_sync.open_copy(ctx, code, info.name, tmp_path / "view")
    assert copy.name == info.name and copy.read_bytes() == data
    assert files.read_blob(ctx, info.sha256) == data  # and the store has it back

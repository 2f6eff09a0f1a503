"""Issue 15 "Done when", below the window: three documents scanned from SANE's test device,
saved with their dossier, and on central after a sync whose file upload was cut half-way.
(The window's keys for the same scan are driven in tests/ui/test_document_pages.py.)"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sync_support import UNIT_A as A
from sync_support import LinkDown, request
from test_file_sync import FileLinkSpy, central_file, push_events_only

from counter_app.db.models import Dossier
from counter_app.devices.document_scanner import SaneScanner
from counter_app.services import file_sync, files
from counter_app.services.intake import register
from counter_app.services.sync import Syncer, local_status
from counter_app.sync.transport import PgTransport

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sane_support import sane_test_env

CHUNK = 2048


def test_three_scanned_documents_reach_central_after_a_cut_upload(
    central_url: str, unit_urls: dict[str, str], counter: Any, tmp_path: Path
) -> None:
    env = sane_test_env(tmp_path)
    pictures = ("Grid", "Color pattern", "Solid black")  # three different papers
    ctx = counter(A)
    ctx.settings = replace(ctx.settings, ocr=False)
    pages = {
        i: list(
            SaneScanner("test:0", env=env, extra_args=("--test-picture", pic)).scan(
                dpi=100, pages=2
            )
        )
        for i, pic in enumerate(pictures)
    }
    assert all(len(p) == 2 for p in pages.values())
    register(ctx, [replace(request(0), scans=pages, scans_source="scan")], "canbo1")
    with ctx.uow.read() as s:
        code = s.scalars(select(Dossier.code).order_by(Dossier.id.desc())).first()
    assert code is not None
    stored = files.dossier_files(ctx, code)
    assert len(stored) == 3 and all(f.pages == 2 for f in stored)
    push_events_only(ctx, unit_urls[A])  # the events first; the files wait
    assert local_status(ctx).files_waiting["files"] == 3
    link = PgTransport(unit_urls[A], sslmode="disable")
    try:
        spy = FileLinkSpy(link, cut_after=2)  # the link drops at the third chunk
        with pytest.raises(LinkDown):
            file_sync.upload(ctx, spy, chunk_bytes=CHUNK)
        assert local_status(ctx).files_waiting["files"] >= 1
        Syncer(ctx, link, file_chunk=CHUNK).run_once()  # the link is back
    finally:
        link.close()
    assert local_status(ctx).files_waiting["files"] == 0
    for f in stored:
        held = central_file(central_url, A, f.sha256)
        assert held["complete"] and held["data"] == files.read_blob(ctx, f.sha256)

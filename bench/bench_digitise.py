"""Digitising a 10-page document: page images (as a scanner gives them) to the stored
archive PDF, with and without OCR; bytes per page against the budget (≤ 60 KB per A4 page
of text at 200 dpi, issue 15).

    uv run python bench/bench_digitise.py            # 10 pages, 3 runs without OCR, 1 with
    uv run python bench/bench_digitise.py --pages 4 --runs 1

The pages are A4 at 200 dpi, 40 lines of Vietnamese text in 12 pt Liberation Serif on a
not-quite-white paper (tests/page_images.py), PNG as a SANE scanner hands them over. Timed:
`archive.build_archive_pdf` alone (oriented, grey, bilevel CCITT G4 for text pages; with
OCR: `tesseract … -l vie pdf` on the same images) and `files.attach` end to end on a
demo database (read, build, blob written atomically with fsync, one transaction with its
outbox event). The OCR figure depends on the CPU: Tesseract takes seconds a page.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from _common import ROOT, Row, isolate_env, machine_line, print_rows, save_rows

BUDGET_KB = 60


def _kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def run(args: argparse.Namespace) -> list[Row]:
    os.environ.update(isolate_env())
    sys.path.insert(0, str(ROOT / "tests"))
    from page_images import text_page

    from counter_app.app import build_context, run_cli
    from counter_app.services import archive, files

    pages = [text_page(dpi=200, seed=i) for i in range(args.pages)]
    scanned = sum(len(p) for p in pages)
    plain: list[float] = []
    made = archive.build_archive_pdf(pages, ocr=False)
    for _ in range(args.runs):
        t0 = time.perf_counter()
        made = archive.build_archive_pdf(pages, ocr=False)
        plain.append(time.perf_counter() - t0)
    per_page = len(made.pdf) / made.pages
    rows = [
        Row(
            what=f"**{args.pages}-page document to archive PDF, no OCR** (median of {args.runs})",
            measured=f"{statistics.median(plain):.2f} s",
            floor="—",
            ratio="—",
            budget="—",
            verdict="info",
            note=f"{statistics.median(plain) / args.pages * 1000:.0f} ms a page",
        ),
        Row(
            what="bytes per A4 page of text at 200 dpi (bilevel CCITT G4)",
            measured=_kb(per_page),
            floor=f"{_kb(scanned / args.pages)} (the scanner's PNG)",
            ratio=f"{per_page / (BUDGET_KB * 1024):.2f} of budget",
            budget=f"≤ {BUDGET_KB} KB",
            verdict="pass" if per_page <= BUDGET_KB * 1024 else "MISS",
        ),
    ]
    exe = archive.tesseract_vie()
    if exe and not args.no_ocr:
        t0 = time.perf_counter()
        ocr = archive.build_archive_pdf(pages, ocr=None)
        ocr_s = time.perf_counter() - t0
        ocr_page = len(ocr.pdf) / ocr.pages
        rows += [
            Row(
                what=f"{args.pages}-page document with OCR (tesseract -l vie, 1 run)",
                measured=f"{ocr_s:.1f} s",
                floor=f"{statistics.median(plain):.2f} s (no OCR)",
                ratio=f"{ocr_s / statistics.median(plain):.0f}×",
                budget="—",
                verdict="info",
                note=f"{ocr_s / args.pages:.1f} s a page; text layer: {ocr.ocr}",
            ),
            Row(
                what="bytes per page with the text layer",
                measured=_kb(ocr_page),
                floor=_kb(per_page) + " (no OCR)",
                ratio=f"{ocr_page / (BUDGET_KB * 1024):.2f} of budget",
                budget=f"≤ {BUDGET_KB} KB",
                verdict="pass" if ocr_page <= BUDGET_KB * 1024 else "MISS",
            ),
        ]
    # End to end through the service: a demo database, one dossier, attach (no OCR).
    with tempfile.TemporaryDirectory(prefix="bench-digitise-") as tmp:
        db = Path(tmp) / "counter.db"
        intake = Path(tmp) / "intake.json"
        intake.write_text(
            json.dumps({"procedure": "1.004873", "applicant": {"name": "Nguyễn Văn An"}}),
            encoding="utf-8",
        )
        out = io.StringIO()
        saved = sys.stdout
        sys.stdout = out
        try:
            run_cli(["--db", str(db), "init", "--demo"])
            out.seek(0)
            out.truncate()
            run_cli(["--db", str(db), "intake", str(intake), "--clerk", "canbo1", "--json"])
        finally:
            sys.stdout = saved
        code = json.loads(out.getvalue())[0]["code"]
        ctx = build_context(db=str(db))
        ctx.settings = replace(ctx.settings, ocr=False)
        with ctx.uow.engine.connect() as conn:
            document = conn.exec_driver_sql(
                "SELECT x.name FROM dossier_documents x JOIN dossiers d ON d.id = x.dossier_id "
                "WHERE d.code = ? ORDER BY x.position LIMIT 1",
                (code,),
            ).scalar_one()
        attach: list[float] = []
        for i in range(args.runs):
            varied = [*pages[:-1], text_page(dpi=200, seed=100 + i)]  # a new blob each run
            t0 = time.perf_counter()
            files.attach(ctx, code, document, varied, source="scan")
            attach.append(time.perf_counter() - t0)
        ctx.uow.engine.dispose()
    rows.append(
        Row(
            what=f"files.attach of {args.pages} pages, end to end (median of {args.runs})",
            measured=f"{statistics.median(attach):.2f} s",
            floor=f"{statistics.median(plain):.2f} s (the PDF alone)",
            ratio=f"{statistics.median(attach) / statistics.median(plain):.2f}×",
            budget="—",
            verdict="info",
            note="blob written (temp file, fsync, rename) and one transaction with its event",
        )
    )
    print(machine_line())
    print_rows("Digitising a document (issue 15)", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pages", type=int, default=10)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--no-ocr", action="store_true", help="skip the OCR run")
    p.add_argument("--results", type=Path, default=None, help="append the rows to this JSON")
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

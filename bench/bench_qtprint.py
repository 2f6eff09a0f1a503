"""Printing Mẫu 01 through the app's one print path: pypdfium2 renders each page, QPrinter
takes it (issue 13 item 1; budget < 0.5 s a page).

    uv run python bench/bench_qtprint.py                   # Qt's PDF output, 7 runs
    CUPS_SERVER=… uv run python bench/bench_qtprint.py --printer QUEUE --runs 5

Each run is QtSpooler.print_pdf of the 2-page Mẫu 01 (one copy): open the PDF, render each
page grey at the printer's resolution (at most 300 dpi), paint it on the QPrinter, end the
job (for a CUPS queue: until CUPS has the job, not until paper comes out; each run starts
once the queue is idle). Floor, measured first: pypdfium2 alone rendering the same pages
at 300 dpi, no QPrinter.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, Row, fmt_ms, machine_line, print_rows, save_rows, verdict

sys.path.insert(0, str(ROOT / "tests"))
from tests_sample import sample_dossier

from counter_app.printing.forms import render_receipt
from counter_app.ui.qtprint import PDF_DPI, QtSpooler, ensure_qt

BUDGET_S_PER_PAGE = 0.5


def wait_idle(printer: str, timeout_s: float = 120) -> None:
    """Until CUPS has finished the previous jobs: on a 2-core machine CUPS-PDF's filters
    (pdftops, Ghostscript) would otherwise run during the next measured print."""
    if not shutil.which("lpstat"):
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = subprocess.run(["lpstat", "-o", printer], capture_output=True, text=True)
        if not done.stdout.strip():
            return
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--printer", default="", help="a printer/CUPS queue (default: Qt's PDF)")
    p.add_argument("--results", type=Path, default=None)
    p.add_argument("--quick", action="store_true", help="3 runs")
    args = p.parse_args(argv)
    runs = 3 if args.quick else args.runs
    ensure_qt()
    pdf = render_receipt(sample_dossier())  # the Mẫu 01 sample of the printing tests
    out_dir = Path(tempfile.mkdtemp(prefix="bench-qtprint-"))
    import pypdfium2 as pdfium

    floor = []
    for _ in range(runs):
        t0 = time.perf_counter()
        doc = pdfium.PdfDocument(pdf)
        n = len(doc)
        for page in doc:
            page.render(scale=PDF_DPI / 72, grayscale=True)
        doc.close()
        floor.append((time.perf_counter() - t0) / n)

    per_page, dpi, pages = [], PDF_DPI, 0
    for i in range(runs + 1):  # the first run warms the imports and PDFium up: not counted
        if args.printer:
            wait_idle(args.printer)
            spooler = QtSpooler(args.printer)
        else:
            spooler = QtSpooler(output_pdf=out_dir / f"mau01-{i}.pdf")
        report = spooler.print_pdf(pdf, copies=1, title="bench Mau 01")
        pages, dpi = report.pages, report.dpi
        if i:
            per_page.append(report.seconds / report.pages)

    shutil.rmtree(out_dir, ignore_errors=True)
    m, f = statistics.median(per_page), statistics.median(floor)
    target = args.printer or "Qt's PDF output"
    rows = [
        Row(
            what=f"print Mẫu 01 ({pages} pages, {dpi} dpi grey) through QPrinter to {target}, "
            f"per page (median of {runs})",
            measured=f"{fmt_ms(m * 1000)} (runs {fmt_ms(min(per_page) * 1000)}–"
            f"{fmt_ms(max(per_page) * 1000)})",
            floor=f"{fmt_ms(f * 1000)} pypdfium2 render alone",
            ratio=f"{m / f:.1f}×" if f > 0 else "—",
            budget="< 0.5 s a page",
            verdict=verdict(m, BUDGET_S_PER_PAGE),
        )
    ]
    print(machine_line())
    print_rows("Printing through Qt (bench_qtprint.py)", rows)
    save_rows(args.results, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

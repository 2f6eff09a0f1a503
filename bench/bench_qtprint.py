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
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, fmt_ms, machine_line, print_rows, save_rows, verdict

from counter_app.domain.model import Applicant, DocumentLine, DossierView, ProcedureInfo, UnitInfo
from counter_app.printing.forms import render_receipt
from counter_app.printing.qtprint import PDF_DPI, QtSpooler, ensure_qt

BUDGET_S_PER_PAGE = 0.5
ICT = timezone(timedelta(hours=7))


def sample() -> DossierView:
    unit = UnitInfo(
        unit_id="u-bench",
        agency_id="000.00.25.H01",
        name="UBND XÃ MỸ HÒA HƯNG",
        parent_name="UBND TỈNH AN GIANG",
        place_name="Mỹ Hòa Hưng",
        address="Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang",
        phone="0296 3831 234",
    )
    procedure = ProcedureInfo(
        code="1.001193.000.00.00.H01",
        name="Đăng ký khai sinh kết hợp đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em",
        sector="Hộ tịch",
        level="commune",
        processing_days=3,
        fee=8000,
    )
    applicant = Applicant(
        name="Nguyễn Thị Ánh Tuyết",
        id_number="089185001234",
        phone="0918 123 456",
        address="Số 12, đường Nguyễn Huệ, tổ 7, ấp Mỹ Thạnh, xã Mỹ Hòa Hưng, tỉnh An Giang",
        email="",
    )
    return DossierView(
        id="0193f7a2-0000-7000-8000-000000000007",
        code="000.00.25.H01-261128-0007",
        unit=unit,
        procedure=procedure,
        applicant=applicant,
        documents=(
            DocumentLine("Tờ khai đăng ký khai sinh (theo mẫu)", "original", 1),
            DocumentLine("Giấy chứng sinh do cơ sở y tế cấp", "original", 1),
        ),
        sets=1,
        receive_channel="counter",
        return_channel="counter",
        return_address="",
        received_at=datetime(2026, 11, 28, 9, 15, tzinfo=ICT),
        due_at=datetime(2026, 12, 3, 9, 15, tzinfo=ICT),
        status="accepted",
        received_by="Trần Văn Hậu",
        register_book="01/2026",
        register_no=1234,
        form_set="2025",
    )


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
    pdf = render_receipt(sample())
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

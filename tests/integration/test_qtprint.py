"""Issue 13 item 1 through Qt's own PDF output (no printer, no CUPS): the print path renders
each PDF page with pypdfium2 and paints it on a QPrinter; what comes out is read back."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from counter_app.domain.errors import PrintFailed, ValidationError
from counter_app.domain.model import DossierView
from counter_app.messages import describe
from counter_app.printing.forms import render_receipt
from counter_app.printing.labels import render_label
from counter_app.printing.test_page import TEST_CODE, render_test_page
from counter_app.ui.qtprint import QtSpooler

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg") and shutil.which("pdfinfo")),
    reason="poppler-utils/zbar-tools missing",
)


def info(path: Path) -> tuple[int, float, float]:
    """Pages, and the first page's width and height in mm."""
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", out.stdout).group(1))  # type: ignore[union-attr]
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", out.stdout)
    assert m, out.stdout
    return pages, float(m.group(1)) * 25.4 / 72, float(m.group(2)) * 25.4 / 72


def scan(path: Path, page: int, dpi: float) -> list[str]:
    png = path.with_name(f"{path.stem}-{page}")
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", *pages, str(path), str(png)], check=True)
    done = subprocess.run(["zbarimg", "--raw", "-q", f"{png}.png"], capture_output=True)
    return done.stdout.decode().split()


@pytest.fixture
def dossier() -> DossierView:
    from tests_sample import sample_dossier

    return sample_dossier()


def test_receipt_prints_as_grey_a4_pages_with_copies(
    qapp: Any, dossier: DossierView, tmp_path: Path
) -> None:
    out = tmp_path / "mau01.pdf"
    spooler = QtSpooler(output_pdf=out)
    spooler.send(render_receipt(dossier), copies=2, title="Mẫu 01")

    pages, w, h = info(out)
    assert pages == 2 * 2  # Liên 1 and Liên 2, twice
    assert (w, h) == pytest.approx((210, 297), abs=0.5)
    assert scan(out, 1, 300) == [dossier.code] and scan(out, 4, 300) == [dossier.code]
    report = spooler.last_report
    assert report is not None and (report.pages, report.copies, report.dpi) == (2, 2, 300)


def test_label_prints_at_its_own_size_and_the_printer_dots(
    qapp: Any, dossier: DossierView, tmp_path: Path
) -> None:
    """A 1-dot bar module survives: PDFium alone widens bars at 203 dpi until zbar fails."""
    out = tmp_path / "nhan.pdf"
    QtSpooler(kind="label", output_pdf=out).send(render_label(dossier, "pdf"))

    pages, w, h = info(out)
    assert pages == 1 and (w, h) == pytest.approx((50, 30), abs=0.4)
    assert scan(out, 1, 406.4) == [dossier.code]  # 2 pixels a printer dot


@pytest.mark.parametrize("kind", ["a4", "label"])
def test_test_pages_print_and_scan(qapp: Any, kind: str, tmp_path: Path) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    out = tmp_path / f"{kind}.pdf"
    QtSpooler(kind=kind, output_pdf=out).send(render_test_page(kind, "HP", "UBND XÃ", at))
    assert info(out)[0] == 1
    assert scan(out, 1, 406.4 if kind == "label" else 300) == [TEST_CODE]


def test_a_pdf_pdfium_cannot_open_is_a_clear_refusal(qapp: Any, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    with pytest.raises(PrintFailed) as err:
        QtSpooler(output_pdf=out).send(b"%PDF-1.4 not really a pdf", title="x")
    assert err.value.code == "pdf_unreadable"
    assert describe(err.value).startswith("Không đọc được tệp PDF để in")


def test_copies_out_of_range_are_refused(qapp: Any, tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        QtSpooler(output_pdf=tmp_path / "x.pdf").send(b"%PDF", copies=0)


@pytest.mark.qt_log_ignore("QPainter::begin")
def test_an_output_that_cannot_be_opened_is_print_failed(qapp: Any, tmp_path: Path) -> None:
    """QPainter.begin refuses (here: Qt's PDF file in a missing folder; a printer: offline)."""
    spooler = QtSpooler(output_pdf=tmp_path / "missing" / "x.pdf")
    with pytest.raises(PrintFailed) as err:
        spooler.send(render_label_bytes())
    assert err.value.code == "printer_offline"


def render_label_bytes() -> bytes:
    from tests_sample import sample_dossier

    return render_label(sample_dossier(), "pdf")


def test_a_status_bar_hears_each_print_result(qapp: Any, tmp_path: Path) -> None:
    """The hook for the window's printer light (issue 14): ok, then the failure's code."""
    from counter_app.ui import qtprint

    heard: list[tuple[str, str]] = []
    qtprint.on_print_result(lambda printer, code: heard.append((printer, code)))
    try:
        out = tmp_path / "ok.pdf"
        QtSpooler(kind="label", output_pdf=out).send(render_label_bytes())
        with pytest.raises(PrintFailed):
            QtSpooler(output_pdf=tmp_path / "x.pdf").send(b"not a pdf")
    finally:
        qtprint._listeners.clear()
    assert heard == [(str(out), ""), (str(tmp_path / "x.pdf"), "pdf_unreadable")]


def test_printer_set_refuses_a_name_the_os_does_not_list(cli, demo_db) -> None:  # type: ignore[no-untyped-def]
    """It used to be stored, and every receipt then failed at the counter."""
    res = cli("printer", "set", "a4", "HP LaserJet Khong Co")
    assert res.rc == 1 and res.out == ""
    assert res.err.startswith("Lỗi: Máy tính không có máy in tên HP LaserJet Khong Co.")
    assert "Các máy in có:" in res.err
    rows = {r["kind"]: r for r in json.loads(cli("--json", "printer", "list").out)}
    assert rows["a4"]["stored"] == ""
    # a folder, the default and the ticket printer's URL are not printer names
    assert cli("printer", "set", "a4", "folder:/tmp/x").rc == 0
    assert cli("printer", "set", "a4", "").rc == 0
    assert cli("printer", "set", "ticket", "socket://127.0.0.1:9100").rc == 0


def test_printer_test_without_a_printer_saves_the_page(cli, demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    assert cli("printer", "set", "label", f"folder:{folder}").rc == 0
    res = cli("--json", "printer", "test", "label")
    assert res.rc == 0, res.err
    report = json.loads(res.out)
    assert report["via"] == "pdf" and report["printer"] == str(folder) and report["pages"] == 1
    (pdf,) = folder.glob("*.pdf")
    assert scan(pdf, 1, 406.4) == [TEST_CODE]
    assert cli("printer", "test", "ticket").rc == 2  # a4 or label only

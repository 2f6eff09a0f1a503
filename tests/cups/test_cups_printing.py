"""Issue 13 item 1 against a real CUPS queue: the app's one print path (pypdfium2 pages
painted on a QPrinter) prints Mẫu 01, labels and test pages to a CUPS-PDF queue, and the
PDFs that come out are read back: page count and copies (pdfinfo), the bar codes (zbarimg),
the Vietnamese text (tesseract's Vietnamese OCR: the pages reach the printer as images, so
there is no text layer for pdftotext). Faults of the queue are clear Vietnamese refusals
and the paper prints on the retry."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from cupsserver import Queue
from tests_sample import CODE, NAME, sample_dossier

from counter_app.domain.errors import PrintFailed
from counter_app.domain.model import DossierView
from counter_app.messages import describe
from counter_app.printing.forms import render_receipt
from counter_app.services import printjobs
from counter_app.ui.qtprint import QtSpooler

T = TypeVar("T")


def _has_vietnamese_ocr() -> bool:
    if not shutil.which("tesseract"):
        return False
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "vie" in langs.stdout.split()


needs_ocr = pytest.mark.skipif(not _has_vietnamese_ocr(), reason="tesseract-ocr-vie missing")


@pytest.fixture
def dossier() -> DossierView:
    return sample_dossier()


def in_fresh_thread(queue: Queue, monkeypatch: pytest.MonkeyPatch, fn: Callable[[], T]) -> T:
    """Run `fn` as the window does (off the GUI thread), on a thread of its own: libcups
    reads CUPS_SERVER once per thread, so a new thread talks to this test's cupsd."""
    monkeypatch.setenv("CUPS_SERVER", queue.server.env["CUPS_SERVER"])
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # re-raised in the test's thread
            out["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join(120)
    assert not t.is_alive(), "printing hung"
    if "error" in out:
        raise out["error"]
    return out["value"]


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]


def page_size_mm(path: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert m, info.stdout
    return float(m.group(1)) * 25.4 / 72, float(m.group(2)) * 25.4 / 72


def rasterise(path: Path, page: int, dpi: float, png: Path) -> None:
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", *pages, str(path), str(png)], check=True)


def scan(path: Path, page: int, dpi: float) -> list[str]:
    png = path.parent / f"{path.stem}-p{page}"
    rasterise(path, page, dpi, png)
    done = subprocess.run(["zbarimg", "--raw", "-q", f"{png}.png"], capture_output=True)
    return done.stdout.decode().split()


def ocr(path: Path, page: int) -> str:
    png = path.parent / f"{path.stem}-ocr{page}"
    rasterise(path, page, 300, png)
    done = subprocess.run(
        ["tesseract", f"{png}.png", "-", "-l", "vie"], capture_output=True, check=True
    )
    return unicodedata.normalize("NFC", done.stdout.decode())


def cli(env: dict[str, str], db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "counter_app", "--db", str(db), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def app_env(subprocess_env: dict[str, str], cups_queue: Queue) -> dict[str, str]:
    # No QT_QPA_PLATFORM, no display: the command finds its own way to run Qt (offscreen).
    env = {k: v for k, v in subprocess_env.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    return {**env, **cups_queue.server.env}


# --- the command line: printer list / set / test ------------------------------------------------


def test_printer_list_set_and_test_pages_through_cups(
    app_env: dict[str, str], cups_queue: Queue, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    assert cli(app_env, db, "init", "--demo").returncode == 0

    listed = json.loads(cli(app_env, db, "--json", "printer", "list", "--os").stdout)
    mine = next(p for p in listed if p["name"] == cups_queue.name)
    assert mine == {"name": cups_queue.name, "default": False, "state": "idle", "detail": ""}
    assert cups_queue.name in cli(app_env, db, "printer", "list").stdout

    refused = cli(app_env, db, "printer", "set", "a4", "HP LaserJet Khong Co")
    assert refused.returncode == 1
    assert "không có máy in tên HP LaserJet Khong Co" in refused.stderr
    assert cups_queue.name in refused.stderr  # the names it does know

    for kind in ("a4", "label"):
        assert cli(app_env, db, "printer", "set", kind, cups_queue.name).returncode == 0
    a4 = cli(app_env, db, "--json", "printer", "test", "a4")
    assert a4.returncode == 0, a4.stderr
    report = json.loads(a4.stdout)
    assert report["printer"] == cups_queue.name and report["pages"] == 1
    assert report["via"] == "printer" and report["seconds"] > 0
    label = cli(app_env, db, "--json", "printer", "test", "label")
    assert label.returncode == 0, label.stderr

    a4_pdf, label_pdf = cups_queue.printed(2)  # job 1, job 2: the names sort by job number
    assert pdf_pages(a4_pdf) == 1 and pdf_pages(label_pdf) == 1
    assert page_size_mm(a4_pdf) == pytest.approx((210, 297), abs=1)
    assert page_size_mm(label_pdf) == pytest.approx((50, 30), abs=0.6)
    assert scan(a4_pdf, 1, 300) == ["IN-THU-01"]
    assert scan(label_pdf, 1, 406.4) == ["IN-THU-01"]  # 2 pixels a printer dot


# --- the window's path: print_intake_paper / print_label, off the GUI thread --------------------


def test_receipt_and_label_print_through_cups_with_copies(
    qapp: Any,
    dossier: DossierView,
    cups_queue: Queue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printers = printjobs.Printers(
        a4=QtSpooler(cups_queue.name, kind="a4"), label=QtSpooler(cups_queue.name, kind="label")
    )
    receipt = render_receipt(dossier)

    in_fresh_thread(
        cups_queue, monkeypatch, lambda: printers.a4.send(receipt, copies=2, title="Mau 01")
    )
    in_fresh_thread(cups_queue, monkeypatch, lambda: printjobs.print_label(dossier, printers))

    receipt_pdf, label_pdf = cups_queue.printed(2)
    assert pdf_pages(receipt_pdf) == 2 * 2  # Mẫu 01 is two pages (Liên 1, Liên 2), 2 copies
    assert page_size_mm(receipt_pdf) == pytest.approx((210, 297), abs=1)
    assert scan(receipt_pdf, 1, 300) == [CODE] and scan(receipt_pdf, 3, 300) == [CODE]
    assert scan(label_pdf, 1, 406.4) == [CODE]


@needs_ocr
def test_printed_receipt_reads_back_in_vietnamese(
    qapp: Any,
    dossier: DossierView,
    cups_queue: Queue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spooler = QtSpooler(cups_queue.name)
    in_fresh_thread(cups_queue, monkeypatch, lambda: spooler.send(render_receipt(dossier)))
    (pdf,) = cups_queue.printed(1)
    text = ocr(pdf, 1)
    for words in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", NAME, CODE, "Mẫu số 01"):
        assert words in text or words.replace("ẫ", "") in text, (words, text)


# --- faults: a clear message, nothing lost, F8 prints ----------------------------------------


@pytest.mark.parametrize(
    ("fault", "undo", "code"),
    [
        ("cupsdisable", "cupsenable", "printer_offline"),
        ("cupsreject", "cupsaccept", "printer_rejecting"),
    ],
)
def test_a_stopped_or_rejecting_queue_is_refused_and_f8_prints_after(
    qapp: Any,
    dossier: DossierView,
    cups_queue: Queue,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    undo: str,
    code: str,
) -> None:
    printers = printjobs.Printers(a4=QtSpooler(cups_queue.name), label=QtSpooler(cups_queue.name))
    cups_queue.server.lp(fault, cups_queue.name)
    with pytest.raises(PrintFailed) as err:
        in_fresh_thread(
            cups_queue, monkeypatch, lambda: printjobs.print_intake_paper(dossier, printers)
        )
    assert err.value.code == code
    message = describe(err.value)
    assert cups_queue.name in message and "Máy in" in message
    assert not list(cups_queue.out.glob("*.pdf"))

    cups_queue.server.lp(undo, cups_queue.name)  # the clerk turns the printer on: F8
    kind = in_fresh_thread(
        cups_queue, monkeypatch, lambda: printjobs.print_intake_paper(dossier, printers)
    )
    assert kind == "supplement"  # one document missing: Mẫu 02
    (pdf,) = cups_queue.printed(1)
    assert pdf_pages(pdf) >= 1


def test_an_unknown_printer_names_the_known_ones(
    qapp: Any, cups_queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(PrintFailed) as err:
        in_fresh_thread(
            cups_queue, monkeypatch, lambda: QtSpooler("May in da thao").send(b"%PDF-1.4")
        )
    assert err.value.code == "printer_unknown"
    assert cups_queue.name in describe(err.value)


if os.name == "nt":  # pragma: no cover - CUPS is the Linux side of the print path
    pytest.skip("CUPS tests", allow_module_level=True)


def test_out_of_paper_is_said_and_nothing_is_sent(
    qapp: Any, dossier: DossierView, cups_queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CUPS-PDF never runs out of paper: the queue's reason is what a real printer reports
    (printer-state-reasons media-empty), given here in its place."""
    from counter_app.ui import qtprint

    monkeypatch.setattr(qtprint, "cups_problem", lambda name: "media-empty")
    printers = printjobs.Printers(a4=QtSpooler(cups_queue.name), label=QtSpooler(cups_queue.name))
    with pytest.raises(PrintFailed) as err:
        in_fresh_thread(
            cups_queue, monkeypatch, lambda: printjobs.print_intake_paper(dossier, printers)
        )
    assert err.value.code == "printer_out_of_paper"
    assert describe(err.value) == f"Máy in {cups_queue.name} hết giấy. Hãy nạp giấy rồi in lại."
    assert not list(cups_queue.out.glob("*.pdf"))

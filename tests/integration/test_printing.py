"""Printing end to end: real PDFs, PNGs and SVGs read back with pypdf, poppler and zbar."""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from tests_sample import ADDRESS, CODE, ICT, NAME, PROCEDURE, sample_dossier

from counter_app.domain.errors import PrintFailed, ValidationError
from counter_app.domain.model import DocumentLine, DossierView
from counter_app.printing.forms import (
    DEFAULT_SUPPLEMENT_REASON,
    render_receipt,
    render_supplement,
)
from counter_app.printing.labels import render_label
from counter_app.printing.spool import FakeSpooler, FolderSpooler

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")), reason="poppler-utils missing"
)
needs_zbar = pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbar-tools missing")


@pytest.fixture
def dossier() -> DossierView:
    return sample_dossier()


def page_texts(pdf: bytes) -> list[str]:
    """Text of each page with runs of whitespace folded to one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]


def decode_page(pdf_path: Path, page: int, dpi: float = 200) -> list[str]:
    prefix = pdf_path.with_suffix("")
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", *pages, str(pdf_path), str(prefix)], check=True
    )
    return zbar(prefix.with_suffix(".png"))


def zbar(png: Path) -> list[str]:
    done = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, check=False)
    return done.stdout.decode().split()


def word_boxes(pdf_path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, the box of every word, from `pdftotext -bbox`."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf_path), "-"], capture_output=True, check=True
    ).stdout.decode()
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">')
    pages = []
    for page in html.split("<page ")[1:]:
        boxes = []
        for m in word.finditer(page):
            x0, y0, x1, y1 = map(float, m.groups())
            boxes.append((x0, y0, x1, y1, page[m.end() : page.index("<", m.end())]))
        pages.append(boxes)
    return pages


def assert_no_overlapping_words(pdf_path: Path) -> None:
    eps = 0.5  # points: neighbours may touch, never overlap
    for number, boxes in enumerate(word_boxes(pdf_path), start=1):
        for a, b in itertools.combinations(boxes, 2):
            overlap_x = min(a[2], b[2]) - max(a[0], b[0])
            overlap_y = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_x <= eps or overlap_y <= eps, f"page {number}: {a} overlaps {b}"


def test_receipt_text_extracts_back_exactly(dossier: DossierView) -> None:
    pages = page_texts(render_receipt(dossier))

    assert len(pages) == 2
    for page in pages:
        for expected in (
            "Mẫu số 01",
            "Thông tư số 03/2025/TT-VPCP",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            f"Mã hồ sơ: {CODE}",
            f"Tiếp nhận hồ sơ của: {NAME}",
            f"Địa chỉ: {ADDRESS}",
            f"Nội dung yêu cầu giải quyết: {PROCEDURE}",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Mỹ Hòa Hưng, ngày 28 tháng 11 năm 2026",
            "Căn cước công dân của cha hoặc mẹ (chứng thực)",
            "2. Số lượng hồ sơ: 1 bộ",
            "3. Thời gian giải quyết hồ sơ theo quy định: 3 ngày làm việc",
            "4. Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 28 tháng 11 năm 2026",
            "09 giờ 15 phút, thứ Năm, ngày 03 tháng 12 năm 2026",
            "6. Đăng ký nhận kết quả tại: Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng",
            "Cơ quan tiếp nhận: Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng",
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
            "Phí, lệ phí: 8.000 đồng",
            "Vào Sổ theo dõi hồ sơ, Quyển số 01/2026, Số thứ tự 1234",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "(Ký và ghi rõ họ tên)",
            "Trần Văn Hậu",
        ):
            assert expected in page
        assert "Giấy chứng nhận kết hôn" not in page  # not handed in, so not on the receipt
    assert "Liên 1: Lưu" in pages[0]
    assert "Liên 2: Giao người nộp hồ sơ" in pages[1]
    assert "Liên 2" not in pages[0]


@needs_poppler
@needs_zbar
def test_receipt_barcode_scans_to_the_code(dossier: DossierView, tmp_path: Path) -> None:
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(render_receipt(dossier))

    assert decode_page(pdf, 1) == [CODE]
    assert decode_page(pdf, 2) == [CODE]


@needs_poppler
def test_receipt_embeds_only_the_bundled_fonts(dossier: DossierView, tmp_path: Path) -> None:
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(render_receipt(dossier))
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout
    rows = listing.decode().splitlines()[2:]

    assert rows
    assert all("LiberationSerif" in row and " yes yes yes " in row for row in rows), rows


def test_receipt_2018_set_prints_the_2018_circular(dossier: DossierView) -> None:
    old = dataclasses.replace(
        dossier,
        code="000.00.25.H01-250601-0003",
        received_at=datetime(2025, 6, 1, 14, 5, tzinfo=ICT),
        due_at=datetime(2025, 6, 5, 14, 5, tzinfo=ICT),
        form_set="2018",
    )
    page = page_texts(render_receipt(old))[0]

    assert "Thông tư số 01/2018/TT-VPCP" in page
    assert "03/2025" not in page
    assert "Mẫu số 01" in page
    assert "14 giờ 05 phút, ngày 01 tháng 6 năm 2025" in page


def test_receipt_free_same_day_postal(dossier: DossierView) -> None:
    d = dataclasses.replace(
        dossier,
        procedure=dataclasses.replace(dossier.procedure, fee=0, processing_days=0),
        return_channel="postal",
        return_address="Số 5 Lê Lợi, phường Long Xuyên, tỉnh An Giang",
    )
    page = page_texts(render_receipt(d))[0]

    assert "Phí, lệ phí: Không thu phí, lệ phí" in page
    assert "theo quy định: trong ngày" in page
    assert (
        "Đăng ký nhận kết quả tại: Qua dịch vụ bưu chính công ích: "
        "Số 5 Lê Lợi, phường Long Xuyên, tỉnh An Giang"
    ) in page


@needs_poppler
def test_long_receipt_flows_over_pages_without_overlap(
    dossier: DossierView, tmp_path: Path
) -> None:
    documents = tuple(
        DocumentLine(
            f"Giấy tờ số {i}: " + "bản kê khai chi tiết có chữ ký xác nhận " * (i % 5),
            ("original", "copy", "certified_copy")[i % 3],
            i % 4 + 1,
        )
        for i in range(1, 41)
    )
    huge = "Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang; " * 120  # about 5,000 characters
    assert len(huge) >= 5000
    d = dataclasses.replace(
        dossier,
        documents=documents,
        applicant=dataclasses.replace(dossier.applicant, address=huge),
        return_channel="postal",
        return_address=huge,
    )
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_receipt(d))
    pages = page_texts(pdf.read_bytes())

    assert len(pages) >= 4 and len(pages) % 2 == 0
    half = len(pages) // 2
    for copy in (pages[:half], pages[half:]):
        text = " ".join(copy)
        assert text.count("NGƯỜI TIẾP NHẬN HỒ SƠ") == 1
        last = copy[-1]
        assert "NGƯỜI NỘP HỒ SƠ" in last and "2. Số lượng hồ sơ: 1 bộ" in last
        assert "Giấy tờ số 40" in last or "Giấy tờ số 40" in copy[-2]
        assert "…" in text and len(text) < 20_000  # the address was cut, not printed whole
    assert_no_overlapping_words(pdf)


@needs_poppler
def test_receipt_words_do_not_overlap(dossier: DossierView, tmp_path: Path) -> None:
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(render_receipt(dossier))
    assert_no_overlapping_words(pdf)


@needs_poppler
@needs_zbar
def test_supplement_lists_missing_documents(dossier: DossierView, tmp_path: Path) -> None:
    reason = "Thiếu bản sao Giấy chứng nhận kết hôn để xác định quan hệ cha, mẹ, con."
    pdf = tmp_path / "supplement.pdf"
    pdf.write_bytes(render_supplement(dossier, reason, officer_phone="0918 777 888"))
    pages = page_texts(pdf.read_bytes())

    assert len(pages) == 1
    for expected in (
        "Mẫu số 02",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        f"Mã hồ sơ: {CODE}",
        f"Hồ sơ của: {NAME}",
        "Giấy chứng nhận kết hôn của cha mẹ",
        "Bản sao",
        f"Lý do: {reason}",
        "liên hệ với Trần Văn Hậu, số điện thoại 0918 777 888",
        "NGƯỜI HƯỚNG DẪN",
    ):
        assert expected in pages[0]
    assert "Tờ khai đăng ký khai sinh" not in pages[0]
    assert decode_page(pdf, 1) == [CODE]
    assert_no_overlapping_words(pdf)


def test_rendering_from_worker_threads(dossier: DossierView) -> None:
    expected = page_texts(render_receipt(dossier))
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: (render_receipt(dossier), render_label(dossier, "pdf")), range(12))
        )
    assert all(page_texts(receipt) == expected for receipt, _ in results)
    assert all(CODE in page_texts(label)[0] for _, label in results)


def test_supplement_without_reason_prints_the_default_sentence_above_the_list(
    dossier: DossierView,
) -> None:
    page = page_texts(render_supplement(dossier, "  "))[0]
    reason = f"Lý do: {DEFAULT_SUPPLEMENT_REASON}"
    assert reason in page
    assert page.index(reason) < page.index("Giấy chứng nhận kết hôn của cha mẹ")


def test_supplement_with_nothing_missing_is_refused(dossier: DossierView) -> None:
    complete = dataclasses.replace(dossier, documents=dossier.documents[:3])
    with pytest.raises(ValidationError) as err:
        render_supplement(complete, "Thiếu giấy tờ")
    assert err.value.code == "supplement_nothing_missing"


@needs_zbar
def test_label_png_scans_and_is_50_by_30_mm(dossier: DossierView, tmp_path: Path) -> None:
    png = tmp_path / "label.png"
    png.write_bytes(render_label(dossier, "png"))

    with Image.open(png) as img:
        width, height = img.size
        dpi_x, dpi_y = img.info["dpi"]
    assert width / dpi_x * 25.4 == pytest.approx(50, abs=0.01)
    assert height / dpi_y * 25.4 == pytest.approx(30, abs=0.01)
    assert zbar(png) == [CODE]


@needs_poppler
@needs_zbar
def test_label_pdf_is_50_by_30_mm_and_scans(dossier: DossierView, tmp_path: Path) -> None:
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(render_label(dossier, "pdf"))
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox

    assert len(reader.pages) == 1
    assert float(box.width) / 72 * 25.4 == pytest.approx(50, abs=0.01)
    assert float(box.height) / 72 * 25.4 == pytest.approx(30, abs=0.01)
    text = " ".join(reader.pages[0].extract_text().split())
    assert CODE in text and NAME in text and "Hẹn trả: 03/12/2026" in text
    assert decode_page(pdf, 1, dpi=406.4) == [CODE]  # 2 pixels per printer dot


def test_label_svg_is_well_formed_and_sized_in_mm(dossier: DossierView) -> None:
    root = ET.fromstring(render_label(dossier, "svg"))

    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("50mm", "30mm")
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == [CODE, NAME, "Hẹn trả: 03/12/2026"]


def test_folder_spooler_writes_the_pdf(tmp_path: Path) -> None:
    spooler = FolderSpooler(tmp_path / "out")
    spooler.send(b"%PDF-1.4 test", title="Giấy tiếp nhận 000.00.25.H01-261128-0007")
    spooler.send(b"%PDF-1.4 second", copies=2, title="Giấy tiếp nhận 000.00.25.H01-261128-0007")

    files = sorted((tmp_path / "out").iterdir())
    assert len(files) == 2
    assert files[0].read_bytes() == b"%PDF-1.4 test"
    assert files[0].name.endswith("-Giấy-tiếp-nhận-000.00.25.H01-261128-0007.pdf")
    assert files[1].name.endswith("-x2.pdf")
    assert spooler.last_path == files[1]


def test_folder_spooler_unwritable_folder_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(PrintFailed) as err:
        FolderSpooler(blocker / "out").send(b"%PDF", title="x")
    assert err.value.code == "folder_unwritable"


def test_fake_spooler_fails_then_recovers() -> None:
    spooler = FakeSpooler()
    spooler.fail_next(1)
    with pytest.raises(PrintFailed) as err:
        spooler.send(b"%PDF", title="a")
    assert err.value.code == "printer_offline"
    spooler.send(b"%PDF", copies=2, title="a")
    assert [(j.copies, j.title) for j in spooler.jobs] == [(2, "a")]


def test_one_page_receipt_is_laid_out_once_and_stamped_per_copy(dossier: DossierView) -> None:
    import io

    from pypdf import PdfReader

    pdf = render_receipt(dossier)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    forms = []
    for page in reader.pages:
        xobjects = page["/Resources"]["/XObject"]
        refs = [xobjects.raw_get(k) for k in xobjects]
        forms.append({(r.idnum, r.generation) for r in refs})
    assert forms[0] == forms[1] and len(forms[0]) == 1  # one shared page body
    first, second = page_texts(pdf)
    assert "(Liên 1: Lưu)" in first and "Liên 2" not in first
    assert "(Liên 2: Giao người nộp hồ sơ)" in second and "Liên 1" not in second
    strip = lambda t: t.replace("Liên 1: Lưu", "").replace("Liên 2: Giao người nộp hồ sơ", "")  # noqa: E731
    assert sorted(strip(first).split()) == sorted(strip(second).split())


@needs_poppler
@needs_zbar
@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a4_forms_barcode_decodes_at_laser_resolutions(
    dossier: DossierView, tmp_path: Path, dpi: int
) -> None:
    """The A4 forms' Code 128 has a 1/75-inch module (0.34 mm, 2-4 pixels at these
    resolutions), unlike the label's old 0.125 mm: it reads at every one (issue 14 item 14)."""
    for name, pdf in (
        ("receipt", render_receipt(dossier)),
        ("supplement", render_supplement(dossier, DEFAULT_SUPPLEMENT_REASON)),
    ):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        assert decode_page(path, 1, dpi=dpi) == [CODE], (name, dpi)


def test_receipts_share_the_cached_font_subsets_and_extract_back(dossier: DossierView) -> None:
    """Issue 17: each face's first subset starts with every Vietnamese letter, so ordinary
    receipts embed the same subsets (made once, from the cache); a name with letters outside
    that seed gets its own subset, and every text still extracts back exactly, in any order."""
    from reportlab.pdfbase import pdfmetrics

    from counter_app.printing.fonts import REGULAR, SeededTTFont, register_fonts

    register_fonts()
    face = pdfmetrics.getFont(REGULAR)
    assert isinstance(face, SeededTTFont)
    foreign = dataclasses.replace(
        dossier, applicant=dataclasses.replace(dossier.applicant, name="Müller Ñguyễn Øyvind")
    )
    other = dataclasses.replace(
        dossier, applicant=dataclasses.replace(dossier.applicant, name="Lê Thị Ỹ Đặng")
    )
    render_receipt(dossier)
    before = face._subset_parts.cache_info()
    texts = {d.applicant.name: page_texts(render_receipt(d)) for d in (other, foreign, dossier)}
    after = face._subset_parts.cache_info()

    assert after.hits >= before.hits + 2  # the two Vietnamese names: the cached subset
    assert after.misses == before.misses + 1  # only the foreign name made a new one
    for name, pages in texts.items():
        assert len(pages) == 2
        for page in pages:
            assert f"Tiếp nhận hồ sơ của: {name}" in page
            assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page


def test_paragraph_wrapped_again_at_another_width_breaks_anew() -> None:
    """layout.Para keeps its line breaks for a repeated width only."""
    from reportlab.platypus import Paragraph

    from counter_app.printing import layout as L

    markup = "Nội dung yêu cầu giải quyết: <b>" + "Chứng thực bản sao từ bản chính " * 4 + "</b>"
    para = L.para(markup)
    for width in (200.0, 400.0, 200.0, 120.0, 400.0):
        fresh = Paragraph(markup, L.styles()["body"])
        assert para.wrap(width, 1000.0) == fresh.wrap(width, 1000.0)
        assert _lines(para) == _lines(fresh)


def _lines(para: object) -> list[list[tuple[str, str]]]:
    return [[(w.fontName, w.text) for w in line.words] for line in para.blPara.lines]  # type: ignore[attr-defined]


def test_shared_header_follows_the_unit_and_the_day(dossier: DossierView) -> None:
    """The header, note, title and signature blocks are built once per unit, day and clerk and
    shared between documents: each receipt still prints its own day and its own clerk."""
    later = dataclasses.replace(
        dossier, received_at=datetime(2026, 11, 30, 14, 5), received_by="Lê Thị Ngọc Hân"
    )
    for d, day, clerk in (
        (dossier, "ngày 28 tháng 11 năm 2026", "Trần Văn Hậu"),
        (later, "ngày 30 tháng 11 năm 2026", "Lê Thị Ngọc Hân"),
        (dossier, "ngày 28 tháng 11 năm 2026", "Trần Văn Hậu"),
    ):
        for page in page_texts(render_receipt(d)):
            assert f"Mỹ Hòa Hưng, {day}" in page
            assert clerk in page
            assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in page

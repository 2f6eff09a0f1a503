"""Archive PDFs of digitised documents (issue 15 item 2): each document one PDF, its page
images compressed for text, with a Vietnamese OCR text layer where Tesseract is installed.

Each image page is oriented (its EXIF rotation, then the clerk's rotation), turned grey and
brought to A4 at 200 dpi (a phone photo of 4000 px is scaled down; a smaller scan is kept).
A page that is text (almost every pixel near black or white) becomes bilevel, stored CCITT G4
(~40 KB an A4 page of text); a page with photos or shading stays grey, JPEG quality 50.
PDFs given as input are kept as they are (opened with pypdfium2 to check them: an encrypted
or broken PDF is refused), their pages appended in order.

OCR: `tesseract <list of page images> out -l vie pdf` writes the same images with an
invisible text layer; it takes seconds a page, so the service runs from a worker, never
the UI thread. Missing Tesseract (or its Vietnamese data) means no text layer, ocr=False.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # PIL and pypdfium2 load when a file is checked or built (issue 17)
    from PIL import Image

from counter_app.domain.errors import ValidationError

log = logging.getLogger(__name__)

DPI = 200
A4_MM = (210.0, 297.0)
# The longest side of a page at DPI when it is A4: a bigger image is scaled down to it.
MAX_LONG_SIDE = round(A4_MM[1] / 25.4 * DPI)  # 2339 px
JPEG_QUALITY = 50
# A page is "text" when at most this share of its pixels are mid-greys (not ink, not paper).
TEXT_MIDTONE_SHARE = 0.06
OCR_TIMEOUT_S = 120  # a page; a stuck tesseract is killed and the PDF kept without text


@dataclass(frozen=True)
class PageImage:
    """A scanned page as PNG or JPEG bytes, with the clerk's rotation (clockwise degrees)."""

    data: bytes
    rotation: int = 0  # 0 | 90 | 180 | 270


@dataclass(frozen=True)
class ArchivePdf:
    pdf: bytes
    pages: int
    ocr: bool


def sniff(head: bytes) -> str | None:
    """What the bytes are, by content: "pdf", "png", "jpeg", "tiff", "webp", "bmp" or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"BM"):
        return "bmp"
    # PDF readers accept the header anywhere in the first 1024 bytes (some scanners prefix junk)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


# One OpenMP thread: tesseract's default team thrashes on a busy 2-core counter PC (two
# pages: 17.7 s with the default, 2.8 s with one thread, back to back; README figures).
_OCR_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
# Windows: no console window flashing up for each tesseract run from the counter window.
_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)


def _find_tesseract() -> str | None:
    """On PATH; on Windows also where the UB Mannheim installer puts it (not on PATH)."""
    exe = shutil.which("tesseract")
    if exe or os.name != "nt":
        return exe
    for base in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)")):
        if base and (Path(base) / "Tesseract-OCR" / "tesseract.exe").is_file():
            return str(Path(base) / "Tesseract-OCR" / "tesseract.exe")
    return None


@lru_cache(maxsize=1)
def tesseract_vie() -> str | None:
    """The tesseract program when it and its Vietnamese data are installed, else None."""
    exe = _find_tesseract()
    if not exe:
        return None
    try:
        out = subprocess.run(
            [exe, "--list-langs"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            creationflags=_NO_WINDOW,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    langs = {line.strip() for line in (out.stdout + out.stderr).splitlines()}
    return exe if "vie" in langs else None


def check_pdf(data: bytes) -> int:
    """The page count of a PDF given as input; ValidationError when encrypted or broken."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ValidationError("file_pdf_encrypted") from None
        raise ValidationError("file_pdf_broken") from None
    try:
        n = len(doc)
        if n < 1:
            raise ValidationError("file_pdf_broken")
        return n
    finally:
        doc.close()


def prepare_page(data: bytes, rotation: int = 0) -> Image.Image:
    """The page oriented, grey, at most A4 at DPI; bilevel ("1") when it is text."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if rotation % 90:
        raise ValidationError("file_bad_rotation", rotation=rotation)
    try:
        im: Image.Image = Image.open(io.BytesIO(data))
        im.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError("file_image_broken") from None
    im = ImageOps.exif_transpose(im) or im  # a phone holds its rotation in EXIF
    if rotation % 360:
        im = im.rotate(-(rotation % 360), expand=True)
    if im.mode in ("RGBA", "LA", "P"):
        im = im.convert("RGBA")
        paper = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(paper, im)
    grey = im.convert("L")
    long_side = max(grey.size)
    if long_side > MAX_LONG_SIDE:
        scale = MAX_LONG_SIDE / long_side
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.LANCZOS)
    hist = grey.histogram()
    total = grey.width * grey.height
    midtones = sum(hist[64:192])
    if midtones <= TEXT_MIDTONE_SHARE * total:
        return grey.point(lambda v: 255 if v >= 160 else 0).convert("1")
    return grey


def _page_dpi(im: Image.Image) -> float:
    """The resolution that makes the page A4-sized (as scanned: DPI for an A4 page)."""
    long_side = max(im.size)
    return max(72.0, min(600.0, long_side / (A4_MM[1] / 25.4)))


def _image_pdf(images: list[Image.Image]) -> bytes:
    """The pages without OCR: Pillow writes mode "1" as CCITT G4, mode "L" as JPEG."""
    parts = []
    for im in images:
        out = io.BytesIO()
        options: dict[str, object] = {"resolution": _page_dpi(im)}
        if im.mode != "1":  # (Pillow hands `quality` to its TIFF writer too, which refuses it)
            options["quality"] = JPEG_QUALITY
        im.save(out, "PDF", **options)
        parts.append(out.getvalue())
    return _concat(parts)


def _ocr_pdf(exe: str, images: list[Image.Image]) -> bytes | None:
    """The pages through tesseract (image + invisible text), or None when it fails."""
    with tempfile.TemporaryDirectory(prefix="counter-ocr-") as tmp:
        folder = Path(tmp)
        names = []
        for i, im in enumerate(images):
            dpi = round(_page_dpi(im))
            if im.mode == "1":
                path = folder / f"p{i:04d}.tif"
                im.save(path, compression="group4", dpi=(dpi, dpi))
            else:
                path = folder / f"p{i:04d}.jpg"
                im.save(path, quality=JPEG_QUALITY, dpi=(dpi, dpi))
            names.append(str(path))
        listing = folder / "pages.txt"
        listing.write_text("\n".join(names) + "\n", encoding="utf-8")
        try:
            done = subprocess.run(
                [exe, str(listing), str(folder / "out"), "-l", "vie", "pdf"],
                capture_output=True,
                timeout=OCR_TIMEOUT_S * len(images),
                check=False,
                creationflags=_NO_WINDOW,
                env=_OCR_ENV,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("OCR failed: %s", type(exc).__name__)
            return None
        result = folder / "out.pdf"
        if done.returncode != 0 or not result.exists():
            log.warning("OCR failed: tesseract exit %s", done.returncode)
            return None
        return result.read_bytes()


def _concat(parts: list[bytes]) -> bytes:
    if len(parts) == 1:
        return parts[0]
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    try:
        for part in parts:
            src = pdfium.PdfDocument(part)
            out.import_pages(src)
            src.close()
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()


def build_archive_pdf(pages: Sequence[PageImage | bytes], *, ocr: bool | None = None) -> ArchivePdf:
    """One archive PDF from a document's pages, in order: page images (PNG, JPEG, TIFF,
    a phone photo) and whole PDFs. `ocr`: None = when Tesseract with Vietnamese is installed;
    False = never; True = when it can (missing Tesseract is not an error either way).
    Raises ValidationError for content that is neither an image nor a PDF, a broken image,
    an encrypted or broken PDF. Slow with OCR (seconds a page): call it from a worker."""
    if not pages:
        raise ValidationError("file_no_pages")
    exe = tesseract_vie() if ocr is not False else None
    # Runs of consecutive images become one part; each PDF given is a part of its own.
    parts: list[tuple[str, list[Image.Image] | bytes]] = []
    for page in pages:
        data, rotation = (page.data, page.rotation) if isinstance(page, PageImage) else (page, 0)
        kind = sniff(data[:1024])
        if kind is None:
            raise ValidationError("file_not_document")
        if kind == "pdf":
            check_pdf(data)
            parts.append(("pdf", data))
            continue
        im = prepare_page(data, rotation)
        if parts and parts[-1][0] == "images":
            images = parts[-1][1]
            assert isinstance(images, list)
            images.append(im)
        else:
            parts.append(("images", [im]))
    pdfs: list[bytes] = []
    did_ocr = bool(exe) and any(kind == "images" for kind, _ in parts)
    for _kind, content in parts:
        if isinstance(content, bytes):
            pdfs.append(content)
            continue
        made = _ocr_pdf(exe, content) if exe else None
        if made is None:
            did_ocr = False
            made = _image_pdf(content)
        pdfs.append(made)
    pdf = _steady(_concat(pdfs))
    return ArchivePdf(pdf=pdf, pages=check_pdf(pdf), ocr=did_ocr)


_DATE_RE = re.compile(rb"/(?:CreationDate|ModDate)\s*\(D:([0-9+\-Z']+)\)")
_ID_RE = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_FIXED_DATE = b"20000101000000"


def _steady(pdf: bytes) -> bytes:
    """The same pages give the same bytes: the writers' clock dates and random file ids are
    replaced by fixed ones of the same length (the cross-reference offsets stay right), so
    a document attached twice has one hash and is stored once."""

    def date(m: re.Match[bytes]) -> bytes:
        whole, start = bytearray(m.group(0)), m.start(1) - m.start(0)
        digits = 0
        for i in range(start, start + len(m.group(1))):
            if chr(whole[i]).isdigit():
                whole[i] = _FIXED_DATE[digits] if digits < len(_FIXED_DATE) else ord("0")
                digits += 1
        return bytes(whole)

    def file_id(m: re.Match[bytes]) -> bytes:
        whole = bytearray(m.group(0))
        for g in (1, 2):
            for i in range(m.start(g) - m.start(0), m.end(g) - m.start(0)):
                whole[i] = ord("0")
        return bytes(whole)

    return _ID_RE.sub(file_id, _DATE_RE.sub(date, pdf))

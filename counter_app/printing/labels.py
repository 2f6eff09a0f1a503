"""Folder labels (50×30, 60×40 or 100×50 mm): a QR or Code 128 of the dossier code, the code,
applicant, due date."""

# One layout in printer dots (8 dots/mm, the "203 dpi" thermal printers) drawn three ways: PNG,
# SVG and PDF. Every module of the code is a whole number of dots and at least 2 (0.25 mm),
# so the code decodes however the page is rasterised: at 203 dpi on the label printer, at
# 300 dpi, or on an A4 laser (issue 14: the 1-dot Code 128 did not at 300 dpi).
#
# QR (the default): error correction Q, alphanumeric mode (a dossier code is digits, capitals,
# "." and "-"), 25×25 modules for a usual code, the largest whole-dot module (up to 6 dots)
# that fits the band above the text with a 4-module quiet zone: 3 dots (0.375 mm) on 50×30.
# Code 128: the widest of 3 or 2 dots that fits the width with 10-module quiet zones; a code
# like "000.00.20.H01-261128-0001" is 288 modules even with code set C for the digit runs,
# 77 mm at 2 dots, so only the 100×50 stock takes it (printing/label_spec.py refuses it on the
# narrower stock). Both encode the dossier code exactly as printed, which is what the scan
# dispatcher (ui/scan.py) and the look-up (services/lookup.py) match.

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache, lru_cache

from barcode import Code128
from barcode.errors import BarcodeError
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from counter_app.domain.errors import ValidationError
from counter_app.domain.model import DossierView
from counter_app.printing import fonts
from counter_app.printing.label_spec import (
    CODE128_QUIET_MODULES,
    DOTS_PER_MM,
    MIN_MODULE_DOTS,
    LabelSpec,
)
from counter_app.printing.qr import qr_modules
from counter_app.printing.wording import short_date

FORMATS = ("pdf", "png", "svg")
DPI = DOTS_PER_MM * 25.4
WIDTH_MM, HEIGHT_MM = 50, 30  # the default stock
WIDTH, HEIGHT = WIDTH_MM * DOTS_PER_MM, HEIGHT_MM * DOTS_PER_MM  # 400 × 240 dots
QUIET_MODULES = CODE128_QUIET_MODULES
MODULE_DOTS = (3, MIN_MODULE_DOTS)  # Code 128, preferred first
QR_QUIET_MODULES = 4
QR_MAX_DOTS = 6  # 0.75 mm: bigger only takes room from the text
TEXT_MARGIN_MM = 2.0
TEXT_BLOCK_MM = 16.0  # the three lines of text take the bottom 16 mm; the code the band above
BAR_TOP_MM, BAR_MAX_HEIGHT_MM = 1.5, 15.0
SVG_FONTS = "'Liberation Serif', 'Times New Roman', Tinos, serif"
PT_TO_DOTS = 25.4 / 72 * DOTS_PER_MM


@dataclass(frozen=True)
class Line:
    """One line of text, centred on the label; sizes in points, baseline in mm from the top."""

    text: str
    face: str
    size: float
    baseline_mm: float


@dataclass(frozen=True)
class LabelLayout:
    spec: LabelSpec
    rects: tuple[tuple[int, int, int, int], ...]  # (left, top, width, height) of the ink, dots
    module: int  # dots per module
    code_box: tuple[int, int, int, int]  # the symbol without its quiet zones, dots
    lines: tuple[Line, ...]

    @property
    def width(self) -> int:
        return self.spec.width_mm * DOTS_PER_MM

    @property
    def height(self) -> int:
        return self.spec.height_mm * DOTS_PER_MM


def render_label(d: DossierView, fmt: str, spec: LabelSpec | None = None) -> bytes:
    """The folder label of `d` as "pdf", "png" (203 dpi, one pixel per printer dot) or "svg"
    (sized in mm), on `spec`'s stock with its symbology (default: 50×30 mm, QR)."""
    if fmt not in FORMATS:
        raise ValidationError("label_format_invalid", fmt=fmt)
    lay = label_layout(d, spec)
    if fmt == "svg":
        return _svg(lay)
    with fonts.RENDER_LOCK:
        return _png(lay) if fmt == "png" else _pdf(lay, d.code)


def label_layout(d: DossierView, spec: LabelSpec | None = None) -> LabelLayout:
    """Where every module and line of text goes, in printer dots."""
    spec = spec or LabelSpec()
    _check_code(d.code)
    width, height = spec.width_mm * DOTS_PER_MM, spec.height_mm * DOTS_PER_MM
    band = height - round(TEXT_BLOCK_MM * DOTS_PER_MM)
    if spec.symbology == "code128":
        rects, module, box = _code128(d.code, spec, width, band)
    else:
        rects, module, box = _qr(d.code, spec, width, band)
    text_w = (spec.width_mm - 2 * TEXT_MARGIN_MM) * mm
    name = fonts.fit_width(d.applicant.name, fonts.BOLD, 11, text_w)
    h = spec.height_mm
    lines = (
        Line(fonts.fit_width(d.code, fonts.REGULAR, 8.5, text_w), fonts.REGULAR, 8.5, h - 13.2),
        Line(name, fonts.BOLD, 11, h - 8.2),
        Line(f"Hẹn trả: {short_date(d.due_date)}", fonts.REGULAR, 10.5, h - 3.4),
    )
    return LabelLayout(spec, rects, module, box, lines)


def _check_code(code: str) -> None:
    if not code or not code.isascii() or not code.isprintable():
        raise ValidationError("code_invalid", value=code)


Rects = tuple[tuple[int, int, int, int], ...]


def _code128(
    code: str, spec: LabelSpec, width: int, band: int
) -> tuple[Rects, int, tuple[int, int, int, int]]:
    pattern = _bar_pattern(code)
    module = _module_dots(len(pattern), width, spec)
    left = (width - len(pattern) * module) // 2
    bar_h = min(band - 2 * round(BAR_TOP_MM * DOTS_PER_MM), round(BAR_MAX_HEIGHT_MM * DOTS_PER_MM))
    top = max(round(BAR_TOP_MM * DOTS_PER_MM), (band - bar_h) // 2)
    rects = tuple(
        (left + start * module, top, len(run) * module, bar_h) for start, run in _runs(pattern)
    )
    return rects, module, (left, top, len(pattern) * module, bar_h)


def _qr(
    code: str, spec: LabelSpec, width: int, band: int
) -> tuple[Rects, int, tuple[int, int, int, int]]:
    matrix = qr_matrix(code)
    n = len(matrix)
    room = min(width, band) // (n + 2 * QR_QUIET_MODULES)
    module = min(room, QR_MAX_DOTS)
    if module < MIN_MODULE_DOTS:
        raise ValidationError("label_code_too_long", code=code, size=spec.size_text)
    left, top = (width - n * module) // 2, (band - n * module) // 2
    rects = []
    for r, row in enumerate(matrix):  # one rectangle per run of dark modules in a row
        for start, run in _runs("".join("1" if dark else "0" for dark in row)):
            rects.append((left + start * module, top + r * module, len(run) * module, module))
    return tuple(rects), module, (left, top, n * module, n * module)


@lru_cache(maxsize=64)  # a dossier's label and its reprints; codes are new every save
def qr_matrix(code: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules of `code` (True = dark): error correction Q, the smallest version, the
    mask the standard's penalty rules pick: segno's symbol, its mask chosen faster (qr.py;
    reportlab's encoder takes 6× longer)."""
    return tuple(tuple(bool(v) for v in row) for row in qr_modules(code))


def _bar_pattern(code: str) -> str:
    """Code 128 modules ("1" bar, "0" space) with start, check and stop, by python-barcode."""
    _check_code(code)
    try:
        return str(Code128(code).build()[0])  # code set C for runs of 4+ digits
    except BarcodeError:
        raise ValidationError("code_invalid", value=code) from None


def _module_dots(modules: int, width: int = WIDTH, spec: LabelSpec | None = None) -> int:
    for dots in MODULE_DOTS:
        if (modules + 2 * QUIET_MODULES) * dots <= width:
            return dots
    spec = spec or LabelSpec()
    raise ValidationError("label_code_too_long", modules=modules, size=spec.size_text)


_DARK_RUN = re.compile("1+")


def _runs(pattern: str) -> list[tuple[int, str]]:
    """(start, run) of each maximal run of "1"."""
    return [(m.start(), m.group()) for m in _DARK_RUN.finditer(pattern)]


@cache
def _pil_font(face: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.font_path(face)), round(size * PT_TO_DOTS))


def _png(lay: LabelLayout) -> bytes:
    img = Image.new("1", (lay.width, lay.height), 1)
    draw = ImageDraw.Draw(img)
    for x, y, w, h in lay.rects:
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=0)
    for line in lay.lines:
        baseline = line.baseline_mm * DOTS_PER_MM
        draw.text(
            (lay.width / 2, baseline),
            line.text,
            font=_pil_font(line.face, line.size),
            fill=0,
            anchor="ms",
        )
    out = io.BytesIO()
    # pHYs 8000 dots per metre: exactly the stock in mm. zlib level 1: half the time of the
    # default level 6 for ~20% more bytes (~2 KB a label)
    img.save(out, "PNG", dpi=(DPI, DPI), compress_level=1)
    return out.getvalue()


def _svg(lay: LabelLayout) -> bytes:
    w_mm, h_mm = lay.spec.width_mm, lay.spec.height_mm
    root = ET.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        width=f"{w_mm}mm",
        height=f"{h_mm}mm",
        viewBox=f"0 0 {lay.width} {lay.height}",  # one user unit = one printer dot (0.125 mm)
    )
    ET.SubElement(root, "rect", width=str(lay.width), height=str(lay.height), fill="#fff")
    path = " ".join(f"M{x} {y}h{w}v{h}h{-w}z" for x, y, w, h in lay.rects)
    ET.SubElement(root, "path", d=path, fill="#000", attrib={"shape-rendering": "crispEdges"})
    for line in lay.lines:
        node = ET.SubElement(
            root,
            "text",
            x=str(lay.width / 2),
            y=f"{line.baseline_mm * DOTS_PER_MM:g}",
            fill="#000",
            attrib={
                "font-family": SVG_FONTS,
                "font-size": f"{line.size * PT_TO_DOTS:.2f}",
                "font-weight": "bold" if line.face == fonts.BOLD else "normal",
                "text-anchor": "middle",
            },
        )
        node.text = line.text
    body: bytes = ET.tostring(root, encoding="unicode").encode("utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _pdf(lay: LabelLayout, code: str) -> bytes:
    fonts.register_fonts()
    out = io.BytesIO()
    page_w, page_h = lay.spec.width_mm * mm, lay.spec.height_mm * mm
    dot = mm / DOTS_PER_MM
    canvas = Canvas(
        out,
        pagesize=(page_w, page_h),
        pageCompression=1,
        initialFontName=fonts.REGULAR,  # else reportlab adds an unembedded Helvetica
        lang="vi-VN",
    )
    canvas.setTitle(f"Nhãn hồ sơ {code}")
    canvas.setCreator("counter-app")
    canvas.setFillColorRGB(0, 0, 0)
    # One path for all the modules: filled once, so touching modules leave no hairline seams
    # when a viewer or driver anti-aliases each rectangle's edges.
    path = canvas.beginPath()
    for x, y, w, h in lay.rects:
        path.rect(x * dot, page_h - (y + h) * dot, w * dot, h * dot)
    canvas.drawPath(path, stroke=0, fill=1)
    for line in lay.lines:
        canvas.setFont(line.face, line.size)
        canvas.drawCentredString(page_w / 2, page_h - line.baseline_mm * mm, line.text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()

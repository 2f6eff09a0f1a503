"""Folder labels for 50×30 mm stock: Code 128 of the dossier code, the code, applicant, due date."""

# One layout in printer dots (8 dots/mm, the "203 dpi" thermal printers) drawn three ways: PNG,
# SVG and PDF. The bar module is a whole number of dots: the widest of 3, 2, 1 dots (0.375,
# 0.250, 0.125 mm) that fits 50 mm with 10-module quiet zones. A code like
# "000.00.20.H01-261128-0001" is 288 modules even with code set C for the digit runs, so
# 0.250 mm would need 77 mm; on 50 mm stock it prints at 1 dot (0.125 mm, 36 mm wide).

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache

from barcode import Code128
from barcode.errors import BarcodeError
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from counter_app.domain.errors import ValidationError
from counter_app.domain.model import DossierView
from counter_app.printing import fonts
from counter_app.printing.wording import short_date

FORMATS = ("pdf", "png", "svg")
DOTS_PER_MM = 8  # 203.2 dpi: the dot pitch is exactly 0.125 mm
DPI = DOTS_PER_MM * 25.4
WIDTH_MM, HEIGHT_MM = 50, 30
WIDTH, HEIGHT = WIDTH_MM * DOTS_PER_MM, HEIGHT_MM * DOTS_PER_MM  # 400 × 240 dots
QUIET_MODULES = 10
MODULE_DOTS = (3, 2, 1)  # preferred first
TEXT_MARGIN_MM = 2.0
BAR_TOP_MM, BAR_HEIGHT_MM = 1.5, 12.0
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
    bars: tuple[tuple[int, int], ...]  # (left, width) of each bar, in dots
    module: int  # dots per module
    bar_top: int  # dots from the top edge
    bar_height: int  # dots
    lines: tuple[Line, ...]


def render_label(d: DossierView, fmt: str) -> bytes:
    """The folder label of `d` as "pdf", "png" (203 dpi, 400×240 dots) or "svg" (sized in mm)."""
    if fmt not in FORMATS:
        raise ValidationError("label_format_invalid", fmt=fmt)
    lay = label_layout(d)
    if fmt == "svg":
        return _svg(lay)
    with fonts.RENDER_LOCK:
        return _png(lay) if fmt == "png" else _pdf(lay, d.code)


def label_layout(d: DossierView) -> LabelLayout:
    """Where every bar and line of text goes, in printer dots."""
    pattern = _bar_pattern(d.code)
    module = _module_dots(len(pattern))
    left = (WIDTH - len(pattern) * module) // 2
    bars = tuple((left + start * module, len(run) * module) for start, run in _runs(pattern))
    text_w = (WIDTH_MM - 2 * TEXT_MARGIN_MM) * mm
    name = fonts.fit_width(d.applicant.name, fonts.BOLD, 11, text_w)
    lines = (
        Line(fonts.fit_width(d.code, fonts.REGULAR, 8.5, text_w), fonts.REGULAR, 8.5, 16.8),
        Line(name, fonts.BOLD, 11, 21.8),
        Line(f"Hẹn trả: {short_date(d.due_date)}", fonts.REGULAR, 10.5, 26.6),
    )
    top, height = round(BAR_TOP_MM * DOTS_PER_MM), round(BAR_HEIGHT_MM * DOTS_PER_MM)
    return LabelLayout(bars, module, top, height, lines)


def _bar_pattern(code: str) -> str:
    """Code 128 modules ("1" bar, "0" space) with start, check and stop, by python-barcode."""
    if not code or not code.isascii() or not code.isprintable():
        raise ValidationError("code_invalid", value=code)
    try:
        return str(Code128(code).build()[0])  # code set C for runs of 4+ digits
    except BarcodeError:
        raise ValidationError("code_invalid", value=code) from None


def _module_dots(modules: int) -> int:
    for dots in MODULE_DOTS:
        if (modules + 2 * QUIET_MODULES) * dots <= WIDTH:
            return dots
    raise ValidationError("label_code_too_long", modules=modules)


def _runs(pattern: str) -> list[tuple[int, str]]:
    """(start, run) of each bar: maximal runs of "1"."""
    out, pos = [], 0
    for bit, group in itertools.groupby(pattern):
        run = "".join(group)
        if bit == "1":
            out.append((pos, run))
        pos += len(run)
    return out


@cache
def _pil_font(face: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.font_path(face)), round(size * PT_TO_DOTS))


def _png(lay: LabelLayout) -> bytes:
    img = Image.new("1", (WIDTH, HEIGHT), 1)
    draw = ImageDraw.Draw(img)
    for x, w in lay.bars:
        draw.rectangle((x, lay.bar_top, x + w - 1, lay.bar_top + lay.bar_height - 1), fill=0)
    for line in lay.lines:
        y = line.baseline_mm * DOTS_PER_MM
        draw.text(
            (WIDTH / 2, y), line.text, font=_pil_font(line.face, line.size), fill=0, anchor="ms"
        )
    out = io.BytesIO()
    img.save(out, "PNG", dpi=(DPI, DPI))  # pHYs 8000 dots per metre: exactly 50 × 30 mm
    return out.getvalue()


def _svg(lay: LabelLayout) -> bytes:
    root = ET.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        width=f"{WIDTH_MM}mm",
        height=f"{HEIGHT_MM}mm",
        viewBox=f"0 0 {WIDTH} {HEIGHT}",  # one user unit = one printer dot (0.125 mm)
    )
    ET.SubElement(root, "rect", width=str(WIDTH), height=str(HEIGHT), fill="#fff")
    path = " ".join(f"M{x} {lay.bar_top}h{w}v{lay.bar_height}h{-w}z" for x, w in lay.bars)
    ET.SubElement(root, "path", d=path, fill="#000", attrib={"shape-rendering": "crispEdges"})
    for line in lay.lines:
        node = ET.SubElement(
            root,
            "text",
            x=str(WIDTH / 2),
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
    page_h = HEIGHT_MM * mm
    dot = mm / DOTS_PER_MM
    canvas = Canvas(
        out,
        pagesize=(WIDTH_MM * mm, page_h),
        pageCompression=1,
        initialFontName=fonts.REGULAR,  # else reportlab adds an unembedded Helvetica
        lang="vi-VN",
    )
    canvas.setTitle(f"Nhãn hồ sơ {code}")
    canvas.setCreator("counter-app")
    canvas.setFillColorRGB(0, 0, 0)
    bottom = page_h - (lay.bar_top + lay.bar_height) * dot
    for x, w in lay.bars:
        canvas.rect(x * dot, bottom, w * dot, lay.bar_height * dot, stroke=0, fill=1)
    for line in lay.lines:
        canvas.setFont(line.face, line.size)
        canvas.drawCentredString(WIDTH_MM * mm / 2, page_h - line.baseline_mm * mm, line.text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()

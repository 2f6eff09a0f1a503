"""The "print a test page" pages (issue 13 item 1): one A4 page and one 50×30 mm label that
show, on paper, that a printer is reached through the app's own print path: the Vietnamese
letters, the edges of the page, grey levels and a Code 128 bar code a scanner must read."""

from __future__ import annotations

import io
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from counter_app.printing import fonts, labels
from counter_app.printing.label_spec import DOTS_PER_MM, LabelSpec

TEST_CODE = "IN-THU-01"  # what the bar code of both pages says
VIETNAMESE = "Tiếng Việt: ă â đ ê ô ơ ư · À Á Ả Ã Ạ · Ầ Ấ Ẩ Ẫ Ậ · Ệ Ộ Ợ Ự · Nguyễn Thị Ánh Tuyết"


def render_test_page(
    kind: str, printer: str, unit_name: str, at: datetime, spec: LabelSpec | None = None
) -> bytes:
    """A4 ("a4") or label ("label") test page naming the printer and the time it was asked."""
    with fonts.RENDER_LOCK:
        fonts.register_fonts()
        return _label(printer, at, spec) if kind == "label" else _a4(printer, unit_name, at)


def _a4(printer: str, unit_name: str, at: datetime) -> bytes:
    buf = io.BytesIO()
    width, height = A4
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle("Trang in thử máy in A4")
    c.setCreator("counter-app")
    c.setLineWidth(0.5)
    c.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)  # 10 mm from every edge
    y = height - 30 * mm
    c.setFont(fonts.BOLD, 18)
    c.drawCentredString(width / 2, y, "TRANG IN THỬ MÁY IN A4")
    c.setFont(fonts.REGULAR, 12)
    lines = [
        f"Máy in: {fonts.clip(printer, 80)}",
        f"Đơn vị: {fonts.clip(unit_name, 80)}" if unit_name else "",
        f"Thời gian: {at:%H:%M, ngày %d/%m/%Y}",
        VIETNAMESE,
        "Khung viền cách mép giấy 10 mm. Các ô dưới đây từ trắng đến đen.",
    ]
    for text in filter(None, lines):
        y -= 9 * mm
        c.drawString(20 * mm, y, text)
    y -= 25 * mm
    for i in range(11):  # 0 %, 10 %, … 100 % black
        c.setFillGray(1 - i / 10)
        c.rect(20 * mm + i * 15 * mm, y, 14 * mm, 14 * mm, stroke=1, fill=1)
    c.setFillGray(0)
    _bars(c, 20 * mm, y - 35 * mm, 20 * mm, module=0.375 * mm)
    c.setFont(fonts.REGULAR, 10)
    c.drawString(20 * mm, y - 42 * mm, TEST_CODE)
    c.showPage()
    c.save()
    return buf.getvalue()


def _bars(c: Canvas, x: float, y: float, height: float, *, module: float) -> None:
    pattern = labels._bar_pattern(TEST_CODE)
    for start, run in labels._runs(pattern):
        c.rect(x + start * module, y, len(run) * module, height, stroke=0, fill=1)


def _label(printer: str, at: datetime, spec: LabelSpec | None = None) -> bytes:
    """The folder label's own layout (the configured size and code), with the test's lines."""
    spec = spec or LabelSpec()
    width, height = spec.width_mm * DOTS_PER_MM, spec.height_mm * DOTS_PER_MM
    band = height - round(labels.TEXT_BLOCK_MM * DOTS_PER_MM)
    draw = labels._code128 if spec.symbology == "code128" else labels._qr
    rects, module, box = draw(TEST_CODE, spec, width, band)
    text_w = (spec.width_mm - 2 * labels.TEXT_MARGIN_MM) * mm
    h = spec.height_mm
    lines = (
        labels.Line(TEST_CODE, fonts.REGULAR, 8.5, h - 13.2),
        labels.Line("IN THỬ MÁY IN NHÃN", fonts.BOLD, 11, h - 8.2),
        labels.Line(
            fonts.fit_width(f"{at:%H:%M %d/%m/%Y} · {printer}", fonts.REGULAR, 8, text_w),
            fonts.REGULAR,
            8,
            h - 3.4,
        ),
    )
    return labels._pdf(labels.LabelLayout(spec, rects, module, box, lines), TEST_CODE)

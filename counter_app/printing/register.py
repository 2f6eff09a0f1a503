"""The register (2018 Mẫu 06 / 2025 Mẫu 07 "Sổ theo dõi hồ sơ") and the certification books
(sổ chứng thực, DOMAIN.md §7), landscape A4, "Trang x/y" on every page.

Each book's columns and wording live here, in one place: a correction is one edit to the
column tables below. The data comes ready from services/register.py."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from counter_app.domain.dates import document_date
from counter_app.domain.formsets import FormSpec, form_spec
from counter_app.domain.register import CERT_BOOKS, CertBook, RegisterBook, RegisterSection
from counter_app.printing import fonts
from counter_app.printing import layout as L
from counter_app.printing.wording import money

Flowable = Any

PAGE_W, PAGE_H = landscape(A4)
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 12 * mm, 10 * mm, 13 * mm
BODY_W = PAGE_W - 2 * MARGIN_X  # 273 mm
SIZE = 8.5  # pt: thirteen columns on a landscape page

# (heading, width in mm, centred?): the register's official columns (DOMAIN.md §3); sum 273.
REGISTER_COLUMNS = (
    ("STT", 9.0, True),
    ("Mã hồ sơ", 24.0, True),
    ("Tên thủ tục hành chính", 44.0, False),
    ("Số lượng hồ sơ (bộ)", 10.0, True),
    ("Tên cá nhân, tổ chức", 24.0, False),
    ("Địa chỉ, số điện thoại", 36.0, False),
    ("Cơ quan chủ trì giải quyết", 20.0, False),
    ("Nhận hồ sơ (giờ, ngày)", 16.0, True),
    ("Hẹn trả kết quả", 16.0, True),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 16.0, True),
    ("Nhận kết quả từ cơ quan giải quyết", 16.0, True),
    ("Trả kết quả (ký nhận)", 22.0, True),
    ("Ghi chú", 20.0, False),
)
# The certification books (DOMAIN.md §7); copies add the original's name and the copies.
CERT_COLUMNS = {
    "BS": (
        ("Số chứng thực", 17.0, True),
        ("Ngày, tháng, năm chứng thực", 24.0, True),
        ("Họ tên người yêu cầu chứng thực", 40.0, False),
        ("Tên của bản chính giấy tờ, văn bản", 70.0, False),
        ("Số bản sao đã được chứng thực", 20.0, True),
        ("Họ tên, chức danh người ký chứng thực", 42.0, False),
        ("Lệ phí / phí (đồng)", 20.0, True),
        ("Ghi chú", 40.0, False),
    ),
    "CK": (
        ("Số chứng thực", 17.0, True),
        ("Ngày, tháng, năm chứng thực", 26.0, True),
        ("Họ tên người yêu cầu chứng thực", 55.0, False),
        ("Số giấy tờ tùy thân", 35.0, True),
        ("Họ tên, chức danh người ký chứng thực", 55.0, False),
        ("Lệ phí (đồng)", 25.0, True),
        ("Ghi chú", 60.0, False),
    ),
}
EMPTY_REGISTER = "Không có hồ sơ nào được tiếp nhận trong khoảng thời gian này."
EMPTY_CERT = "Không có việc chứng thực nào trong khoảng thời gian này."


def render_register(book: RegisterBook) -> bytes:
    """The register for the range, one section (title, table) per book, each on new pages."""
    story: list[Flowable] = []
    for i, section in enumerate(book.sections):
        spec = form_spec("register", section.form_set)
        if i:
            story.append(PageBreak())
        book_line = f"Quyển số: {section.book}"
        above, unit = book.heading(section.form_set)
        top = _top(above, unit, spec, book_line, book.start, book.end)
        story += top
        if section.rows:
            story += _register_table(section, _height(top))
        else:
            story.append(_nothing(EMPTY_REGISTER))
    spec = form_spec("register", book.sections[0].form_set)
    return _build(story, title=f"{spec.title} {book.start:%d/%m/%Y}-{book.end:%d/%m/%Y}", spec=spec)


def render_cert_book(book: CertBook) -> bytes:
    """A certification book (BS copies, CK signatures) for the range: "Quyển số 01/2026-SCT/BS"."""
    spec = FormSpec("", CERT_BOOKS[book.kind], "")
    story = _top(
        book.parent_name, book.unit_name, spec, f"Quyển số: {book.book}", book.start, book.end
    )
    if book.rows:
        story += _cert_table(book, _height(story))
    else:
        story.append(_nothing(EMPTY_CERT))
    return _build(story, title=f"{spec.title} {book.book}", spec=spec)


def _top(
    parent: str, unit: str, spec: FormSpec, book_line: str, start: date, end: date
) -> list[Flowable]:
    s = L.styles()
    # a 2025 centre's name breaks where a reader would (never inside "hành chính công" or the
    # place's name), as in Mẫu 01's header
    unit_line = escape(L.keep_together(fonts.clip(unit, 120)))
    left = [Paragraph(L.text(parent, 120), s["head"]), Paragraph(unit_line, s["head_bold"])]
    right = (
        [
            Paragraph(
                f"<b>Mẫu số {escape(spec.number)}</b><br/>"
                f"<i>(Kèm theo {escape(spec.circular)})</i>",
                s["note"],
            )
        ]
        if spec.number
        else []
    )
    head = Table([[left, right]], colWidths=[BODY_W * 0.45, BODY_W * 0.55])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_no_padding()]))
    return [
        head,
        Paragraph(escape(spec.title), s["title"]),
        Paragraph(f"<b>{escape(book_line)}</b>", s["centre"]),
        Paragraph(
            f"Từ {escape(document_date(start))} đến {escape(document_date(end))}",
            s["centre_italic"],
        ),
        Spacer(1, 3 * mm),
    ]


def _nothing(sentence: str) -> Flowable:
    return Paragraph(escape(sentence), L.styles()["centre_italic"])


def _when(at: datetime | None) -> str:
    """A time in a cell: "09:15 02/12/2026" on two lines; "" when it has not happened."""
    return f"{at:%H:%M}\n{at.day:02d}/{at.month:02d}/{at.year}" if at else ""


def _register_table(section: RegisterSection, used: float) -> list[Flowable]:
    rows: list[list[str]] = []
    for r in section.rows:
        agency_part, _, day_part = r.code.partition("-")  # the agency, then day-number
        phone = f"ĐT: {r.phone}" if r.phone else ""
        contact = "\n".join(x for x in (fonts.clip(r.address, 250), phone) if x)
        returned = "\n".join(x for x in (_when(r.returned_at), r.returned_to) if x)
        rows.append(
            [
                str(r.number),
                f"{agency_part}-\n{day_part}",
                fonts.clip(r.procedure, 300),
                str(r.sets),
                r.applicant,
                contact,
                r.lead_agency,
                _when(r.received_at),
                _when(r.due_at),
                _when(r.handed_over_at),
                _when(r.result_back_at),
                returned,
                fonts.clip(r.note, 300),
            ]
        )
    return _tables(rows, REGISTER_COLUMNS, used)


def _cert_table(book: CertBook, used: float) -> list[Flowable]:
    columns = CERT_COLUMNS[book.kind]
    rows: list[list[str]] = []
    for r in book.rows:
        day = f"{r.day.day:02d}/{r.day.month:02d}/{r.day.year}"
        note = "; ".join(x for x in (f"Hồ sơ {r.code}", r.note) if x)
        fee = money(r.fee) if r.fee else "Miễn"
        if book.kind == "BS":
            originals = "\n".join(f"- {fonts.clip(x, 200)}" for x in r.originals)
            row = [str(r.number), day, r.requester, originals, str(r.copies or "")]
        else:
            row = [str(r.number), day, r.requester, r.id_number]
        rows.append([*row, r.signer, fee, note])
    return _tables(rows, columns, used, min_height=11 * mm)  # room to sign, write a name


PAD_X, PAD_TOP, PAD_BOTTOM = 2.5, 2.0, 3.0
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM


def _height(flowables: Sequence[Flowable]) -> float:
    """The height the flowables take at the top of a page (the title block)."""
    total = 0.0
    for f in flowables:
        total += f.wrap(BODY_W, FRAME_H)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _wrap(text: str, width: float, face: str = fonts.REGULAR) -> str:
    """Plain text broken into the lines that fit the cell (a forced break stays a break)."""
    inner = width - 2 * PAD_X
    lines: list[str] = []
    for part in text.split("\n") if text else ():
        lines += simpleSplit(fonts.clean(part), face, SIZE, inner) or [""]
    return "\n".join(lines)


def _tables(
    rows: list[list[str]],
    columns: Sequence[tuple[str, float, bool]],
    used: float,
    min_height: float = 0,
) -> list[Flowable]:
    """One table a page, the heading row on each. Cells are plain strings broken into lines
    here (no Paragraph: its parse and wrap were 2 of the 3.6 s of a 1,000-row register), so
    each row's height is known and the rows are paged here; one long Table would be split by
    reportlab page after page, measuring every remaining row again each time."""
    widths = [w * mm for _, w, _ in columns]
    head = [_wrap(h, w, fonts.BOLD) for (h, _, _), w in zip(columns, widths, strict=True)]
    head_h = _lines_height(head, 0)
    slack = 4.0  # points kept free below the last row
    out: list[Flowable] = []
    room = FRAME_H - used - head_h - slack
    page: list[list[str]] = []
    heights: list[float] = []
    for raw in rows:
        row = [_wrap(t, w) for t, w in zip(raw, widths, strict=True)]
        h = _lines_height(row, min_height)
        if page and h > room:
            out += [_table([head, *page], [head_h, *heights], columns), PageBreak()]
            page, heights, room = [], [], FRAME_H - head_h - slack
        page.append(row)
        heights.append(h)
        room -= h
    out.append(_table([head, *page], [head_h, *heights], columns))
    return out


def _lines_height(row: Sequence[str], minimum: float) -> float:
    lines = max(cell.count("\n") + 1 for cell in row)
    return max(lines * (SIZE + 1.5) + PAD_TOP + PAD_BOTTOM, minimum)


def _table(
    data: list[list[Any]], heights: list[float], columns: Sequence[tuple[str, float, bool]]
) -> Flowable:
    table = Table(data, colWidths=[w * mm for _, w, _ in columns], rowHeights=heights, repeatRows=1)
    centred = [("ALIGN", (i, 1), (i, -1), "CENTER") for i, c in enumerate(columns) if c[2]]
    centred.append(("ALIGN", (0, 0), (-1, 0), "CENTER"))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("FONTNAME", (0, 0), (-1, 0), fonts.BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), SIZE),
                ("LEADING", (0, 0), (-1, -1), SIZE + 1.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("TOPPADDING", (0, 0), (-1, -1), PAD_TOP),
                ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_BOTTOM),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
                *centred,
            ]
        )
    )
    return table


def _no_padding() -> list[tuple[Any, ...]]:
    return [
        (side, (0, 0), (-1, -1), 0)
        for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
    ]


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Holds every page until the end, then writes "Trang x/y" on each (y known only then)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for n, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(fonts.ITALIC, 8.5)
            self.setFillColor(colors.HexColor("#404040"))
            self.drawRightString(PAGE_W - MARGIN_X, MARGIN_BOTTOM / 2, f"Trang {n}/{total}")
            self.restoreState()
            super().showPage()
        super().save()


def _build(story: list[Flowable], *, title: str, spec: FormSpec) -> bytes:
    fonts.register_fonts()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=(PAGE_W, PAGE_H),
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        subject=f"Mẫu số {spec.number} ({spec.circular})" if spec.number else spec.title,
        author="counter-app",
        creator="counter-app",
        lang="vi-VN",
        initialFontName=fonts.REGULAR,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        BODY_W,
        PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.ITALIC, 8.5)
        canvas.setFillColor(colors.HexColor("#404040"))
        canvas.drawString(MARGIN_X, MARGIN_BOTTOM / 2, title)
        canvas.restoreState()

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])
    with fonts.RENDER_LOCK:
        doc.build(story, canvasmaker=_NumberedCanvas)
    return out.getvalue()

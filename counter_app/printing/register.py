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
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
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


def _styles() -> dict[str, ParagraphStyle]:
    fonts.register_fonts()
    cell = ParagraphStyle("reg_cell", fontName=fonts.REGULAR, fontSize=SIZE, leading=SIZE + 1.5)
    return {
        "cell": cell,
        "centre": ParagraphStyle("reg_centre", parent=cell, alignment=TA_CENTER),
        "head": ParagraphStyle(
            "reg_head", parent=cell, fontName=fonts.BOLD, alignment=TA_CENTER, fontSize=8
        ),
    }


def render_register(book: RegisterBook) -> bytes:
    """The register for the range, one section (title, table) per book, each on new pages."""
    st = _styles()
    story: list[Flowable] = []
    for i, section in enumerate(book.sections):
        spec = form_spec("register", section.form_set)
        if i:
            story.append(PageBreak())
        story += _top(
            book.parent_name,
            book.unit_name,
            spec,
            f"Quyển số: {section.book}",
            book.start,
            book.end,
        )
        story.append(_register_table(section, st) if section.rows else _nothing(EMPTY_REGISTER))
    spec = form_spec("register", book.sections[0].form_set)
    return _build(story, title=f"{spec.title} {book.start:%d/%m/%Y}-{book.end:%d/%m/%Y}", spec=spec)


def render_cert_book(book: CertBook) -> bytes:
    """A certification book (BS copies, CK signatures) for the range: "Quyển số 01/2026-SCT/BS"."""
    st = _styles()
    spec = FormSpec("", CERT_BOOKS[book.kind], "")
    story = _top(
        book.parent_name, book.unit_name, spec, f"Quyển số: {book.book}", book.start, book.end
    )
    story.append(_cert_table(book, st) if book.rows else _nothing(EMPTY_CERT))
    return _build(story, title=f"{spec.title} {book.book}", spec=spec)


def _top(
    parent: str, unit: str, spec: FormSpec, book_line: str, start: date, end: date
) -> list[Flowable]:
    s = L.styles()
    left = [Paragraph(L.text(parent, 120), s["head"]), Paragraph(L.text(unit, 120), s["head_bold"])]
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
    return f"{at:%H:%M}<br/>{at.day:02d}/{at.month:02d}/{at.year}" if at else ""


def _p(markup: str, style: ParagraphStyle) -> Flowable:
    return Paragraph(markup, style) if markup else ""


def _register_table(section: RegisterSection, st: dict[str, ParagraphStyle]) -> Flowable:
    cell, centre = st["cell"], st["centre"]
    data: list[list[Any]] = [[Paragraph(escape(h), st["head"]) for h, _, _ in REGISTER_COLUMNS]]
    for r in section.rows:
        agency_part, _, day_part = r.code.partition("-")  # the agency, then day-number
        contact = L.text(r.address, 250)
        if r.phone:
            contact += ("<br/>" if contact else "") + f"ĐT: {escape(r.phone)}"
        returned = _when(r.returned_at)
        if r.returned_to:
            returned += ("<br/>" if returned else "") + L.text(r.returned_to, 120)
        data.append(
            [
                str(r.number),
                _p(f"{escape(agency_part)}-<br/>{escape(day_part)}", centre),
                _p(L.text(r.procedure, 300), cell),
                str(r.sets),
                _p(L.text(r.applicant, 120), cell),
                _p(contact, cell),
                _p(L.text(r.lead_agency, 200), cell),
                _p(_when(r.received_at), centre),
                _p(_when(r.due_at), centre),
                _p(_when(r.handed_over_at), centre),
                _p(_when(r.result_back_at), centre),
                _p(returned, centre),
                _p(L.text(r.note, 300), cell),
            ]
        )
    return _table(data, REGISTER_COLUMNS)


def _cert_table(book: CertBook, st: dict[str, ParagraphStyle]) -> Flowable:
    cell = st["cell"]
    columns = CERT_COLUMNS[book.kind]
    data: list[list[Any]] = [[Paragraph(escape(h), st["head"]) for h, _, _ in columns]]
    for r in book.rows:
        day = f"{r.day.day:02d}/{r.day.month:02d}/{r.day.year}"
        note = L.text("; ".join(x for x in (f"Hồ sơ {r.code}", r.note) if x), 300)
        fee = money(r.fee) if r.fee else "Miễn"
        if book.kind == "BS":
            originals = "<br/>".join(f"- {L.text(x, 200)}" for x in r.originals)
            row = [
                str(r.number),
                day,
                _p(L.text(r.requester, 120), cell),
                _p(originals, cell),
                str(r.copies or ""),
                _p(L.text(r.signer, 120), cell),
                fee,
                _p(note, cell),
            ]
        else:
            row = [
                str(r.number),
                day,
                _p(L.text(r.requester, 120), cell),
                r.id_number,
                _p(L.text(r.signer, 120), cell),
                fee,
                _p(note, cell),
            ]
        data.append(row)
    return _table(data, columns, min_height=11 * mm)  # room to sign and write a name by hand


def _table(
    data: list[list[Any]], columns: Sequence[tuple[str, float, bool]], min_height: float = 0
) -> Flowable:
    heights = [None] + [min_height or None] * (len(data) - 1)
    table = Table(data, colWidths=[w * mm for _, w, _ in columns], rowHeights=heights, repeatRows=1)
    centred = [("ALIGN", (i, 1), (i, -1), "CENTER") for i, c in enumerate(columns) if c[2]]
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("FONTSIZE", (0, 0), (-1, -1), SIZE),
                ("LEADING", (0, 0), (-1, -1), SIZE + 1.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
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

"""Building blocks shared by the A4 forms: styles, header, barcode, tables, signatures, build."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache, partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable as _Flowable
from reportlab.platypus.flowables import HRFlowable
from reportlab.platypus.paragraph import cleanBlockQuotedText

from counter_app.domain.errors import ValidationError
from counter_app.domain.formsets import FormSpec
from counter_app.domain.model import UnitInfo
from counter_app.printing import fonts
from counter_app.printing.replay import Replayed
from counter_app.printing.wording import LIMITS, or_blank, place_date, receiving_name

Flowable = Any  # reportlab ships no type hints

PAGE_W, PAGE_H = A4
MARGIN_LEFT, MARGIN_RIGHT = 20 * mm, 15 * mm
MARGIN_TOP, MARGIN_BOTTOM = 12 * mm, 15 * mm
BODY_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 175 mm: item 5 of Mẫu 01 fits one line at 13 pt
HEADER_LEFT_W = 72 * mm
# Code 128 module 0.3387 mm = 4 dots at 300 dpi, 8 at 600 dpi (a scanner-friendly ≥ 0.33 mm).
BAR_MODULE = 25.4 / 75 * mm
BAR_HEIGHT = 10 * mm
RULE = 0.6  # pt: the short rule under the unit name and under the motto
SIGN_SPACE = 20 * mm  # room for the handwritten signature
REPUBLIC = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SIGN_NOTE = "(Ký và ghi rõ họ tên)"
_NO_PADDING = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}


@dataclass(frozen=True)
class Signer:
    role: str  # "NGƯỜI NỘP HỒ SƠ"
    name: str = ""  # printed under the signature space; empty for the applicant's own hand


@dataclass(frozen=True)
class Copy:
    label: str  # "Liên 1: Lưu"; "" for a single-copy form
    story: list[Flowable] = field(default_factory=list)


class Para(Paragraph):  # type: ignore[misc]
    """A Paragraph that breaks its lines once per width: a table wraps each cell to size its
    rows and again to draw it, with the same width, and reportlab breaks the lines anew."""

    _wrapped: tuple[float, float, float] | None = None  # (width asked, width, height)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        done = self._wrapped
        if done is not None and done[0] == avail_width:
            return done[1], done[2]
        width, height = super().wrap(avail_width, avail_height)
        self._wrapped = (avail_width, width, height)
        return width, height


class SharedPara(Replayed, Para):
    """A paragraph shared by every form of a unit on a day (the note, the title)."""


class SharedTable(Replayed, Table):  # type: ignore[misc]
    """A table shared by every form of a unit on a day (the header, the signatures)."""


@cache
def styles() -> dict[str, ParagraphStyle]:
    fonts.register_fonts()
    # 12.5 pt keeps a receipt with ~8 document lines and a long procedure name on one A4 page
    # per copy (at 13 pt, 5-6 lines of a land procedure pushed the signatures to a 2nd page).
    body = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=12.5, leading=15.5, spaceAfter=2)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=body, **kw)

    centred: dict[str, Any] = {"alignment": TA_CENTER, "spaceAfter": 0}
    return {
        "body": body,
        "note": style("note", fontSize=10, leading=12, alignment=TA_RIGHT, spaceAfter=2 * mm),
        "head": style("head", fontSize=12.5, leading=15, **centred),
        "head_bold": style("head_bold", fontName=fonts.BOLD, fontSize=12.5, leading=15, **centred),
        "motto": style("motto", fontName=fonts.BOLD, leading=15.5, **centred),
        "dateline": style("dateline", fontName=fonts.ITALIC, **centred),
        "title": style(
            "title", fontName=fonts.BOLD, fontSize=14, leading=18, spaceBefore=8, **centred
        ),
        "centre": style("centre", **centred),
        "centre_italic": style("centre_italic", fontName=fonts.ITALIC, **centred),
        "cell": style("cell", fontSize=11.5, leading=13.5, spaceAfter=0),
        "cell_centre": style("cell_centre", fontSize=11.5, leading=13.5, **centred),
        "cell_head": style(
            "cell_head", fontName=fonts.BOLD, fontSize=11.5, leading=13.5, **centred
        ),
        "small": style("small", fontSize=10, leading=12, spaceAfter=0),
        "small_centre": style("small_centre", fontSize=10, leading=12, **centred),
        "small_head": style("small_head", fontName=fonts.BOLD, fontSize=10, leading=12, **centred),
        "sign_role": style("sign_role", fontName=fonts.BOLD, **centred),
        "sign_note": style("sign_note", fontName=fonts.ITALIC, **centred),
        "sign_name": style("sign_name", fontName=fonts.BOLD, **centred),
    }


def text(value: str, limit: int = LIMITS["procedure"]) -> str:
    """Plain text made safe for Paragraph markup: cleaned, clipped to `limit`, escaped."""
    return escape(fonts.clip(value, limit))


def para(markup: str, style: str = "body") -> Flowable:
    return Para(markup, styles()[style])


# A form's paragraphs are a few fixed markups ("Địa chỉ: {}", a table cell "{}") each filled
# with a dossier's plain text: the markup is parsed once per process and the text put into a
# copy of its fragments, where reportlab's parser (an HTMLParser) would run for every string.
HOLE = "\ue000"  # a private-use character: where the value goes in a markup


def filled(markup: str, value: str, style: str = "body", cls: type[Para] = Para) -> Flowable:
    """`markup` (one HOLE, in one run of text) with the plain text `value` in the hole: the
    paragraph para(markup with escape(value)) would make, without parsing the value.
    `cls`: SharedPara for a line shared by many forms (see shared_line)."""
    parsed = _parsed(markup, style)
    # the parser first strips the text and joins its lines and runs of blanks, and splits a
    # run of text at each entity: a value that would change so, or holds one of "&<>" (rare),
    # or none, takes the parser's way
    shown = escape(value)
    if parsed is None or shown != value or cleanBlockQuotedText(value) != value:
        return cls(markup.replace(HOLE, shown), styles()[style])
    before, frag, after = parsed
    if value:
        frags = [*before, frag.clone(text=frag.text.replace(HOLE, value)), *after]
    elif markup == HOLE:  # an empty cell: the parser makes no fragment
        frags = []
    else:
        return cls(markup.replace(HOLE, ""), styles()[style])
    return cls(markup.replace(HOLE, value), styles()[style], frags=frags)


@lru_cache(maxsize=512)  # the markups of the forms' code: a few dozen
def _parsed(markup: str, style: str) -> tuple[list[Any], Any, list[Any]] | None:
    """The fragments of `markup` before its hole, the one holding it, and those after."""
    frags = Para(markup, styles()[style]).frags
    holders = [n for n, f in enumerate(frags) if HOLE in f.text]
    if len(holders) != 1 or frags[holders[0]].text.count(HOLE) != 1:
        return None
    n = holders[0]
    return frags[:n], frags[n], frags[n + 1 :]


def field_line(
    label: str,
    value: str,
    *,
    limit: int = LIMITS["procedure"],
    bold: bool = False,
    cls: type[Para] = Para,
) -> Flowable:
    """One "Label: value" line, the value clipped to `limit`, dotted when empty."""
    shown = or_blank(fonts.clip(value, limit))
    markup = f"{escape(label)}: <b>{HOLE}</b>" if bold else f"{escape(label)}: {HOLE}"
    return filled(markup, shown, cls=cls)


def pair_line(
    left: tuple[str, str], right: tuple[str, str], *, limits: tuple[int, int]
) -> Flowable:
    """Two "Label: value" fields side by side (e.g. phone and e-mail), each wrapping in its half."""
    cells = [
        field_line(label, value, limit=limit)
        for (label, value), limit in zip((left, right), limits, strict=True)
    ]
    table = Table([cells], colWidths=[BODY_W * 0.42, BODY_W * 0.58])
    table.setStyle(_plain_cells())
    table.setStyle([("BOTTOMPADDING", (0, 0), (-1, -1), styles()["body"].spaceAfter)])
    return table


# The blocks that are the same for every form of a unit on a day (note, header, title, the
# signature table) are built once and shared: a Para keeps its line breaks, so a shared block
# is parsed and laid out once and only drawn into each document. Flowables are laid out and
# drawn under fonts.RENDER_LOCK only, one document at a time, so sharing them is safe.
_SHARED = 256  # blocks kept (units × days × form sets): a unit's day needs a handful


@lru_cache(maxsize=_SHARED)
def form_note(spec: FormSpec) -> Flowable:
    """Top right: "Mẫu số 01" and the circular that defines it."""
    number, circular = escape(spec.number), escape(spec.circular)
    return SharedPara(f"<b>Mẫu số {number}</b><br/><i>(Kèm theo {circular})</i>", styles()["note"])


@lru_cache(maxsize=_SHARED)
def header(unit: UnitInfo, day: date, form_set: str = "2025") -> Flowable:
    """Common header: issuing body on the left, national motto and place-date on the right.

    2025 set (Decree 118/2025): "UBND XÃ …" above the "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG
    XÃ …" (underlined); 2018 set: the parent body above the UBND."""
    if form_set == "2018":
        parent, unit_name = unit.parent_name, unit.name
    else:
        parent, unit_name = unit.name, receiving_name(unit).upper()
    unit_name = fonts.clip(unit_name, LIMITS["unit"])
    if form_set != "2018":
        unit_name = keep_together(unit_name)
    left: list[Flowable] = []
    if parent.strip():
        left.append(para(text(parent, LIMITS["unit"]), "head"))
    unit_w = min(fonts.string_width(unit_name, fonts.BOLD, 12.5), HEADER_LEFT_W)
    left += [para(escape(unit_name), "head_bold"), _rule(min(unit_w, HEADER_LEFT_W) * 0.4)]
    right = [
        para(REPUBLIC, "head_bold"),
        para(escape(MOTTO), "motto"),
        _rule(fonts.string_width(MOTTO, fonts.BOLD, 13)),
        Spacer(1, 2.5 * mm),
        para(text(place_date(unit.place_name, day)), "dateline"),
    ]
    table = SharedTable([[left, right]], colWidths=[HEADER_LEFT_W, BODY_W - HEADER_LEFT_W])
    table.setStyle(_plain_cells(align="CENTER"))
    return table


_CENTRE_HEAD = ("TRUNG TÂM PHỤC VỤ ", "HÀNH CHÍNH CÔNG")
NBSP = "\u00a0"


def keep_together(unit_name: str) -> str:
    """The centre's name wrapped where a reader breaks it: "TRUNG TÂM PHỤC VỤ / HÀNH CHÍNH
    CÔNG / ĐẶC KHU PHÚ QUỐC", never inside "hành chính công" or inside the place's name
    (non-breaking spaces there; other names as they are)."""
    lead, middle = _CENTRE_HEAD
    if not unit_name.startswith(lead + middle + " "):
        return unit_name
    place = unit_name[len(lead + middle) + 1 :]
    return lead + middle.replace(" ", NBSP) + " " + place.replace(" ", NBSP)


# Lines that repeat from form to form beyond a unit's day: what a procedure prints (its name,
# time, fee, its documents' table when the applicant hands the usual set) and fixed lines.
# Shared like the blocks above, by their exact text, so each is laid out once and then only
# copied into each document. Never an applicant's own data (name, address, phone): those
# change with every form and would only fill the cache with personal data.


@lru_cache(maxsize=_SHARED)
def shared_line(
    label: str, value: str, limit: int = LIMITS["procedure"], bold: bool = False
) -> Flowable:
    """field_line, shared by every form that prints the same line."""
    return field_line(label, value, limit=limit, bold=bold, cls=SharedPara)


@lru_cache(maxsize=_SHARED)
def shared_para(markup: str, style: str = "body") -> Flowable:
    """para, shared by every form that prints it."""
    return SharedPara(markup, styles()[style])


@lru_cache(maxsize=_SHARED)
def shared_grid(
    head: tuple[str, ...],
    rows: tuple[tuple[str, ...], ...],
    widths_mm: tuple[float, ...],
    centred: tuple[bool, ...],
) -> Flowable:
    """grid, shared by every form that prints the same table (a procedure's usual documents)."""
    return grid(head, rows, widths_mm, centred, cls=SharedTable)


@lru_cache(maxsize=_SHARED)
def title(spec: FormSpec) -> Flowable:
    return SharedPara(escape(spec.title), styles()["title"])


def barcode(code: str) -> Flowable:
    """Code 128 of the code, centred; reportlab's quiet zones are max(10 modules, 6.35 mm)."""
    if not code or not code.isascii() or not code.isprintable():
        raise ValidationError("code_invalid", value=code)
    bars = Code128(code, barWidth=BAR_MODULE, barHeight=BAR_HEIGHT, humanReadable=False)
    bars.hAlign = "CENTER"
    return bars


class LabelSlot(_Flowable):  # type: ignore[misc]
    """The line where each copy prints "(Liên …)": reserved in the layout, filled per copy."""

    style_name = "centre_italic"

    def __init__(self) -> None:
        super().__init__()
        self.origin: tuple[float, float] | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, styles()[self.style_name].leading

    def draw(self) -> None:
        self.origin = self.canv.absolutePosition(0, 0)

    def stamp(self, canvas: Any, label: str) -> None:
        assert self.origin is not None, "the slot was never laid out"
        st = styles()[self.style_name]
        x, y = self.origin
        canvas.saveState()
        canvas.setFont(st.fontName, st.fontSize)
        canvas.drawCentredString(x + self.width / 2, y + st.leading - st.fontSize, f"({label})")
        canvas.restoreState()


def code_block(code: str, copy_label: str | LabelSlot = "") -> list[Flowable]:
    """Barcode, "Mã hồ sơ: …" under it, and "(Liên …)" when the form has copies."""
    items = [Spacer(1, 2 * mm), barcode(code), filled(f"Mã hồ sơ: <b>{HOLE}</b>", code, "centre")]
    if isinstance(copy_label, LabelSlot):
        items.append(copy_label)
    elif copy_label:
        items.append(para(f"({escape(copy_label)})", "centre_italic"))
    items.append(Spacer(1, 3 * mm))
    return items


def grid(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    centred: Sequence[bool],
    *,
    small: bool = False,
    cls: type[Table] = Table,
) -> Flowable:
    """A bordered table of plain text; the heading row repeats when the table runs over a page.
    `small`: 10 pt cells for a table of many narrow columns. `cls`: see shared_grid."""
    head_style, plain, centre = (
        ("small_head", "small", "small_centre") if small else ("cell_head", "cell", "cell_centre")
    )
    data = [[filled(HOLE, h, head_style) for h in head]]
    for row in rows:
        styled = zip(row, centred, strict=True)
        data.append([filled(HOLE, value, centre if c else plain) for value, c in styled])
    # an all-blank row is a row to write in by hand: give it room (it holds no text to overflow)
    heights = [None] + [None if any(v.strip() for v in row) else 9 * mm for row in rows]
    table = cls(
        data,
        colWidths=[w * mm for w in widths_mm],
        rowHeights=heights,
        repeatRows=1,
        spaceAfter=2 * mm,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def signatures(left: Signer, right: Signer, *, lead: Sequence[Flowable] = ()) -> Flowable:
    """Two signature blocks side by side, kept on one page together with the `lead` lines."""

    return KeepTogether([*lead, Spacer(1, 3 * mm), _signature_pair(left, right)])


@lru_cache(maxsize=_SHARED)
def _signature_pair(left: Signer, right: Signer) -> Flowable:
    def block(signer: Signer) -> list[Flowable]:
        cells = [para(escape(signer.role), "sign_role"), para(SIGN_NOTE, "sign_note")]
        cells.append(Spacer(1, SIGN_SPACE))
        if signer.name.strip():
            cells.append(para(text(signer.name, LIMITS["clerk"]), "sign_name"))
        return cells

    table = SharedTable([[block(left), block(right)]], colWidths=[BODY_W / 2, BODY_W / 2])
    table.setStyle(_plain_cells(align="CENTER"))
    return table


def signature(signer: Signer, *, note: str = SIGN_NOTE, lead: Sequence[Flowable] = ()) -> Flowable:
    """One signature block on the right (the head of the agency), kept with the `lead` lines."""
    cells = [para(escape(signer.role), "sign_role"), para(escape(note), "sign_note")]
    cells.append(Spacer(1, SIGN_SPACE))
    if signer.name.strip():
        cells.append(para(text(signer.name, LIMITS["clerk"]), "sign_name"))
    table = Table([["", cells]], colWidths=[BODY_W / 2, BODY_W / 2])
    table.setStyle(_plain_cells(align="CENTER"))
    return KeepTogether([*lead, Spacer(1, 3 * mm), table])


def build_pdf(copies: Sequence[Copy], *, spec: FormSpec, code: str) -> bytes:
    """Lay the copies out one after another, each starting on a new page, with its own footer."""
    fonts.register_fonts()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{spec.title} - {code}",
        subject=f"Mẫu số {spec.number} ({spec.circular})",
        author="counter-app",
        creator="counter-app",
        lang="vi-VN",
        initialFontName=fonts.REGULAR,  # else reportlab adds an unembedded Helvetica
    )
    pages: dict[str, int] = {}
    templates = []
    story: list[Flowable] = []
    for i, copy in enumerate(copies):
        tid = f"copy{i + 1}"
        frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, BODY_W, doc.height, id=tid, **_NO_PADDING)
        footer = partial(_footer, code=code, label=copy.label, tid=tid, pages=pages)
        templates.append(PageTemplate(id=tid, frames=[frame], onPage=footer))
        if i:
            story += [NextPageTemplate(tid), PageBreak()]
        story += copy.story
    doc.addPageTemplates(templates)
    with fonts.RENDER_LOCK:
        doc.build(story)
    return out.getvalue()


def build_stamped(
    story: list[Flowable], slot: LabelSlot, labels: Sequence[str], *, spec: FormSpec, code: str
) -> bytes | None:
    """Copies that differ only in their label: lay the page out ONCE as a PDF form XObject and
    stamp it on one page per copy. None when the story does not fit one page (use build_pdf).
    """
    fonts.register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, initialFontName=fonts.REGULAR, lang="vi-VN")
    canvas.setTitle(f"{spec.title} - {code}")
    canvas.setSubject(f"Mẫu số {spec.number} ({spec.circular})")
    canvas.setAuthor("counter-app")
    canvas.setCreator("counter-app")
    height = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
    frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, BODY_W, height, **_NO_PADDING)
    rest = _flatten(story)
    with fonts.RENDER_LOCK:
        canvas.beginForm("page")
        frame.addFromList(rest, canvas)
        canvas.endForm()
        if rest or slot.origin is None:
            return None
        for label in labels:
            canvas.doForm("page")
            slot.stamp(canvas, label)
            _footer_text(canvas, code, f"{label} - Trang 1")
            canvas.showPage()
        canvas.save()
    return out.getvalue()


def _flatten(story: Sequence[Flowable]) -> list[Flowable]:
    """KeepTogether is unpacked by the doc template, not by a bare Frame; on one page it is moot."""
    out: list[Flowable] = []
    for f in story:
        if isinstance(f, KeepTogether):
            out.extend(_flatten(f._content))
        else:
            out.append(f)
    return out


def _footer(
    canvas: Any, doc: Any, *, code: str, label: str, tid: str, pages: dict[str, int]
) -> None:
    pages[tid] = pages.get(tid, 0) + 1
    right = f"Trang {pages[tid]}"
    if label:
        right = f"{label} - {right}"
    _footer_text(canvas, code, right)


def _footer_text(canvas: Any, code: str, right: str) -> None:
    canvas.saveState()
    canvas.setFont(fonts.ITALIC, 8.5)
    canvas.setFillColor(colors.HexColor("#404040"))
    y = MARGIN_BOTTOM / 2
    canvas.drawString(MARGIN_LEFT, y, f"Mã hồ sơ: {code}")
    canvas.drawRightString(PAGE_W - MARGIN_RIGHT, y, right)
    canvas.restoreState()


def _rule(width: float) -> Flowable:
    return HRFlowable(width=width, thickness=RULE, color=colors.black, spaceBefore=3, spaceAfter=0)


def _plain_cells(align: str = "LEFT") -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),  # else Table pulls in Helvetica
            ("ALIGN", (0, 0), (-1, -1), align),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )

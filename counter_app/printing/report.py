"""The periodic report as PDF (A4) and CSV (DOMAIN.md §6, DESIGN.md §4).

PDF: the unit header of the forms, a title with the period, the totals, a chart (received
by channel; resolved early / on time / late with the on-time rate), by sector, by
procedure, by the applicant's commune (issue 16) and — for the province — by unit. CSV:
one row per line of every breakdown (scope, key, name, then every counter), UTF-8 with a
BOM so Excel reads Vietnamese right.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from counter_app.domain.model import UnitInfo
from counter_app.domain.ratings import ORDER as RATING_ORDER
from counter_app.domain.ratings import WORDS as RATING_WORDS
from counter_app.domain.report import COUNT_KEYS
from counter_app.domain.report_communes import rows_for_print
from counter_app.printing import fonts
from counter_app.printing import layout as L
from counter_app.printing.report_text import (
    COLUMNS,
    COMMUNE_HEADING,
    LABELS,
    cell,
    digitised_line,
    number,
    rate,
)


def _styles() -> dict[str, Any]:
    st = L.styles()
    return {
        "h2": ParagraphStyle("h2", parent=st["body"], fontName=fonts.BOLD, spaceBefore=6),
        "tiny": ParagraphStyle("tiny", parent=st["small"], fontSize=8, leading=9.5),
        "tiny_c": ParagraphStyle("tiny_c", parent=st["small_centre"], fontSize=8, leading=9.5),
        "tiny_h": ParagraphStyle("tiny_h", parent=st["small_head"], fontSize=8, leading=9.5),
    }


def _table(data: list[list[Any]], widths: Sequence[float], *, head: bool = True) -> Table:
    t = Table(data, colWidths=list(widths), repeatRows=1 if head else 0, spaceAfter=3 * mm)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if head:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
    t.setStyle(TableStyle(style))
    return t


def _totals(row: dict[str, Any]) -> Table:
    st = L.styles()
    keys = [*COUNT_KEYS, "on_time_rate"]
    half = (len(keys) + 1) // 2
    cells = []
    for i in range(half):
        line: list[Any] = []
        for k in (keys[i], keys[i + half] if i + half < len(keys) else None):
            if k is None:
                line += ["", ""]
            else:
                line += [Paragraph(escape(LABELS[k]), st["cell"]), cell(row, k)]
        cells.append(line)
    t = _table(cells, [55 * mm, 30 * mm, 60 * mm, 30 * mm], head=False)
    t.setStyle(
        TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT"), ("ALIGN", (3, 0), (3, -1), "RIGHT")])
    )
    return t


def _breakdown(title: str, rows: list[dict[str, Any]], name: Any) -> list[Any]:
    s = _styles()
    if not rows:
        return []
    head = [Paragraph(escape(title), s["tiny_h"])] + [
        Paragraph(escape(h), s["tiny_h"]) for h, _ in COLUMNS
    ]
    data: list[list[Any]] = [head]
    for r in rows:
        data.append(
            [Paragraph(escape(fonts.clip(name(r), 160)), s["tiny"])]
            + [Paragraph(cell(r, k), s["tiny_c"]) for _, k in COLUMNS]
        )
    other = (L.BODY_W - 55 * mm) / len(COLUMNS)
    return [Paragraph(escape(title), s["h2"]), _table(data, [55 * mm] + [other] * len(COLUMNS))]


def _chart(totals: dict[str, Any]) -> Drawing:
    """Received by channel (bars) and resolved early / on time / late (pie), side by side."""
    width, height = L.BODY_W, 62 * mm
    d = Drawing(width, height)
    font = fonts.REGULAR
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 14 * mm, 12 * mm, 62 * mm, 38 * mm
    bars.data = [[totals["received_direct"], totals["received_online"], totals["received_postal"]]]
    bars.categoryAxis.categoryNames = ["Trực tiếp", "Trực tuyến", "Bưu chính"]
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 8
    bars.valueAxis.labels.fontName = font
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labelTextFormat = lambda v: number(int(v))
    bars.bars[0].fillColor = colors.HexColor("#4a7ab5")
    bars.barLabelFormat = lambda v: number(int(v))
    bars.barLabels.fontName = font
    bars.barLabels.fontSize = 7
    bars.barLabels.nudge = 5
    d.add(bars)
    d.add(
        String(14 * mm, height - 6 * mm, "Tiếp nhận mới theo kênh", fontName=fonts.BOLD, fontSize=9)
    )
    parts = [totals["resolved_early"], totals["resolved_on_time"], totals["resolved_late"]]
    d.add(
        String(
            100 * mm,
            height - 6 * mm,
            f"Đã giải quyết: đúng hạn {rate(totals['on_time_rate'])}",
            fontName=fonts.BOLD,
            fontSize=9,
        )
    )
    if sum(parts):
        pie = Pie()
        pie.x, pie.y, pie.width, pie.height = 100 * mm, 10 * mm, 36 * mm, 36 * mm
        pie.data = parts
        pie.labels = None
        pie.simpleLabels = 1
        shades = ("#3c8d40", "#8fc98f", "#c0392b")
        for i, shade in enumerate(shades):
            pie.slices[i].fillColor = colors.HexColor(shade)
            pie.slices[i].strokeColor = colors.white
        d.add(pie)
        legend = ("Trước hạn", "Đúng hạn", "Quá hạn")
        for i, (label, value) in enumerate(zip(legend, parts, strict=True)):
            y = 40 * mm - i * 7 * mm
            d.add(
                Rect(
                    140 * mm,
                    y,
                    3.5 * mm,
                    3.5 * mm,
                    fillColor=colors.HexColor(shades[i]),
                    strokeColor=None,
                )
            )
            d.add(
                String(
                    145 * mm, y + 0.5 * mm, f"{label}: {number(value)}", fontName=font, fontSize=8
                )
            )
    else:
        d.add(
            String(
                100 * mm, 30 * mm, "Chưa có hồ sơ giải quyết trong kỳ.", fontName=font, fontSize=9
            )
        )
    return d


def _ratings(report: dict[str, Any], n: int) -> list[Any]:
    """Citizens' ratings per level (Decision 766/QĐ-TTg): the totals, and each unit's on
    the province's report; the share rated "hài lòng" or better."""
    rows = [("Tổng cộng", report["totals"].get("ratings") or {})]
    rows += [
        (f"{r['unit']} · {r['name']}", r.get("ratings") or {}) for r in report.get("by_unit", [])
    ]
    keys = [k for k in RATING_ORDER if any(k in rated for _, rated in rows)]
    if not keys:
        return []
    s = _styles()
    head = [Paragraph("Phạm vi", s["tiny_h"])]
    head += [Paragraph(escape(RATING_WORDS[k]), s["tiny_h"]) for k in keys]
    head += [Paragraph("Tổng số", s["tiny_h"]), Paragraph("Hài lòng trở lên", s["tiny_h"])]
    data: list[list[Any]] = [head]
    for name, rated in rows:
        total = sum(int(rated.get(k, 0)) for k in keys)
        good = sum(int(rated.get(k, 0)) for k in ("rat_hai_long", "hai_long"))
        data.append(
            [Paragraph(escape(fonts.clip(name, 160)), s["tiny"])]
            + [Paragraph(number(int(rated.get(k, 0))), s["tiny_c"]) for k in keys]
            + [
                Paragraph(number(total), s["tiny_c"]),
                Paragraph(rate(good / total if total else None), s["tiny_c"]),
            ]
        )
    other = (L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT - 55 * mm) / (len(keys) + 2)
    return [
        Paragraph(f"{n}. Đánh giá của người dân", s["h2"]),
        _table(data, [55 * mm] + [other] * (len(keys) + 2)),
    ]


def render_pdf(
    report: dict[str, Any], unit: UnitInfo | None, today: date | None, title: str
) -> bytes:
    """`unit` and `today` (the header's place-date) are None for the province's report."""
    fonts.register_fonts()
    st = L.styles()
    start = date.fromisoformat(report["from"])
    end = date.fromisoformat(report["to"])
    story: list[Any] = []
    if unit is not None and today is not None:
        story.append(L.header(unit, today))
    story += [
        Paragraph(escape(title), st["title"]),
        Paragraph(f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}", st["centre_italic"]),
        Spacer(1, 4 * mm),
        Paragraph("1. Số liệu chung", _styles()["h2"]),
        _totals(report["totals"]),
        Spacer(1, 2 * mm),
        Paragraph(escape(digitised_line(report["totals"])), st["cell"]),
        _chart(report["totals"]),
    ]
    n = 2
    for heading, rows, name in (
        ("Theo đơn vị", report.get("by_unit", []), lambda r: f"{r['unit']} · {r['name']}"),
        ("Theo lĩnh vực", report["by_sector"], lambda r: r["sector"] or "—"),
        ("Theo thủ tục", report["by_procedure"], lambda r: f"{r['procedure']} · {r['name']}"),
        # issue 16: the 30 largest, the rest in one row, then "Chưa xác định"
        (COMMUNE_HEADING, rows_for_print(report.get("by_commune", [])), lambda r: r["name"]),
    ):
        part = _breakdown(f"{n}. {heading}", rows, name)
        if part:
            story += part
            n += 1
    story += _ratings(report, n)
    footer = f"{report['unit'] or 'Toàn tỉnh'} · {start:%d/%m/%Y}–{end:%d/%m/%Y}"
    return build_a4(story, f"{title} {start:%d/%m/%Y}–{end:%d/%m/%Y}", footer)


def build_a4(story: list[Any], title: str, footer: str) -> bytes:
    """An A4 document of `story` with the house margins, `footer` and the page number on
    every page (the report, the day sheet)."""
    out = io.BytesIO()

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.ITALIC, 8.5)
        canvas.drawString(L.MARGIN_LEFT, L.MARGIN_BOTTOM / 2, footer)
        canvas.drawRightString(L.PAGE_W - L.MARGIN_RIGHT, L.MARGIN_BOTTOM / 2, f"Trang {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=L.MARGIN_LEFT,
        rightMargin=L.MARGIN_RIGHT,
        topMargin=L.MARGIN_TOP,
        bottomMargin=L.MARGIN_BOTTOM,
        title=title,
        author="counter-app",
        creator="counter-app",
        lang="vi-VN",
        initialFontName=fonts.REGULAR,
    )
    with fonts.RENDER_LOCK:
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()

"""The day sheet (phiếu khóa sổ ngày), A4: the unit header of the forms, the day, the table
per clerk with the totals, the anomalies acknowledged at the close, who closed it and when,
and the first characters of the close's hash (DESIGN.md §3, services/dayclose.py)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from counter_app.domain.dates import document_date
from counter_app.domain.dayclose import (
    ANOMALY_TITLES,
    COLUMNS,
    anomaly_text,
    cell,
)
from counter_app.printing import fonts
from counter_app.printing import layout as L
from counter_app.printing.report import build_a4

TITLE = "PHIẾU KHÓA SỔ NGÀY"
HASH_SHOWN = 16  # characters of the hash printed (the whole one is in the database)
Summary = Any  # services.dayclose.DaySummary (printing does not import services)


def _styles() -> dict[str, ParagraphStyle]:
    st = L.styles()
    return {
        "h2": ParagraphStyle("ds_h2", parent=st["body"], fontName=fonts.BOLD, spaceBefore=6),
        "tiny": ParagraphStyle("ds_tiny", parent=st["small"], fontSize=9, leading=11),
        "tiny_r": ParagraphStyle(
            "ds_tiny_r", parent=st["small"], fontSize=9, leading=11, alignment=2
        ),
        "tiny_h": ParagraphStyle("ds_tiny_h", parent=st["small_head"], fontSize=9, leading=11),
    }


def _grid(data: list[list[Any]], widths: list[float], total_row: bool) -> Table:
    t = Table(data, colWidths=widths, repeatRows=1, spaceAfter=3 * mm)
    style: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ]
    if total_row:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f3f3f3")))
    t.setStyle(TableStyle(style))
    return t


def _clerks(summary: Summary) -> Table:
    s = _styles()
    head = [Paragraph("Cán bộ", s["tiny_h"])] + [
        Paragraph(escape(h), s["tiny_h"]) for _k, h in COLUMNS
    ]
    data: list[list[Any]] = [head]
    rows = [
        (f"{r['name']} ({r['username']})" if r["username"] else r["name"], r)
        for r in summary.per_clerk
    ]
    rows.append(("<b>Tổng cộng</b>", summary.totals))
    for name, r in rows:
        label = name if name.startswith("<b>") else escape(fonts.clip(name, 60))
        data.append(
            [Paragraph(label, s["tiny"])]
            + [Paragraph(escape(cell(r, k)), s["tiny_r"]) for k, _h in COLUMNS]
        )
    # mm, summing to the body's 175: the averages fit "12 phút 05 giây" on one line.
    first = 34 * mm
    widths = [13.0, 11.0, 11.0, 18.0, 14.0, 12.0, 23.0, 23.0, 16.0]
    scale = (L.BODY_W - first) / (sum(widths) * mm)
    return _grid(data, [first] + [w * mm * scale for w in widths], total_row=True)


def _anomalies(summary: Summary) -> list[Any]:
    s = _styles()
    st = L.styles()
    if not summary.anomalies:
        return [Paragraph("Không có điểm bất thường.", st["body"])]
    out: list[Any] = []
    for kind, title in ANOMALY_TITLES.items():
        mine = [a for a in summary.anomalies if a["kind"] == kind]
        if not mine:
            continue
        out.append(Paragraph(f"<i>{escape(title)} ({len(mine)})</i>", st["small"]))
        data = [
            [Paragraph(str(i), s["tiny"]), Paragraph(escape(anomaly_text(a)), s["tiny"])]
            for i, a in enumerate(mine, start=1)
        ]
        t = Table(data, colWidths=[12 * mm, L.BODY_W - 12 * mm], spaceAfter=2 * mm)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        out.append(t)
    return out


def _closing(summary: Summary) -> list[Any]:
    st = L.styles()
    c = summary.closed
    if c is None:
        return [Paragraph("<b>CHƯA KHÓA SỔ</b> — bản xem trước, chưa có giá trị.", st["body"])]
    who = escape(f"{c.full_name} ({c.username})")
    return [
        Paragraph(
            f"Khóa sổ bởi: <b>{who}</b> lúc {c.at:%H:%M:%S} ngày {c.at:%d/%m/%Y}.", st["body"]
        ),
        Paragraph(
            f"Mã kiểm tra: <b>{c.hash[:HASH_SHOWN]}</b>… (nối tiếp lần khóa trước "
            f"{c.prev_hash[:8]}…)",
            st["small"],
        ),
        L.signature(L.Signer("NGƯỜI KHÓA SỔ", c.full_name)),
    ]


def render_day_sheet(summary: Summary) -> bytes:
    """The sheet of a day as services.dayclose.day_summary / close_day give it."""
    fonts.register_fonts()
    st = L.styles()
    day = summary.day
    story: list[Any] = [
        L.header(summary.unit, summary.closed.at.date() if summary.closed else day),
        Paragraph(TITLE, st["title"]),
        Paragraph(document_date(day).capitalize(), st["centre_italic"]),
        Spacer(1, 4 * mm),
        Paragraph("1. Số liệu theo cán bộ", _styles()["h2"]),
        _clerks(summary),
        Paragraph(f"2. Điểm bất thường ({len(summary.anomalies)})", _styles()["h2"]),
        *_anomalies(summary),
        Paragraph("3. Khóa sổ", _styles()["h2"]),
        *_closing(summary),
    ]
    footer = f"{summary.unit.agency_id} · khóa sổ ngày {day:%d/%m/%Y}"
    return build_a4(story, f"{TITLE} {day:%d/%m/%Y}", footer)

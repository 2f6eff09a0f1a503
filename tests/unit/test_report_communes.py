"""The report's breakdown by the applicant's commune as printed (issue 16): the PDF lists the
30 largest communes, one line for the others and the unmatched last; the CSV every row."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path
from typing import Any

from counter_app.domain.admin_units import default_units
from counter_app.domain.report import COUNT_KEYS, Tally
from counter_app.printing import report_communes
from counter_app.printing.report import PROVINCE_TITLE, render_csv, render_pdf


def _row(code: str | None, received: int, carried: int = 0) -> dict[str, Any]:
    t = Tally()
    t.add(["received", "received_direct"], received)
    t.add(["carried_over", "in_progress"], carried)
    t.add(["resolved", "resolved_on_time"], received // 2)
    commune = default_units().commune(code) if code else None
    name = commune.label if commune else (code or "Chưa xác định")
    return {"code": code, "name": name, **t.row(), "digitised": received // 3}


def _report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = Tally()
    for r in rows:
        total.counts.update({k: r[k] for k in COUNT_KEYS})
    return {
        "from": "2026-11-01",
        "to": "2026-11-30",
        "unit": None,
        "totals": {**total.row(), "digitised": 0},
        "by_sector": [],
        "by_procedure": [],
        "by_unit": [],
        "by_commune": rows,
    }


AN_GIANG = [c.code for c in default_units().communes_of("91")]


def test_the_pdf_shows_the_30_largest_then_the_others_then_the_unmatched() -> None:
    rows = [_row(code, received=100 - 2 * i, carried=i % 2) for i, code in enumerate(AN_GIANG[:40])]
    rows.append(_row(None, received=7))
    shown = report_communes.pdf_rows(rows)
    assert len(shown) == 32
    assert shown[0]["name"] == f"{AN_GIANG[0]} · {rows[0]['name']}"
    sizes = [r["carried_over"] + r["received"] for r in shown[:30]]
    assert sizes == sorted(sizes, reverse=True)
    others = shown[30]
    assert others["name"] == "Các xã, phường khác (10)"
    rest = sorted(rows[:40], key=lambda r: -(r["carried_over"] + r["received"]))[30:]
    assert others["received"] == sum(r["received"] for r in rest)
    assert others["digitised"] == sum(r["digitised"] for r in rest)
    assert shown[31]["name"] == "Chưa xác định" and shown[31]["received"] == 7
    # few communes: no "others" line
    assert [r["code"] for r in report_communes.pdf_rows(rows[:3])] == AN_GIANG[:3]
    assert report_communes.pdf_rows([]) == []


def test_the_csv_has_every_commune_and_the_pdf_a_section(tmp_path: Path) -> None:
    rows = [_row(code, received=50 - i) for i, code in enumerate(AN_GIANG[:35])]
    rows.append(_row(None, received=4))
    report = _report(rows)
    lines = list(csv.reader(io.StringIO(render_csv(report).decode("utf-8-sig"))))
    block = [line for line in lines if line[0] == "xa_phuong"]
    assert len(block) == 36 and block[-1][1:3] == ["", "Chưa xác định"]
    assert block[0][1:3] == [AN_GIANG[0], rows[0]["name"]]
    pdf = render_pdf(report, None, None, PROVINCE_TITLE)
    out = tmp_path / "tinh.pdf"
    out.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Theo xã, phường của người nộp" in text
    assert "Các xã, phường khác (5)" in text and "Chưa xác định" in text
    assert rows[0]["name"].split(",")[0] in text
    shots = os.environ.get("REPORT_SHOTS")  # for a person to look at
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        (Path(shots) / "province-report-communes.pdf").write_bytes(pdf)
    # a report without the breakdown (made before issue 16) has no such section
    old = {k: v for k, v in report.items() if k != "by_commune"}
    out.write_bytes(render_pdf(old, None, None, PROVINCE_TITLE))
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Theo xã, phường" not in text

"""The report's breakdown by the applicant's 2025 commune (issue 16), as the PDF and the CSV
show it (printing/report.py). A province has thousands of communes: the PDF lists the 30
with the most dossiers (carried over + received), then one line for all the others, then
the dossiers whose address matched no commune ("Chưa xác định"); the CSV has every row."""

from __future__ import annotations

from typing import Any

from counter_app.domain.report import add_rows

TOP = 30
TITLE = "Theo xã, phường của người nộp"
OTHERS = "Các xã, phường khác ({n})"


def _size(row: dict[str, Any]) -> int:
    return int(row["carried_over"]) + int(row["received"])


def _sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = add_rows(rows)
    total["digitised"] = sum(int(r.get("digitised") or 0) for r in rows)
    return total


def pdf_rows(rows: list[dict[str, Any]], top: int = TOP) -> list[dict[str, Any]]:
    """[{"name", …counters}]: the `top` largest communes (largest first, then by code),
    the rest summed in one line, the unmatched last."""
    known = sorted((r for r in rows if r["code"] is not None), key=lambda r: (-_size(r), r["code"]))
    unknown = [r for r in rows if r["code"] is None]
    out = [{**r, "name": f"{r['code']} · {r['name']}"} for r in known[:top]]
    rest = known[top:]
    if rest:
        out.append({**_sum(rest), "name": OTHERS.format(n=len(rest))})
    out += unknown
    return out


def csv_rows(report: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(scope, key, name, row) for every commune line: scope `xa_phuong`, key its code
    ("" for the unmatched)."""
    return [("xa_phuong", r["code"] or "", r["name"], r) for r in report.get("by_commune", [])]

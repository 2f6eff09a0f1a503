"""The periodic report's words and figures as shown, printed and exported, without reportlab:
the headings, the counters' labels, the breakdown columns, how a figure is written, and the
CSV (DOMAIN.md §6). The report window and the CLI's text output need these at once; the PDF
(printing/report.py) loads reportlab only when one is made."""

from __future__ import annotations

import csv
import io
from typing import Any

from counter_app.domain.ratings import ORDER as RATING_ORDER
from counter_app.domain.report import COUNT_KEYS

COMMUNE_HEADING = "Theo xã/phường của người nộp"
UNIT_TITLE = "BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ"
PROVINCE_TITLE = "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ TOÀN TỈNH"
LABELS = {
    "carried_over": "Kỳ trước chuyển sang",
    "received": "Tiếp nhận mới trong kỳ",
    "received_direct": "— trực tiếp",
    "received_online": "— trực tuyến",
    "received_postal": "— qua bưu chính",
    "resolved": "Đã giải quyết",
    "resolved_early": "— trước hạn",
    "resolved_on_time": "— đúng hạn",
    "resolved_late": "— quá hạn",
    "resolved_late_apologized": "— quá hạn, có văn bản xin lỗi",
    "in_progress": "Đang giải quyết (cuối kỳ)",
    "in_progress_overdue": "— đã quá hạn",
    "refused": "Từ chối",
    "withdrawn": "Rút hồ sơ",
    "stopped": "Dừng giải quyết",
    "returned": "Đã trả kết quả",
    "returned_postal": "— qua bưu chính",
    "on_time_rate": "Tỷ lệ giải quyết đúng hạn",
}
# The breakdown tables' columns: (heading, key).
COLUMNS = (
    ("Kỳ trước", "carried_over"),
    ("Nhận mới", "received"),
    ("Đã GQ", "resolved"),
    ("Trước hạn", "resolved_early"),
    ("Đúng hạn", "resolved_on_time"),
    ("Quá hạn", "resolved_late"),
    ("Đang GQ", "in_progress"),
    ("Đang quá hạn", "in_progress_overdue"),
    ("Trả KQ", "returned"),
    ("Đúng hạn %", "on_time_rate"),
    ("Số hóa đủ", "digitised"),  # issue 15: received with every required document digitised
)
# The ratings' columns come last (every level key, best first; domain/ratings.py).
CSV_HEAD = (
    "pham_vi",
    "ma",
    "ten",
    *COUNT_KEYS,
    "on_time_rate",
    *(f"danh_gia_{k}" for k in RATING_ORDER),
)


def number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}".replace(".", ",") + " %"


def cell(row: dict[str, Any], key: str) -> str:
    if key == "digitised":  # absent from a report made before issue 15
        return number(int(row.get(key) or 0))
    return rate(row[key]) if key == "on_time_rate" else number(int(row[key]))


def digitised_line(totals: dict[str, Any]) -> str:
    """Issue 15: how many of the dossiers received in the period are digitised in full."""
    n, of = int(totals.get("digitised") or 0), int(totals.get("received") or 0)
    share = f" ({rate(n / of)})" if of else ""
    return f"Hồ sơ nhận mới đã số hóa đủ thành phần bắt buộc: {number(n)}/{number(of)}{share}."


def render_csv(report: dict[str, Any]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_HEAD)

    def line(scope: str, key: str, name: str, row: dict[str, Any]) -> None:
        rate_ = "" if row["on_time_rate"] is None else row["on_time_rate"]
        rated = row.get("ratings") or {}
        w.writerow(
            [
                scope,
                key,
                name,
                *(row[k] for k in COUNT_KEYS),
                rate_,
                *(rated.get(k, 0) for k in RATING_ORDER),
            ]
        )

    line("tong", report["unit"] or "", "Tổng cộng", report["totals"])
    for r in report.get("by_unit", []):
        line("don_vi", r["unit"], r["name"], r)
    for r in report["by_sector"]:
        line("linh_vuc", r["sector"], r["sector"], r)
    for r in report["by_procedure"]:
        line("thu_tuc", r["procedure"], r["name"], r)
    for r in report.get("by_commune", []):  # issue 16: "" = the address matched no commune
        line("xa_phuong", r["code"] or "", r["name"], r)
    return ("\ufeff" + out.getvalue()).encode("utf-8")

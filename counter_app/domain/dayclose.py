"""The day close's pure parts: the per-clerk counters, the anomaly kinds and their words, the
hash that chains a unit's closes (as records.audit_hash chains the audit log)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from counter_app.domain import ratings as rating_rules

GENESIS = "0" * 64
# The counters of a clerk's line and of the totals, in the order the sheet and window show.
COUNTS = ("received", "returned", "refused", "fees", "tickets_served", "no_shows", "not_served")
# (key, heading) of the per-clerk table: the sheet, the window and the CLI's text share it.
COLUMNS = (
    ("received", "Tiếp nhận"),
    ("returned", "Trả KQ"),
    ("refused", "Từ chối"),
    ("fees", "Phí đã thu"),
    ("tickets_served", "Lượt phục vụ"),
    ("no_shows", "Vắng mặt"),
    ("not_served", "Hết ngày chưa phục vụ"),  # waiting or held at midnight (the day end)
    ("avg_wait_s", "Chờ TB"),
    ("avg_service_s", "Phục vụ TB"),
    ("ratings", "Đánh giá"),
)
# [CHOICE] A supplement pause (DOMAIN.md §5: Mẫu 02 at intake, or a later request from the
# processing agency) is flagged at the close when it has lasted longer than this many
# calendar days: the citizen has not come back, someone should call.
PAUSE_LIMIT_DAYS = 15
ANOMALY_KINDS = (
    "ticket_unfinished",
    "receipt_missing",
    "pause_overdue",
    "dossier_overdue",
    "late_entry",
)
ANOMALY_TITLES = {
    "ticket_unfinished": "Số đã gọi nhưng chưa kết thúc",
    "receipt_missing": "Hồ sơ chưa in giấy tiếp nhận / phiếu bổ sung",
    "pause_overdue": "Chờ bổ sung quá hạn",
    "dossier_overdue": "Hồ sơ quá hạn chưa giải quyết",
    "late_entry": "Hồ sơ nhập muộn (ngày tiếp nhận lùi quá 30 ngày)",
}
_TICKET_STATES = {"called": "đang gọi", "serving": "đang phục vụ", "held": "đang giữ"}


def anomaly_text(a: dict[str, Any]) -> str:
    """One anomaly in words: what, which, and since when."""
    kind, ref, d = a["kind"], a["ref"], a.get("detail", {})
    if kind == "ticket_unfinished":
        state = _TICKET_STATES.get(str(d.get("status")), str(d.get("status")))
        return f"Số {ref} ({state}, quầy {d.get('counter') or '—'}) chưa bấm kết thúc"
    if kind == "receipt_missing":
        return f"Hồ sơ {ref}: chưa in hoặc lưu giấy tiếp nhận / phiếu yêu cầu bổ sung"
    if kind == "pause_overdue":
        return f"Hồ sơ {ref}: chờ bổ sung từ {d.get('since', '')} ({d.get('days')} ngày)"
    if kind == "dossier_overdue":
        return f"Hồ sơ {ref}: hẹn trả {d.get('due', '')}, chưa giải quyết"
    if kind == "late_entry":
        return f"Hồ sơ {ref}: nhập hôm nay với ngày tiếp nhận {d.get('received', '')}"
    return f"{kind} {ref}"


def duration(seconds: int | None) -> str:
    """'4 phút 05 giây', '—' when nothing was measured."""
    if seconds is None:
        return "—"
    m, s = divmod(int(seconds), 60)
    if m >= 60:
        h, m = divmod(m, 60)
        return f"{h} giờ {m:02d} phút"
    return f"{m} phút {s:02d} giây" if m else f"{s} giây"


def ratings_text(ratings: dict[str, int]) -> str:
    """{'rat_hai_long': 4, 'hai_long': 1} -> 'Rất hài lòng 4 · Hài lòng 1' (best first, the
    levels given that day only), '—' when none."""
    given = {k: ratings[k] for k in rating_rules.ORDER if ratings.get(k)}
    if not given:
        return "—"
    return " · ".join(f"{rating_rules.WORDS[k]} {n}" for k, n in given.items())


def cell(row: dict[str, Any], key: str) -> str:
    """A figure of the per-clerk table as printed on the day sheet and shown in the window."""
    value = row.get(key)
    if key in ("avg_wait_s", "avg_service_s"):
        return duration(value)
    if key == "ratings":
        return ratings_text(value or {})
    return f"{int(value or 0):,}".replace(",", ".")  # 8000 -> "8.000"


def _canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def close_hash(
    prev_hash: str,
    unit_id: str,
    day: date,
    closed_by: str,
    closed_at: datetime,
    summary: dict[str, Any],
    anomalies: list[dict[str, Any]],
) -> str:
    """SHA-256 over canonical JSON of the close and the previous close's hash. The instant in
    UTC: the column stores UTC and reads back UTC (as records.audit_hash)."""
    body = _canonical(
        [
            prev_hash,
            unit_id,
            day.isoformat(),
            closed_by,
            closed_at.astimezone(UTC).isoformat(),
            summary,
            anomalies,
        ]
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()

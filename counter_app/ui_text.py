"""Vietnamese words for statuses, channels, document kinds, priorities, weekdays and money.

The one home of these user-facing words, shared by the CLI, the printed forms and the UI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from counter_app.domain.model import EventView
from counter_app.domain.text import fold

STATUS_LABELS: dict[str, str] = {
    "new": "Mới",
    "accepted": "Đã tiếp nhận",
    "refused": "Từ chối",
    "processing": "Đang giải quyết",
    "supplement_requested": "Yêu cầu bổ sung",
    "payment_requested": "Chờ nộp phí",
    "withdrawn": "Rút hồ sơ",
    "stopped": "Dừng giải quyết",
    "result_ready": "Có kết quả",
    "returned": "Đã trả kết quả",
}

# The actions of `counter-app dossier CODE ACTION` (what a clerk does to a dossier).
ACTION_LABELS: dict[str, str] = {
    "supplement": "Yêu cầu bổ sung hồ sơ",
    "receive-supplement": "Nhận hồ sơ bổ sung",
    "refuse": "Từ chối giải quyết",
    "handover": "Chuyển cơ quan giải quyết",
    "receive-back": "Nhận lại từ cơ quan giải quyết",
    "result-ready": "Có kết quả",
    "apologize": "Xin lỗi, hẹn lại ngày trả",
    "return": "Trả kết quả",
    "withdraw": "Rút hồ sơ",
    "stop": "Dừng giải quyết",
    "correct": "Sửa thông tin",
}

# Each step in a dossier's history (dossier_events.kind), as `show` and the window print it.
EVENT_LABELS: dict[str, str] = {
    "received": "Tiếp nhận hồ sơ",
    "supplement_requested": "Yêu cầu bổ sung hồ sơ",
    "supplement_received": "Nhận hồ sơ bổ sung",
    "refused": "Từ chối giải quyết",
    "handed_over": "Chuyển cơ quan giải quyết",
    "received_back": "Nhận lại từ cơ quan giải quyết",
    "result_ready": "Có kết quả",
    "apologized": "Xin lỗi, hẹn lại ngày trả",
    "returned": "Trả kết quả",
    "withdrawn": "Rút hồ sơ theo yêu cầu người nộp",
    "stopped": "Dừng giải quyết",
    "corrected": "Sửa thông tin",
}

# The applicant fields a correction may change (`--field NAME`).
CORRECTION_FIELD_LABELS: dict[str, str] = {
    "name": "Họ tên",
    "id_number": "Số CCCD",
    "phone": "Điện thoại",
    "address": "Địa chỉ",
    "email": "Email",
    "commune_code": "Mã xã/phường",  # issue 16: follows a corrected address
}
# The document corrections (`--field document …`): add or change a line, mark one received,
# remove one; the event records them all as "documents" (the lines before and after).
DOCUMENT_CORRECTION_LABELS: dict[str, str] = {
    "document": "Giấy tờ: thêm hoặc sửa",
    "document_received": "Giấy tờ: đã nhận",
    "remove_document": "Giấy tờ: xoá dòng nhập nhầm",
}

TIMELINESS_LABELS: dict[str, str] = {
    "on_track": "Đúng hạn",
    "due_soon": "Sắp đến hạn",
    "overdue": "Quá hạn",
    "paused": "Chờ người nộp bổ sung",
    "closed": "",
}

RECEIVE_CHANNEL_LABELS = {"counter": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính"}
RETURN_CHANNEL_LABELS = {"counter": "Tại quầy", "postal": "Bưu chính"}
DOCUMENT_KIND_LABELS = {
    "original": "Bản chính",
    "copy": "Bản sao",
    "certified_copy": "Bản sao chứng thực",
}
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
# Queue priority classes (domain.queue.PRIORITY_CLASSES): kiosk buttons, call panel, tickets.
PRIORITY_LABELS = {
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai",
    "child": "Người có con nhỏ",
}


def document_kind_label(kind: str) -> str:
    return DOCUMENT_KIND_LABELS.get(kind, kind)


def thousands(n: int) -> str:
    """8000 -> '8.000', -8000 -> '-8.000' (the Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def money(amount: int) -> str:
    """8000 -> '8.000 đ'."""
    return thousands(amount) + " đ"


# Sync: what central could not take, in the clerk's words (the details dialog, F12).
SYNC_ISSUE_KIND_LABELS = {"rejected": "Bị từ chối", "clash": "Trùng mã hồ sơ"}
SYNC_REASON_LABELS = {
    "code_clash": "Mã hồ sơ đã được đơn vị khác dùng",
    "dossier_id_taken": "Hồ sơ đã có ở trung tâm với nội dung khác",
    "dossier_unknown": "Trung tâm chưa có hồ sơ này",
    "foreign_code": "Mã hồ sơ không mang mã đơn vị này",
    "ticket_id_taken": "Số thứ tự đã có ở trung tâm với nội dung khác",
    "ticket_unknown": "Trung tâm chưa có số thứ tự này",
    "seq_taken": "Số thứ tự sự kiện đã bị dùng (máy khôi phục từ bản sao lưu cũ?)",
    "event_id_taken": "Sự kiện đã có ở trung tâm với nội dung khác",
    "malformed": "Dữ liệu sự kiện không hợp lệ",
    "rating_invalid": "Đánh giá không hợp lệ (mức, thang hoặc ngày)",
    "rating_duplicate": "Số thứ tự hoặc hồ sơ này đã có đánh giá ở trung tâm",
}
SYNC_EVENT_KIND_LABELS = {
    "dossier": "Hồ sơ",
    "dossier_event": "Xử lý hồ sơ",
    "ticket": "Số thứ tự",
    "ticket_event": "Gọi số",
    "rating": "Đánh giá của người dân",
}

# The sync's warning when the link to central is not encrypted (CLI and status bar).
INSECURE_LINK_TEXT = "Kết nối tới máy chủ trung tâm không được mã hoá"


def _moment(iso: Any) -> str:
    try:
        return f"{datetime.fromisoformat(str(iso)):%H:%M %d/%m/%Y}"
    except ValueError:
        return str(iso)


def event_details(e: EventView) -> str:
    """What a step recorded besides its reason, in the clerk's words (`show`, the window)."""
    d = e.data or {}
    parts: list[str] = []
    if e.kind == "handed_over" and d.get("to"):
        parts.append(f"giao: {d['to']}")
    elif e.kind == "received_back":
        parts += [f"nhận từ: {d['from']}"] if d.get("from") else []
        parts += [f"kết quả: {d['result']}"] if d.get("result") else []
    elif e.kind == "supplement_requested" and d.get("documents"):
        parts.append("cần bổ sung: " + "; ".join(map(str, d["documents"])))
    elif e.kind in ("supplement_received", "apologized") and d.get("due_at"):
        parts.append(f"hẹn trả mới {_moment(d['due_at'])}")
        parts += [f"trước đó {_moment(d['previous_due_at'])}"] if d.get("previous_due_at") else []
    elif e.kind == "returned":
        parts += _return_details(d)
    elif e.kind == "corrected" and isinstance(d.get("changes"), dict):
        for key, pair in d["changes"].items():
            if key == "documents":
                parts += _document_changes(pair)
                continue
            old, new = [*list(pair), "", ""][:2]
            label = CORRECTION_FIELD_LABELS.get(key, key)
            parts.append(f"{label}: {old or '—'} → {new or '—'}")
    return "; ".join(parts)


def document_line_text(name: str, kind: str, count: int, received: bool = True) -> str:
    """'Tờ khai (Bản chính, 1)'; a line not handed in ends ', thiếu'."""
    return f"{name} ({document_kind_label(kind)}, {count}{'' if received else ', thiếu'})"


def _document_changes(pair: Any) -> list[str]:
    """A correction's document lines before and after -> one 'old → new' per line changed,
    matched by name without accents (an added line comes from —, a removed one goes to —)."""
    sides: list[dict[str, dict[str, Any]]] = []
    for lines in [*list(pair), [], []][:2]:
        side = {}
        for x in lines if isinstance(lines, list) else []:
            if isinstance(x, dict):
                side[fold(str(x.get("name", "")))] = x
        sides.append(side)
    old, new = sides
    out = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if a != b:
            out.append(f"Giấy tờ: {_document_text(a)} → {_document_text(b)}")
    return out


def _document_text(x: dict[str, Any] | None) -> str:
    if x is None:
        return "—"
    return document_line_text(
        str(x.get("name", "")),
        str(x.get("kind", "")),
        int(x.get("count") or 0),
        bool(x.get("received", True)),
    )


def _return_details(d: dict[str, Any]) -> list[str]:
    if d.get("channel") == "postal":
        parts = [f"qua bưu chính, mã vận đơn {d.get('tracking', '')}"]
    else:
        parts = ["tại quầy"]
    to = d.get("to")
    if isinstance(to, dict):
        parts.append(f"người nhận thay: {to.get('name', '')} (CCCD {to.get('id_number', '')})")
    if isinstance(d.get("fee"), int):
        parts.append(f"thu {money(d['fee'])}")
    return parts


NO_FEE = "Không thu phí, lệ phí"
_FEE_PER = {"page": "trang", "copy": "bản"}


def fee_text(amount: int, unit: str = "dossier") -> str:
    """Fee line value: "8.000 đồng" a dossier, the rate "2.000 đ/trang" or "3.000 đ/bản" for a
    fee fixed per page or copy, "Không thu phí, lệ phí" when none is due (DOMAIN.md §3)."""
    if amount <= 0:
        return NO_FEE
    per = _FEE_PER.get(unit)
    return f"{thousands(amount)} đ/{per}" if per else f"{thousands(amount)} đồng"


def processing_time(days: int, unit: str = "working_days") -> str:
    """Processing time in the procedure's unit: "3 ngày làm việc", "15 ngày", "8 giờ làm việc";
    same-day procedures (0 days) read "trong ngày"."""
    if unit == "hours":
        return f"{days} giờ làm việc"
    if days <= 0:
        return "trong ngày"
    return f"{days} ngày" if unit == "calendar_days" else f"{days} ngày làm việc"

"""Vietnamese labels for statuses, channels and document kinds (shared by CLI, forms and UI)."""

from __future__ import annotations

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


def document_kind_label(kind: str) -> str:
    return DOCUMENT_KIND_LABELS.get(kind, kind)


def money(amount: int) -> str:
    """8000 -> '8.000 đ'."""
    return f"{amount:,}".replace(",", ".") + " đ"

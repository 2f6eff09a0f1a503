# ruff: noqa: E501 (user-facing Vietnamese sentences read better whole, as in messages.py)
"""Messages of the digitised files' upload to and download from central (issue 15, the sync
half: services/file_sync.py), merged into messages.MESSAGES."""

from __future__ import annotations

FILE_SYNC_MESSAGES: dict[str, str] = {
    "file_hash_invalid": "Mã băm của tệp không hợp lệ.",
    "file_fetch_args": "Cần mã hồ sơ và tên tệp, ví dụ: counter-app file fetch 000.20.25.H01-261126-0001 000.20.25.H01-261126-0001_01_don-de-nghi.pdf",
    "file_not_on_central": "Trung tâm không có tệp {name} của hồ sơ {code} (sai tên tệp, hoặc quầy đã số hóa chưa gửi sự kiện lên trung tâm).",
    "file_not_uploaded_yet": "Tệp {name} của hồ sơ {code} chưa được gửi hết lên trung tâm; thử lại sau khi quầy đã số hóa đồng bộ xong.",
    "file_download_mismatch": "Tệp {name} của hồ sơ {code} tải từ trung tâm không đúng mã băm; tệp không được lưu. Thử tải lại.",
}

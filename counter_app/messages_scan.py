# ruff: noqa: E501 (user-facing Vietnamese sentences read better whole, as in messages.py)
"""Messages of the document scanner and the scanned pages (issue 15 item 1), merged into
messages.MESSAGES."""

from __future__ import annotations

SCAN_MESSAGES: dict[str, str] = {
    "scanner_none": "Máy này chưa đặt máy quét giấy tờ (document_scanner trong cấu hình). Vẫn có thể đính kèm tệp (Ctrl+F11) hoặc kéo thả tệp vào dòng giấy tờ.",
    "scanner_sane_missing": "Không thấy chương trình quét scanimage (gói sane-utils). Cài sane-utils rồi thử lại, hoặc đính kèm tệp (Ctrl+F11).",
    "scanner_wia_missing": "Không dùng được WIA của Windows để quét (thiếu comtypes). Cài lại phần mềm, hoặc đính kèm tệp (Ctrl+F11).",
    "scanner_list_failed": "Không đọc được danh sách máy quét ({detail}).",
    "scanner_not_found": "Không thấy máy quét {scanner} (chưa cắm, chưa bật, hoặc cáp lỏng). Kiểm tra máy quét rồi bấm F11 lại.",
    "scanner_busy": "Máy quét {scanner} đang bận (một chương trình khác đang dùng, hoặc máy đang khởi động). Chờ một lát rồi bấm F11 lại.",
    "scanner_lost": "Mất kết nối với máy quét {scanner} khi đang quét ({detail}): máy bị rút cáp hoặc tắt. Cắm lại rồi bấm F11 để quét tiếp.",
    "scanner_jammed": "Giấy bị kẹt trong máy quét {scanner}. Gỡ tờ bị kẹt, đặt lại rồi bấm F11 để quét tiếp.",
    "scanner_cover_open": "Nắp máy quét {scanner} đang mở. Đóng nắp rồi bấm F11 lại.",
    "scanner_no_paper": "Khay nạp giấy của máy quét {scanner} trống. Đặt giấy vào rồi bấm F11 lại.",
    "scanner_denied": "Tài khoản này không được phép dùng máy quét {scanner}. Trên Linux cần thêm tài khoản vào nhóm scanner rồi đăng nhập lại.",
    "scan_timeout": "Máy quét {scanner} không trả trang nào sau {seconds} giây nên đã dừng quét. Kiểm tra máy quét (giấy, cáp, nguồn) rồi bấm F11 để quét tiếp.",
    "scanner_failed": "Máy quét {scanner} báo lỗi ({detail}). Bấm F11 để thử lại.",
    "scan_pages_kept": "Đã giữ {pages} trang quét được trước đó.",
    "scan_file_unreadable": "Không đọc được tệp {name}: không phải ảnh (JPEG, PNG) hay PDF.",
    "scan_file_unopenable": "Không mở được tệp {name} ({detail}).",
    "scan_pdf_no_rotate": "Tệp PDF đính kèm được giữ nguyên chiều; chỉ xoay được trang quét hoặc ảnh.",
    "scan_cli_partial": "{reason} Đã ghi {pages_done} trang quét được vào {out}.",
    "scan_dpi_invalid": "Độ phân giải {value} không dùng được: chọn từ 50 đến 1200 dpi (giấy tờ: 200–300).",
    "scan_no_document": "Chọn một dòng giấy tờ trong danh sách trước khi quét hoặc đính kèm.",
}

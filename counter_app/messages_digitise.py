# ruff: noqa: E501 (user-facing Vietnamese sentences read better whole, as in messages.py)
"""Messages of the digitised documents' store (issue 15 items 2, 3), merged into
messages.MESSAGES: files that are not documents, too big, encrypted or broken PDFs,
archive copies changed on disk."""

from __future__ import annotations

DIGITISE_MESSAGES: dict[str, str] = {
    "file_not_document": "Tệp không phải ảnh (JPEG, PNG, TIFF) hay PDF: không lưu gì.",
    "file_not_document_named": "Tệp {name} không phải ảnh (JPEG, PNG, TIFF) hay PDF (xét theo nội dung, không theo tên): không lưu gì.",
    "file_image_broken": "Ảnh bị hỏng hoặc không đọc được: không lưu gì. Hãy quét hoặc chụp lại.",
    "file_pdf_encrypted": "Tệp PDF có mật khẩu (mã hóa): không lưu gì. Hãy xin bản không có mật khẩu, hoặc in ra rồi quét.",
    "file_pdf_broken": "Tệp PDF bị hỏng, không mở được: không lưu gì.",
    "file_too_big": "Tệp {name} quá lớn ({mb} MB; tối đa {limit} MB): không lưu gì. Hãy quét lại ở 200–300 dpi.",
    "file_no_pages": "Chưa có trang nào để lưu.",
    "file_bad_rotation": "Góc xoay {rotation} không hợp lệ (chỉ 0, 90, 180, 270).",
    "file_bad_source": "Nguồn tệp {source} không hợp lệ (scan hoặc file).",
    "file_bad_hash": "Mã băm {sha} không hợp lệ.",
    "blob_missing": "Tệp lưu trữ {sha}… không còn trên ổ đĩa. Hãy khôi phục từ bản sao lưu.",
    "file_hash_mismatch": "Tệp lưu trữ {sha}… đã bị thay đổi trên ổ đĩa (mã băm không khớp): không dùng được. Hãy khôi phục từ bản sao lưu.",
    "file_document_unknown": "Hồ sơ {code} không có giấy tờ «{document}».",
    "file_verify_bad": "{bad} trong {total} tệp lưu trữ bị hỏng hoặc mất (đầu tiên: {sha}…). Hãy khôi phục chúng từ bản sao lưu.",
    "intake_scan_document_unknown": "Trang quét gắn với giấy tờ thứ {index}, nhưng hồ sơ không có giấy tờ đó.",
    "restore_file_corrupt": "Bản sao lưu có tệp số hóa bị hỏng ({sha}…, mã băm không khớp): không khôi phục; cơ sở dữ liệu đang dùng không bị ảnh hưởng. Hãy dùng bản sao lưu khác.",
    "file_unknown": "Hồ sơ {code} không có tệp {name}.",
}

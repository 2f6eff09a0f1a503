# ruff: noqa: E501 (user-facing Vietnamese sentences read better whole, as in messages.py)
"""Messages of updates and of the backup before a migration (issue 13 item 5), merged into
messages.MESSAGES."""

from __future__ import annotations

UPDATE_MESSAGES: dict[str, str] = {
    "update_no_url": "Chưa đặt địa chỉ máy chủ cập nhật (update_url trong tệp cấu hình).",
    "update_no_key": "Chưa đặt khóa công khai kiểm tra bản cập nhật (update_public_key trong tệp cấu hình): không tải bản cập nhật nào chưa kiểm tra được chữ ký.",
    "update_public_key_invalid": "Khóa công khai kiểm tra bản cập nhật (update_public_key) không hợp lệ: cần chuỗi base64 của khóa Ed25519 (32 byte) do tỉnh cấp.",
    "update_key_invalid": "Tệp khóa ký bản cập nhật không phải khóa riêng Ed25519 dạng PEM.",
    "update_key_exists": "Tệp {path} đã có: không ghi đè khóa (hãy chọn tên tệp khác).",
    "update_package_missing": "Không tìm thấy gói cài đặt {path}.",
    "update_manifest_invalid": "Tệp mô tả bản cập nhật (manifest.json) trên máy chủ không đọc được ({detail}): bỏ qua, chưa tải gì.",
    "update_signature_bad": "Chữ ký của bản cập nhật trên máy chủ không đúng với khóa của tỉnh: bỏ qua, chưa tải gì. Hãy báo cho quản trị viên của tỉnh.",
    "update_not_found": "Máy chủ cập nhật không có tệp {url}.",
    "update_offline": "Không kết nối được máy chủ cập nhật ({detail}); sẽ thử lại sau. Phần mềm vẫn dùng bình thường.",
    "update_download_cut": "Tải bản cập nhật bị ngắt giữa chừng ({got}/{size} byte); lần sau sẽ tải tiếp từ chỗ đã dừng.",
    "update_checksum": "Bản cập nhật {version} tải về không đúng mã kiểm tra (sha256): đã xóa tệp, không cài. Sẽ tải lại ở lần sau.",
    "update_unwritable": "Không ghi được bản cập nhật vào {path}: {detail}.",
    "update_install_failed": "Cài bản cập nhật {version} ở lần khởi động trước không thành công: vẫn dùng phiên bản hiện tại. Hãy báo cho quản trị viên.",
    "migration_backup_failed": "Không sao lưu được cơ sở dữ liệu trước khi nâng cấp ({path}: {detail}): chưa nâng cấp, cơ sở dữ liệu giữ nguyên. Hãy giải phóng ổ đĩa hoặc kiểm tra thư mục sao lưu rồi mở lại.",
}

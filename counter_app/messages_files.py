# ruff: noqa: E501 (user-facing Vietnamese sentences read better whole, as in messages.py)
"""Messages of the file and storage faults (issue 12, items 3, 7, 8, 11), merged into
messages.MESSAGES: the database missing, replaced or unwritable, a config path that is not a
file, a bad --db URL."""

from __future__ import annotations

FILE_MESSAGES: dict[str, str] = {
    "config_missing": "Không có tệp cấu hình {path} (đã ghi --config); hãy kiểm tra lại đường dẫn.",
    "config_not_file": "Tệp cấu hình {path} không phải là một tệp (có thể là thư mục).",
    "db_missing": "Chưa có cơ sở dữ liệu tại {path}. Tạo mới bằng: counter-app init (hoặc counter-app unit set --agency MÃ --name TÊN); nếu đã có, hãy kiểm tra đường dẫn --db.",
    "storage_fault": "Không ghi được dữ liệu vào ổ đĩa; chưa có gì được lưu.",
    "disk_full": "Ổ đĩa đã đầy: chưa có gì được lưu. Hãy giải phóng chỗ trống (xóa tệp không cần, dọn thùng rác) rồi làm lại.",
    "db_readonly": "Cơ sở dữ liệu chỉ cho phép đọc (tệp hoặc thư mục chứa nó không ghi được): chưa có gì được lưu. Hãy cấp quyền ghi cho tệp và thư mục của nó.",
    "db_locked": "Cơ sở dữ liệu đang bị chương trình khác khóa quá lâu: chưa có gì được lưu. Hãy đợi rồi làm lại, hoặc đóng chương trình đang dùng nó.",
    "db_cantopen": "Không mở được tệp cơ sở dữ liệu (thư mục không ghi được, hoặc đường dẫn sai): chưa có gì được lưu.",
    "db_io_error": "Lỗi đọc/ghi ổ đĩa khi dùng cơ sở dữ liệu: chưa có gì được lưu. Hãy kiểm tra ổ đĩa.",
    "file_readonly": "Ổ đĩa chỉ cho phép đọc: không ghi được {path}.",
    "file_no_permission": "Không có quyền đọc/ghi {path}.",
    "path_is_directory": "{path} là một thư mục, không phải tệp.",
    "db_replaced": "Tệp cơ sở dữ liệu {path} đã bị xóa hoặc thay thế khi phần mềm đang mở: không lưu vào tệp đã mất. Hãy đóng phần mềm, khôi phục tệp rồi mở lại.",
    "db_wal_lost": "Tệp nhật ký ghi (-wal) của cơ sở dữ liệu {path} đã bị xóa khi phần mềm đang mở: không lưu thêm. Đừng tắt máy; hãy báo quản trị.",
    "db_url_unsupported": "--db phải là đường dẫn tệp SQLite hoặc địa chỉ postgresql://…, không phải {url}.",
}

# ruff: noqa: E501 (user-facing Vietnamese sentences read better whole, as in messages.py)
"""Messages of the devices found by USB id and of the Windows RAW ticket printer (issue 13,
items 2 and 3), merged into messages.MESSAGES."""

from __future__ import annotations

DEVICE_MESSAGES: dict[str, str] = {
    # devices named by USB id (devices/ports.py)
    "device_usb_invalid": "Cách ghi thiết bị USB không hợp lệ: {value}. Dạng đúng: usb:VID:PID hoặc usb:VID:PID:SỐ_SÊ_RI (VID, PID là 4 chữ số hệ 16), ví dụ usb:1a86:7523; xem bằng lệnh counter-app device list.",
    "device_not_found": "{device}: không thấy thiết bị {usb} (chưa cắm, hoặc cáp lỏng). Cắm lại rồi thử lại; lệnh counter-app device list liệt kê các thiết bị đang cắm.",
    "device_ambiguous": "{device}: có {count} thiết bị cùng mã {usb}: {ports}. Ghi thêm số sê-ri vào cấu hình để chọn một thiết bị.",
    "device_ambiguous_no_serial": "{device}: có {count} thiết bị cùng mã {usb} ở các cổng {ports}, không có số sê-ri để phân biệt. Rút bớt một thiết bị, hoặc ghi thẳng tên cổng (ví dụ COM5) vào cấu hình.",
    "device_port_busy": "{device}: cổng {port} đang bị chương trình khác giữ. Đóng chương trình đó (phần mềm của hãng, cửa sổ máy in, PuTTY, một cửa sổ phần mềm này đang mở khác) rồi thử lại.",
    "device_port_denied": "{device}: tài khoản này không được phép mở cổng {port}. Trên Linux cần thêm tài khoản vào nhóm dialout rồi đăng nhập lại.",
    "device_port_missing": "{device}: máy này không có cổng {port} (cáp đã rút, hoặc cắm sang ổ USB khác nên đổi số cổng). Cắm lại, hoặc ghi thiết bị bằng mã USB (usb:VID:PID, xem counter-app device list).",
    "scanner_port_lost": "Mất kết nối với máy quét ở {port} ({detail}); đang thử kết nối lại. Vẫn có thể quét qua bàn phím.",
    "device_kind_invalid": "Không có loại thiết bị {kind} (scanner: máy quét, led_board: bảng LED; máy in vé đặt bằng printer set ticket).",
    "device_setting_invalid": "{device}: không dùng được {value}; hãy ghi cổng (COM3, /dev/ttyUSB0), socket://máy:cổng hoặc usb:VID:PID.",
    "device_list_failed": "Không đọc được danh sách cổng nối tiếp của máy ({detail}).",
    # the ticket printer as a Windows printer (devices/winspool.py)
    "winspool_not_windows": "Máy in vé winspool:{printer} chỉ dùng được trên Windows; trên máy này hãy ghi cổng (/dev/ttyUSB0, usb:VID:PID) hoặc socket://máy:9100.",
    "winspool_no_pywin32": "Thiếu thành phần pywin32 để in vé qua Windows (winspool:{printer}); hãy cài lại phần mềm.",
    "winspool_unknown_printer": 'Windows không có máy in tên "{printer}". Ghi đúng tên như trong Cài đặt > Máy in & máy quét. Số vẫn được giữ; có thể in lại.',
    "winspool_raw_refused": 'Trình điều khiển của máy in "{printer}" không nhận dữ liệu in thô (RAW). Hãy dùng trình điều khiển của hãng cho máy in vé (hoặc "Generic / Text Only"). Số vẫn được giữ; có thể in lại.',
    "winspool_short_write": 'Máy in "{printer}" chỉ nhận {written}/{total} byte; lệnh in đã được hủy để không in nửa vé. Số vẫn được giữ; có thể in lại.',
    "winspool_offline": 'Máy in vé "{printer}" đang ngoại tuyến (tắt, rút cáp hoặc đặt "dùng ngoại tuyến"). Bật máy in rồi in lại; số vẫn được giữ.',
    "winspool_paper": 'Máy in vé "{printer}" hết giấy hoặc kẹt giấy. Thay giấy rồi in lại; số vẫn được giữ.',
    "winspool_paused": 'Máy in vé "{printer}" đang tạm dừng trong Windows. Bỏ tạm dừng rồi in lại; số vẫn được giữ.',
    "winspool_error": 'Máy in vé "{printer}" đang báo lỗi (nắp mở hoặc lỗi máy). Kiểm tra máy in rồi in lại; số vẫn được giữ.',
}

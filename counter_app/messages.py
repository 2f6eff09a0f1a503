"""The one place where error codes become Vietnamese sentences, for the CLI and the UI alike."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.domain.limits import MAX_DOCUMENT_LINES
from counter_app.domain.redact import redact_secrets
from counter_app.messages_addresses import ADDRESS_FIELD_LABELS, ADDRESS_MESSAGES
from counter_app.messages_central_units import CENTRAL_UNITS_MESSAGES
from counter_app.messages_devices import DEVICE_MESSAGES
from counter_app.messages_digitise import DIGITISE_MESSAGES
from counter_app.messages_files import FILE_MESSAGES
from counter_app.messages_filesync import FILE_SYNC_MESSAGES
from counter_app.messages_scan import SCAN_MESSAGES
from counter_app.messages_units import UNIT_PLACE_MESSAGES
from counter_app.messages_updates import UPDATE_MESSAGES

MESSAGES: dict[str, str] = {
    # general
    "error": "Đã có lỗi: {detail}",
    "invalid": "Thông tin chưa hợp lệ.",
    "not_found": "Không tìm thấy.",
    "conflict": "Dữ liệu đã thay đổi, vui lòng thử lại.",
    # fields
    "required": "Không được để trống.",
    "not_text": "Phải là chuỗi ký tự.",
    "not_object": "Phải là một đối tượng JSON.",
    "not_list": "Phải là một danh sách.",
    "not_bool": "Phải là true hoặc false (không đặt trong dấu ngoặc kép).",
    "not_int": "Phải là một số nguyên (không đặt trong dấu ngoặc kép).",
    "too_long": "Quá dài.",
    "control_chars": "Có ký tự điều khiển không hợp lệ.",
    "unsupported_chars": "Có ký tự không được hỗ trợ (biểu tượng cảm xúc, ký hiệu lạ).",
    "name_chars": "Họ tên chỉ gồm chữ cái, dấu cách, dấu nháy, gạch nối.",
    "id_number_invalid": "Số CCCD phải gồm 12 chữ số hợp lệ.",
    "phone_invalid": "Số điện thoại không hợp lệ (10 số, bắt đầu bằng 0).",
    "email_invalid": "Địa chỉ email không hợp lệ.",
    "cccd_qr_invalid": "Mã QR trên CCCD không đọc được.",
    "document_kind_invalid": "Loại giấy tờ phải là bản chính, bản sao hoặc bản sao chứng thực.",
    "count_invalid": "Số lượng phải từ 1 đến 99.",
    "sets_invalid": "Số bộ hồ sơ phải từ 1 đến 99.",
    "channel_invalid": "Kênh nhận/trả không hợp lệ.",
    "return_address_required": "Trả kết quả qua bưu điện thì phải có địa chỉ nhận.",
    "datetime_invalid": "Thời gian không đúng định dạng (ví dụ 2026-11-28T09:15:00+07:00).",
    "received_at_future": "Không được ở tương lai.",
    "processing_days_invalid": "Số ngày giải quyết không hợp lệ.",
    "time_unit_invalid": "Đơn vị thời gian giải quyết không hợp lệ: {time_unit}.",
    "username_invalid": "Tên đăng nhập chỉ gồm chữ không dấu, số, dấu chấm, gạch dưới.",
    "role_invalid": "Vai trò phải là clerk, supervisor hoặc admin.",
    "password_too_short": "Mật khẩu quá ngắn.",
    # intake, codes, catalogue
    "intake_not_object": "Hồ sơ phải là một đối tượng JSON hoặc danh sách các đối tượng.",
    "intake_empty": "Tệp không có hồ sơ nào.",
    "procedure_unknown": "Không có thủ tục mã {code} trong danh mục.",
    "dossier_unknown": "Không tìm thấy hồ sơ {code}.",
    "code_invalid": "Mã hồ sơ không đúng dạng: {value}",
    "agency_id_invalid": "Mã định danh cơ quan không đúng dạng (ví dụ 000.00.20.H01): {value}",
    "sequence_exhausted": "Đã hết số thứ tự được cấp cho ngày này; chưa lưu gì. Nếu là mã hồ sơ: giám sát cấp cho máy này một dải số khác, không trùng máy khác của đơn vị (counter-app unit set --code-range ĐẦU-CUỐI).",
    "day_closed": "Ngày {day} đã khóa sổ (khóa đến {closed}); không thể ghi thêm.",
    "catalogue_format": 'Tệp danh mục phải có dạng {{"procedures": [...]}}.',
    "catalogue_field_invalid": "Danh mục: {where}.{field} không hợp lệ.",
    "catalogue_duplicate_code": "Danh mục có mã thủ tục trùng: {code}.",
    "form_kind_unavailable": "Bộ mẫu {form_set} không có mẫu {kind}.",
    "form_kind_not_yet": "Mẫu {kind} chưa được hỗ trợ trong phiên bản này.",
    "form_event_missing": "Hồ sơ {code} chưa {what}, nên không có mẫu này để in.",
    "stop_notice_2018": (
        "Hồ sơ {code} tiếp nhận trước ngày 15/9/2025, theo bộ mẫu của Thông tư 01/2018/TT-VPCP:"
        " bộ mẫu này không có Thông báo dừng giải quyết hồ sơ."
    ),
    "receipt_waiting_documents": (
        "Hồ sơ {code} đang chờ bổ sung giấy tờ nên chưa có giấy hẹn trả kết quả (Mẫu 01);"
        " hãy in phiếu yêu cầu bổ sung (--kind supplement)."
    ),
    "supplement_nothing_missing": (
        "Hồ sơ {code} không thiếu giấy tờ nào: không in phiếu yêu cầu bổ sung trống."
    ),
    "label_format_invalid": "Nhãn chỉ xuất được PDF, PNG hoặc SVG.",
    "output_format_invalid": "Không nhận biết được định dạng tệp ra: {path}",
    "output_foreign_file": "{path} đã có và không phải tệp {format}; không ghi đè.",
    "report_range_invalid": "Ngày bắt đầu {start} sau ngày kết thúc {end}.",
    # the register and the certification books (counter-app register)
    "range_too_long": "Khoảng thời gian quá dài: in sổ cho tối đa {days} ngày một lần.",
    "cert_book_unknown": "Không có sổ chứng thực {book}: dùng SCT/BS (bản sao) hoặc SCT/CK (chữ ký).",
    "cert_book_one_year": "Sổ chứng thực mở theo năm: in từng năm một ({start} và {end} khác năm).",
    "output_pdf_only": "Sổ chỉ xuất được tệp PDF (.pdf), không phải {path}.",
    "output_is_database": "Không ghi đè lên tệp cơ sở dữ liệu {path}; hãy chọn tên tệp khác.",
    # actions on a dossier (counter-app dossier CODE ACTION, DOMAIN.md §4)
    "action_unknown": "Không có thao tác {action} trên hồ sơ.",
    "action_not_allowed": "Hồ sơ đang ở trạng thái “{status}”: không thực hiện được thao tác “{action}”.",
    "supplement_once": "Cơ quan giải quyết chỉ được yêu cầu bổ sung hồ sơ một lần; hồ sơ này đã có yêu cầu đó.",
    "apology_once": "Hồ sơ đã được xin lỗi và hẹn lại ngày trả một lần; không được hẹn lại lần nữa.",
    "tracking_required": "Trả kết quả qua bưu chính thì phải có mã vận đơn (--tracking).",
    "new_due_required": "Cần ngày hẹn trả mới (--new-due).",
    "new_due_not_later": "Ngày hẹn trả mới {new_due} phải sau ngày hẹn hiện tại {due}.",
    "action_in_future": "Thời điểm {at} ở tương lai: chỉ ghi việc đã xảy ra hoặc đang xảy ra.",
    "action_before_receipt": "Thời điểm {at} trước lúc tiếp nhận hồ sơ ({received}).",
    "action_before_last": "Thời điểm {at} trước bước xử lý gần nhất của hồ sơ ({last}).",
    "agency_required": "Cần ghi cơ quan nhận bàn giao (--to).",
    "return_to_invalid": 'Người nhận thay phải ghi dạng "Họ tên|Số CCCD".',
    "fee_invalid": "Phí, lệ phí phải là số nguyên không âm.",
    "date_invalid": "Ngày không đúng định dạng (ví dụ 2026-12-09).",
    "option_not_for_action": "Tùy chọn {option} không dùng cho thao tác “{action}”.",
    "correction_empty": "Cần ít nhất một thông tin cần sửa (--field … --value …).",
    "correction_pairs": "Mỗi --field phải đi kèm đúng một --value.",
    "correction_field_unknown": "Không sửa được thông tin “{field}”; chỉ sửa được họ tên (name), số CCCD (id-number), điện thoại (phone), địa chỉ (address), email và giấy tờ (document, document-received, remove-document).",
    "correction_unchanged": "Thông tin mới giống thông tin cũ: không có gì để sửa.",
    "correction_document_format": 'Giấy tờ ghi dạng "Tên giấy tờ|loại|số lượng" để thêm hoặc sửa (ví dụ "Tờ khai|original|1"); tên giấy tờ để ghi đã nhận hoặc xoá.',
    "correction_document_kind": "Không có loại giấy tờ “{kind}”; loại là original (bản chính), copy (bản sao) hoặc certified-copy (bản sao chứng thực).",
    "correction_document_count": "Số lượng giấy tờ “{count}” không hợp lệ: phải là số từ 1 đến 99.",
    "correction_document_absent": "Hồ sơ không có giấy tờ “{name}”.",
    "correction_document_required": "Giấy tờ “{name}” là thành phần bắt buộc của thủ tục: không xoá được (sửa được loại, số lượng).",
    "correction_document_supplement": "Hồ sơ đang chờ bổ sung giấy tờ “{name}”: khi người nộp mang đến, ghi bằng thao tác Nhận hồ sơ bổ sung (receive-supplement), thao tác này tính lại ngày hẹn trả.",
    "dossier_changed": "Hồ sơ {code} vừa được người khác cập nhật (nay: “{status}”); hãy mở lại hồ sơ rồi thử lại.",
    "user_not_local": "Cán bộ {username} không thuộc đơn vị này.",
    # the action forms of the window (ui/dossier_view.py)
    "new_due_bad": "Ngày không đúng dạng ngày/tháng/năm (ví dụ 09/12/2026).",
    "collector_id_required": "Quét hoặc nhập số CCCD của người đến nhận.",
    "documents_required": "Ghi ít nhất một giấy tờ cần bổ sung.",
    # accounts
    "user_unknown": "Không có cán bộ {username}.",
    "user_exists": "Tên đăng nhập {username} đã có.",
    "auth_failed": "Sai tên đăng nhập hoặc mật khẩu.",
    "account_locked": "Tài khoản tạm khóa do nhập sai nhiều lần. Thử lại sau {minutes} phút.",
    "unit_not_set_up": "Chưa thiết lập đơn vị. Chạy: counter-app unit set --agency MÃ --name TÊN (hoặc counter-app init --demo để dùng thử).",
    "unit_needs_demo": "--unit chỉ dùng cùng --demo.",
    # files, database, config
    "file_missing": "Không tìm thấy tệp {path}.",
    "file_unwritable": "Không ghi được tệp {path}: {detail}",
    "json_invalid": "Tệp {path} không phải JSON hợp lệ: {detail}",
    "db_not_a_database": "{path} không phải cơ sở dữ liệu của phần mềm; không mở và không ghi đè.",
    "db_foreign": "Cơ sở dữ liệu này thuộc phần mềm khác; không mở và không ghi đè.",
    "db_newer": "Cơ sở dữ liệu do phiên bản mới hơn tạo ra ({revision}); hãy cập nhật phần mềm.",
    "db_unreadable": "Không đọc được cơ sở dữ liệu: {detail}",
    "db_refused": "Không mở được cơ sở dữ liệu.",
    "config_invalid": "Cấu hình {key} không hợp lệ: {value}",
    "config_unreadable": "Không đọc được tệp cấu hình {path}: {detail}",
    "config_unknown_key": "Cấu hình có khóa không biết: {key}",
    # printing
    "print_failed": "In không thành công.",
    "no_spooler": "Không tìm thấy dịch vụ in trên máy này.",
    "printer_offline": "Máy in {printer} không sẵn sàng (tắt, mất kết nối hoặc bị tạm dừng).",
    "printer_rejected": "Máy in từ chối lệnh in: {detail}",
    "printer_timeout": "Máy in {printer} không phản hồi.",
    "printer_setting_invalid": "Cấu hình máy in không hợp lệ: {setting}",
    "folder_unwritable": "Không ghi được vào thư mục {printer}: {detail}",
    "copies_invalid": "Số bản in phải từ 1 đến 99.",
    "reason_required": "Cần ghi rõ lý do.",
    "label_code_too_long": 'Mã hồ sơ quá dài để in rõ vừa nhãn {size} mm: dùng mã QR (label_symbology = "qr").',
    # time rules
    "calendar_no_working_day": "Lịch không có ngày làm việc nào trong một năm tới; kiểm tra lịch điều chỉnh.",
    "office_hours_invalid": "Giờ làm việc của đơn vị không hợp lệ (giờ mở cửa, giờ nhận, giờ đóng cửa).",
    "received_at_naive": "Thời gian tiếp nhận phải có múi giờ.",
    "now_invalid": "Biến môi trường COUNTER_APP_NOW (chỉ dùng khi kiểm thử) không hợp lệ: {value!r}; cần dạng 2026-12-02T09:00:00+07:00.",
    # thermal ticket printer, LED board
    "ticket_printer_failed": "Máy in vé {printer} không in được ({detail}). Số vẫn được giữ; có thể in lại.",
    "led_board_failed": "Bảng LED {port} không nhận lệnh ({detail}).",
    # scanners
    "scan_unrecognised": "Mã vừa quét không phải CCCD hay mã hồ sơ.",
    "scanner_port_failed": "Mất kết nối với máy quét; vẫn có thể quét qua bàn phím.",
    # queue
    "service_unknown": "Không có lĩnh vực {code} để lấy số thứ tự.",
    "service_closed": "Lĩnh vực {name} chỉ phát số từ {opens} đến {closes}.",
    "service_numbers_exhausted": "Lĩnh vực {name} đã hết số thứ tự của hôm nay.",
    "service_config_invalid": "Cấu hình lĩnh vực {code} không hợp lệ: {detail}.",
    "priority_unknown": "Đối tượng ưu tiên không hợp lệ: {value} (người cao tuổi, người khuyết tật, phụ nữ mang thai, người có con nhỏ).",
    "counter_serves_nothing": "Quầy số {counter} không phục vụ lĩnh vực nào.",
    "counter_has_no_ticket": "Quầy số {counter} chưa gọi số nào.",
    "ticket_unknown": "Không tìm thấy số thứ tự để gắn với hồ sơ.",
    "transfer_target_required": "Cần chọn chuyển sang một lĩnh vực hoặc sang một quầy.",
    # sync and the central database
    "sync_failed": "Đồng bộ không thành công.",
    "sync_no_central": "Chưa cấu hình máy chủ trung tâm: dùng --central URL hoặc central_url trong tệp cấu hình.",
    "central_url_invalid": "Địa chỉ máy chủ trung tâm không hợp lệ: {url} (dạng postgresql://tài_khoản:mật_khẩu@máy:cổng/csdl).",
    "central_unreachable": "Không kết nối được máy chủ trung tâm ({detail}). Dữ liệu vẫn an toàn trên máy này và sẽ được gửi khi có mạng.",
    "unit_settings_none": "Chưa có gì để đặt: dùng --agency, --name, --opens, --closes, --cutoff, --code-range, --receiving-name, --result-place … (xem counter-app unit set --help).",
    "central_busy": "Máy chủ trung tâm đang bận (chờ khoá quá {timeout}): chưa thay đổi gì, hãy thử lại sau ít phút.",
    "central_not_initialised": "Cơ sở dữ liệu trung tâm chưa được khởi tạo: chạy `counter-app central init --url …` trước.",
    "central_needs_admin": "Khởi tạo cơ sở dữ liệu trung tâm cần tài khoản quản trị (được tạo vai trò).",
    "central_unit_unknown": "Máy chủ trung tâm chưa có đơn vị {unit}: chạy `central add-unit` trước.",
    "central_outdated": "Máy chủ trung tâm cần được nâng cấp để nhận dữ liệu của phiên bản này; dữ liệu được giữ lại và gửi sau.",
    "sync_refused": "Máy chủ trung tâm từ chối: {detail}.",
    "sync_admin_credentials": "Không dùng tài khoản quản trị ({role}) để đồng bộ tại quầy: hãy dùng địa chỉ riêng của đơn vị do `central add-unit` cấp.",
    "sync_not_a_unit": "Tài khoản {role} không gắn với đơn vị nào trên máy chủ trung tâm.",
    "sync_unit_mismatch": "Máy này thuộc đơn vị {local} nhưng tài khoản đồng bộ là của đơn vị {central}.",
    "sync_stalled": "Máy chủ trung tâm chưa nhận được sự kiện số {seq}; đã gửi lại mà vẫn thiếu, cần kiểm tra.",
    # setting up a unit (issue 11 §4)
    "time_invalid": "{what} “{value}” không đúng dạng giờ:phút (ví dụ 07:30).",
    "hours_reversed": "Giờ kết thúc {closes} phải sau giờ bắt đầu {opens}.",
    "cutoff_outside_hours": "Giờ chốt nhận hồ sơ {cutoff} phải nằm trong giờ làm việc {opens}–{closes}.",
    "range_invalid": "Dải số “{value}” không hợp lệ: dạng ĐẦU-CUỐI (ví dụ 1-4999), trong khoảng 1…{top}, số đầu không lớn hơn số cuối.",
    "counter_list_invalid": "Danh sách quầy “{value}” không hợp lệ: các số quầy cách nhau bởi dấu phẩy (ví dụ 1,2).",
    "unit_create_needs": "Máy này chưa có đơn vị: lần đầu cần --agency (mã định danh) và --name (tên đơn vị).",
    "unit_agency_taken": "Cơ sở dữ liệu này đã có đơn vị mang mã {agency}.",
    "unit_agency_locked": "Đơn vị {agency} đã có hồ sơ mang mã này: không đổi được mã định danh.",
    "counter_number_invalid": "Số quầy phải từ 1 đến 999, không phải {value}.",
    "counter_exists": "Quầy số {counter} đã có.",
    "counter_unknown": "Không có quầy số {counter} đang dùng.",
    "counter_in_use": "Quầy số {counter} đang phục vụ lĩnh vực {services}: bỏ quầy khỏi các lĩnh vực đó trước (counter-app service set MÃ --counters …).",
    "counter_unknown_for_service": "Chưa có quầy số {counter}: thêm quầy trước (counter-app counter add {counter}).",
    "last_supervisor": "{username} là giám sát cuối cùng còn hoạt động: thêm một tài khoản giám sát khác trước khi khoá tài khoản này.",
    "password_mismatch": "Hai lần nhập mật khẩu không khớp; chưa thay đổi gì.",
    "password_stdin_empty": "Không đọc được mật khẩu từ đầu vào chuẩn (--password-stdin): dòng đầu trống.",
    "password_needs_prompt": "Cần nhập mật khẩu: chạy lệnh trong cửa sổ dòng lệnh, hoặc đưa mật khẩu qua đầu vào chuẩn với --password-stdin.",
    "service_exists": "Đã có lĩnh vực {code}; muốn đổi thì dùng counter-app service set {code} ….",
    "service_prefix_taken": "Tiền tố {prefix} đã dùng cho lĩnh vực {other}: số thứ tự của hai lĩnh vực sẽ trùng nhau.",
    "service_settings_none": "Chưa có gì để đổi: dùng --name, --prefix, --counters, --opens, --closes, --range, --deactivate hoặc --activate.",
    "intake_request_reused": "Mã yêu cầu {request_id} đã dùng cho hồ sơ {code} với nội dung khác: không tiếp nhận; mỗi hồ sơ mới cần một mã yêu cầu mới.",
    "ticket_not_held": "Hôm nay không có số {number} đang được giữ lại (xem: counter-app ticket held).",
    "first_run_counter_unknown": "Lĩnh vực ghi quầy số {counter} nhưng đơn vị mới có ít quầy hơn: tăng “Số quầy” hoặc sửa cột Quầy.",
    "central_counter_unknown": "Đơn vị {unit} chưa có quầy số {counter} trên máy chủ trung tâm: thêm bằng central counter {counter} --unit {unit} trước.",
    "unit_already_set_up": "Máy này đã có đơn vị; đổi thông tin bằng counter-app unit set ….",
    "printer_kind_invalid": "Loại máy in phải là a4, label hoặc ticket, không phải {kind}.",
    # day close (services/dayclose.py)
    "close_day_not_supervisor": "Chỉ giám sát (hoặc quản trị) được khóa sổ; {username} là cán bộ tiếp nhận.",
    "close_day_future": "Không khóa sổ ngày {day}: ngày này chưa tới (hôm nay là {today}).",
    "close_day_already": "Ngày {day} đã được {by} khóa sổ lúc {at}; không khóa lại.",
    "close_day_later_closed": "Không khóa sổ ngày {day}: ngày sau đó ({later}) đã khóa sổ.",
    "close_day_anomalies_unacknowledged": "Còn {count} điểm bất thường chưa được xác nhận; hãy xem và đánh dấu từng điểm trước khi khóa sổ.",
    "close_day_sheet_pdf_only": "Phiếu khóa sổ chỉ ghi ra tệp PDF: {path}",
    # citizen ratings
    "rating_scale_invalid": "Thang đánh giá phải là 3 hoặc 5 mức, không phải {value}.",
    "rating_timeout_invalid": "Thời gian chờ đánh giá phải từ {lo} đến {hi} giây, không phải {value}.",
    "rating_level_invalid": "Mức đánh giá {level} không có trong thang {scale} mức (từ 1 đến {scale}).",
    "rating_subject_required": "Cần đúng một số thứ tự (--ticket) hoặc một mã hồ sơ (--dossier) để đánh giá.",
    "rating_source_invalid": "Nguồn đánh giá không hợp lệ: {value} (screen, keypad, cli).",
    "rating_ticket_unknown": "Không tìm thấy số thứ tự {number} để đánh giá.",
    "rating_ticket_not_done": "Số {number} chưa được phục vụ xong; chỉ đánh giá sau khi kết thúc.",
    "rating_dossier_unknown": "Không tìm thấy hồ sơ {code} để đánh giá.",
    "rating_dossier_not_served": "Hồ sơ {code} chưa được tiếp nhận hay trả kết quả tại quầy nên chưa thể đánh giá.",
    "rating_officer_not_involved": "Cán bộ {officer} không tiếp nhận cũng không trả kết quả hồ sơ {code}.",
    "rating_already_given": "{what} đã được đánh giá; mỗi số thứ tự, mỗi hồ sơ chỉ đánh giá một lần.",
    # backup and restore (issue 11 part 3)
    "backup_postgres": "Cơ sở dữ liệu này là PostgreSQL (máy chủ văn phòng): hãy sao lưu bằng pg_dump; lệnh backup chỉ dành cho tệp SQLite của quầy.",
    "backup_extension": "Tệp sao lưu phải có đuôi .db, .sqlite hoặc .bak: {path}.",
    "backup_is_live": "Không ghi bản sao lưu đè lên cơ sở dữ liệu đang dùng hoặc tệp đi kèm của nó ({path}).",
    "backup_target_foreign": "Tệp {path} đã có và không phải bản sao lưu của đơn vị này: không ghi đè.",
    "backup_unwritable": "Không ghi được bản sao lưu vào {path}: {detail}. Không có tệp dở dang nào được để lại; cơ sở dữ liệu đang dùng không bị ảnh hưởng.",
    "backup_check_failed": "Bản sao lưu vừa ghi không đạt kiểm tra ({check}): đã bỏ, cơ sở dữ liệu đang dùng không bị ảnh hưởng.",
    "backup_no_unit": "Máy này chưa thiết lập đơn vị: chưa có gì để sao lưu.",
    "backup_needs_output": "Hãy chỉ ra tệp đích (-o TỆP) hoặc dùng --auto.",
    "restore_not_found": "Không tìm thấy tệp sao lưu {path}.",
    "restore_not_backup": "Tệp {path} không phải bản sao lưu của phần mềm này: không khôi phục.",
    "restore_corrupt": "Tệp sao lưu {path} bị hỏng hoặc không đầy đủ ({detail}): không khôi phục.",
    "restore_newer": "Bản sao lưu {path} do phiên bản mới hơn tạo ra (lược đồ {revision}): hãy cập nhật phần mềm trước khi khôi phục.",
    "restore_other_unit": "Bản sao lưu {path} là của đơn vị {backup_unit}, không phải đơn vị {unit} của máy này: không khôi phục.",
    "restore_db_busy": "Cơ sở dữ liệu đang được chương trình khác mở (cửa sổ phần mềm, lệnh đồng bộ…): hãy đóng lại rồi khôi phục.",
    "restore_unwritable": "Không khôi phục được vào {path}: {detail}. Cơ sở dữ liệu đang dùng không bị thay đổi.",
    "restore_needs_file": "Hãy chỉ ra tệp sao lưu cần khôi phục, hoặc dùng --check / --fresh-range.",
    "restore_check_pending": "Máy vừa được khôi phục từ bản sao lưu (hoặc vừa dựng lại từ trung tâm): chưa nhận hồ sơ mới cho đến khi đối chiếu mã hồ sơ với trung tâm (đồng bộ, hoặc `restore --check`). Không có mạng: người giám sát có thể chuyển sang dải số dự phòng (`restore --fresh-range`).",
    "restore_nothing_pending": "Máy này không có việc đối chiếu sau khôi phục nào đang chờ.",
    "restore_no_slot": "Đã dùng hết các dải số dự phòng: hãy kết nối trung tâm để đối chiếu.",
    "ticket_from_earlier_day": "Số {number} được gọi từ ngày {day}: hàng chờ ngày đó đã kết thúc; chỉ có thể kết thúc, báo vắng mặt hoặc gọi số tiếp theo.",
    # receipt dates and the PC's clock (issue 12 items 2, 4: domain/receipt.py)
    "received_at_too_early": "Ngày tiếp nhận {received_at} sớm hơn ngày sớm nhất đơn vị cho phép ({earliest}): hãy kiểm tra lại năm (gõ nhầm thế kỷ?). Người quản trị đổi mốc này bằng `unit set --earliest-receipt`.",
    "earliest_receipt_invalid": "Ngày tiếp nhận sớm nhất {value} không hợp lệ: phải từ {floor} đến hôm nay.",
    "clock_skew_invalid": "Độ lệch đồng hồ cho phép phải từ 1 đến {max} giờ, không phải {value}.",
    "clock_behind_records": "Đồng hồ máy tính đang chỉ {now}, sớm hơn thời điểm ghi gần nhất trong sổ ({newest}): đồng hồ đã bị chỉnh lùi. Không nhận hồ sơ cho đến khi chỉnh lại ngày giờ của máy tính cho đúng.",
    # input limits (issue 12 item 9: domain/limits.py)
    "input_too_large": "Tệp {path} quá lớn: tối đa {limit}.",
    "input_is_directory": "{path} là một thư mục, không phải tệp: hãy chỉ ra tệp cần đọc.",
    "input_not_regular": "{path} không phải tệp thông thường (thiết bị, đường ống…): hãy chỉ ra một tệp.",
    "input_unreadable": "Không đọc được tệp {path}: {detail}.",
    "intake_too_many": "Tệp có {count} hồ sơ, quá giới hạn {limit} hồ sơ một lần: hãy chia thành nhiều tệp.",
    "documents_too_many": f"Quá nhiều dòng: tối đa {MAX_DOCUMENT_LINES} dòng một hồ sơ.",
    "catalogue_too_many": "Danh mục có {count} thủ tục, quá giới hạn {limit}.",
    "catalogue_too_many_documents": "Danh mục: thủ tục thứ {number} có {count} thành phần hồ sơ, quá giới hạn {limit}.",
    "clock_off_central": "Đồng hồ máy tính lệch {hours} giờ so với máy chủ trung tâm ở lần đồng bộ gần nhất (cho phép {limit} giờ). Không nhận hồ sơ cho đến khi chỉnh lại ngày giờ của máy tính cho đúng rồi đồng bộ lại.",
    "label_size_invalid": "Cỡ nhãn {value} không có (label_size, --size): chọn một trong {sizes} (rộng×cao, mm).",
    "label_symbology_invalid": "Loại mã trên nhãn {value} không có (label_symbology, --symbology): chọn qr hoặc code128.",
    "label_code128_too_narrow": 'Mã vạch Code 128 không in rõ được trên nhãn {size} mm: cần nhãn rộng ít nhất {need} mm. Dùng mã QR (label_symbology = "qr") hoặc nhãn 100×50 mm.',
    # printing through Qt (issue 13 item 1: ui/qtprint.py)
    "printer_unknown": "Máy tính không có máy in tên {printer}. Các máy in có: {known}.",
    "no_default_printer": "Máy tính chưa có máy in mặc định. Hãy đặt máy in bằng printer set.",
    "printer_rejecting": "Máy in {printer} đang từ chối nhận lệnh in. Hãy bật lại máy in.",
    "printer_out_of_paper": "Máy in {printer} hết giấy. Hãy nạp giấy rồi in lại.",
    "pdf_unreadable": "Không đọc được tệp PDF để in ({detail}).",
    "printer_test_kind": "Chỉ in thử được máy in a4 hoặc label, không phải {kind}.",
}

MESSAGES.update(FILE_MESSAGES)  # issue 12 items 3, 7, 8, 11: counter_app/messages_files.py
MESSAGES.update(UPDATE_MESSAGES)  # issue 13 item 5: counter_app/messages_updates.py
MESSAGES.update(DEVICE_MESSAGES)  # issue 13 items 2, 3: counter_app/messages_devices.py
MESSAGES.update(DIGITISE_MESSAGES)  # issue 15 items 2, 3: counter_app/messages_digitise.py
MESSAGES.update(SCAN_MESSAGES)  # issue 15 item 1: counter_app/messages_scan.py
MESSAGES.update(FILE_SYNC_MESSAGES)  # issue 15 (sync): counter_app/messages_filesync.py
MESSAGES.update(UNIT_PLACE_MESSAGES)  # issue 16 §4: counter_app/messages_units.py
MESSAGES.update(CENTRAL_UNITS_MESSAGES)  # issue 16 (central): messages_central_units.py
MESSAGES.update(ADDRESS_MESSAGES)  # issue 16 (store): counter_app/messages_addresses.py

FIELD_LABELS: dict[str, str] = {
    "procedure": "Thủ tục",
    "applicant": "Người nộp",
    "applicant.name": "Họ tên",
    "applicant.id_number": "Số CCCD",
    "applicant.phone": "Điện thoại",
    "applicant.address": "Địa chỉ",
    "applicant.email": "Email",
    "name": "Họ tên",
    "id_number": "Số CCCD",
    "phone": "Điện thoại",
    "address": "Địa chỉ",
    "email": "Email",
    "documents": "Thành phần hồ sơ",
    "document": "Giấy tờ",
    "sets": "Số bộ",
    "receive_channel": "Nhận qua",
    "return_channel": "Trả qua",
    "return_address": "Địa chỉ nhận kết quả",
    "received_at": "Thời gian tiếp nhận",
    "note": "Ghi chú",
    "reason": "Lý do",
    "username": "Tên đăng nhập",
    "password": "Mật khẩu",
    "full_name": "Họ tên",
    "role": "Vai trò",
    "at": "Thời điểm",
    "new_due": "Ngày hẹn trả mới",
    "return_to.name": "Họ tên người nhận thay",
    "return_to.id_number": "Số CCCD người nhận thay",
    "to": "Nơi nhận",
    "value": "Giá trị mới",
    "result": "Kết quả",
    "tracking": "Mã vận đơn",
    "unit.name": "Tên đơn vị",
    "unit.parent_name": "Tên cơ quan cấp trên",
    "unit.place_name": "Địa danh",
    "unit.address": "Địa chỉ đơn vị",
    "unit.phone": "Điện thoại đơn vị",
    "unit.receiving_name": "Tên bộ phận tiếp nhận",
    "unit.result_place": "Nơi trả kết quả",
    "counter.name": "Tên quầy",
    "printer": "Máy in",
    "request_id": "Mã yêu cầu (request_id)",
    "ticket_id": "Số thứ tự (ticket_id)",
}

FIELD_LABELS.update(ADDRESS_FIELD_LABELS)  # issue 16 (store)


class _Default(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "…"


def _labelled(params: dict[str, Any]) -> dict[str, Any]:
    """A dossier status or action named in a message is shown in Vietnamese, not as a code."""
    from counter_app.ui_text import ACTION_LABELS, STATUS_LABELS

    out = dict(params)
    for key, labels in (("status", STATUS_LABELS), ("action", ACTION_LABELS)):
        if isinstance(out.get(key), str):
            out[key] = labels.get(out[key], out[key])
    return out


def text_for(msg_code: str, /, **params: Any) -> str:
    template = MESSAGES.get(msg_code, msg_code)
    return template.format_map(_Default(_labelled(params)))


def field_label(field: str) -> str:
    """'documents[2].name' -> 'Thành phần hồ sơ (dòng 3): tên'; '[2] x' -> 'Hồ sơ thứ 3, x'."""
    item = re.match(r"^\[(\d+)\]\s*(.*)$", field)
    if item:
        return f"Hồ sơ thứ {int(item[1]) + 1} trong danh sách, {field_label(item[2])}"
    m = re.match(r"^documents\[(\d+)\]\.?(\w*)$", field)
    if m:
        part = {
            "name": "tên",
            "kind": "loại",
            "count": "số lượng",
            "received": "đã nhận (received)",
            "required": "bắt buộc (required)",
        }.get(m[2], m[2])
        return f"Thành phần hồ sơ (dòng {int(m[1]) + 1})" + (f": {part}" if part else "")
    return FIELD_LABELS.get(field, field)


def field_message(code: str) -> str:
    return MESSAGES.get(code, code)


def describe(exc: CounterAppError) -> str:
    """One line for the CLI or a status bar (never with a URL's or DSN's password)."""
    if isinstance(exc, ValidationError) and exc.field_errors:
        parts = [
            f"{field_label(f)}: {field_message(c).rstrip('.')}" for f, c in exc.field_errors.items()
        ]
        return redact_secrets("; ".join(parts) + ".")
    return redact_secrets(text_for(exc.code, **exc.params))


def describe_stored(
    code: str,
    params: Mapping[str, Any],
    field_errors: Mapping[str, str] | None = None,
    text: str = "",
) -> str:
    """An error stored as its code and parameters (the sync's last error), in words; without a
    code, `text` (a sentence stored by an older version, or an error without a code) as is."""
    if not code:
        return redact_secrets(text)
    if field_errors:
        return describe(ValidationError(code, field_errors=dict(field_errors), **params))
    return describe(CounterAppError(code, **params))

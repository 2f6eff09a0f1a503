"""`counter-app sync` and `counter-app central …`: the counter's sync, central's administration."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any

from counter_app.cli.central_units import cmd_address_units
from counter_app.cli.output import Result
from counter_app.cli.reports import cmd_central_report
from counter_app.domain.errors import CounterAppError
from counter_app.lazy import lazy
from counter_app.messages import describe, describe_stored
from counter_app.sync.transport import Offline
from counter_app.ui_text import INSECURE_LINK_TEXT

if TYPE_CHECKING:
    from counter_app.services import file_sync as file_sync_svc
    from counter_app.services import setup as setup_svc
    from counter_app.services import sync as sync_svc
    from counter_app.services.context import ServiceContext
else:
    file_sync_svc = lazy("counter_app.services.file_sync")
    setup_svc = lazy("counter_app.services.setup")
    sync_svc = lazy("counter_app.services.sync")

PULLED_LABELS = {
    "units": "thông tin đơn vị",
    "procedures": "thủ tục",
    "calendar_overrides": "ngày nghỉ/làm bù",
    "users": "tài khoản",
    "service_counters": "quầy",
    "queue_services": "lĩnh vực lấy số",
    "admin_unit_overrides": "điều chỉnh đơn vị hành chính",
}


def _human_report(r: dict[str, Any]) -> str:
    lines = [
        f"Đơn vị {r['unit']}: đã gửi {r['pushed']} sự kiện "
        f"({r['batches']} lô), còn chờ {r['waiting']}.",
    ]
    pulled = {k: v for k, v in r["pulled"].items() if v}
    if pulled:
        lines.append(
            "Đã nhận từ trung tâm: "
            + ", ".join(f"{PULLED_LABELS.get(k, k)} {v}" for k, v in pulled.items())
            + "."
        )
    if r["new_rejections"] or r["rejected"]:
        lines.append(
            f"Trung tâm không nhận {r['rejected']} sự kiện ({r['new_rejections']} mới) — "
            "xem `counter-app sync --status --json`."
        )
    if r["clashes"]:
        lines.append(f"Trùng mã hồ sơ với đơn vị khác: {r['clashes']} trường hợp.")
    if r.get("insecure_link"):
        lines.append(f'CẢNH BÁO: {INSECURE_LINK_TEXT} (dùng central_sslmode = "require").')
    if r["gaps"]:
        lines.append(f"Trung tâm còn thiếu các khoảng sự kiện: {r['gaps']}.")
    sent = r.get("files") or {}
    if sent.get("files_done") or sent.get("bytes_sent"):
        lines.append(
            f"Tệp số hóa: gửi xong {sent['files_done']} tệp "
            f"({file_sync_svc.size_text(sent['bytes_sent'])})."
        )
    fw = r.get("files_waiting") or {}
    if fw.get("files"):
        lines.append(
            f"Tệp số hóa còn chờ gửi: {fw['files']} tệp, {fw['pages']} trang, "
            f"{file_sync_svc.size_text(fw['bytes'])}."
        )
    if r["clock_offset_s"] is not None and (abs(r["clock_offset_s"]) >= 5 or r["clock_warning"]):
        warn = " — CẢNH BÁO: đồng hồ máy này lệch quá 5 phút" if r["clock_warning"] else ""
        lines.append(
            f"Đồng hồ lệch so với máy chủ trung tâm: {r['clock_offset_s']:+.0f} giây{warn}."
        )
    return "\n".join(lines)


def _status(ctx: Any) -> Result:
    st = sync_svc.local_status(ctx)
    e = st.last_error
    error_text = describe_stored(e.code, e.params, e.field_errors, e.text) if e else ""
    data = {
        "central_configured": st.central_configured,
        "online": st.online,
        "waiting": st.waiting,
        "acked_seq": st.acked_seq,
        "last_ok_at": st.last_ok_at.isoformat() if st.last_ok_at else None,
        "last_attempt_at": st.last_attempt_at.isoformat() if st.last_attempt_at else None,
        "last_error": error_text,
        "rejected": st.rejected,
        "clashes": st.clashes,
        "clock_offset_s": st.clock_offset_s,
        "clock_warning": st.clock_warning,
        "insecure_link": st.insecure_link,
        "files_waiting": st.files_waiting,
        "issues": sync_svc.list_issues(ctx),
    }

    def human() -> str:
        last = (
            st.last_ok_at.astimezone(ctx.tz).strftime("%H:%M %d/%m/%Y") if st.last_ok_at else "chưa"
        )
        lines = [
            f"Chờ gửi: {st.waiting} sự kiện; đã gửi tới số {st.acked_seq}; "
            f"đồng bộ thành công lần cuối: {last}.",
            f"Bị từ chối: {st.rejected}; trùng mã: {st.clashes}.",
        ]
        fw = st.files_waiting
        if fw.get("files"):
            lines.append(
                f"Tệp số hóa chờ gửi: {fw['files']} tệp, {fw['pages']} trang, "
                f"{file_sync_svc.size_text(fw['bytes'])}."
            )
        if st.insecure_link:
            lines.append(f"Cảnh báo: {INSECURE_LINK_TEXT}.")
        if error_text:
            lines.append(f"Lỗi lần gần nhất: {error_text}")
        return "\n".join(lines)

    return data, human


def cmd_sync(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.status:
        return _status(ctx)
    url = args.central or ctx.settings.central_url
    if not url:
        raise CounterAppError("sync_no_central")
    transport = ctx.adapters.sync_link(url)
    syncer = sync_svc.Syncer(ctx, transport)
    try:
        if args.once:
            data = syncer.run_once().as_json()
            return data, lambda: _human_report(data)
        _run_forever(syncer, ctx.settings.sync_interval_s)
    finally:
        transport.close()
    raise AssertionError("unreachable")  # pragma: no cover


def _run_forever(syncer: sync_svc.Syncer, interval_s: int) -> None:
    """Until Ctrl+C: a round every interval, backing off (with jitter) while central is away."""
    backoff = sync_svc.Backoff(cap_s=max(interval_s, 1) * 5)
    while True:
        try:
            r = syncer.run_once().as_json()
            backoff.success()
            sys.stdout.write(_human_report(r) + "\n")
            delay: float = interval_s
        except Offline as exc:
            delay = max(1.0, backoff.failure())
            sys.stderr.write(f"Cảnh báo: {describe(exc)} Thử lại sau {delay:.0f} giây.\n")
        sys.stdout.flush()
        time.sleep(delay)


def cmd_central(args: argparse.Namespace) -> Result:
    from counter_app.sync import central  # alembic, psycopg: only for `central …` (issue 17)

    url = args.url
    action = args.action
    if action in ("counter", "service", "address-units"):
        from counter_app.cli.setup import cmd_central_setup

        # issue 16: `central address-units` (cli/central_units.py)
        return (cmd_address_units if action == "address-units" else cmd_central_setup)(args)
    if action == "init":
        data: Any = central.init_central(url)
        return (
            data,
            lambda: (
                f"Đã khởi tạo cơ sở dữ liệu trung tâm (lược đồ {data['schema']}, "
                f"nhóm vai trò {data['units_role']})."
            ),
        )
    if action == "add-unit":
        spec = central.UnitSpec(
            agency_id=args.unit,
            name=args.name,
            parent_name=args.parent_name,
            place_name=args.place_name,
            address=args.address,
            phone=args.phone,
        )
        res = central.add_unit(url, spec)
        data = {"unit": res["unit"], "url": res["url"]}
        verb = "Đã tạo" if res["new"] else "Đã cấp lại mật khẩu cho"
        return (
            data,
            lambda: (
                f"{verb} đơn vị {data['unit']}. Địa chỉ đồng bộ riêng của đơn vị "
                f"(đặt vào central_url tại quầy, giữ bí mật):\n{data['url']}"
            ),
        )
    if action == "rotate-unit":
        data = central.rotate_unit(url, args.unit)
        return (
            data,
            lambda: (
                f"Đã cấp mật khẩu mới cho đơn vị {data['unit']}; mật khẩu cũ hết hiệu lực"
                f" (đã đóng {data['sessions_ended']} kết nối). Địa chỉ đồng bộ mới"
                f" (đặt vào central_url tại quầy, giữ bí mật):\n{data['url']}"
            ),
        )
    if action == "disable-unit":
        data = central.disable_unit(url, args.unit)
        return (
            data,
            lambda: (
                f"Đã thu hồi quyền đồng bộ của đơn vị {data['unit']} (đã đóng"
                f" {data['sessions_ended']} kết nối). Dữ liệu của đơn vị được giữ nguyên;"
                " cấp lại bằng `central rotate-unit`."
            ),
        )
    if action == "report":
        return cmd_central_report(args)
    if action == "status":
        rows = central.status(url)
        return rows, lambda: _human_status(rows)
    if action == "catalogue":
        counts = central.import_catalogue(url, setup_svc.load_catalogue_file(args.file))
        return (
            counts,
            lambda: (
                f"Danh mục trung tâm: thêm {counts['added']}, cập nhật {counts['updated']}, "
                f"không đổi {counts['unchanged']}."
            ),
        )
    if action == "calendar":
        data = central.set_calendar(url, args.date, args.kind, args.note)
        return data, lambda: f"Lịch trung tâm: {data['date']} → {data['kind']}."
    if action == "user":
        data = central.set_user(url, args.unit, args.username, args.name, args.role, args.password)
        return data, lambda: f"Tài khoản {data['username']} ({data['role']}) của {data['unit']}."
    if action == "remove-user":
        data = central.remove_user(url, args.username)
        return data, lambda: f"Đã khoá tài khoản {data['username']} tại mọi quầy."
    raise AssertionError(action)  # pragma: no cover


def _human_status(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "Chưa có đơn vị nào."
    out = []
    for r in rows:
        line = (
            f"{r['unit']}  {r['name']}: {r['dossiers']} hồ sơ, {r['events']} sự kiện, "
            f"liên tục tới số {r['contiguous_seq']}"
        )
        if r["gaps"]:
            line += f", thiếu {json.dumps(r['gaps'])}"
        if r["rejected"]:
            line += f", từ chối {r['rejected']}"
        if r["clashes"]:
            line += f", trùng mã {r['clashes']}"
        if r.get("closed_through"):
            line += f", khóa sổ đến ngày {r['closed_through']}"
        if not r.get("enabled", True):
            line += " (đã thu hồi quyền đồng bộ)"
        out.append(line)
    return "\n".join(out)

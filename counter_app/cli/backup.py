"""`counter-app backup` and `counter-app restore` (issue 11 part 3; README "Sao lưu")."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.cli.output import Result
from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.lazy import lazy

if TYPE_CHECKING:
    from counter_app.services import backup as backup_svc
    from counter_app.services import resume
    from counter_app.services import sync as sync_svc
    from counter_app.services.context import ServiceContext
else:
    backup_svc = lazy("counter_app.services.backup")
    resume = lazy("counter_app.services.resume")
    sync_svc = lazy("counter_app.services.sync")


def add_parsers(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = cmd("backup", "a checked online backup of the local SQLite database")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help=".db, .sqlite or .bak")
    p.add_argument(
        "--auto", action="store_true", help="the daily backup into backup_dir (keeps backup_keep)"
    )
    p.add_argument("--force", action="store_true", help="with --auto: even if today's exists")
    p = cmd("restore", "replace the local database with a backup of this unit")
    p.add_argument("file", nargs="?", type=Path, help="the backup file")
    p.add_argument(
        "--fresh-range",
        action="store_true",
        help="offline: take dossiers in a recovery code range until central is checked",
    )
    p.add_argument(
        "--check", action="store_true", help="compare with central now (a sync round), list lost"
    )
    p.add_argument("--central", metavar="URL", help="the unit's URL (else central_url)")


def check_backup(args: argparse.Namespace) -> None:
    if args.output is None and not args.auto:
        raise ValidationError("backup_needs_output")


def check_restore(args: argparse.Namespace) -> None:
    if args.file is None and not args.check and not args.fresh_range:
        raise ValidationError("restore_needs_file")


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n / 1024:.0f} KB"


def cmd_backup(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.auto:
        data: dict[str, Any] = backup_svc.auto_backup(ctx, force=args.force)

        def human_auto() -> str:
            if data["skipped"]:
                return f"Hôm nay đã có bản sao lưu tự động: {data['path']}."
            text = (
                f"Đã sao lưu vào {data['path']} ({_size(data['bytes'])}, "
                f"{data['seconds']:.1f} giây; đã kiểm tra toàn vẹn, lược đồ, đơn vị)."
            )
            if data["deleted"]:
                text += f" Đã xoá {len(data['deleted'])} bản tự động cũ."
            return text

        return data, human_auto
    res = backup_svc.backup(ctx, args.output).as_json()
    return (
        res,
        lambda: (
            f"Đã sao lưu vào {res['path']} ({_size(res['bytes'])}, {res['seconds']:.1f} giây; "
            "đã kiểm tra toàn vẹn, lược đồ, đơn vị)."
        ),
    )


def _lost_lines(lost: list[dict[str, Any]]) -> list[str]:
    if not lost:
        return []
    lines = [
        f"{len(lost)} hồ sơ được ghi sau bản sao lưu và mất cùng cơ sở dữ liệu cũ "
        "(trung tâm vẫn giữ; cần nhập lại hoặc đối chiếu):"
    ]
    for e in lost[:50]:
        what = "hồ sơ mới" if e.get("new") else "thay đổi trạng thái"
        name = f" — {e['name']}" if e.get("name") else ""
        status = f" ({e['status']})" if e.get("status") else ""
        lines.append(f"  {e['code']}{name}: {what}{status}")
    if len(lost) > 50:
        lines.append(f"  … và {len(lost) - 50} hồ sơ khác (xem --json).")
    return lines


def _state_json(ctx: ServiceContext) -> dict[str, Any]:
    st = resume.state(ctx)
    return {
        "pending_check": st.pending is not None,
        "pending": st.pending,
        "fresh_range": st.fresh,
        "checked": st.checked,
        "lost": st.lost,
    }


def cmd_restore(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if args.file is not None:
        res = backup_svc.restore(ctx, args.file, fresh_range=args.fresh_range, username="cli")
        data = res.as_json()

        def human() -> str:
            lines = [
                f"Đã khôi phục từ {data['restored_from']} (bản sao lưu lúc "
                f"{data['backup_taken_at']}).",
            ]
            if data["kept_aside"]:
                lines.append(f"Cơ sở dữ liệu trước đó được giữ lại: {data['kept_aside']}.")
            if data["fresh_range"]:
                r = data["fresh_range"]
                lines.append(
                    f"Nhận hồ sơ bằng dải số dự phòng {r['start']}–{r['end']} cho tới khi "
                    "đối chiếu được với trung tâm."
                )
            else:
                lines.append(
                    "Chưa nhận hồ sơ mới cho tới khi đối chiếu với trung tâm (đồng bộ, hoặc "
                    "`restore --check`); không có mạng: `restore --fresh-range`."
                )
            return "\n".join(lines)

        return data, human
    if args.fresh_range:
        rng = resume.use_fresh_range(ctx, "cli")
        return (
            {"fresh_range": rng},
            lambda: (
                f"Nhận hồ sơ bằng dải số dự phòng {rng['start']}–{rng['end']} cho tới khi "
                "đối chiếu được với trung tâm."
            ),
        )
    # --check: a sync round runs the check before it pushes anything.
    before = resume.state(ctx)
    sync: dict[str, Any] | None = None
    if before.pending is not None:
        url = args.central or ctx.settings.central_url
        if not url:
            raise CounterAppError("sync_no_central")
        transport = ctx.adapters.sync_link(url)
        try:
            sync = sync_svc.Syncer(ctx, transport).run_once().as_json()
        finally:
            transport.close()
    data = {**_state_json(ctx), "ran": before.pending is not None, "sync": sync}

    def human_check() -> str:
        if not data["ran"]:
            lines = [
                "Không có việc đối chiếu nào đang chờ."
                if not data["checked"]
                else f"Đã đối chiếu với trung tâm lúc {data['checked'].get('checked_at')}."
            ]
        else:
            c = data["checked"] or {}
            lines = [
                "Đã đối chiếu với trung tâm: mã hồ sơ và số sự kiện tiếp tục sau số lớn nhất "
                f"trung tâm đã có (sự kiện tiếp theo số {c.get('outbox_next')})."
            ]
            if c.get("closed_again"):
                days = ", ".join(f"{date.fromisoformat(d):%d/%m/%Y}" for d in c["closed_again"])
                lines.append(f"Ngày đã khóa sổ sau bản sao lưu, lấy lại từ trung tâm: {days}.")
        return "\n".join(lines + _lost_lines(data["lost"]))

    return data, human_check

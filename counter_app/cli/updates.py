"""`counter-app update check|download|status` on a counter PC, and `update keygen|publish` for
the province's administrator (issue 13 item 5; README "Cập nhật"). No local database needed."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app import filemodes
from counter_app.cli.output import Result
from counter_app.config import Settings, config_path, data_dir, load_settings
from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.domain.redact import redact_secrets
from counter_app.messages import describe

if TYPE_CHECKING:  # cryptography loads only for `update …` (issue 17)
    from counter_app.services import updates as svc


def add_parser(
    cmd: Callable[[str, str], argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = cmd("update", "updates from the province's update server (applied at the next start)")
    usub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    for name, help_ in (
        ("check", "read the signed manifest: is there a newer version?"),
        ("download", "download a newer version (resumes a cut download) and verify it"),
    ):
        a = usub.add_parser(name, parents=[common], help=help_)
        a.add_argument("--url", metavar="URL", help="update folder (else update_url)")
    usub.add_parser("status", parents=[common], help="what was checked, downloaded")
    a = usub.add_parser("keygen", parents=[common], help="a new signing key (province)")
    a.add_argument(
        "--private-key", required=True, type=Path, metavar="FILE", help="PEM, kept secret"
    )
    a = usub.add_parser("publish", parents=[common], help="sign a package into an update folder")
    a.add_argument("package", type=Path, help="the installer (counter-app-<version>-setup.exe)")
    a.add_argument("--version", required=True, dest="pkg_version", metavar="V", help="e.g. 0.2.0")
    a.add_argument("--key", required=True, type=Path, metavar="FILE", help="the private key (PEM)")
    a.add_argument("--to", required=True, type=Path, metavar="DIR", help="the update folder")


def _settings(args: argparse.Namespace) -> Settings:
    if args.config and not Path(args.config).exists():
        raise ValidationError("config_missing", path=args.config)
    return load_settings(Path(args.config) if args.config else config_path())


def _clock() -> Callable[[], datetime]:
    """The time stamps of `update status`: the real clock, or COUNTER_APP_NOW's instant
    (the testing aid app.pinned_clock reads for the other commands)."""
    pinned = os.environ.get("COUNTER_APP_NOW", "").strip()
    if not pinned:
        return lambda: datetime.now(UTC)
    try:
        at = datetime.fromisoformat(pinned)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ValidationError("now_invalid", value=pinned)
    return lambda: at


def updater(settings: Settings, url: str | None = None) -> svc.Updater:
    from counter_app.services import updates as svc

    return svc.Updater(
        url or settings.update_url,
        settings.update_public_key,
        svc.updates_dir(data_dir()),
        _clock(),
    )


def _error_json(exc: CounterAppError) -> dict[str, Any]:
    return {"code": exc.code, "message": describe(exc)}


def cmd_update(args: argparse.Namespace) -> Result:
    if args.action == "keygen":
        return _keygen(args.private_key)
    if args.action == "publish":
        return _publish(args)
    up = updater(_settings(args), getattr(args, "url", None))
    if args.action == "check":
        res = up.check().as_json()

        def human_check() -> str:
            if res["newer"]:
                return (
                    f"Có phiên bản mới {res['available']} (đang dùng {res['installed']}, "
                    f"{res['size']:,} byte). Tải về: counter-app update download.".replace(",", ".")
                )
            return f"Đang dùng bản mới nhất ({res['installed']}; máy chủ có {res['available']})."

        return res, human_check
    if args.action == "download":
        data = up.download()

        def human_download() -> str:
            if not data["newer"]:
                return f"Không có bản mới hơn {data['installed']}: không tải gì."
            how = f" (tiếp tục từ byte {data['resumed_from']})" if data["resumed_from"] else ""
            return (
                f"Đã tải và kiểm tra bản {data['version']}{how}: {data['path']}. "
                "Bản này được cài ở lần khởi động sau."
            )

        return data, human_download
    return _status(up)


def _status(up: svc.Updater) -> Result:
    state = up.state()
    ready = up.ready()
    part = sorted(up.folder.glob("*.part")) if up.folder.is_dir() else []
    error = state.get("last_error")
    data: dict[str, Any] = {
        "installed": up.installed,
        "url": redact_secrets(up.url),
        "key_set": bool(up.key_b64.strip()),
        "last_check_at": state.get("last_check_at"),
        "available": (state.get("available") or {}).get("version"),
        "ready": {
            "version": ready["manifest"]["version"],
            "path": ready["path"],
            "downloaded_at": ready.get("downloaded_at"),
        }
        if ready
        else None,
        "partial_bytes": part[0].stat().st_size if part else 0,
        "last_error": None,
        "folder": str(up.folder),
    }
    if isinstance(error, dict) and error.get("code"):
        params = {k: v for k, v in error.items() if k != "code"}
        data["last_error"] = _error_json(CounterAppError(str(error["code"]), **params))

    def human() -> str:
        lines = [f"Phiên bản đang dùng: {data['installed']}."]
        lines.append(
            f"Máy chủ cập nhật: {data['url']}" if data["url"] else "Chưa đặt máy chủ cập nhật."
        )
        if data["last_check_at"]:
            lines.append(f"Kiểm tra lần cuối: {data['last_check_at']}.")
        if data["ready"]:
            lines.append(f"Bản {data['ready']['version']} đã tải, cài ở lần khởi động sau.")
        elif data["partial_bytes"]:
            lines.append(f"Đang tải dở ({data['partial_bytes']} byte), lần sau tải tiếp.")
        if data["last_error"]:
            lines.append(f"Lỗi gần nhất: {data['last_error']['message']}")
        return "\n".join(lines)

    return data, human


def _keygen(path: Path) -> Result:
    if path.exists():
        raise ValidationError("update_key_exists", path=str(path))
    from counter_app.services import updates as svc

    pem, public = svc.generate_key()
    try:
        filemodes.create_private_file(path)
        path.write_bytes(pem)
    except OSError as exc:
        raise CounterAppError(
            "update_unwritable", path=str(path), detail=exc.strerror or str(exc)
        ) from None
    data = {"private_key": str(path), "public_key": public}
    return (
        data,
        lambda: (
            f"Đã tạo khóa ký {path} (giữ bí mật, không để trên máy chủ trung tâm).\n"
            f'Khóa công khai, ghi vào cấu hình mỗi quầy: update_public_key = "{public}"'
        ),
    )


def _publish(args: argparse.Namespace) -> Result:
    try:
        pem = args.key.read_bytes()
    except OSError:
        raise ValidationError("update_key_invalid") from None
    from counter_app.services import updates as svc

    m = svc.publish(args.package, args.pkg_version, pem, args.to)
    return (
        {**m, "folder": str(args.to)},
        lambda: (
            f"Đã đưa bản {m['version']} ({m['file']}, {m['size']} byte) vào {args.to} "
            "kèm manifest.json đã ký."
        ),
    )

"""`counter-app central address-units --url URL import FILE.json | list` (issue 16): central's
override list of 2025 communes, pulled by every unit at its next sync."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_app.cli.output import Result

CHANGES = {"add": "thêm", "rename": "đổi tên", "retire": "bỏ"}


def add_parser(sub: Callable[[str, str], argparse.ArgumentParser], common: Any) -> None:
    """`sub` adds --url (cli/main.py _sync_commands)."""
    a = sub("address-units", "central's override list of 2025 communes (pulled by the units)")
    asub = a.add_subparsers(
        dest="units_action", required=True, parser_class=type(common), metavar="import|list"
    )
    asub.add_parser(
        "import", parents=[common], help="publish FILE.json as the whole override list"
    ).add_argument("file", type=Path)
    asub.add_parser("list", parents=[common], help="the override list central holds")


def cmd_address_units(args: argparse.Namespace) -> Result:
    from counter_app.sync import central_admin_units as cau

    if args.units_action == "import":
        data = cau.publish(args.url, cau.load_file(args.file))
        return (
            data,
            lambda: (
                f"Đã công bố danh sách đơn vị hành chính{_version(data['version'])}: "
                f"thêm {data['added']}, cập nhật {data['updated']}, không đổi {data['unchanged']}, "
                f"gỡ {data['removed']}. Các đơn vị nhận ở lần đồng bộ sau."
            ),
        )
    listed = cau.list_overrides(args.url)

    def human() -> str:
        head = (
            f"Danh sách điều chỉnh đơn vị hành chính{_version(listed['version'])} "
            f"(trên danh mục {listed['packaged']}): {len(listed['units'])} mục."
        )
        lines = [
            f"  {u['code']}  {CHANGES[u['change']]}: {u['label'] or '(không có trong danh mục)'}"
            for u in listed["units"]
        ]
        return "\n".join([head, *lines])

    return listed, human


def _version(version: str | None) -> str:
    return f" phiên bản {version}" if version else ""

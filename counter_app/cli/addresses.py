"""`address` commands (issue 16): the 2025 communes and wards, offline — find by name (accents
optional, the unit's own commune first), convert an ID card's old address, show one code,
and the list's version. Read-only: nothing is written."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from counter_app.cli.output import Result
from counter_app.lazy import lazy

if TYPE_CHECKING:
    from counter_app.services import addresses
    from counter_app.services.context import ServiceContext
else:
    addresses = lazy("counter_app.services.addresses")

STATUS_WORDS = {
    "current": "đã là địa chỉ theo đơn vị hành chính 2025",
    "converted": "đổi sang đơn vị hành chính 2025",
    "split": "xã/phường cũ đã chia cho nhiều nơi: chọn một",
    "unknown": "không nhận ra xã/phường (giữ nguyên, chưa xác minh)",
}


def add_parser(
    cmd: Callable[[str, str], argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = cmd("address", "the 2025 communes and wards: find, convert an old address, show, info")
    # the root's parser class: a usage error is one line and exit code 2
    asub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    f = asub.add_parser(
        "find",
        parents=[common],
        help="communes matching a name typed with or without accents, the unit's own first",
    )
    f.add_argument("text", help='e.g. "my hoa hung" or "long xuyen an giang"')
    f.add_argument(
        "--limit", type=int, default=8, metavar="N", help="at most N communes (1-100, default 8)"
    )
    c = asub.add_parser(
        "convert",
        parents=[common],
        help="an ID card's old address (commune, district, province) in the 2025 units",
    )
    c.add_argument("text", help='e.g. "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang"')
    s = asub.add_parser("show", parents=[common], help="one commune by its 5-digit code")
    s.add_argument("code", help="e.g. 30313")
    asub.add_parser(
        "info",
        parents=[common],
        help="the list's version, provinces, communes and central's override rows",
    )


def cmd_address(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    units, home, overrides = addresses.local_list(ctx)
    if args.action == "find":
        rows = addresses.find(
            units, args.text, home_commune=home[0], home_province=home[1], limit=args.limit
        )
        return (
            rows,
            lambda: (
                "\n".join(f"{r['code']}  {r['label']}" for r in rows)
                or "Không có xã/phường nào khớp."
            ),
        )
    if args.action == "convert":
        out = addresses.convert(units, args.text)

        def human() -> str:
            lines = [f"{STATUS_WORDS[out['status']]}"]
            if out["old_place"]:
                lines.append(f"Nơi cũ: {out['old_place']}")
            lines += [f"  {c['code']}  {c['address']}" for c in out["candidates"]]
            return "\n".join(lines)

        return out, human
    if args.action == "show":
        one = addresses.show(units, args.code)
        return one, lambda: f"{one['code']}  {one['label']}"
    data = addresses.info(units, overrides)
    return (
        data,
        lambda: (
            f"Danh mục {data['version']}: {data['provinces']} tỉnh/thành phố, "
            f"{data['communes']} xã/phường/đặc khu; "
            f"{data['overrides']} dòng điều chỉnh của cấp tỉnh"
        ),
    )

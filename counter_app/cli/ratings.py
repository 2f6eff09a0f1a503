"""Citizen ratings on the command line: `rate …` (a button pad or a script) and the rating
options of `unit set` (--rating-scale, --rating-timeout)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from counter_app.cli.output import Result
from counter_app.domain import ratings as rules
from counter_app.lazy import lazy

if TYPE_CHECKING:
    from counter_app.services import ratings
    from counter_app.services.context import ServiceContext
else:
    ratings = lazy("counter_app.services.ratings")


def add_rate_parser(
    cmd: Callable[[str, str], argparse.ArgumentParser], counter_number: Callable[[str], int]
) -> None:
    p = cmd("rate", "record a citizen's rating of a finished ticket or a served dossier")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--ticket", metavar="NUMBER", help="ticket number, e.g. 1005 (done)")
    what.add_argument("--dossier", metavar="CODE", help="dossier code")
    p.add_argument("--day", type=date.fromisoformat, metavar="D", help="the ticket's day (today)")
    p.add_argument(
        "--level", required=True, type=int, metavar="N", help="1 (worst) .. the unit's scale (best)"
    )
    p.add_argument("--counter", type=counter_number, metavar="N", help="a dossier's counter")
    p.add_argument("--officer", metavar="USER", help="a dossier's officer (default: the last)")
    p.add_argument("--source", choices=("cli", "keypad"), default="cli")


def add_unit_set_options(us: argparse.ArgumentParser) -> None:
    us.add_argument(
        "--rating-scale", type=int, metavar="3|5", help="citizen rating levels (3 or 5)"
    )
    us.add_argument(
        "--rating-timeout", type=int, metavar="S", help="seconds the rating screen waits"
    )


def cmd_rate(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    info = ratings.record(
        ctx,
        args.level,
        ticket_number=args.ticket,
        day=args.day,
        dossier_code=args.dossier,
        officer=args.officer,
        counter=args.counter,
        source=args.source,
    )
    data = info.as_json()

    def human() -> str:
        what = f"Số {info.ticket}" if info.ticket else f"Hồ sơ {info.dossier}"
        where = f" · quầy {info.counter}" if info.counter else ""
        who = f" · cán bộ {info.officer}" if info.officer else ""
        return f"{what}: {data['level_name']} ({info.level}/{info.scale}){who}{where}."

    return data, human


def check_unit_set(args: argparse.Namespace) -> None:
    """Refuse bad rating values before `unit set` changes anything."""
    if getattr(args, "rating_scale", None) is not None:
        rules.check_scale(args.rating_scale)
    if getattr(args, "rating_timeout", None) is not None:
        rules.check_timeout(args.rating_timeout)


def unit_set(ctx: ServiceContext, args: argparse.Namespace) -> dict[str, Any] | None:
    """The rating part of `unit set`: None when neither rating option was given."""
    scale = getattr(args, "rating_scale", None)
    timeout = getattr(args, "rating_timeout", None)
    if scale is None and timeout is None:
        return None
    st = ratings.set_settings(ctx, scale=scale, timeout_s=timeout)
    return {"rating_scale": st.scale, "rating_timeout_s": st.timeout_s}


def unit_set_text(data: dict[str, Any]) -> str:
    return (
        f"Đánh giá của người dân: thang {data['rating_scale']} mức, màn hình chờ "
        f"{data['rating_timeout_s']} giây."
    )

"""The receipt-bound options of `unit set` (issue 12 items 2, 4): --earliest-receipt, the
first day a dossier may say it was received, and --clock-skew-h, how far the PC's clock may
be from central's (at the last sync) before intake refuses."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any

from counter_app.lazy import lazy

if TYPE_CHECKING:
    from counter_app.services import receipt
    from counter_app.services.context import ServiceContext
else:
    receipt = lazy("counter_app.services.receipt")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None


def add_unit_set_options(us: argparse.ArgumentParser) -> None:
    us.add_argument(
        "--earliest-receipt",
        type=_day,
        metavar="YYYY-MM-DD",
        help="no dossier received before this day (default 2018-01-01)",
    )
    us.add_argument(
        "--clock-skew-h",
        type=int,
        metavar="H",
        help="refuse intake while the PC's clock is off central's by more (default 24)",
    )


def _given(args: argparse.Namespace) -> tuple[date | None, int | None]:
    return getattr(args, "earliest_receipt", None), getattr(args, "clock_skew_h", None)


def check_unit_set(ctx: ServiceContext, args: argparse.Namespace) -> None:
    earliest, skew = _given(args)
    receipt.check_settings(ctx, earliest, skew)


def unit_set(ctx: ServiceContext, args: argparse.Namespace) -> dict[str, Any] | None:
    """None when neither option was given."""
    earliest, skew = _given(args)
    if earliest is None and skew is None:
        return None
    return receipt.set_settings(ctx, earliest=earliest, skew_h=skew).as_json()


def unit_set_text(data: dict[str, Any]) -> str:
    return (
        f"Ngày tiếp nhận sớm nhất: {date.fromisoformat(data['earliest_receipt']):%d/%m/%Y}; "
        f"lệch đồng hồ tối đa so với trung tâm: {data['clock_skew_h']} giờ."
    )


def unit_show(ctx: ServiceContext) -> dict[str, Any]:
    return receipt.get_settings(ctx).as_json()

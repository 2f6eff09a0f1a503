"""`counter-app dossier CODE ACTION …` (DESIGN.md §4): actions on a received dossier, and
how `show` prints each step of a dossier's history."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from counter_app.cli.output import Result
from counter_app.domain.errors import ValidationError
from counter_app.domain.lifecycle import ACTIONS
from counter_app.domain.model import DossierView, EventView
from counter_app.lazy import lazy
from counter_app.ui_text import ACTION_LABELS, EVENT_LABELS, STATUS_LABELS, event_details

if TYPE_CHECKING:
    from counter_app.services import actions as actions_svc
    from counter_app.services.context import ServiceContext
else:
    actions_svc = lazy("counter_app.services.actions")


def add_dossier_parser(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = cmd("dossier", "an action on a dossier: hand-over, result, return, correction, …")
    p.add_argument("code")
    p.add_argument("action", choices=ACTIONS, metavar="ACTION", help=" | ".join(ACTIONS))
    p.add_argument("--by", required=True, metavar="USER", help="the clerk who does it")
    p.add_argument("--at", metavar="ISO", help="when it happened (default: now)")
    p.add_argument("--reason", default="", metavar="T", help="why (refuse, apologize, stop)")
    p.add_argument(
        "--to",
        default="",
        metavar="AGENCY|PERSON",
        help='handover: the agency; return: "NAME|IDNUMBER" of someone else collecting',
    )
    p.add_argument("--new-due", metavar="D", help="apologize: the new due date (YYYY-MM-DD)")
    p.add_argument("--tracking", default="", metavar="NO", help="return by post: tracking number")
    p.add_argument("--fee", metavar="N", help="return: fee collected (default the procedure's)")
    p.add_argument("--result", default="", metavar="T", help="receive-back: the agency's result")
    p.add_argument(
        "--document", action="append", default=[], metavar="NAME", help="supplement: what to add"
    )
    p.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="F",
        help="correct: name | id-number | phone | address | email"
        " | document | document-received | remove-document",
    )
    p.add_argument(
        "--value",
        action="append",
        default=[],
        metavar="V",
        help='correct: the new value; document: "NAME|KIND|COUNT"; the others: NAME',
    )


def _parse_at(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("invalid", field_errors={"at": "datetime_invalid"}) from None


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError("invalid", field_errors={"new_due": "date_invalid"}) from None


def _parse_fee(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationError("fee_invalid") from None


def cmd_dossier(ctx: ServiceContext, args: argparse.Namespace) -> Result:
    if len(args.field) != len(args.value):
        raise ValidationError("correction_pairs")
    req = actions_svc.ActionRequest(
        code=args.code,
        action=args.action,
        by=args.by,
        at=_parse_at(args.at),
        reason=args.reason,
        to=args.to,
        new_due=_parse_date(args.new_due),
        tracking=args.tracking,
        fee=_parse_fee(args.fee),
        result=args.result,
        documents=tuple(args.document),
        changes=tuple(zip(args.field, args.value, strict=True)),
    )
    done = actions_svc.perform(ctx, req)
    v, ev = done.dossier, done.event
    data = {
        "code": v.code,
        "status": v.status,
        "due_date": v.due_date.isoformat(),
        "event": event_json(ev),
    }

    def human() -> str:
        return (
            f"{v.code}: {ACTION_LABELS[args.action]} · {STATUS_LABELS.get(v.status, v.status)}"
            f" · hẹn trả {v.due_at:%H:%M %d/%m/%Y}"
            + (f"\n  {details}" if (details := event_details(ev)) else "")
        )

    return data, human


def event_json(e: EventView) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(),
        "kind": e.kind,
        "status": e.status,
        "by": e.by,
        "reason": e.reason,
        "data": e.data,
    }


def event_line(e: EventView) -> str:
    """One line of `show`'s history: when, what (the step's label), its status, who, why."""

    what = EVENT_LABELS.get(e.kind, e.kind)
    status = STATUS_LABELS.get(e.status, e.status)
    line = f"  {e.at:%H:%M %d/%m/%Y}  {what} · {status}  {e.by}"
    if e.reason:
        line += f"  ({e.reason})"
    details = event_details(e)
    return line + (f"\n      {details}" if details else "")


def dossier_events(v: DossierView) -> list[dict[str, Any]]:
    return [event_json(e) for e in v.events]

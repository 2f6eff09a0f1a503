"""Actions on a received dossier (DOMAIN.md §4): hand-over, supplement, result, return, …

Each action is one append-only DossierEvent written in ONE transaction with its outbox
row (records.append_event, the path intake takes), with who, when and why. The rules are
in domain/lifecycle.py; this module reads the dossier and its history inside the write
transaction, applies them and updates the dossier row (the current projection).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from counter_app.db.models import Dossier, DossierDocument, DossierEvent, Unit
from counter_app.domain.cccd import validate_email, validate_id_number, validate_phone
from counter_app.domain.errors import Conflict, NotFound, ValidationError
from counter_app.domain.lifecycle import (
    ACTION_KINDS,
    HistoryFacts,
    check_action,
    check_new_due,
    check_reason,
    check_return,
    check_time,
)
from counter_app.domain.model import DOCUMENT_KINDS, DossierView, EventView
from counter_app.domain.report import END_KINDS
from counter_app.domain.text import clean_address, clean_name, clean_text, fold
from counter_app.domain.workdays import compute_due
from counter_app.services.admin_units import units_in
from counter_app.services.auth import get_user
from counter_app.services.calendar import load_calendar
from counter_app.services.context import ServiceContext
from counter_app.services.lookup import reindex_name
from counter_app.services.records import append_audit, append_event, check_day_open
from counter_app.services.units import local_unit, office_hours
from counter_app.services.views import dossier_view

# The applicant fields a correction may change, and the dossier column each one lives in.
CORRECTABLE = {
    "name": "applicant_name",
    "id_number": "applicant_id_number",
    "phone": "applicant_phone",
    "address": "applicant_address",
    "email": "applicant_email",
}
# The corrections of the dossier's document lines (`--field document …`), in the same action:
# add or change a line ("NAME|KIND|COUNT"), mark a missing one received, remove one typed by
# mistake (NAME). The event records the lines before and after, like any other field.
DOCUMENT_CORRECTIONS = ("document", "document_received", "remove_document")
# Which optional details each action takes; any other one given is refused, not ignored.
_OPTIONS: dict[str, frozenset[str]] = {
    "to": frozenset({"handover", "return"}),
    "new_due": frozenset({"apologize"}),
    "tracking": frozenset({"return"}),
    "fee": frozenset({"return"}),
    "result": frozenset({"receive-back"}),
    "documents": frozenset({"supplement"}),
    "changes": frozenset({"correct"}),
}
_OPTION_FLAGS = {
    "to": "--to",
    "new_due": "--new-due",
    "tracking": "--tracking",
    "fee": "--fee",
    "result": "--result",
    "documents": "--document",
    "changes": "--field",
}


@dataclass(frozen=True)
class ActionRequest:
    """One action on one dossier. `at` None = now. `seen_steps`: how many steps of the
    history the clerk's screen showed (len(DossierView.events)) — the dossier's version; if
    another counter recorded a step meanwhile, the action is refused, not applied to a
    dossier the clerk has not seen (an apology changes no status, so status alone is not
    enough to tell)."""

    code: str
    action: str
    by: str
    at: datetime | None = None
    reason: str = ""
    to: str = ""  # handover: the agency; return: "NAME|IDNUMBER" of another person
    new_due: date | None = None
    tracking: str = ""
    fee: int | None = None
    result: str = ""
    documents: tuple[str, ...] = ()
    changes: tuple[tuple[str, str], ...] = ()
    seen_steps: int | None = None


@dataclass(frozen=True)
class DocumentFix:
    """One correction of the document lines: "set" (add, or change the line with that name),
    "received" (a missing line was handed in) or "remove" (a line typed by mistake)."""

    op: str
    name: str
    kind: str = ""
    count: int = 0


@dataclass(frozen=True)
class _Checked:
    """The request's own details, validated before any database work."""

    reason: str
    to: str = ""
    person: dict[str, str] | None = None
    result: str = ""
    documents: tuple[str, ...] = ()
    changes: dict[str, str] = field(default_factory=dict)
    document_fixes: tuple[DocumentFix, ...] = ()


def act(
    ctx: ServiceContext,
    code: str,
    action: str,
    by: str,
    at: datetime | None = None,
    reason: str = "",
    **details: Any,
) -> DossierView:
    """Record `action` on dossier `code` by user `by`; the dossier as it is afterwards."""
    return perform(ctx, ActionRequest(code, action, by, at, reason, **details)).dossier


@dataclass(frozen=True)
class ActionDone:
    dossier: DossierView  # as it is after the action
    event: EventView  # the step just recorded


def perform(ctx: ServiceContext, req: ActionRequest) -> ActionDone:
    checked = _check_request(ctx, req)
    with ctx.uow.write() as s:
        user = get_user(s, req.by)
        unit = local_unit(s)
        if user.unit_id != unit.id:
            raise NotFound("user_not_local", username=req.by)
        # Read inside the write transaction, after the writer lock (SQLite BEGIN IMMEDIATE,
        # the PostgreSQL advisory lock): a second counter acting at once sees the first
        # one's result, and the rules refuse what no longer applies.
        d = s.scalar(select(Dossier).where(Dossier.code == req.code.strip().upper()))
        if d is None:
            raise NotFound("dossier_unknown", code=req.code.strip())
        events = list(
            s.scalars(
                select(DossierEvent)
                .where(DossierEvent.dossier_id == d.id)
                .order_by(DossierEvent.step)
            )
        )
        if req.seen_steps is not None and len(events) != req.seen_steps:
            raise Conflict("dossier_changed", code=d.code, status=d.status)
        facts = history_facts(events)
        before = d.status
        new_status = check_action(before, req.action, facts)
        now = ctx.now()
        when = _when(ctx, req.at, now)
        last_at = max((ctx.local(e.at) for e in events), default=ctx.local(d.received_at))
        check_time(when, now, ctx.local(d.received_at), last_at, given=req.at is not None)
        check_day_open(s, unit.id, when.date())
        data = _apply(s, ctx, req, checked, d, unit, facts, when, new_status)
        kind = ACTION_KINDS[req.action]
        _compare_and_set(s, d, before, new_status, _report_facts(d, kind, when, data))
        ev = append_event(
            s,
            d,
            kind=kind,
            status=new_status,
            at=when,
            business_day=when.date(),
            by_user_id=user.id,
            recorded_at=now,
            reason=checked.reason,
            data=data,
            day_checked=True,
        )
        if req.action == "correct":
            # The audit log records that personal data changed and who did it, not the values.
            fields = sorted(data["changes"])
            append_audit(
                s, now, user.username, "dossier_corrected", {"code": d.code, "fields": fields}
            )
        s.flush()
        done = EventView(when, ev.kind, ev.status, user.full_name, ev.reason, dict(ev.data))
        return ActionDone(dossier_view(s, ctx, d), done)


class _Step(Protocol):
    """A step of the history as the rules read it: a stored event or an EventView."""

    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def data(self) -> Any: ...


# The order the window offers actions in: the usual path first, the closing ones last.
ACTION_ORDER = (
    "handover",
    "receive-back",
    "result-ready",
    "return",
    "receive-supplement",
    "supplement",
    "apologize",
    "correct",
    "withdraw",
    "refuse",
    "stop",
)


def allowed_actions(view: DossierView) -> list[str]:
    """The actions the rules allow on this dossier as the clerk sees it (status and history),
    in ACTION_ORDER. `perform` checks again inside its transaction."""
    facts = history_facts(view.events)
    out = []
    for action in ACTION_ORDER:
        try:
            check_action(view.status, action, facts)
        except ValidationError:
            continue
        out.append(action)
    return out


def history_facts(events: Sequence[_Step]) -> HistoryFacts:
    """What the rules need from the past: later supplement requests, apologies, where the
    dossier is (handed over and not back), and whether the current pause is intake's."""
    later = apologies = 0
    agency = ""
    pause_stage = ""
    for e in events:
        data = e.data or {}
        if e.kind == "supplement_requested":
            pause_stage = str(data.get("stage") or "intake")
            later += pause_stage == "processing"
        elif e.kind == "apologized":
            apologies += 1
        elif e.kind == "handed_over":
            agency = str(data.get("to") or "")
        elif e.kind == "received_back":
            agency = ""
    paused = bool(events) and events[-1].status == "supplement_requested"
    return HistoryFacts(
        later_supplements=later,
        apologies=apologies,
        at_agency=agency,
        paused_at_intake=paused and pause_stage == "intake",
    )


def _when(ctx: ServiceContext, at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    return ctx.local(at if at.tzinfo else at.replace(tzinfo=ctx.tz))


def _check_request(ctx: ServiceContext, req: ActionRequest) -> _Checked:
    """Everything about the request that needs no database: options, reason, values."""
    if req.action not in ACTION_KINDS:
        raise ValidationError("action_unknown", action=req.action)
    given = {
        "to": bool(req.to),
        "new_due": req.new_due is not None,
        "tracking": bool(req.tracking),
        "fee": req.fee is not None,
        "result": bool(req.result),
        "documents": bool(req.documents),
        "changes": bool(req.changes),
    }
    for option, present in given.items():
        if present and req.action not in _OPTIONS[option]:
            raise ValidationError(
                "option_not_for_action", option=_OPTION_FLAGS[option], action=req.action
            )
    reason = clean_text(req.reason or "", "reason", max_len=1000, required=False)
    check_reason(req.action, reason)
    if req.action == "handover":
        if not req.to.strip():
            raise ValidationError("agency_required")
        return _Checked(reason, to=clean_text(req.to, "to", max_len=200))
    if req.action == "return":
        if req.fee is not None and req.fee < 0:
            raise ValidationError("fee_invalid")
        person = _person(ctx, req.to) if req.to.strip() else None
        return _Checked(reason, person=person)
    if req.action == "receive-back":
        result = clean_text(req.result, "result", max_len=300) if req.result else ""
        return _Checked(reason, result=result)
    if req.action == "supplement":
        docs = tuple(clean_text(x, "documents", max_len=300) for x in req.documents)
        return _Checked(reason, documents=docs)
    if req.action == "correct":
        changes, fixes = _changes(ctx, req.changes)
        return _Checked(reason, changes=changes, document_fixes=fixes)
    return _Checked(reason)


def _person(ctx: ServiceContext, text: str) -> dict[str, str]:
    """`--to "NAME|IDNUMBER"`: someone other than the applicant collects the result."""
    parts = text.split("|")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise ValidationError("return_to_invalid")
    name = clean_name(parts[0], "return_to.name")
    idn = validate_id_number(parts[1].strip(), "return_to.id_number", today=ctx.now().date())
    return {"name": name, "id_number": idn}


def _changes(
    ctx: ServiceContext, pairs: tuple[tuple[str, str], ...]
) -> tuple[dict[str, str], tuple[DocumentFix, ...]]:
    """The applicant fields to set, and the document corrections in the order given."""
    if not pairs:
        raise ValidationError("correction_empty")
    out: dict[str, str] = {}
    fixes: list[DocumentFix] = []
    for name, value in pairs:
        key = name.strip().lower().replace("-", "_")
        if key in DOCUMENT_CORRECTIONS:
            fixes.append(_document_fix(key, value))
        elif key in CORRECTABLE:
            out[key] = _clean_value(ctx, key, value)
        else:
            raise ValidationError("correction_field_unknown", field=name)
    return out, tuple(fixes)


def _document_fix(key: str, value: str) -> DocumentFix:
    """`document` "NAME|KIND|COUNT"; `document-received` and `remove-document` NAME."""
    parts = value.split("|")
    if key != "document":
        if len(parts) != 1 or not value.strip():
            raise ValidationError("correction_document_format")
        return DocumentFix(
            "received" if key == "document_received" else "remove",
            clean_text(value, "document", max_len=300),
        )
    if len(parts) != 3 or not parts[0].strip():
        raise ValidationError("correction_document_format")
    name = clean_text(parts[0], "document", max_len=300)
    kind = parts[1].strip().lower().replace("-", "_")
    if kind not in DOCUMENT_KINDS:
        raise ValidationError("correction_document_kind", kind=parts[1].strip())
    count = parts[2].strip()
    if not (count.isascii() and count.isdigit() and 1 <= int(count) <= 99):
        raise ValidationError("correction_document_count", count=count)
    return DocumentFix("set", name, kind, int(count))


def _clean_value(ctx: ServiceContext, key: str, value: str) -> str:
    if key == "name":
        return clean_name(value, "name")
    if key == "id_number":
        if not value.strip():
            return ""
        return validate_id_number(value, "id_number", today=ctx.now().date())
    if key == "phone":
        return validate_phone(value, "phone")
    if key == "email":
        return validate_email(value, "email")
    return clean_address(value, "address")


def _apply(
    s: Session,
    ctx: ServiceContext,
    req: ActionRequest,
    checked: _Checked,
    d: Dossier,
    unit: Unit,
    facts: HistoryFacts,
    when: datetime,
    new_status: str,
) -> dict[str, Any]:
    """The action's own details (the event's data) and its changes to the dossier row."""
    action = req.action
    if action == "supplement":
        return {"documents": list(checked.documents), "stage": "processing"}
    if action == "receive-supplement":
        return _resume(s, ctx, d, unit, facts, when)
    if action == "handover":
        return {"to": checked.to}
    if action == "receive-back":
        data: dict[str, Any] = {"from": facts.at_agency}
        if checked.result:
            data["result"] = checked.result
        return data
    if action == "apologize":
        return _reschedule(ctx, d, req.new_due)
    if action == "return":
        return _return_data(d, req, checked)
    if action == "correct":
        return _correct(s, d, checked, facts)
    return {}


def _resume(
    s: Session,
    ctx: ServiceContext,
    d: Dossier,
    unit: Unit,
    facts: HistoryFacts,
    when: datetime,
) -> dict[str, Any]:
    """The documents arrived. Missing at intake: they are complete now, and the due date is
    computed from this moment (DOMAIN.md §3). A processing-stage pause keeps the due date."""
    if not facts.paused_at_intake:
        return {"stage": "processing"}
    arrived = [x.name for x in d.documents if x.required and not x.received]
    for x in d.documents:
        if x.required and not x.received:
            x.received = True
    plan = compute_due(when, d.procedure.processing_days, load_calendar(s), office_hours(unit))
    previous = ctx.local(d.due_at)
    d.effective_day = plan.effective_day
    d.due_at = plan.due_at
    return {
        "stage": "intake",
        "documents": arrived,
        "previous_due_at": previous.isoformat(),
        "due_at": ctx.local(plan.due_at).isoformat(),
    }


def _reschedule(ctx: ServiceContext, d: Dossier, new_due: date | None) -> dict[str, Any]:
    """Mẫu 04: the new due date keeps the due time of day."""
    current = ctx.local(d.due_at)
    new_at = None if new_due is None else datetime.combine(new_due, current.timetz())
    check_new_due(current, new_at)
    assert new_at is not None
    d.due_at = new_at
    return {"previous_due_at": current.isoformat(), "due_at": new_at.isoformat()}


def _return_data(d: Dossier, req: ActionRequest, checked: _Checked) -> dict[str, Any]:
    postal = bool(req.tracking.strip()) or d.return_channel == "postal"
    check_return(postal, req.tracking)
    data: dict[str, Any] = {
        "channel": "postal" if postal else "counter",
        "fee": d.fee if req.fee is None else req.fee,
    }
    if postal:
        data["tracking"] = clean_text(req.tracking, "tracking", max_len=40)
    if checked.person is not None:
        data["to"] = checked.person
    return data


def _correct(s: Session, d: Dossier, checked: _Checked, facts: HistoryFacts) -> dict[str, Any]:
    diff: dict[str, Any] = {}
    for key, new in checked.changes.items():
        old = getattr(d, CORRECTABLE[key])
        if new != old:
            diff[key] = [old, new]
    if checked.document_fixes:
        before = [_line(x) for x in d.documents]
        _fix_documents(d, checked.document_fixes, facts)
        after = [_line(x) for x in d.documents]
        if after != before:
            diff["documents"] = [before, after]
    if not diff:
        raise ValidationError("correction_unchanged")
    if "name" in diff:
        reindex_name(s, d.id, d.received_at, diff["name"][0], diff["name"][1])
    for key, pair in diff.items():
        if key in CORRECTABLE:
            setattr(d, CORRECTABLE[key], pair[1])
    if "address" in diff:  # issue 16: the corrected text's 2025 commune (None: unverified)
        _, commune = units_in(s).recognise(d.applicant_address)
        code = commune.code if commune is not None else None
        if code != d.applicant_commune_code:
            diff["commune_code"] = [d.applicant_commune_code, code]
            d.applicant_commune_code = code
    return {"changes": diff}


def _line(x: DossierDocument) -> dict[str, Any]:
    """A document line as the event records it (the shape of intake's outbox payload)."""
    return {"name": x.name, "kind": x.kind, "count": x.count, "received": x.received}


def _fix_documents(d: Dossier, fixes: tuple[DocumentFix, ...], facts: HistoryFacts) -> None:
    """Apply the document corrections to the dossier's lines, matched by name without
    accents. Anything refused raises, and the transaction writes nothing."""
    rows = list(d.documents)

    def find(name: str) -> int | None:
        key = fold(name)
        return next((i for i, x in enumerate(rows) if fold(x.name) == key), None)

    for fix in fixes:
        i = find(fix.name)
        if fix.op == "set":
            if i is None:
                rows.append(
                    DossierDocument(
                        name=fix.name,
                        kind=fix.kind,
                        count=fix.count,
                        received=True,  # a line added now is one handed in
                        required=_in_checklist(d, fix.name),
                    )
                )
            else:
                rows[i].name, rows[i].kind, rows[i].count = fix.name, fix.kind, fix.count
            continue
        if i is None:
            raise ValidationError("correction_document_absent", name=fix.name)
        row = rows[i]
        if fix.op == "received":
            if row.required and not row.received and facts.paused_at_intake:
                # receive-supplement: it also starts the due date from the day they came.
                raise ValidationError("correction_document_supplement", name=row.name)
            row.received = True
        else:
            if row.required:
                raise ValidationError("correction_document_required", name=row.name)
            rows.pop(i)
    for position, row in enumerate(rows):
        row.position = position
    d.documents = rows


def _in_checklist(d: Dossier, name: str) -> bool:
    """A line named like a required item of the procedure's checklist is required."""
    key = fold(name)
    return any(
        fold(str(x.get("name", ""))) == key and bool(x.get("required"))
        for x in d.procedure.documents
    )


def _report_facts(d: Dossier, kind: str, when: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """The report's facts this step changes on the dossier row (migration 0007), as the
    report read them from the history before: the first result, return and closing, any
    postal return, an apology; the original due moment follows `due_at` (an intake pause
    recomputes it) until an apology, which moves `due_at` only."""
    if kind == "result_ready" and d.resolved_at is None:
        return {"resolved_at": when}
    if kind == "returned":
        postal = d.returned_postal or data.get("channel") == "postal"
        return {"returned_at": d.returned_at or when, "returned_postal": postal}
    if kind in END_KINDS and d.closed_at is None:
        return {"closed_at": when, "closed_kind": kind}
    if kind == "apologized":
        return {"apologized": True}
    if kind == "supplement_received" and "due_at" in data and not d.apologized:
        return {"original_due_at": d.due_at}
    return {}


def _compare_and_set(
    s: Session, d: Dossier, before: str, after: str, facts: dict[str, Any]
) -> None:
    """Belt and braces behind the writer lock: the status moves only from the one read. The
    report's facts go in the same UPDATE."""
    s.flush()
    done = s.execute(
        update(Dossier)
        .where(Dossier.id == d.id, Dossier.status == before)
        .values(status=after, **facts)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 1) != 1:
        raise Conflict("dossier_changed", code=d.code, status=before)


__all__ = [
    "ACTION_ORDER",
    "CORRECTABLE",
    "DOCUMENT_CORRECTIONS",
    "ActionDone",
    "ActionRequest",
    "act",
    "allowed_actions",
    "history_facts",
    "perform",
]

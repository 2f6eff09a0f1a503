"""The day close (issue 11, UI.md "Day close"): the day's summary per clerk, what was left
unfinished, and the close itself — a supervisor's act, hash-chained to the previous close,
an outbox event like any other write; afterwards nothing may be dated on or before the day
(records.check_day_open: intake, actions, queue tickets).

Reads are a handful of indexed queries on the day (received_at, dossier_events.business_day,
tickets.day) plus the open dossiers by status; bench/bench_day_close.py measures them. The
local database holds its own unit's dossiers (the report and the register read them so too):
a `dossiers.unit_id = ?` term would steer SQLite to the (unit_id, code_day, code_seq) index
and scan every dossier the unit ever took (90 ms a query at 22,000 dossiers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from counter_app.db.models import (
    AuditEntry,
    DayClose,
    Dossier,
    DossierEvent,
    PaperPrint,
    Ticket,
    Unit,
    User,
)
from counter_app.domain.dayclose import COUNTS, GENESIS, PAUSE_LIMIT_DAYS, close_hash
from counter_app.domain.errors import NotFound, ValidationError
from counter_app.domain.model import UnitInfo
from counter_app.domain.receipt import LATE_ENTRY_ACTION
from counter_app.services import queue as queue_svc
from counter_app.services import ratings as ratings_svc
from counter_app.services.auth import get_user
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit, emit, last_closed_day
from counter_app.services.units import local_unit, unit_info

CLOSER_ROLES = ("supervisor", "admin")
# Still running: neither resolved nor closed, and not paused (a paused dossier cannot be late).
RUNNING = ("new", "accepted", "processing", "payment_requested")
UNFINISHED_TICKETS = ("called", "serving", "held")


def ratings_by_officer(s: Session, unit_id: str, day: date) -> dict[str, dict[str, int]]:
    """User id -> {rating level key: count} for the day's ratings (services/ratings); each
    clerk's line and the totals carry them ("ratings"). A rating with no officer known (a
    ticket finished by the CLI) counts under "" like the other figures without a clerk."""
    return ratings_svc.counts_by_officer(s, unit_id, day)


@dataclass(frozen=True)
class ClosedBy:
    username: str
    full_name: str
    at: datetime  # aware, local
    hash: str
    prev_hash: str


@dataclass(frozen=True)
class DaySummary:
    """One day as the close sees it: per clerk, totals, anomalies, and the close if done."""

    day: date
    unit: UnitInfo
    per_clerk: list[dict[str, Any]]
    totals: dict[str, Any]
    anomalies: list[dict[str, Any]]
    closed: ClosedBy | None = None
    last_closed: date | None = None  # the unit's latest closed day (any)

    def as_json(self) -> dict[str, Any]:
        """The JSON of `close-day` (README, "Day close")."""
        c = self.closed
        return {
            "day": self.day.isoformat(),
            "unit": self.unit.agency_id,
            "closed": c is not None,
            "closed_by": c.username if c else None,
            "closed_by_name": c.full_name if c else None,
            "closed_at": c.at.isoformat() if c else None,
            "hash": c.hash if c else None,
            "prev_hash": c.prev_hash if c else None,
            "per_clerk": self.per_clerk,
            "totals": self.totals,
            "anomalies": self.anomalies,
        }


# --- the day's figures -------------------------------------------------------------------------


@dataclass
class _Line:
    username: str
    full_name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    ratings: dict[str, int] = field(default_factory=dict)


def _mean(xs: list[float]) -> int | None:
    return round(sum(xs) / len(xs)) if xs else None


def _bounds(ctx: ServiceContext, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), ctx.tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), ctx.tz)


def _figures(
    s: Session, ctx: ServiceContext, unit_id: str, day: date
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    start, end = _bounds(ctx, day)
    users = {u.id: u for u in s.scalars(select(User).where(User.unit_id == unit_id))}
    lines: dict[str, _Line] = {}

    def line(user_id: str | None) -> _Line:
        key = user_id or ""
        if key not in lines:
            u = users.get(key)
            lines[key] = _Line(u.username if u else "", u.full_name if u else "(chưa rõ cán bộ)")
        return lines[key]

    for by, n in s.execute(
        select(Dossier.received_by, func.count())
        .where(Dossier.received_at >= start, Dossier.received_at < end)
        .group_by(Dossier.received_by)
    ):
        line(by).counts["received"] += n
    for by, kind, data in s.execute(
        select(DossierEvent.by_user_id, DossierEvent.kind, DossierEvent.data).where(
            DossierEvent.business_day == day,
            DossierEvent.kind.in_(("returned", "refused")),
            DossierEvent.unit_id == unit_id,
        )
    ):
        ln = line(by)
        ln.counts[kind] += 1
        if kind == "returned":
            ln.counts["fees"] += int((data or {}).get("fee") or 0)
    for t in s.execute(
        select(
            Ticket.served_by, Ticket.status, Ticket.issued_at, Ticket.called_at, Ticket.finished_at
        ).where(Ticket.unit_id == unit_id, Ticket.day == day, Ticket.called_at.is_not(None))
    ):
        _count_ticket(line(t.served_by), t.status, t.issued_at, t.called_at, t.finished_at)
    # Tickets left waiting or held when the day ended (services/queue, issue 12 item 6); for a
    # day that is over but not yet ended, those the close's own day end will close.
    not_served = [queue_svc.NOT_SERVED]
    if day < ctx.now().date():
        not_served += queue_svc.DAY_END_STATUSES
    for clerk, n in s.execute(
        select(Ticket.served_by, func.count())
        .where(Ticket.unit_id == unit_id, Ticket.day == day, Ticket.status.in_(not_served))
        .group_by(Ticket.served_by)
    ):
        line(clerk).counts["not_served"] += n
    for user_id, levels in ratings_by_officer(s, unit_id, day).items():
        line(user_id).ratings = dict(levels)
    return _lines_json(lines)


def _count_ticket(
    ln: _Line, status: str, issued: datetime, called: datetime | None, finished: datetime | None
) -> None:
    if called is None:
        return
    ln.waits.append((called - issued).total_seconds())
    if status == "done":
        ln.counts["tickets_served"] += 1
        if finished is not None:
            ln.services.append((finished - called).total_seconds())
    elif status == "no_show":
        ln.counts["no_shows"] += 1


def _lines_json(lines: dict[str, _Line]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    per_clerk = []
    waits: list[float] = []
    services: list[float] = []
    totals: dict[str, Any] = dict.fromkeys(COUNTS, 0)
    ratings: dict[str, int] = {}
    for ln in sorted(lines.values(), key=lambda x: (x.full_name, x.username)):
        per_clerk.append(
            {
                "username": ln.username,
                "name": ln.full_name,
                **ln.counts,
                "avg_wait_s": _mean(ln.waits),
                "avg_service_s": _mean(ln.services),
                "ratings": ln.ratings,
            }
        )
        for k in COUNTS:
            totals[k] += ln.counts[k]
        waits += ln.waits
        services += ln.services
        for level, n in ln.ratings.items():
            ratings[level] = ratings.get(level, 0) + n
    totals.update(avg_wait_s=_mean(waits), avg_service_s=_mean(services), ratings=ratings)
    return per_clerk, totals


# --- what was left unfinished ------------------------------------------------------------------


def _anomalies(s: Session, ctx: ServiceContext, unit_id: str, day: date) -> list[dict[str, Any]]:
    """Tickets left open that day, that day's dossiers without a printed intake paper, and the
    pauses and due dates that ran out since the previous close (each flagged at one close,
    not again at every close after it: the due list, Ctrl+H, keeps showing them)."""
    start, end = _bounds(ctx, day)
    last = last_closed_day(s, unit_id)
    since = _bounds(ctx, last)[1] if last is not None and last < day else None
    out: list[dict[str, Any]] = []
    unfinished: tuple[str, ...] = UNFINISHED_TICKETS
    if day < ctx.now().date():  # held ones are the day end's (counted as not served)
        unfinished = tuple(x for x in unfinished if x not in queue_svc.DAY_END_STATUSES)
    for display, status, counter in s.execute(
        select(Ticket.display, Ticket.status, Ticket.counter)
        .where(Ticket.unit_id == unit_id, Ticket.day == day)
        .where(Ticket.status.in_(unfinished))
        .order_by(Ticket.display)
    ):
        detail = {"status": status, "counter": counter}
        out.append({"kind": "ticket_unfinished", "ref": display, "detail": detail})
    printed = exists().where(PaperPrint.dossier_id == Dossier.id)
    for (code,) in s.execute(
        select(Dossier.code)
        .where(Dossier.received_at >= start, Dossier.received_at < end, ~printed)
        .order_by(Dossier.code)
    ):
        out.append({"kind": "receipt_missing", "ref": code, "detail": {}})
    out += _pauses(s, ctx, unit_id, end, since)
    overdue = select(Dossier.code, Dossier.due_at).where(
        Dossier.status.in_(RUNNING), Dossier.due_at < end
    )
    if since is not None:
        overdue = overdue.where(Dossier.due_at >= since)
    for code, due in s.execute(overdue.order_by(Dossier.due_at, Dossier.code)):
        detail = {"due": f"{ctx.local(due):%d/%m/%Y %H:%M}"}
        out.append({"kind": "dossier_overdue", "ref": code, "detail": detail})
    out += _late_entries(s, ctx, start, end)
    return out


def _late_entries(
    s: Session, ctx: ServiceContext, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Dossiers typed this day with a receipt time more than LATE_ENTRY_DAYS back (the
    audit entry services/intake writes in the dossier's own transaction)."""
    rows = s.execute(
        select(AuditEntry.detail)
        .where(AuditEntry.action == LATE_ENTRY_ACTION)
        .where(AuditEntry.at >= start, AuditEntry.at < end)
        .order_by(AuditEntry.seq)
    )
    out = []
    for (detail,) in rows:
        try:
            received = f"{ctx.local(datetime.fromisoformat(detail['received_at'])):%d/%m/%Y}"
        except (KeyError, TypeError, ValueError):
            received = ""
        code = str(detail.get("code", "")) if isinstance(detail, dict) else ""
        out.append({"kind": "late_entry", "ref": code, "detail": {"received": received}})
    return out


def _pauses(
    s: Session, ctx: ServiceContext, unit_id: str, end: datetime, since: datetime | None
) -> list[dict[str, Any]]:
    """Dossiers waiting for documents since longer than PAUSE_LIMIT_DAYS at the day's end
    (whose limit ran out after `since`, the end of the previous closed day)."""
    limit = timedelta(days=PAUSE_LIMIT_DAYS)
    paused = (
        select(DossierEvent.dossier_id, func.max(DossierEvent.at).label("at"))
        .join(Dossier, Dossier.id == DossierEvent.dossier_id)
        .where(Dossier.status == "supplement_requested")
        .where(DossierEvent.kind == "supplement_requested")
        .group_by(DossierEvent.dossier_id)
        .subquery()
    )
    stmt = (
        select(Dossier.code, paused.c.at)
        .join(paused, paused.c.dossier_id == Dossier.id)
        .where(paused.c.at < end - limit)
    )
    if since is not None:
        stmt = stmt.where(paused.c.at >= since - limit)
    rows = s.execute(stmt.order_by(paused.c.at, Dossier.code))
    out = []
    for code, at in rows:
        days = (end - at).days
        detail = {"since": f"{ctx.local(at):%d/%m/%Y}", "days": days}
        out.append({"kind": "pause_overdue", "ref": code, "detail": detail})
    return out


# --- reading a day, closing it -----------------------------------------------------------------


def _closed_by(s: Session, ctx: ServiceContext, row: DayClose) -> ClosedBy:
    u = s.get(User, row.closed_by)
    return ClosedBy(
        username=u.username if u else "",
        full_name=u.full_name if u else "",
        at=ctx.local(row.closed_at),
        hash=row.hash,
        prev_hash=row.prev_hash,
    )


def day_summary(ctx: ServiceContext, day: date | None = None) -> DaySummary:
    """The day's summary: as recorded at its close when closed, else as it stands now."""
    day = day or ctx.now().date()
    with ctx.uow.read() as s:
        unit = local_unit(s)
        row = s.get(DayClose, (unit.id, day))
        last = last_closed_day(s, unit.id)
        if row is not None:
            return DaySummary(
                day,
                unit_info(unit),
                list(row.summary.get("per_clerk", [])),
                dict(row.summary.get("totals", {})),
                list(row.anomalies),
                _closed_by(s, ctx, row),
                last,
            )
        per_clerk, totals = _figures(s, ctx, unit.id, day)
        anomalies = _anomalies(s, ctx, unit.id, day)
        return DaySummary(day, unit_info(unit), per_clerk, totals, anomalies, None, last)


def _check_closable(s: Session, ctx: ServiceContext, unit: Unit, user: User, day: date) -> None:
    if user.unit_id != unit.id:
        raise NotFound("user_not_local", username=user.username)
    if user.role not in CLOSER_ROLES:
        raise ValidationError("close_day_not_supervisor", username=user.username)
    today = ctx.now().date()
    if day > today:
        raise ValidationError("close_day_future", day=f"{day:%d/%m/%Y}", today=f"{today:%d/%m/%Y}")
    row = s.get(DayClose, (unit.id, day))
    if row is not None:
        by = _closed_by(s, ctx, row)
        raise ValidationError(
            "close_day_already",
            day=f"{day:%d/%m/%Y}",
            by=f"{by.full_name} ({by.username})",
            at=f"{by.at:%H:%M %d/%m/%Y}",
        )
    last = last_closed_day(s, unit.id)
    if last is not None and last > day:
        raise ValidationError(
            "close_day_later_closed", day=f"{day:%d/%m/%Y}", later=f"{last:%d/%m/%Y}"
        )


def close_day(
    ctx: ServiceContext,
    supervisor: str,
    day: date | None = None,
    *,
    acknowledged: Callable[[list[dict[str, Any]]], bool] | None = None,
) -> DaySummary:
    """Close `day` (default today in the unit's time zone) as `supervisor`, in ONE write
    transaction: the checks, the summary and anomalies read under the writer lock (two
    supervisors at once: the second sees the first's close and is refused), the DayClose row
    with its chained hash, an audit entry and the `day_closed` outbox event.

    `acknowledged(anomalies)`: the window's check that the supervisor ticked every anomaly
    read now (the close refuses when it says no); the CLI lists them in its output instead.
    """
    now = ctx.now()
    day = day or now.date()
    with ctx.uow.write() as s:
        unit = local_unit(s)
        user = get_user(s, supervisor)
        _check_closable(s, ctx, unit, user, day)
        if day < now.date():  # a day that is over: its queue ends now, in this transaction
            queue_svc.end_days_before(ctx, s, unit.id, day + timedelta(days=1))
        per_clerk, totals = _figures(s, ctx, unit.id, day)
        anomalies = _anomalies(s, ctx, unit.id, day)
        if acknowledged is not None and not acknowledged(anomalies):
            raise ValidationError("close_day_anomalies_unacknowledged", count=len(anomalies))
        prev = s.scalar(
            select(DayClose.hash)
            .where(DayClose.unit_id == unit.id)
            .order_by(DayClose.day.desc())
            .limit(1)
        )
        prev_hash = prev or GENESIS
        summary = {"per_clerk": per_clerk, "totals": totals}
        digest = close_hash(prev_hash, unit.id, day, user.id, now, summary, anomalies)
        s.add(
            DayClose(
                unit_id=unit.id,
                day=day,
                closed_by=user.id,
                closed_at=now,
                summary=summary,
                anomalies=anomalies,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        detail = {"day": day.isoformat(), "hash": digest, "anomalies": len(anomalies)}
        append_audit(s, now, user.username, "day_closed", detail)
        payload = {
            "day": day.isoformat(),
            "by": user.username,
            "at": now.isoformat(),
            "hash": digest,
            "prev_hash": prev_hash,
            "totals": totals,
            "anomalies": len(anomalies),
            # The record the hash covers, whole: a counter restored from a backup older
            # than this close gets it back from central (services/resume) and the day stays
            # frozen, its chain intact; central can check the hash too.
            "record": {"closed_by": user.id, "summary": summary, "anomalies": anomalies},
        }
        emit(s, unit.id, "day_closed", payload, now)
        closed = ClosedBy(user.username, user.full_name, now, digest, prev_hash)
        return DaySummary(day, unit_info(unit), per_clerk, totals, anomalies, closed, day)


def verify_close_chain(s: Session, unit_id: str) -> date | None:
    """The first closed day whose record does not match its hash or its predecessor's, or
    None when the chain holds (the audit log's check, records.verify_audit_chain)."""
    prev = GENESIS
    rows = s.scalars(select(DayClose).where(DayClose.unit_id == unit_id).order_by(DayClose.day))
    for r in rows:
        digest = close_hash(
            prev, r.unit_id, r.day, r.closed_by, r.closed_at, r.summary, r.anomalies
        )
        if r.prev_hash != prev or r.hash != digest:
            return r.day
        prev = r.hash
    return None


def check_close_chain(ctx: ServiceContext) -> date | None:
    with ctx.uow.read() as s:
        return verify_close_chain(s, local_unit(s).id)

"""Queue tickets (DOMAIN.md §9, DESIGN.md §7): services, issuing, calling, waiting counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from counter_app.db.models import Dossier, QueueService, Ticket, TicketEvent
from counter_app.domain.errors import NotFound, ValidationError
from counter_app.domain.ids import new_id
from counter_app.domain.queue import (
    DEFAULT_SERVICE_S,
    PRIORITY_CLASSES,
    PRIORITY_WEIGHTS,
    clean_service,
    display_number,
    estimate_minutes,
    is_open,
)
from counter_app.services.auth import get_user
from counter_app.services.context import ServiceContext
from counter_app.services.numbering import next_number
from counter_app.services.records import check_day_open, emit
from counter_app.services.units import local_unit

# The order in which a counter calls waiting tickets. FIFO within a priority is pinned by
# tests: NovoSGA once flipped arrival time to DESC in a refactor and nobody noticed. FIFO is
# the unit's gap-free per-day queue sequence taken at issue, never `issued_at`: after the PC
# clock steps back a newcomer would otherwise be called before people already waiting
# (issue 12 item 5). A transferred ticket keeps its sequence, so its place among any service's.
QUEUE_ORDER = (Ticket.weight.desc(), Ticket.queue_seq.asc(), Ticket.id.asc())
QUEUE_SEQ_KIND = "queue"  # sequence_counters.kind of the per-day queue sequence
OPEN_STATUSES = ("called", "serving")  # a counter's current ticket
# Issue 12 item 6, midnight: a ticket still waiting (or held) when its day is over can no
# longer be called (every queue reads today's tickets); the day end closes it as not served
# (event `day_ended`). One called to a counter stays that counter's current ticket across
# midnight: finishing it records the real service time.
DAY_END_STATUSES = ("waiting", "held")
NOT_SERVED = "not_served"


@dataclass(frozen=True)
class ServiceInfo:
    code: str  # "HT"
    name: str  # "Hộ tịch"
    prefix: str  # "1"
    counters: tuple[int, ...]
    waiting: int = 0  # tickets waiting now (today)
    waiting_priority: int = 0  # of which priority
    opens: str = ""  # "07:00": tickets are issued from this time…
    closes: str = ""  # …until this one ("17:30", exclusive)
    open_now: bool = True  # within its hours at the moment it was listed


@dataclass(frozen=True)
class TicketInfo:
    id: str
    number: str  # display, "1005"
    service_code: str
    service_name: str
    priority: str  # "" or a PRIORITY_CLASSES member
    status: str  # waiting | called | serving | held | done | no_show | not_served
    issued_at: datetime  # aware, local
    called_at: datetime | None
    counter: int | None
    calls: int
    ahead: int = 0  # people ahead when issued (issue only)
    estimated_wait_min: int = 0  # (issue only)
    waited_s: int = 0  # issued -> called, seconds (call only)


@dataclass(frozen=True)
class CallInfo:
    """One call shown on the board and spoken: "Mời số 1005 đến quầy số 3"."""

    number: str
    service_name: str
    counter: int
    at: datetime
    recall: bool


# --- one transaction's view of the unit's queue ------------------------------------------


@dataclass(frozen=True)
class _Waiting:
    id: str
    queue_id: str  # the service whose queue it stands in (differs from service_id after transfer)
    weight: int
    target_counter: int | None


@dataclass
class _Scope:
    s: Session
    ctx: ServiceContext
    unit_id: str
    now: datetime  # aware, local
    services: dict[str, QueueService]  # by id, inactive ones included
    user_id: str | None = None

    @property
    def day(self) -> date:
        return self.now.date()

    def service(self, code: str) -> QueueService:
        for svc in self.services.values():
            if svc.code == code.strip().upper() and svc.active:
                return svc
        raise NotFound("service_unknown", code=code)

    def served_by(self, counter: int) -> set[str]:
        """Ids of the active services a counter serves; a counter serving none is refused."""
        ids = {i for i, svc in self.services.items() if svc.active and counter in svc.counters}
        if not ids:
            raise ValidationError("counter_serves_nothing", counter=counter)
        return ids

    def queues(self) -> dict[str, str]:
        """ticket id -> the service it was last transferred to, for today's tickets.

        The number stays unique per issuing service (uq_tickets_number), so a transfer leaves
        service_id alone and records the new queue in the 'transferred' event.
        """
        rows = self.s.execute(
            select(TicketEvent.ticket_id, TicketEvent.data)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(
                Ticket.unit_id == self.unit_id,
                Ticket.day == self.day,
                TicketEvent.kind == "transferred",
            )
            .order_by(TicketEvent.id)  # UUIDv7: creation order, even if the clock stepped back
        ).all()
        ids = {svc.code: i for i, svc in self.services.items()}
        out: dict[str, str] = {}
        for ticket_id, data in rows:
            code = data.get("to_service")
            if code in ids:
                out[ticket_id] = ids[code]
        return out

    def queue_of(self, t: Ticket, queues: dict[str, str] | None = None) -> QueueService:
        q = self.queues() if queues is None else queues
        return self.services[q.get(t.id, t.service_id)]

    def waiting(self, queues: dict[str, str]) -> list[_Waiting]:
        """Today's waiting tickets in calling order (QUEUE_ORDER)."""
        rows = self.s.execute(
            select(Ticket.id, Ticket.service_id, Ticket.weight, Ticket.target_counter)
            .where(
                Ticket.unit_id == self.unit_id,
                Ticket.day == self.day,
                Ticket.status == "waiting",
            )
            .order_by(*QUEUE_ORDER)
        ).all()
        return [_Waiting(i, queues.get(i, sid), w, tc) for i, sid, w, tc in rows]


def _load_services(s: Session, unit_id: str) -> dict[str, QueueService]:
    rows = s.scalars(select(QueueService).where(QueueService.unit_id == unit_id))
    return {svc.id: svc for svc in rows}


@contextmanager
def _scope(ctx: ServiceContext, *, write: bool, user: str | None = None) -> Iterator[_Scope]:
    with ctx.uow.write() if write else ctx.uow.read() as s:
        unit = local_unit(s)
        sc = _Scope(s, ctx, unit.id, ctx.now(), _load_services(s, unit.id))
        if write:
            # Every ticket step is dated today: none once today is closed (the day close).
            check_day_open(s, unit.id, sc.day)
            # The first queue write of a day ends the earlier days' queues (in its transaction;
            # the events are dated now, on this open day, whether or not those days are closed).
            _end_days_before(sc, sc.day)
        if user is not None:
            sc.user_id = get_user(s, user).id
        yield sc


def _info(sc: _Scope, t: Ticket, svc: QueueService, **extra: int) -> TicketInfo:
    if t.called_at is not None:
        extra.setdefault("waited_s", int((t.called_at - t.issued_at).total_seconds()))
    return TicketInfo(
        id=t.id,
        number=t.display,
        service_code=svc.code,
        service_name=svc.name,
        priority=t.priority,
        status=t.status,
        issued_at=sc.ctx.local(t.issued_at),
        called_at=sc.ctx.local(t.called_at) if t.called_at else None,
        counter=t.counter,
        calls=t.calls,
        **extra,
    )


def _record(
    sc: _Scope, t: Ticket, kind: str, counter: int | None, data: dict[str, Any]
) -> TicketEvent:
    """The append-only event and its outbox row, in the caller's transaction."""
    ev = TicketEvent(
        id=new_id(),
        unit_id=t.unit_id,
        ticket_id=t.id,
        kind=kind,
        status=t.status,
        at=sc.now,
        counter=counter,
        by_user_id=sc.user_id,
        data=data,
    )
    sc.s.add(ev)
    payload = {
        "id": ev.id,
        "ticket_id": t.id,
        "day": t.day.isoformat(),
        "number": t.display,
        "kind": kind,
        "status": t.status,
        "at": sc.now.isoformat(),
        "counter": counter,
        "by": sc.user_id,
        "data": data,
    }
    emit(sc.s, t.unit_id, "ticket_event", payload, sc.now)
    return ev


def _end_days_before(sc: _Scope, before: date) -> int:
    """Close the tickets of days before `before` still waiting or held as not served, each with
    its `day_ended` event and outbox row, in the caller's transaction; how many were closed.

    (unit_id, status, day) index: a handful of rows looked at, however many days are stored.
    """
    stale = sc.s.scalars(
        select(Ticket)
        .where(
            Ticket.unit_id == sc.unit_id,
            Ticket.status.in_(DAY_END_STATUSES),
            Ticket.day < before,
        )
        .with_for_update()
    ).all()
    # Sorted here: an ORDER BY day steers SQLite to ix_tickets_queue (every stored day's
    # entries, 40-60 ms at 300,000 tickets) instead of ix_tickets_open (0.1 ms).
    for t in sorted(stale, key=lambda x: (x.day, x.queue_seq, x.id)):
        was = t.status
        t.status = NOT_SERVED
        t.target_counter = None
        _record(sc, t, "day_ended", None, {"day": t.day.isoformat(), "was": was})
    if stale:
        sc.s.flush()
    return len(stale)


def end_days_before(ctx: ServiceContext, s: Session, unit_id: str, before: date) -> int:
    """The day end for the day close (services/dayclose): tickets of days before `before`
    still waiting or held are closed as not served, in the caller's transaction `s`."""
    return _end_days_before(_Scope(s, ctx, unit_id, ctx.now(), {}), before)


def _open_tickets(sc: _Scope, counter: int, *, lock: bool = True) -> list[Ticket]:
    """The counter's current ticket(s), newest call first (row-locked on PostgreSQL): today's,
    or one called before midnight and not yet finished (the day end leaves it to the counter).
    """
    stmt = (
        select(Ticket)
        .where(
            Ticket.unit_id == sc.unit_id,
            Ticket.day <= sc.day,
            Ticket.counter == counter,
            Ticket.status.in_(OPEN_STATUSES),
        )
        .order_by(Ticket.called_at.desc(), Ticket.id.desc())
    )
    return list(sc.s.scalars(stmt.with_for_update() if lock else stmt))


def _current_or_refuse(sc: _Scope, counter: int) -> Ticket:
    tickets = _open_tickets(sc, counter)
    if not tickets:
        sc.served_by(counter)  # a counter serving nothing gets that message instead
        raise ValidationError("counter_has_no_ticket", counter=counter)
    return tickets[0]


def _refuse_earlier_day(t: Ticket, today: date) -> None:
    """A ticket called before midnight may be recalled, finished or skipped; not put back in a
    queue (held, transferred): no queue of its day is called any more."""
    if t.day < today:
        raise ValidationError("ticket_from_earlier_day", number=t.display, day=f"{t.day:%d/%m/%Y}")


def _end(sc: _Scope, t: Ticket, status: str, kind: str, counter: int) -> None:
    t.status = status
    t.finished_at = sc.now
    _record(sc, t, kind, counter, {})


# --- services -------------------------------------------------------------------------------


def list_services(ctx: ServiceContext) -> list[ServiceInfo]:
    """Active services in kiosk order, with today's waiting counts and whether they are open."""
    with _scope(ctx, write=False) as sc:
        waiting = sc.waiting(sc.queues())
    out = []
    for svc in sorted(sc.services.values(), key=lambda x: (x.position, x.code)):
        if not svc.active:
            continue
        mine = [w for w in waiting if w.queue_id == svc.id]
        out.append(
            ServiceInfo(
                code=svc.code,
                name=svc.name,
                prefix=svc.prefix,
                counters=tuple(sorted(svc.counters)),
                waiting=len(mine),
                waiting_priority=sum(1 for w in mine if w.weight > 0),
                opens=svc.opens,
                closes=svc.closes,
                open_now=is_open(svc.opens, svc.closes, sc.now),
            )
        )
    return out


def _average_service_s(sc: _Scope, svc: QueueService, queues: dict[str, str]) -> int:
    """Today's mean called -> finished time of the service's done tickets (default 5 min)."""
    rows = sc.s.execute(
        select(Ticket.id, Ticket.service_id, Ticket.called_at, Ticket.finished_at).where(
            Ticket.unit_id == sc.unit_id,
            Ticket.day == sc.day,
            Ticket.status == "done",
        )
    ).all()
    spans = [
        (fin - called).total_seconds()
        for tid, sid, called, fin in rows
        if called is not None and fin is not None and queues.get(tid, sid) == svc.id
    ]
    return round(sum(spans) / len(spans)) if spans else DEFAULT_SERVICE_S


def issue(ctx: ServiceContext, service_code: str, priority: str = "") -> TicketInfo:
    """Take the next number of the service for today, in one write transaction."""
    if priority not in ("", *PRIORITY_CLASSES):
        raise ValidationError("priority_unknown", value=priority)
    with _scope(ctx, write=True) as sc:
        svc = sc.service(service_code)
        if not is_open(svc.opens, svc.closes, sc.now):
            raise ValidationError(
                "service_closed", name=svc.name, opens=svc.opens, closes=svc.closes
            )
        try:
            n = next_number(
                sc.s,
                sc.unit_id,
                f"ticket:{svc.code}",
                sc.day.isoformat(),
                start=svc.start_number,
                end=svc.end_number,
            )
        except ValidationError as exc:
            if exc.code != "sequence_exhausted":
                raise
            raise ValidationError("service_numbers_exhausted", name=svc.name) from None
        t = Ticket(
            id=new_id(),
            unit_id=sc.unit_id,
            service_id=svc.id,
            day=sc.day,
            number=n,
            display=display_number(svc.prefix, n),
            priority=priority,
            weight=PRIORITY_WEIGHTS.get(priority, 0),
            status="waiting",
            issued_at=sc.now,
            calls=0,
            queue_seq=next_number(sc.s, sc.unit_id, QUEUE_SEQ_KIND, sc.day.isoformat()),
        )
        sc.s.add(t)
        sc.s.flush()
        emit(sc.s, sc.unit_id, "ticket", _ticket_payload(t, svc), sc.now)
        _record(sc, t, "issued", None, {"service": svc.code, "priority": priority})
        queues = sc.queues()
        line = [
            w.id for w in sc.waiting(queues) if w.queue_id == svc.id and w.target_counter is None
        ]
        ahead = line.index(t.id)
        wait = estimate_minutes(ahead, len(svc.counters), _average_service_s(sc, svc, queues))
        return _info(sc, t, svc, ahead=ahead, estimated_wait_min=wait)


def _ticket_payload(t: Ticket, svc: QueueService) -> dict[str, Any]:
    return {
        "id": t.id,
        "service": svc.code,
        "day": t.day.isoformat(),
        "number": t.number,
        "display": t.display,
        "priority": t.priority,
        "weight": t.weight,
        "issued_at": t.issued_at.isoformat(),
        "queue_seq": t.queue_seq,
    }


# --- counter actions -------------------------------------------------------------------------


def _take(sc: _Scope, ticket_id: str, counter: int) -> Ticket | None:
    """Claim a waiting ticket for the counter, or None if another counter got it first.

    SQLite's write lock already serialises callers; on PostgreSQL the guarded UPDATE waits
    for a competing transaction and then re-checks `status = 'waiting'`, so a ticket is
    claimed exactly once.
    """
    claimed = sc.s.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.status == "waiting")
        .values(
            status="called",
            counter=counter,
            called_at=sc.now,
            calls=1,
            target_counter=None,
            served_by=sc.user_id,
        )
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        return None
    return sc.s.get(Ticket, ticket_id, populate_existing=True)


def call_next(ctx: ServiceContext, counter: int, user: str | None = None) -> TicketInfo | None:
    """Finish the counter's current ticket and call the next one waiting, in one transaction.

    This is the only path that calls a ticket: it writes the 'called' event the board and the
    spoken call are driven from. None when nobody waits.
    """
    with _scope(ctx, write=True, user=user) as sc:
        served = sc.served_by(counter)
        for old in _open_tickets(sc, counter):
            _end(sc, old, "done", "finished", counter)
        sc.s.flush()
        queues = sc.queues()
        for w in sc.waiting(queues):
            mine = w.target_counter == counter or (
                w.target_counter is None and w.queue_id in served
            )
            if not mine:
                continue
            t = _take(sc, w.id, counter)
            if t is None:
                continue
            svc = sc.services[w.queue_id]
            _record(sc, t, "called", counter, {"service": svc.code, "calls": 1})
            return _info(sc, t, svc)
        return None


def recall(ctx: ServiceContext, counter: int, user: str | None = None) -> TicketInfo:
    """Call the counter's current ticket again (a new call on the board)."""
    with _scope(ctx, write=True, user=user) as sc:
        t = _current_or_refuse(sc, counter)
        svc = sc.queue_of(t)
        t.calls += 1
        _record(sc, t, "recalled", counter, {"service": svc.code, "calls": t.calls})
        return _info(sc, t, svc)


def _close_current(
    ctx: ServiceContext, counter: int, user: str | None, status: str, kind: str
) -> TicketInfo:
    with _scope(ctx, write=True, user=user) as sc:
        t = _current_or_refuse(sc, counter)
        svc = sc.queue_of(t)
        if status == "held":
            _refuse_earlier_day(t, sc.day)
            t.status = status
            _record(sc, t, kind, counter, {})
        else:
            _end(sc, t, status, kind, counter)
        return _info(sc, t, svc)


def skip(ctx: ServiceContext, counter: int, user: str | None = None) -> TicketInfo:
    """The person called did not come (no-show)."""
    return _close_current(ctx, counter, user, "no_show", "skipped")


def hold(ctx: ServiceContext, counter: int, user: str | None = None) -> TicketInfo:
    """Park the current ticket; call_next does not take held tickets."""
    return _close_current(ctx, counter, user, "held", "held")


def held_tickets(ctx: ServiceContext) -> list[TicketInfo]:
    """Today's held tickets, in the order they were issued (`counter`: where each was held)."""
    with _scope(ctx, write=False) as sc:
        rows = list(
            sc.s.scalars(
                select(Ticket)
                .where(
                    Ticket.unit_id == sc.unit_id,
                    Ticket.day == sc.day,
                    Ticket.status == "held",
                )
                .order_by(Ticket.queue_seq, Ticket.id)
            )
        )
        queues = sc.queues()
        return [_info(sc, t, sc.queue_of(t, queues)) for t in rows]


def resume(ctx: ServiceContext, number: str, counter: int, user: str | None = None) -> TicketInfo:
    """Call a held ticket back to a counter (its number is shown and spoken again).

    As with call_next, the counter's current ticket is finished first; a ticket held at
    another counter may be resumed here (the event names both counters)."""
    with _scope(ctx, write=True, user=user) as sc:
        sc.served_by(counter)
        want = number.strip()
        t = sc.s.scalar(
            select(Ticket)
            .where(
                Ticket.unit_id == sc.unit_id,
                Ticket.day == sc.day,
                Ticket.display == want,
                Ticket.status == "held",
            )
            .with_for_update()
        )
        if t is None:
            raise ValidationError("ticket_not_held", number=want)
        for old in _open_tickets(sc, counter):
            _end(sc, old, "done", "finished", counter)
        held_at = t.counter
        t.status = "called"
        t.counter = counter
        t.target_counter = None
        t.calls += 1
        t.served_by = sc.user_id
        svc = sc.queue_of(t)
        data = {"service": svc.code, "calls": t.calls, "held_at_counter": held_at}
        _record(sc, t, "resumed", counter, data)
        return _info(sc, t, svc)


def finish(ctx: ServiceContext, counter: int, user: str | None = None) -> TicketInfo:
    return _close_current(ctx, counter, user, "done", "finished")


def transfer(
    ctx: ServiceContext,
    counter: int,
    *,
    to_service: str | None = None,
    to_counter: int | None = None,
    user: str | None = None,
) -> TicketInfo:
    """Send the current ticket to another service's queue or to one counter.

    It waits again with its number and its queue sequence from issue, so it keeps its place
    (the sequence is the unit's per day, comparable across services).
    """
    if (to_service is None) == (to_counter is None):
        raise ValidationError("transfer_target_required")
    with _scope(ctx, write=True, user=user) as sc:
        t = _current_or_refuse(sc, counter)
        _refuse_earlier_day(t, sc.day)
        svc = sc.queue_of(t)
        data: dict[str, Any] = {"from_service": svc.code, "from_counter": counter}
        if to_service is not None:
            svc = sc.service(to_service)
            data["to_service"] = svc.code
        else:
            assert to_counter is not None
            sc.served_by(to_counter)  # a counter serving nothing could never call it
            data["to_counter"] = to_counter
        t.status = "waiting"
        t.counter = None
        t.target_counter = to_counter
        _record(sc, t, "transferred", counter, data)
        return _info(sc, t, svc)


def current(ctx: ServiceContext, counter: int) -> TicketInfo | None:
    """The ticket the counter is serving now (today), if any."""
    with _scope(ctx, write=False) as sc:
        tickets = _open_tickets(sc, counter, lock=False)
        if not tickets:
            return None
        return _info(sc, tickets[0], sc.queue_of(tickets[0]))


def recent_calls(ctx: ServiceContext, limit: int = 8) -> list[CallInfo]:
    """Today's calls and recalls, newest first: what the board shows."""
    with _scope(ctx, write=False) as sc:
        rows = sc.s.execute(
            select(TicketEvent, Ticket.display)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(
                Ticket.unit_id == sc.unit_id,
                Ticket.day == sc.day,
                TicketEvent.kind.in_(("called", "recalled", "resumed")),
            )
            .order_by(TicketEvent.id.desc())  # UUIDv7: newest first, whatever the clock did
            .limit(limit)
        ).all()
    names = {svc.code: svc.name for svc in sc.services.values()}
    return [
        CallInfo(
            number=display,
            service_name=names.get(ev.data.get("service", ""), ""),
            counter=ev.counter or 0,
            at=ctx.local(ev.at),
            recall=ev.kind != "called",
        )
        for ev, display in rows
    ]


def link_dossier(session: Session, ticket_id: str, dossier: Dossier) -> None:
    """Tie a dossier to the ticket it was taken under, so wait and service time are measured."""
    t = session.get(Ticket, ticket_id)
    unit_id = dossier.unit_id  # unset on a dossier still being built
    if t is None or (unit_id and t.unit_id != unit_id):
        raise NotFound("ticket_unknown")
    dossier.ticket_id = t.id


# --- configuration ---------------------------------------------------------------------------


def set_up_services(session: Session, unit_id: str, services: list[dict[str, Any]]) -> None:
    """Create or update services by code; unchanged services are left untouched (idempotent).

    Keys: code, name, prefix, counters; optional start_number, end_number, opens, closes,
    position, active. Two active services may not share a prefix (their numbers would clash).
    """
    existing = {svc.code: svc for svc in _load_services(session, unit_id).values()}
    for i, raw in enumerate(services):
        values = clean_service(raw, i)
        row = existing.get(values["code"])
        if row is None:
            row = QueueService(id=new_id(), unit_id=unit_id, **values)
            session.add(row)
            existing[row.code] = row
            continue
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
    from counter_app.services.unit_setup import ensure_counters  # counters a service names

    ensure_counters(
        session, unit_id, sorted({n for svc in existing.values() for n in svc.counters})
    )
    prefixes: dict[str, str] = {}
    for svc in existing.values():
        if svc.active and prefixes.setdefault(svc.prefix, svc.code) != svc.code:
            raise ValidationError(
                "service_config_invalid",
                code=svc.code,
                detail=f"tiền tố {svc.prefix} trùng với lĩnh vực {prefixes[svc.prefix]}",
            )
    session.flush()

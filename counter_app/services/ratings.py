"""Citizen ratings (DOMAIN.md §6): record one per ticket or dossier; count them for reports.

Who can be rated, written down:
- a ticket once it is done (finished, or finished by the next call): the rating is about
  the officer who served it at its counter;
- a dossier the citizen was served for at the counter: received there (not online or by
  post), or its result returned there (not by post). The rating is about the officer of
  the latest such contact (the return, else the intake); a named officer must be the one
  who received or returned it.
Ratings are not audited (they are no administrator's act) and carry no personal data; each
is an outbox event `rating` in its own transaction, so central counts them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from counter_app.db.models import Dossier, DossierEvent, Procedure, Rating, Ticket, User
from counter_app.domain import ratings as rules
from counter_app.domain.errors import NotFound, ValidationError
from counter_app.domain.ids import new_id
from counter_app.services.auth import get_user
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit, check_day_open, emit
from counter_app.services.units import local_unit


@dataclass(frozen=True)
class RatingSettings:
    scale: int  # 3 | 5
    timeout_s: int  # the rating screen goes back to rest after this long without a touch


@dataclass(frozen=True)
class RatingInfo:
    id: str
    subject: str  # "ticket" | "dossier"
    ticket: str | None  # display number "1005"
    dossier: str | None  # code
    officer: str | None  # username
    counter: int | None
    level: int
    scale: int
    level_key: str  # "hai_long"
    at: datetime  # local
    business_day: date
    source: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": self.subject,
            "ticket": self.ticket,
            "dossier": self.dossier,
            "officer": self.officer,
            "counter": self.counter,
            "level": self.level,
            "scale": self.scale,
            "level_key": self.level_key,
            "level_name": rules.WORDS[self.level_key],
            "at": self.at.isoformat(),
            "business_day": self.business_day.isoformat(),
            "source": self.source,
        }


@dataclass(frozen=True)
class RatingSubject:
    """What the rating screen asks about: a finished ticket or a served dossier."""

    kind: str  # "ticket" | "dossier"
    id: str  # ticket id | dossier code
    label: str  # "số 1005" | the dossier code
    officer: str  # username
    officer_name: str
    counter: int | None


# --- settings ---------------------------------------------------------------------------------


def get_settings(ctx: ServiceContext) -> RatingSettings:
    with ctx.uow.read() as s:
        unit = local_unit(s)
        return RatingSettings(unit.rating_scale, unit.rating_timeout_s)


def set_settings(
    ctx: ServiceContext,
    *,
    scale: int | None = None,
    timeout_s: int | None = None,
    username: str = "system",
) -> RatingSettings:
    """`unit set --rating-scale 3|5 [--rating-timeout S]`: one transaction, audited."""
    changes: dict[str, int] = {}
    if scale is not None:
        changes["rating_scale"] = rules.check_scale(scale)
    if timeout_s is not None:
        changes["rating_timeout_s"] = rules.check_timeout(timeout_s)
    if not changes:
        raise ValidationError("unit_settings_none")
    with ctx.uow.write() as s:
        unit = local_unit(s)
        for key, value in changes.items():
            setattr(unit, key, value)
        append_audit(s, ctx.clock(), username, "unit_set", dict(changes))
        return RatingSettings(unit.rating_scale, unit.rating_timeout_s)


# --- recording --------------------------------------------------------------------------------


def _ticket(
    s: Session, unit_id: str, ticket_id: str | None, number: str | None, day: date
) -> Ticket:
    if ticket_id is not None:
        t = s.get(Ticket, ticket_id)
        if t is None or t.unit_id != unit_id:
            raise NotFound("rating_ticket_unknown", number=ticket_id)
        return t
    assert number is not None
    t = s.scalars(
        select(Ticket)
        .where(Ticket.unit_id == unit_id, Ticket.day == day, Ticket.display == number.strip())
        .order_by(Ticket.issued_at.desc(), Ticket.id.desc())
        .limit(1)
    ).first()
    if t is None:
        raise NotFound("rating_ticket_unknown", number=number, day=f"{day:%d/%m/%Y}")
    return t


def _dossier_officer(s: Session, d: Dossier, officer: str | None) -> str:
    """The officer a dossier's rating is about (user id); refuses one not served."""
    returns = s.execute(
        select(DossierEvent.by_user_id, DossierEvent.data)
        .where(DossierEvent.dossier_id == d.id, DossierEvent.kind == "returned")
        .order_by(DossierEvent.step.desc())
    ).all()
    at_counter = [by for by, data in returns if (data or {}).get("channel") != "postal"]
    involved = ([d.received_by] if d.receive_channel == "counter" else []) + at_counter
    if not involved:
        raise ValidationError("rating_dossier_not_served", code=d.code)
    if officer is None:
        return at_counter[0] if at_counter else d.received_by
    user = get_user(s, officer)
    if user.id not in involved:
        raise ValidationError("rating_officer_not_involved", code=d.code, officer=officer)
    return user.id


def record(
    ctx: ServiceContext,
    level: int,
    *,
    ticket_id: str | None = None,
    ticket_number: str | None = None,
    day: date | None = None,
    dossier_code: str | None = None,
    officer: str | None = None,
    counter: int | None = None,
    source: str = "cli",
) -> RatingInfo:
    """Record one rating (one transaction with its outbox event). Exactly one subject: a
    ticket (by id, or by number on `day`, default today) or a dossier (by code). A ticket's
    officer and counter are its own; a dossier's counter is `counter` (else its ticket's)."""
    if sum(x is not None for x in (ticket_id, ticket_number, dossier_code)) != 1:
        raise ValidationError("rating_subject_required")
    if source not in rules.SOURCES:
        raise ValidationError("rating_source_invalid", value=source)
    now = ctx.now()
    with ctx.uow.write() as s:
        unit = local_unit(s)
        scale = unit.rating_scale
        rules.check_level(level, scale)
        check_day_open(s, unit.id, now.date())
        row = Rating(
            id=new_id(), unit_id=unit.id, level=level, scale=scale, at=now,
            business_day=now.date(), source=source,
        )  # fmt: skip
        number: str | None = None
        code: str | None = None
        if dossier_code is None:
            t = _ticket(s, unit.id, ticket_id, ticket_number, day or now.date())
            if t.status != "done":
                raise ValidationError("rating_ticket_not_done", number=t.display)
            row.ticket_id, row.officer_id, row.counter = t.id, t.served_by, t.counter
            number = t.display
            taken = select(Rating.id).where(Rating.ticket_id == t.id)
            what = {"ticket_id": t.id, "ticket": t.display, "day": t.day.isoformat()}
        else:
            d = s.scalars(select(Dossier).where(Dossier.code == dossier_code.strip())).first()
            if d is None or d.unit_id != unit.id:
                raise NotFound("rating_dossier_unknown", code=dossier_code)
            row.dossier_id, row.officer_id = d.id, _dossier_officer(s, d, officer)
            if counter is None and d.ticket_id is not None:
                counter = s.scalar(select(Ticket.counter).where(Ticket.id == d.ticket_id))
            row.counter = counter
            code = d.code
            taken = select(Rating.id).where(Rating.dossier_id == d.id)
            what = {"dossier_id": d.id, "dossier": d.code, "procedure": d.procedure.code}
        label = f"Số {number}" if code is None else f"Hồ sơ {code}"
        if s.scalar(taken) is not None:
            raise ValidationError("rating_already_given", what=label)
        s.add(row)
        try:
            s.flush()
        except IntegrityError:  # another counter rated it meanwhile (PostgreSQL, no lock)
            raise ValidationError("rating_already_given", what=label) from None
        officer_name = s.scalar(select(User.username).where(User.id == row.officer_id))
        key = rules.level_key(scale, level)
        emit(
            s,
            unit.id,
            "rating",
            {
                "id": row.id,
                **what,
                "officer": row.officer_id,
                "counter": row.counter,
                "level": level,
                "scale": scale,
                "level_key": key,
                "at": now.isoformat(),
                "day": now.date().isoformat(),
                "source": source,
            },
            now,
        )
        return RatingInfo(
            id=row.id, subject="dossier" if code else "ticket", ticket=number, dossier=code,
            officer=officer_name, counter=row.counter, level=level, scale=scale,
            level_key=key, at=now, business_day=now.date(), source=source,
        )  # fmt: skip


# --- counting ---------------------------------------------------------------------------------


def _keyed(rows: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for scale, level, n in rows:
        rules.add_counts(out, {rules.level_key(scale, level): n})
    return out


def counts_for_range(s: Session, unit_id: str, from_day: date, to_day: date) -> dict[str, int]:
    """{level key: count} of the unit's ratings with a business day in [from_day, to_day]."""
    rows = s.execute(
        select(Rating.scale, Rating.level, func.count())
        .where(
            Rating.unit_id == unit_id,
            Rating.business_day >= from_day,
            Rating.business_day <= to_day,
        )
        .group_by(Rating.scale, Rating.level)
    ).all()
    return _keyed(rows)


def counts_by_procedure(
    s: Session, unit_id: str, from_day: date, to_day: date
) -> dict[tuple[str, str], dict[str, int]]:
    """{(procedure code, sector): {level key: count}} of the dossier ratings in the range."""
    rows = s.execute(
        select(Procedure.code, Procedure.sector, Rating.scale, Rating.level, func.count())
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(
            Rating.unit_id == unit_id,
            Rating.business_day >= from_day,
            Rating.business_day <= to_day,
        )
        .group_by(Procedure.code, Procedure.sector, Rating.scale, Rating.level)
    ).all()
    out: dict[tuple[str, str], dict[str, int]] = {}
    for code, sector, scale, level, n in rows:
        rules.add_counts(out.setdefault((code, sector), {}), {rules.level_key(scale, level): n})
    return out


def counts_by_officer(s: Session, unit_id: str, day: date) -> dict[str, dict[str, int]]:
    """For the day close: {officer user id: {level key: count}} of the day's ratings
    (business day `day`). A rating without an officer (a ticket nobody was logged in for)
    counts under the key ""."""
    rows = s.execute(
        select(Rating.officer_id, Rating.scale, Rating.level, func.count())
        .where(Rating.unit_id == unit_id, Rating.business_day == day)
        .group_by(Rating.officer_id, Rating.scale, Rating.level)
    ).all()
    out: dict[str, dict[str, int]] = {}
    for officer, scale, level, n in rows:
        rules.add_counts(out.setdefault(officer or "", {}), {rules.level_key(scale, level): n})
    return out


# --- the rating screen on its own (gui --window rating) ----------------------------------------


def awaiting(ctx: ServiceContext, counter: int, within_s: int) -> RatingSubject | None:
    """The counter's ticket finished within the last `within_s` seconds and not rated yet:
    what a rating screen running in its own process asks about."""
    now = ctx.now()
    with ctx.uow.read() as s:
        unit = local_unit(s)
        row = s.execute(
            select(Ticket.id, Ticket.display, Ticket.counter, User.username, User.full_name)
            .outerjoin(User, User.id == Ticket.served_by)
            .outerjoin(Rating, Rating.ticket_id == Ticket.id)
            .where(
                Ticket.unit_id == unit.id,
                Ticket.day == now.date(),
                Ticket.counter == counter,
                Ticket.status == "done",
                Ticket.finished_at >= now - timedelta(seconds=within_s),
                Rating.id.is_(None),
            )
            .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    tid, display, ctr, username, full_name = row
    return RatingSubject("ticket", tid, display, username or "", full_name or "", ctr)

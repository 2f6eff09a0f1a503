"""Finding dossiers: by code (scan or type), by name without accents, by citizen ID or phone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from counter_app.db.models import Dossier, NameToken, Procedure
from counter_app.domain.codes import CODE_SEARCH_RE, looks_like_code
from counter_app.domain.errors import NotFound
from counter_app.domain.lifecycle import is_open
from counter_app.domain.model import DossierView
from counter_app.domain.text import search_tokens
from counter_app.services.context import ServiceContext
from counter_app.services.views import dossier_view

MAX_RESULTS = 50
SOON = timedelta(days=1)


@dataclass(frozen=True)
class DossierSummary:
    code: str
    applicant_name: str
    id_number: str
    phone: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    status: str
    timeliness: str  # on_track | due_soon | overdue | paused | closed


def _timeliness(status: str, due_at: datetime, now: datetime) -> str:
    if not is_open(status):
        return "closed"
    if status == "supplement_requested":
        return "paused"  # the clock waits for the applicant's documents
    if due_at < now:
        return "overdue"
    return "due_soon" if due_at - now <= SOON else "on_track"


def get_dossier(ctx: ServiceContext, code: str) -> DossierView:
    with ctx.uow.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == code.strip().upper()))
        if d is None:
            raise NotFound("dossier_unknown", code=code.strip())
        return dossier_view(s, ctx, d)


def _name_query(tokens: list[str]) -> Select[Any]:
    """Dossier ids whose name has a word starting with each token (index range scans)."""
    q: Select[Any] | None = None
    for t in sorted(tokens, key=len, reverse=True):
        sub = select(NameToken.dossier_id).where(NameToken.token >= t, NameToken.token < t + "\x7f")
        q = sub if q is None else q.where(NameToken.dossier_id.in_(sub))
    assert q is not None
    return q


def _search_query(query: str) -> Select[Any] | None:
    q = query.strip()
    base = select(Dossier)
    if looks_like_code(q):
        return base.where(Dossier.code == q.upper())
    digits = re.sub(r"[\s.\-]", "", q)
    if digits.isdigit() and len(digits) == 12:
        return base.where(Dossier.applicant_id_number == digits)
    if digits.isdigit() and 9 <= len(digits) <= 11:
        phone = "0" + digits.removeprefix("84") if digits.startswith("84") else digits
        return base.where(Dossier.applicant_phone == phone)
    m = CODE_SEARCH_RE.search(q.upper())
    if m:
        return base.where(Dossier.code == m.group(0))
    if digits.isdigit() and len(digits) >= 4:
        return base.where(Dossier.code.like(f"%-{digits[-4:]}"))
    tokens = search_tokens(q)
    if not tokens:
        return None
    return base.where(Dossier.id.in_(_name_query(tokens)))


def _summaries(s: Session, ctx: ServiceContext, q: Select[Any]) -> list[DossierSummary]:
    now = ctx.clock()
    rows = s.execute(
        q.with_only_columns(
            Dossier.code,
            Dossier.applicant_name,
            Dossier.applicant_id_number,
            Dossier.applicant_phone,
            Procedure.name,
            Dossier.received_at,
            Dossier.due_at,
            Dossier.status,
        )
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .order_by(Dossier.received_at.desc())
        .limit(MAX_RESULTS)
    ).all()
    return [
        DossierSummary(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            ctx.local(r[5]),
            ctx.local(r[6]),
            r[7],
            _timeliness(r[7], r[6], now),
        )
        for r in rows
    ]


def search(ctx: ServiceContext, query: str) -> list[DossierSummary]:
    q = _search_query(query)
    if q is None:
        return []
    with ctx.uow.read() as s:
        return _summaries(s, ctx, q)


def received_on_day(ctx: ServiceContext, day: datetime | None = None) -> list[DossierSummary]:
    """Today's list (or another day's), newest first."""
    local = (day or ctx.now()).astimezone(ctx.tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    with ctx.uow.read() as s:
        q = select(Dossier).where(
            Dossier.received_at >= start, Dossier.received_at < start + timedelta(days=1)
        )
        return _summaries(s, ctx, q)


def count_dossiers(ctx: ServiceContext) -> int:
    with ctx.uow.read() as s:
        return int(s.scalar(select(func.count()).select_from(Dossier)) or 0)

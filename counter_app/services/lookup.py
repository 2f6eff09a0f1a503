"""Finding dossiers: by code (scan or type), by name without accents, by citizen ID or phone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from counter_app.db.models import Dossier, NameToken, NameWord, Procedure
from counter_app.domain.codes import CODE_SEARCH_RE, looks_like_code
from counter_app.domain.errors import NotFound
from counter_app.domain.lifecycle import is_open
from counter_app.domain.model import DossierView
from counter_app.domain.text import search_tokens
from counter_app.services.context import ServiceContext
from counter_app.services.views import dossier_view

MAX_RESULTS = 50
MAX_WORDS = 6  # a full Vietnamese name has 2-5 words
MAX_EXPANSIONS = 30  # one typed letter matches many words: the commonest 30 are tried
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


def count_name_words(s: Session, words: list[str]) -> None:
    """Bump the vocabulary for a new dossier's name words (same transaction as the dossier)."""
    if not words:
        return
    dialect = s.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(NameWord)
    stmt = ins.values([{"token": w, "dossiers": 1} for w in words])
    s.execute(
        stmt.on_conflict_do_update(
            index_elements=[NameWord.token], set_={"dossiers": NameWord.dossiers + 1}
        )
    )


def _prefix(column: Any, word: str) -> Any:
    return (column >= word) & (column < word + "\x7f")


def _expand(s: Session, word: str) -> list[tuple[str, int]]:
    """The name words starting with `word`, most common first (at most MAX_EXPANSIONS)."""
    rows = s.execute(
        select(NameWord.token, NameWord.dossiers)
        .where(_prefix(NameWord.token, word))
        .order_by(NameWord.dossiers.desc())
        .limit(MAX_EXPANSIONS)
    ).all()
    return [(r[0], int(r[1])) for r in rows]


def _newest_with_word(
    s: Session, token: str, others: list[str], limit: int
) -> list[tuple[str, datetime]]:
    """Newest dossiers whose name has `token` and a word starting with each of `others`.

    Walks the (token, received_at) index from the newest end and probes the primary key
    (dossier_id, token) for the other words, so it stops as soon as `limit` are found.
    """
    t = aliased(NameToken)
    q = select(t.dossier_id, t.received_at).where(t.token == token)
    for word in others:
        o = aliased(NameToken)
        q = q.where(
            select(o.token)
            .where(o.dossier_id == t.dossier_id, _prefix(o.token, word))
            .exists()
        )
    return [(r[0], r[1]) for r in s.execute(q.order_by(t.received_at.desc()).limit(limit))]


def _name_ids(s: Session, words: list[str]) -> list[str]:
    """Ids of the newest dossiers (≤ MAX_RESULTS) whose name has a word starting with each
    query word. Starts from the query word that the fewest dossiers carry."""
    groups = [_expand(s, w) for w in words]
    if not all(groups):
        return []  # some word starts no name at all
    rarest = min(range(len(words)), key=lambda i: sum(c for _, c in groups[i]))
    others = [w for i, w in enumerate(words) if i != rarest]
    found: dict[str, datetime] = {}
    for token, _count in groups[rarest]:
        for dossier_id, at in _newest_with_word(s, token, others, MAX_RESULTS):
            found[dossier_id] = at
    newest = sorted(found.items(), key=lambda kv: kv[1], reverse=True)[:MAX_RESULTS]
    return [dossier_id for dossier_id, _ in newest]


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
    return None


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
    """Code (or a scan containing one), citizen ID, phone, the last digits of a code, or a
    name typed without accents (every word a prefix: "ng thi lan", "tuyet")."""
    q = _search_query(query)
    with ctx.uow.read() as s:
        if q is not None:
            return _summaries(s, ctx, q)
        words = list(dict.fromkeys(w[:40] for w in search_tokens(query)))[:MAX_WORDS]
        if not words:
            return []
        ids = _name_ids(s, words)
        if not ids:
            return []
        return _summaries(s, ctx, select(Dossier).where(Dossier.id.in_(ids)))


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

"""Finding dossiers: by code (scan or type), by name without accents, by citizen ID or phone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from counter_app.db.models import Dossier, NameToken, NameWord, Procedure
from counter_app.domain.codes import CODE_SEARCH_RE, looks_like_code
from counter_app.domain.errors import NotFound
from counter_app.domain.lifecycle import STATUS_CODES, is_open
from counter_app.domain.model import DossierView
from counter_app.domain.text import KEY_MAX, name_keys, pair_key, search_tokens
from counter_app.services.context import ServiceContext
from counter_app.services.views import dossier_view

MAX_RESULTS = 50
MAX_WORDS = 6  # a full Vietnamese name has 2-5 words
MAX_EXPANSIONS = 30  # one typed letter matches many words: the commonest 30 are tried
SOON = timedelta(days=1)
# A code without the unit's part, as the clerk reads it off a paper: 261202-0001.
SHORT_CODE_RE = re.compile(r"^(\d{6})-(\d{4,5})$")
# A bare sequence number ("0001", "17") means today's dossier with that number.
SEQUENCE_RE = re.compile(r"^\d{1,5}$")


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
    """By its code; also the short forms a clerk reads off a paper (`show 261202-0001`,
    `show 0001` for today's number 1) when they name exactly one dossier."""
    with ctx.uow.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == code.strip().upper()))
        text = code.strip()
        if d is None and (SHORT_CODE_RE.match(text) or SEQUENCE_RE.match(text)):
            q = _search_query(text, ctx.now().date())
            found = list(s.scalars(q.limit(2))) if q is not None else []
            d = found[0] if len(found) == 1 else None
        if d is None:
            raise NotFound("dossier_unknown", code=code.strip())
        return dossier_view(s, ctx, d)


def count_name_words(s: Session, words: list[str]) -> None:
    """Bump the vocabulary for a new dossier's name words (same transaction as the dossier)."""
    if not words:
        return
    dialect = s.get_bind().dialect.name
    stmt = _NAME_WORD_UPSERTS.get(dialect)
    if stmt is None:  # built once: one row's upsert, run for each word (executemany)
        table = cast(Table, NameWord.__table__)
        ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        stmt = ins.values(token=bindparam("token"), dossiers=1).on_conflict_do_update(
            index_elements=[table.c.token], set_={"dossiers": table.c.dossiers + 1}
        )
        _NAME_WORD_UPSERTS[dialect] = stmt
    s.connection().execute(stmt, [{"token": w} for w in words])  # Core: no autoflush needed


_NAME_WORD_UPSERTS: dict[str, Any] = {}


def reindex_name(
    s: Session, dossier_id: str, received_at: datetime, old_name: str, new_name: str
) -> None:
    """A corrected applicant name: swap the dossier's index keys and the vocabulary counts
    (same transaction as the correction), so look-up finds the new name and not the old."""
    old, new = name_keys(old_name), name_keys(new_name)
    gone = [k for k in old if k not in new]
    added = [k for k in new if k not in old]
    if gone:
        s.execute(
            delete(NameToken).where(NameToken.dossier_id == dossier_id, NameToken.token.in_(gone))
        )
        s.execute(
            update(NameWord).where(NameWord.token.in_(gone)).values(dossiers=NameWord.dossiers - 1)
        )
        s.execute(delete(NameWord).where(NameWord.token.in_(gone), NameWord.dossiers <= 0))
    if added:
        s.execute(
            insert(NameToken),
            [{"dossier_id": dossier_id, "token": k, "received_at": received_at} for k in added],
        )
        count_name_words(s, added)


def _dialect(s: Session) -> str:
    return s.get_bind().dialect.name


def _prefix(column: Any, word: str, dialect: str) -> Any:
    """`column` starts with `word` (folded ASCII), as an index-friendly range.

    The range needs byte order: under a language collation (a PostgreSQL server set up
    with vi_VN / en_US, or ICU) "\x7f" is ignored and punctuation and spaces hardly weigh,
    so `word + "\x7f"` would sort as `word` and the range would come back empty. SQLite
    compares bytes (BINARY) already.
    """
    if dialect == "postgresql":
        column = column.collate("C")
    return (column >= word) & (column < word + "\x7f")


def _expand(s: Session, word: str) -> list[tuple[str, int]]:
    """The name words starting with `word`, most common first (at most MAX_EXPANSIONS)."""
    starts = _prefix(NameWord.token, word, _dialect(s))
    rows = s.execute(
        select(NameWord.token, NameWord.dossiers)
        .where(starts, NameWord.token.not_like("% %"))  # words, not pairs
        .order_by(NameWord.dossiers.desc())
        .limit(MAX_EXPANSIONS)
    ).all()
    return [(r[0], int(r[1])) for r in rows]


def _newest_with_word(
    s: Session, token: str, others: list[Any], limit: int, since: datetime | None
) -> list[tuple[str, datetime]]:
    """Newest dossiers (received at or after `since`) whose name has `token` and a word
    matching each of `others` (a whole word, or a prefix range for the word being typed).

    Walks the (token, received_at) index from the newest end and probes the primary key
    (dossier_id, token) for the other words, so it stops as soon as `limit` are found.
    """
    dialect = _dialect(s)
    t = aliased(NameToken)
    q = select(t.dossier_id, t.received_at).where(t.token == token)
    if since is not None:
        q = q.where(t.received_at >= since)
    for word in others:
        o = aliased(NameToken)
        match = o.token == word if isinstance(word, str) else _prefix(o.token, word[0], dialect)
        q = q.where(select(o.token).where(o.dossier_id == t.dossier_id, match).exists())
    return [(r[0], r[1]) for r in s.execute(q.order_by(t.received_at.desc()).limit(limit))]


@dataclass(frozen=True)
class _Start:
    """Where a name search starts: index keys to walk newest first (with their counts),
    and which query words they already guarantee."""

    keys: tuple[tuple[str, int], ...]
    covers: frozenset[int]

    @property
    def cost(self) -> int:
        return sum(c for _, c in self.keys)


def _counts(s: Session, keys: set[str]) -> dict[str, int]:
    keys = {k for k in keys if len(k) <= KEY_MAX}
    if not keys:
        return {}
    rows = s.execute(select(NameWord.token, NameWord.dossiers).where(NameWord.token.in_(keys)))
    return {r[0]: int(r[1]) for r in rows}


def _starts(
    words: list[str],
    whole: dict[int, int],
    groups: dict[int, list[tuple[str, int]]],
    counts: dict[str, int],
) -> list[_Start]:
    """Every way to start: a whole word, a pair of whole words, a typed prefix's words, or
    a typed prefix's words each paired with a whole word."""
    out = [_Start(((words[i], c),), frozenset({i})) for i, c in whole.items()]
    out += [_Start(tuple(g), frozenset({i})) for i, g in groups.items()]
    for i in whole:
        for j in whole:
            key = pair_key(words[i], words[j])
            if i < j and len(key) <= KEY_MAX:
                out.append(_Start(((key, counts.get(key, 0)),), frozenset({i, j})))
        for j, g in groups.items():
            paired = [(pair_key(words[i], t), 0) for t, _ in g]
            if all(len(k) <= KEY_MAX for k, _ in paired):
                keys = tuple((k, counts.get(k, 0)) for k, _ in paired if counts.get(k))
                out.append(_Start(keys, frozenset({i, j})))
    return out


def _name_ids(s: Session, words: list[str]) -> list[str]:
    """Ids of the newest dossiers (≤ MAX_RESULTS) whose name has each query word: a whole
    word, except the last one typed (and abbreviations) which may be the start of a word.

    The search starts from the rarest word or pair of words (the index keeps both), walks
    its keys newest first, and checks the remaining words per dossier; once MAX_RESULTS are
    in hand it looks only at dossiers newer than the oldest of them.
    """
    last = len(words) - 1
    exact = _counts(s, set(words[:last]))
    whole = {i: exact[w] for i, w in enumerate(words[:last]) if w in exact}
    groups = {i: _expand(s, w) for i, w in enumerate(words) if i not in whole}
    if not all(groups.values()):
        return []  # some word starts no name at all
    pairs = {pair_key(words[i], words[j]) for i in whole for j in whole if i < j}
    pairs |= {pair_key(words[i], t) for i in whole for g in groups.values() for t, _ in g}
    start = min(_starts(words, whole, groups, _counts(s, pairs)), key=lambda st: st.cost)
    others: list[Any] = [
        words[i] if i in whole else (words[i],) for i in range(len(words)) if i not in start.covers
    ]
    found: dict[str, datetime] = {}
    since: datetime | None = None
    for key, _count in sorted(start.keys, key=lambda kc: -kc[1]):
        for dossier_id, at in _newest_with_word(s, key, others, MAX_RESULTS, since):
            found[dossier_id] = at
        if len(found) >= MAX_RESULTS:
            newest = sorted(found.items(), key=lambda kv: kv[1], reverse=True)[:MAX_RESULTS]
            found, since = dict(newest), newest[-1][1]
    newest = sorted(found.items(), key=lambda kv: kv[1], reverse=True)[:MAX_RESULTS]
    return [dossier_id for dossier_id, _ in newest]


def _search_query(query: str, today: date) -> Select[Any] | None:
    q = query.strip()
    base = select(Dossier)
    if looks_like_code(q):
        return base.where(Dossier.code == q.upper())
    short = SHORT_CODE_RE.match(q.replace(" ", ""))
    if short:
        return base.where(Dossier.code.like(f"%-{short[1]}-{short[2]}"))
    if SEQUENCE_RE.match(q) and int(q) > 0:
        n = int(q)
        return base.where(Dossier.code.like(f"%-{today:%y%m%d}-{n:0{4 if n <= 9999 else 5}d}"))
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


def _summaries(
    s: Session,
    ctx: ServiceContext,
    q: Select[Any],
    *,
    order_by: tuple[Any, ...] = (Dossier.received_at.desc(),),
    limit: int = MAX_RESULTS,
) -> list[DossierSummary]:
    """The look-up rows of the dossiers `q` selects: newest first unless told otherwise."""
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
        .order_by(*order_by)
        .limit(limit)
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
    """Code (or a scan containing one), the code without the unit's part (261202-0001),
    today's sequence number (0001 or 1), citizen ID, phone, the last digits of a code, or a
    name typed without accents (every word a prefix: "ng thi lan", "tuyet")."""
    q = _search_query(query, ctx.now().date())
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


DUE_LIST_MAX = 300


def due_by_today(ctx: ServiceContext) -> list[DossierSummary]:
    """Open dossiers (not resolved, refused, withdrawn or stopped) due by the end of today,
    overdue ones included: the clerk's "Hạn trả" list, the oldest due first."""
    now = ctx.now().astimezone(ctx.tz)
    end = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    open_statuses = [st for st in STATUS_CODES if is_open(st)]
    with ctx.uow.read() as s:
        q = select(Dossier).where(Dossier.status.in_(open_statuses), Dossier.due_at < end)
        return _summaries(s, ctx, q, order_by=(Dossier.due_at, Dossier.code), limit=DUE_LIST_MAX)

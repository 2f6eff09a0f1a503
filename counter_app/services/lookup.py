"""Finding dossiers: by code (scan or type), by name without accents, by citizen ID or phone."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Row,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    union,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from counter_app.db.models import Dossier, NameToken, NameWord, Procedure
from counter_app.db.upsert import upsert
from counter_app.domain.codes import CODE_SEARCH_RE, looks_like_code
from counter_app.domain.errors import NotFound
from counter_app.domain.lifecycle import STATUS_CODES, is_open
from counter_app.domain.model import DossierView
from counter_app.domain.text import KEY_MAX, name_keys, pair_key, search_tokens
from counter_app.services.context import ServiceContext
from counter_app.services.views import read_view

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
    text = code.strip()
    with ctx.uow.read_driver() as conn:
        view = read_view(conn, ctx, text.upper())
        if view is None and (SHORT_CODE_RE.match(text) or SEQUENCE_RE.match(text)):
            q = _search_query(text, ctx.now().date())
            found: list[str] = []
            if q is not None:
                column, like, value = q
                codes = select(Dossier.code).where(_matching(column, like)).limit(2)
                found = list(conn.scalars(codes, {"v": value}))
            view = read_view(conn, ctx, found[0]) if len(found) == 1 else None
        if view is None:
            raise NotFound("dossier_unknown", code=text)
        return view


def count_name_words(s: Session, words: list[str]) -> None:
    """Bump the vocabulary for a new dossier's name words (same transaction as the dossier)."""
    if not words:
        return
    dialect = s.get_bind().dialect.name
    stmt = _NAME_WORD_UPSERTS.get(dialect)
    if stmt is None:  # built once: one row's upsert, run for each word (executemany)
        table = cast(Table, NameWord.__table__)
        ins = upsert(dialect, table)
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


def _prefix(column: Any, lo: Any, hi: Any, dialect: str) -> Any:
    """`column` starts with a word (folded ASCII): the index-friendly range [word, word+"\x7f").

    The range needs byte order: under a language collation (a PostgreSQL server set up
    with vi_VN / en_US, or ICU) "\x7f" is ignored and punctuation and spaces hardly weigh,
    so `word + "\x7f"` would sort as `word` and the range would come back empty. SQLite
    compares bytes (BINARY) already.
    """
    if dialect == "postgresql":
        column = column.collate("C")
    return (column >= lo) & (column < hi)


def _range(word: str) -> tuple[str, str]:
    return word, word + "\x7f"


# The name search's statements, built once per shape (dialect, how many keys, which other
# words are whole and which typed prefixes) and run on the read's connection with bound
# values: building them per call, and the ORM's execution layer, were most of its time.
_STATEMENTS: dict[tuple[Any, ...], Any] = {}
_WORDS = cast(Table, NameWord.__table__)
_COUNTS = select(_WORDS.c.token, _WORDS.c.dossiers).where(
    _WORDS.c.token.in_(bindparam("keys", expanding=True))
)


def _statement(key: tuple[Any, ...], build: Any) -> Any:
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS[key] = build()
    return stmt


def _expand(conn: Connection, word: str) -> list[tuple[str, int]]:
    """The name words starting with `word`, most common first (at most MAX_EXPANSIONS)."""
    dialect = conn.dialect.name

    def build() -> Any:
        starts = _prefix(_WORDS.c.token, bindparam("lo"), bindparam("hi"), dialect)
        return (
            select(_WORDS.c.token, _WORDS.c.dossiers)
            .where(starts, _WORDS.c.token.not_like("% %"))  # words, not pairs
            .order_by(_WORDS.c.dossiers.desc())
            .limit(MAX_EXPANSIONS)
        )

    lo, hi = _range(word)
    rows = conn.execute(_statement(("expand", dialect), build), {"lo": lo, "hi": hi})
    return [(r[0], int(r[1])) for r in rows]


def _counts(conn: Connection, keys: set[str]) -> dict[str, int]:
    keys = {k for k in keys if len(k) <= KEY_MAX}
    if not keys:
        return {}
    return {r[0]: int(r[1]) for r in conn.execute(_COUNTS, {"keys": sorted(keys)})}


def _walk(dialect: str, n_keys: int, others: tuple[bool, ...]) -> Any:
    """Up to MAX_RESULTS (dossier_id, received_at), newest first, of the dossiers received
    at or after `since` holding any of the keys k0..kN-1 and a word matching each of
    `others` (True: the whole word o<j>; False: a word in the range lo<j>..hi<j>, the word
    being typed).

    Each key's arm walks the (token, received_at) index from the newest end and probes the
    primary key (dossier_id, token) for the other words. On SQLite the arms are one
    compound SELECT that SQLite merges in received_at order, each arm read only as far as
    the merge needs, and it stops at the MAX_RESULTS-th row: the LIMIT-driven walk, one
    statement whatever the number of keys; UNION drops a dossier found under two keys.
    PostgreSQL would hash a UNION whole, so there each arm stops at MAX_RESULTS and the
    outer query merges and deduplicates them.
    """

    def arm(i: int) -> Any:
        t = aliased(NameToken)
        q = select(t.dossier_id, t.received_at).where(
            t.token == bindparam(f"k{i}"), t.received_at >= bindparam("since")
        )
        for j, whole in enumerate(others):
            o = aliased(NameToken)
            if whole:
                match = o.token == bindparam(f"o{j}")
            else:
                match = _prefix(o.token, bindparam(f"lo{j}"), bindparam(f"hi{j}"), dialect)
            q = q.where(select(o.token).where(o.dossier_id == t.dossier_id, match).exists())
        return q

    if dialect == "sqlite" or n_keys == 1:
        arms = [arm(i) for i in range(n_keys)]
        if n_keys == 1:
            one = arms[0]
            return one.order_by(one.selected_columns.received_at.desc()).limit(MAX_RESULTS)
        merged = union(*arms)
        return merged.order_by(merged.selected_columns.received_at.desc()).limit(MAX_RESULTS)
    limited = []
    for i in range(n_keys):
        a = arm(i)
        sub = a.order_by(a.selected_columns.received_at.desc()).limit(MAX_RESULTS).subquery()
        limited.append(select(sub.c.dossier_id, sub.c.received_at))
    every = union_all(*limited).subquery()
    at = func.max(every.c.received_at).label("received_at")
    return (
        select(every.c.dossier_id, at)
        .group_by(every.c.dossier_id)
        .order_by(at.desc())
        .limit(MAX_RESULTS)
    )


def _summary_of_hits(walk: Any) -> Any:
    """The look-up rows of the dossiers a walk finds, newest first."""
    hits = walk.subquery()
    return (
        select(*_SUMMARY_COLUMNS)
        .select_from(hits)
        .join(Dossier, Dossier.id == hits.c.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .order_by(hits.c.received_at.desc())
    )


@dataclass(frozen=True)
class _Start:
    """Where a name search starts: index keys to walk newest first (with their counts),
    and which query words they already guarantee."""

    keys: tuple[tuple[str, int], ...]
    covers: frozenset[int]

    @property
    def cost(self) -> int:
        return sum(c for _, c in self.keys)


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


def _name_rows(conn: Connection, words: list[str]) -> list[Row[Any]]:
    """The look-up rows of the newest dossiers (≤ MAX_RESULTS) whose name has each query
    word: a whole word, except the last one typed (and abbreviations) which may be the
    start of a word.

    The search starts from the rarest word or pair of words (the index keeps both, and the
    vocabulary counts them), walks its keys newest first checking the remaining words per
    dossier, and stops once MAX_RESULTS are found (_walk): one statement with the rows.
    """
    last = len(words) - 1
    exact = _counts(conn, set(words[:last]))
    whole = {i: exact[w] for i, w in enumerate(words[:last]) if w in exact}
    groups = {i: _expand(conn, w) for i, w in enumerate(words) if i not in whole}
    if not all(groups.values()):
        return []  # some word starts no name at all
    pairs = {pair_key(words[i], words[j]) for i in whole for j in whole if i < j}
    pairs |= {pair_key(words[i], t) for i in whole for g in groups.values() for t, _ in g}
    start = min(_starts(words, whole, groups, _counts(conn, pairs)), key=lambda st: st.cost)
    if not start.keys:
        return []
    rest = [i for i in range(len(words)) if i not in start.covers]
    params: dict[str, str] = {f"k{n}": key for n, (key, _) in enumerate(start.keys)}
    for j, i in enumerate(rest):
        if i in whole:
            params[f"o{j}"] = words[i]
        else:
            params[f"lo{j}"], params[f"hi{j}"] = _range(words[i])
    shape = (conn.dialect.name, len(start.keys), tuple(i in whole for i in rest))
    stmt = _statement(("name", *shape), lambda: _summary_of_hits(_walk(*shape)))
    # Windows pay only where a key may be walked past the page the others filled.
    return _in_windows(conn, stmt, params, start.cost if rest and len(start.keys) > 1 else 0)


# Receipt times before any dossier: the walk's lower bound when it is not windowed.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
WINDOW_ROWS = 2 * MAX_RESULTS  # the first window holds about this many of the start's rows
WINDOW_GROWTH = 4
_SPAN = select(
    select(func.min(Dossier.received_at)).scalar_subquery(),  # two index seeks: one
    select(func.max(Dossier.received_at)).scalar_subquery(),  # min() AND max() scans it
)


def _in_windows(conn: Connection, stmt: Any, params: dict[str, Any], cost: int) -> list[Row[Any]]:
    """Run a walk of several keys that checks other words per dossier (`cost`: its keys'
    rows; 0 runs it once, unbounded) over growing windows of the newest receipts.

    A key whose dossiers rarely (or never) have the other words would be walked to its
    oldest row for want of matches, even when the other keys found the page long before
    ("nguyen thi hoa" starting from "hoang thi": no Nguyễn Thị Hoàng among 5,600). So the
    walk first looks only at receipts since a moment chosen to hold about WINDOW_ROWS of
    the keys' rows (dossiers spread evenly over the years assumed); a full page there is
    the answer, every dossier outside being older. Otherwise the window grows fourfold,
    and at last covers everything: the result is the same, only the work differs.
    """
    if cost <= WINDOW_GROWTH * WINDOW_ROWS:
        return list(conn.execute(stmt, {**params, "since": EARLIEST}))
    oldest, newest = conn.execute(_SPAN).one()
    share = WINDOW_ROWS / cost
    while True:
        since = EARLIEST if share >= 1 else newest - (newest - oldest) * share
        rows = list(conn.execute(stmt, {**params, "since": since}))
        if len(rows) >= MAX_RESULTS or since is EARLIEST:
            return rows
        share *= WINDOW_GROWTH


# What a typed query that is not a name looks for: (column, how it compares, the value).
_CODE, _ID, _PHONE = "code", "id", "phone"


def _search_query(query: str, today: date) -> tuple[str, bool, str] | None:
    """(column, `LIKE` rather than `=`, value) for a code, short code, today's number,
    citizen ID, phone or a code's last digits; None for a name."""
    q = query.strip()
    if looks_like_code(q):
        return _CODE, False, q.upper()
    short = SHORT_CODE_RE.match(q.replace(" ", ""))
    if short:
        return _CODE, True, f"%-{short[1]}-{short[2]}"
    if SEQUENCE_RE.match(q) and int(q) > 0:
        n = int(q)
        return _CODE, True, f"%-{today:%y%m%d}-{n:0{4 if n <= 9999 else 5}d}"
    digits = re.sub(r"[\s.\-]", "", q)
    if digits.isdigit() and len(digits) == 12:
        return _ID, False, digits
    if digits.isdigit() and 9 <= len(digits) <= 11:
        phone = "0" + digits.removeprefix("84") if digits.startswith("84") else digits
        return _PHONE, False, phone
    m = CODE_SEARCH_RE.search(q.upper())
    if m:
        return _CODE, False, m.group(0)
    if digits.isdigit() and len(digits) >= 4:
        return _CODE, True, f"%-{digits[-4:]}"
    return None


_SEARCHED = {
    _CODE: Dossier.code,
    _ID: Dossier.applicant_id_number,
    _PHONE: Dossier.applicant_phone,
}


def _matching(column: str, like: bool) -> Any:
    """The condition of a search by `column`, its value bound as `v`."""
    c = _SEARCHED[column]
    return c.like(bindparam("v")) if like else c == bindparam("v")


_SUMMARY_COLUMNS = (
    Dossier.code,
    Dossier.applicant_name,
    Dossier.applicant_id_number,
    Dossier.applicant_phone,
    Procedure.name,
    Dossier.received_at,
    Dossier.due_at,
    Dossier.status,
)


def _summaries(
    s: Session,
    ctx: ServiceContext,
    q: Select[Any],
    *,
    order_by: tuple[Any, ...] = (Dossier.received_at.desc(),),
    limit: int = MAX_RESULTS,
) -> list[DossierSummary]:
    """The look-up rows of the dossiers `q` selects: newest first unless told otherwise."""
    return _to_summaries(ctx, s.connection().execute(_summary_select(q, order_by, limit)))


def _summary_select(
    q: Select[Any],
    order_by: tuple[Any, ...] = (Dossier.received_at.desc(),),
    limit: int = MAX_RESULTS,
) -> Any:
    """The look-up row's columns of what `q` selects, in order, at most `limit`."""
    return (
        q.with_only_columns(*_SUMMARY_COLUMNS)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .order_by(*order_by)
        .limit(limit)
    )


def _to_summaries(ctx: ServiceContext, rows: Iterable[Any]) -> list[DossierSummary]:
    now = ctx.clock()
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
    words = [] if q is not None else list(dict.fromkeys(w[:40] for w in search_tokens(query)))
    if q is None and not words:
        return []
    with ctx.uow.read_rows() as conn:  # Core rows only: no ORM session
        if q is not None:  # one statement per kind, built once, the value bound
            column, like, value = q
            stmt = _statement(
                ("by", column, like),
                lambda: _summary_select(select(Dossier).where(_matching(column, like))),
            )
            return _to_summaries(ctx, conn.execute(stmt, {"v": value}))
        return _to_summaries(ctx, _name_rows(conn, words[:MAX_WORDS]))


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

"""Core selects run straight on the driver's cursor, for the hottest read: opening a dossier
(DESIGN.md §8: p95 < 1 ms at 1,000,000 dossiers).

SQLAlchemy still builds and compiles each statement (once per dialect) and supplies the
types' bind and result processors, so a value comes back exactly as a Connection would
return it (a UTC-aware datetime, a bool, a date). What is skipped is the execute path
around the driver call: events, execution contexts, result metadata, about 0.1 ms a
statement against ~0.03 ms in sqlite3 itself; a view is four statements (BEGIN and three
selects).

Only Core selects of columns and tables with scalar bind parameters: an expanding IN or
another post-compile parameter is refused when the statement is first compiled, an ORM
entity whose eager loads add columns when it is run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect

AnySelect = Select[*tuple[Any, ...]]


class DriverRows(list[Any]):
    """A select's rows (tuples whose columns are also attributes), with the few Result
    methods the readers use."""

    def first(self) -> Any:
        return self[0] if self else None

    def one(self) -> Any:
        if len(self) != 1:
            raise LookupError(f"expected one row, got {len(self)}")
        return self[0]

    def all(self) -> list[Any]:
        return list(self)


class _Compiled:
    """One statement for one dialect: the SQL text, the parameters' order (or names), the
    processors and the row type."""

    __slots__ = ("binds", "defaults", "positions", "processed", "row", "sql", "width")

    def __init__(self, stmt: AnySelect, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        sql = compiled.string
        if "POSTCOMPILE" in sql or any(b.expanding for b in compiled.binds.values()):
            raise TypeError("driver reads take scalar bind parameters only (no expanding IN)")
        self.sql = sql
        self.positions: tuple[str, ...] | None = (
            tuple(compiled.positiontup or ()) if compiled.positional else None
        )
        self.binds: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                self.binds[name] = proc
        # The values the statement carries itself (a literal in a WHERE, a LIMIT).
        self.defaults = {
            name: b.effective_value for name, b in compiled.binds.items() if not b.required
        }
        columns = list(stmt.selected_columns)
        procs = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        self.processed = tuple((i, p) for i, p in enumerate(procs) if p is not None)
        self.row = _row_type(tuple(stmt.selected_columns.keys()))
        self.width = len(columns)

    def params(self, given: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = {**self.defaults, **given}
        for name, proc in self.binds.items():
            values[name] = proc(values[name])
        if self.positions is None:
            return values
        return [values[name] for name in self.positions]

    def rows(self, fetched: list[tuple[Any, ...]]) -> DriverRows:
        make = self.row
        if not self.processed:
            return DriverRows(map(make, fetched))
        out = DriverRows()
        for r in fetched:
            values = list(r)
            for i, proc in self.processed:
                values[i] = proc(values[i])
            out.append(make(values))
        return out


def _row_type(keys: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """A tuple class whose columns are attributes by their select keys (like a Row)."""
    attrs: dict[str, Any] = {"__slots__": ()}
    for i, key in enumerate(keys):
        attrs.setdefault(key, property(itemgetter(i)))
    return type("DriverRow", (tuple,), attrs)


# By (dialect, statement). The statement is kept alive with its entry, so its id cannot be
# reused while it is cached; statements built on each call (rare on this path) are
# compiled each time and the cache is emptied when it grows past its bound.
_CACHE: dict[tuple[int, int], tuple[AnySelect, _Compiled]] = {}
_CACHE_MAX = 256
_lock = threading.Lock()


def _compiled(stmt: AnySelect, dialect: Dialect) -> _Compiled:
    key = (id(dialect), id(stmt))
    found = _CACHE.get(key)
    if found is not None and found[0] is stmt:
        return found[1]
    made = _Compiled(stmt, dialect)
    with _lock:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = (stmt, made)
    return made


class DriverReads:
    """Selects on one DB-API cursor inside one read transaction (UnitOfWork.read_driver)."""

    def __init__(self, engine: Engine, cursor: Any) -> None:
        self.engine = engine
        self._dialect = engine.dialect
        self._cursor = cursor

    def execute(self, stmt: AnySelect, params: Mapping[str, Any] | None = None) -> DriverRows:
        c = _compiled(stmt, self._dialect)
        cur = self._cursor
        cur.execute(c.sql, c.params(params or {}))
        if len(cur.description) != c.width:  # an ORM entity's eager joins add columns
            raise TypeError("driver reads take Core selects of columns and tables only")
        return c.rows(cur.fetchall())

    def scalars(self, stmt: AnySelect, params: Mapping[str, Any] | None = None) -> list[Any]:
        return [r[0] for r in self.execute(stmt, params)]


@contextmanager
def driver_reads(engine: Engine) -> Iterator[DriverReads]:
    """A read transaction on a pooled connection's driver cursor: SQLite's BEGIN … ROLLBACK
    (the connection is in autocommit, engine._on_sqlite_connect), elsewhere the driver's
    implicit transaction, rolled back."""
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            cursor.execute("BEGIN")
        try:
            yield DriverReads(engine, cursor)
        finally:
            if sqlite:
                cursor.execute("ROLLBACK")
            else:
                raw.rollback()
            cursor.close()
    finally:
        raw.close()

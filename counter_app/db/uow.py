"""Unit of work: one transaction per use case, rolled back unless the block completes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

# pg_advisory_xact_lock key every write transaction takes first on PostgreSQL ("WRITELCK").
WRITE_LOCK_KEY = 0x5752_4954_454C_434B


class UnitOfWork:
    """Hands out sessions; `write()` takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self.engine.connect().execution_options(write=True) as conn:
            session = Session(bind=conn, expire_on_commit=False, autoflush=True)
            try:
                with session.begin():
                    if conn.dialect.name == "postgresql":
                        # Writers take turns, as SQLite's BEGIN IMMEDIATE makes them: the
                        # outbox numbers, dossier codes and the audit chain are then drawn
                        # in commit order, and no two writers can lock rows in opposite
                        # orders (a ticket row vs the outbox counter was a deadlock).
                        session.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
                    yield session
            finally:
                session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.engine.connect() as conn:
            session = Session(bind=conn, expire_on_commit=False)
            try:
                with session.begin():
                    yield session
            finally:
                session.close()

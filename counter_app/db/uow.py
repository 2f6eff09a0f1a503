"""Unit of work: one transaction per use case, rolled back unless the block completes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session


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

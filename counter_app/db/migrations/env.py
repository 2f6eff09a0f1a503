"""Alembic environment: runs on the engine the app hands over (or sqlalchemy.url for the CLI)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from counter_app.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(
            config.get_main_option("sqlalchemy.url") or "sqlite://", hide_parameters=True
        )
    with engine.connect().execution_options(write=True) as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()

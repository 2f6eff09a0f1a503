"""Persistence adapters: SQLAlchemy models, engine, unit of work, Alembic migrations."""

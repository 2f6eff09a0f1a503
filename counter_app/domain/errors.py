"""Typed errors that carry a code and parameters; messages.py turns them into Vietnamese."""

from __future__ import annotations

from typing import Any


class CounterAppError(Exception):
    """Base error: `code` selects the user message, `params` fill it in."""

    code = "error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)


class ValidationError(CounterAppError):
    """One or more fields are invalid. `field_errors` maps field name -> error code."""

    code = "invalid"

    def __init__(
        self,
        code: str | None = None,
        /,
        field_errors: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.field_errors: dict[str, str] = dict(field_errors or {})
        super().__init__(code, **params)


class NotFound(CounterAppError):
    code = "not_found"


class Conflict(CounterAppError):
    code = "conflict"


class AuthError(CounterAppError):
    code = "auth_failed"


class DatabaseRefused(CounterAppError):
    """The database path or URL cannot be used: not a database, a newer schema, locked."""

    code = "db_refused"


class PrintFailed(CounterAppError):
    code = "print_failed"


class StorageFault(CounterAppError):
    """The database or a file cannot be written now: the disk is full, it is read-only, it is
    locked by another program, or the database file was deleted or replaced. Nothing was
    saved; the CLI exits 4 (cli/main.run)."""

    code = "storage_fault"

"""A module imported when one of its names is first used.

The command line builds its parser from every command's module, and `--version` or `--help`
use none of the services; importing them (and so SQLAlchemy and the models) at the top cost
each such call about a second. A command module names a service as

    if TYPE_CHECKING:
        from counter_app.services import intake as intake_svc
    else:
        intake_svc = lazy("counter_app.services.intake")

so type checkers see the module itself, and the import happens inside the handler that
first reads `intake_svc.register`. Each use goes through `importlib.import_module`, which is
thread-safe and, once loaded, one dictionary look-up; an attribute patched on the real
module (tests) is what the next use sees.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def lazy(name: str) -> Any:
    """`name`'s module, imported on the first use of one of its names."""
    return LazyModule(name)

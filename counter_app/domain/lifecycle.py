"""Dossier statuses with their national portal codes (DOMAIN.md §4)."""

from __future__ import annotations

STATUS_CODES: dict[str, int] = {
    "new": 1,
    "accepted": 2,
    "refused": 3,
    "processing": 4,
    "supplement_requested": 5,
    "payment_requested": 6,
    "withdrawn": 7,
    "stopped": 8,
    "result_ready": 9,
    "returned": 10,
}

RESOLVED = frozenset({"result_ready", "returned"})
CLOSED = frozenset({"refused", "withdrawn", "stopped", "returned"})


def is_open(status: str) -> bool:
    """Still being worked on: not resolved, refused, withdrawn or stopped."""
    return status not in RESOLVED and status not in CLOSED

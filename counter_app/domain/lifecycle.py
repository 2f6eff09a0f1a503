"""Dossier statuses with their national portal codes, and what may happen next (DOMAIN.md §4).

Pure rules, no database: `check_action` answers whether an action is allowed on a dossier in
a given status with a given history, and which status it leads to; `check_time` whether an
action may carry a given moment. "Late" is derived from times, never a status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from counter_app.domain.errors import ValidationError

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

# The actions of `counter-app dossier CODE ACTION`, and the kind of event each one records.
ACTION_KINDS: dict[str, str] = {
    "supplement": "supplement_requested",
    "receive-supplement": "supplement_received",
    "refuse": "refused",
    "handover": "handed_over",
    "receive-back": "received_back",
    "result-ready": "result_ready",
    "apologize": "apologized",
    "return": "returned",
    "withdraw": "withdrawn",
    "stop": "stopped",
    "correct": "corrected",
}
ACTIONS = tuple(ACTION_KINDS)
# The form asks why (Mẫu 03 refusal, Mẫu 04 apology, Mẫu 05 stop notice).
REASON_REQUIRED = frozenset({"refuse", "apologize", "stop"})
_OPEN = tuple(s for s in STATUS_CODES if s not in RESOLVED and s not in CLOSED)
_RUNNING = ("accepted", "processing")  # the clock runs: not paused, not resolved
# The transition table [CHOICE, DOMAIN.md §4]: action -> {status before: status after}.
# accepted → (handover → processing → receive-back → accepted)* → result-ready → return;
# refusal, withdrawal and stop while not yet resolved (nor closed); a supplement request
# and an apology while the clock runs (a paused dossier cannot be late); receive-supplement
# resumes a paused one (to `processing` when an agency still holds it, see check_action).
TRANSITIONS: dict[str, dict[str, str]] = {
    "handover": {"accepted": "processing"},
    "receive-back": {"processing": "accepted"},
    "result-ready": {"accepted": "result_ready"},
    "return": {"result_ready": "returned"},
    "supplement": {s: "supplement_requested" for s in _RUNNING},
    "receive-supplement": {"supplement_requested": "accepted"},
    "apologize": {s: s for s in _RUNNING},
    "refuse": {s: "refused" for s in _OPEN},
    "withdraw": {s: "withdrawn" for s in _OPEN},
    "stop": {s: "stopped" for s in _OPEN},
    "correct": {s: s for s in STATUS_CODES},  # a correction never changes status
}
# An action a moment this far ahead of the clock is still "now" (two PCs' clocks differ).
FUTURE_TOLERANCE = timedelta(minutes=2)


def is_open(status: str) -> bool:
    """Still being worked on: not resolved, refused, withdrawn or stopped."""
    return status not in RESOLVED and status not in CLOSED


@dataclass(frozen=True)
class HistoryFacts:
    """What the rules need from a dossier's past events (services read it from the events)."""

    later_supplements: int = 0  # supplement requests after intake (the processing stage)
    apologies: int = 0
    at_agency: str = ""  # the agency holding the dossier: handed over and not yet back
    paused_at_intake: bool = False  # the current pause is intake's: documents were missing


def check_action(status: str, action: str, facts: HistoryFacts) -> str:
    """The status `action` leads to from `status` (TRANSITIONS), or a ValidationError:
    action_not_allowed, supplement_once (one request after intake), apology_once."""
    if action not in TRANSITIONS:
        raise ValidationError("action_unknown", action=action)
    after = TRANSITIONS[action].get(status)
    if after is None:
        raise ValidationError("action_not_allowed", status=status, action=action)
    if action == "supplement" and facts.later_supplements >= 1:
        raise ValidationError("supplement_once")
    if action == "apologize" and facts.apologies >= 1:
        raise ValidationError("apology_once")
    if action == "receive-supplement" and facts.at_agency:
        return "processing"  # paused while an agency held it: back to that agency's work
    return after


def check_reason(action: str, reason: str) -> None:
    if action in REASON_REQUIRED and not reason.strip():
        raise ValidationError("reason_required")


def check_return(postal: bool, tracking: str) -> None:
    """A postal return needs the post's tracking number."""
    if postal and not tracking.strip():
        raise ValidationError("tracking_required")


def check_new_due(current_due: datetime, new_due: datetime | None) -> None:
    """An apology resets the due date once, to a later day."""
    if new_due is None:
        raise ValidationError("new_due_required")
    if new_due.date() <= current_due.date():
        raise ValidationError(
            "new_due_not_later", due=f"{current_due:%d/%m/%Y}", new_due=f"{new_due:%d/%m/%Y}"
        )


def check_time(
    at: datetime,
    now: datetime,
    received_at: datetime,
    last_at: datetime,
    *,
    given: bool = True,
) -> None:
    """An action happens now or in the past; never before the receipt nor before the step
    before it (the history stays in order). All moments are aware.

    `given`: the clerk typed the moment. When it is simply "now" the past checks allow the
    same small drift as the future one: another counter's clock (which recorded the
    previous step) may run a little ahead of this one's.
    """
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError("action_in_future", at=f"{at:%H:%M %d/%m/%Y}")
    slack = timedelta(0) if given else FUTURE_TOLERANCE
    if at < received_at - slack:
        raise ValidationError(
            "action_before_receipt",
            at=f"{at:%H:%M %d/%m/%Y}",
            received=f"{received_at:%H:%M %d/%m/%Y}",
        )
    if at < last_at - slack:
        raise ValidationError(
            "action_before_last", at=f"{at:%H:%M %d/%m/%Y}", last=f"{last_at:%H:%M %d/%m/%Y}"
        )

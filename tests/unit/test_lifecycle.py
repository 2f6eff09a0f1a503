"""The dossier lifecycle rules (DOMAIN.md §4 [CHOICE]): every transition, allowed or refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from counter_app.domain.errors import ValidationError
from counter_app.domain.lifecycle import (
    ACTIONS,
    CLOSED,
    RESOLVED,
    STATUS_CODES,
    HistoryFacts,
    check_action,
    check_new_due,
    check_reason,
    check_return,
    check_time,
)
from counter_app.messages import MESSAGES, describe
from counter_app.ui_text import ACTION_LABELS, EVENT_LABELS

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=VN)
NONE = HistoryFacts()

# The whole table, written out: (status, action) -> status after. Anything absent is refused.
ALLOWED: dict[tuple[str, str], str] = {
    ("accepted", "handover"): "processing",
    ("processing", "receive-back"): "accepted",
    ("accepted", "result-ready"): "result_ready",
    ("result_ready", "return"): "returned",
    ("accepted", "supplement"): "supplement_requested",
    ("processing", "supplement"): "supplement_requested",
    ("supplement_requested", "receive-supplement"): "accepted",
    ("accepted", "apologize"): "accepted",
    ("processing", "apologize"): "processing",
    **{
        (s, a): after
        for s in ("new", "accepted", "processing", "supplement_requested", "payment_requested")
        for a, after in (("refuse", "refused"), ("withdraw", "withdrawn"), ("stop", "stopped"))
    },
    **{(s, "correct"): s for s in STATUS_CODES},
}
EVERY = [(s, a) for s in STATUS_CODES for a in ACTIONS]


@pytest.mark.parametrize(("status", "action"), [p for p in EVERY if p in ALLOWED])
def test_allowed_transitions(status: str, action: str) -> None:
    assert check_action(status, action, NONE) == ALLOWED[(status, action)]


@pytest.mark.parametrize(("status", "action"), [p for p in EVERY if p not in ALLOWED])
def test_refused_transitions(status: str, action: str) -> None:
    with pytest.raises(ValidationError) as exc:
        check_action(status, action, NONE)
    assert exc.value.code == "action_not_allowed"
    assert exc.value.params == {"status": status, "action": action}
    line = describe(exc.value)
    # The status and the action are named in Vietnamese, not as codes.
    assert "_" not in line and ACTION_LABELS[action] in line


def test_the_happy_path_with_two_hand_overs() -> None:
    status = "accepted"
    for action in ("handover", "receive-back", "handover", "receive-back", "result-ready"):
        status = check_action(status, action, NONE)
    assert status == "result_ready"
    assert check_action(status, "return", NONE) == "returned"


def test_nothing_but_a_correction_after_a_dossier_is_closed_or_resolved() -> None:
    for status in CLOSED | RESOLVED:
        for action in ACTIONS:
            if action == "correct" or (status == "result_ready" and action == "return"):
                continue
            with pytest.raises(ValidationError):
                check_action(status, action, NONE)


def test_a_later_supplement_request_is_allowed_once() -> None:
    assert check_action("processing", "supplement", NONE) == "supplement_requested"
    with pytest.raises(ValidationError) as exc:
        check_action("accepted", "supplement", HistoryFacts(later_supplements=1))
    assert exc.value.code == "supplement_once"


def test_an_intake_supplement_request_does_not_count_as_the_later_one() -> None:
    # Paused at intake and resumed: the facts hold no later request, so one is allowed.
    facts = HistoryFacts(later_supplements=0, paused_at_intake=False)
    assert check_action("accepted", "supplement", facts) == "supplement_requested"


def test_a_paused_dossier_cannot_be_paused_again_nor_apologised_for() -> None:
    for action in ("supplement", "apologize", "handover", "result-ready"):
        with pytest.raises(ValidationError) as exc:
            check_action("supplement_requested", action, NONE)
        assert exc.value.code == "action_not_allowed"


def test_resuming_goes_back_to_the_agency_that_holds_the_dossier() -> None:
    held = HistoryFacts(at_agency="Phòng Tư pháp", later_supplements=1)
    assert check_action("supplement_requested", "receive-supplement", held) == "processing"
    assert check_action("supplement_requested", "receive-supplement", NONE) == "accepted"


def test_apology_once() -> None:
    assert check_action("processing", "apologize", NONE) == "processing"
    with pytest.raises(ValidationError) as exc:
        check_action("processing", "apologize", HistoryFacts(apologies=1))
    assert exc.value.code == "apology_once"


def test_unknown_action() -> None:
    with pytest.raises(ValidationError) as exc:
        check_action("accepted", "approve", NONE)
    assert exc.value.code == "action_unknown"


@pytest.mark.parametrize("action", ["refuse", "apologize", "stop"])
def test_reason_required(action: str) -> None:
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            check_reason(action, blank)
        assert exc.value.code == "reason_required"
    check_reason(action, "Hồ sơ giả mạo")


@pytest.mark.parametrize("action", ["withdraw", "handover", "result-ready", "return", "correct"])
def test_reason_optional(action: str) -> None:
    check_reason(action, "")


def test_postal_return_needs_a_tracking_number() -> None:
    with pytest.raises(ValidationError) as exc:
        check_return(True, "  ")
    assert exc.value.code == "tracking_required"
    check_return(True, "EB123456789VN")
    check_return(False, "")


def test_new_due_date_must_be_later_than_the_current_one() -> None:
    due = NOW + timedelta(days=2)
    for bad, code in (
        (None, "new_due_required"),
        (due, "new_due_not_later"),
        (due.replace(hour=16), "new_due_not_later"),  # the same day is not later
        (due - timedelta(days=1), "new_due_not_later"),
    ):
        with pytest.raises(ValidationError) as exc:
            check_new_due(due, bad)
        assert exc.value.code == code
    check_new_due(due, due + timedelta(days=1))


RECEIVED = NOW - timedelta(days=2)


def test_now_and_the_past_are_accepted() -> None:
    check_time(NOW, NOW, RECEIVED, RECEIVED)
    check_time(RECEIVED, NOW, RECEIVED, RECEIVED)  # at the very moment of receipt
    check_time(NOW + timedelta(minutes=1), NOW, RECEIVED, RECEIVED)  # clocks drift a little


@pytest.mark.parametrize("ahead", [timedelta(minutes=3), timedelta(hours=1), timedelta(days=1)])
def test_the_future_is_refused(ahead: timedelta) -> None:
    with pytest.raises(ValidationError) as exc:
        check_time(NOW + ahead, NOW, RECEIVED, RECEIVED)
    assert exc.value.code == "action_in_future"


def test_before_the_receipt_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        check_time(RECEIVED - timedelta(seconds=1), NOW, RECEIVED, RECEIVED)
    assert exc.value.code == "action_before_receipt"


def test_before_the_previous_step_is_refused_when_typed() -> None:
    last = NOW - timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        check_time(last - timedelta(minutes=1), NOW, RECEIVED, last)
    assert exc.value.code == "action_before_last"


def test_now_tolerates_a_neighbour_clock_slightly_ahead() -> None:
    """'Now' on this counter may be a second behind the counter that recorded the last step."""
    last = NOW + timedelta(seconds=1)
    check_time(NOW, NOW, RECEIVED, last, given=False)
    with pytest.raises(ValidationError):
        check_time(NOW, NOW, RECEIVED, last, given=True)
    with pytest.raises(ValidationError):
        check_time(NOW, NOW, RECEIVED, NOW + timedelta(minutes=5), given=False)


def test_every_action_and_event_kind_has_a_label_and_every_code_a_message() -> None:
    from counter_app.domain.lifecycle import ACTION_KINDS

    assert set(ACTION_LABELS) == set(ACTIONS)
    assert set(ACTION_KINDS.values()) | {"received"} <= set(EVENT_LABELS)
    for code in (
        "action_not_allowed",
        "supplement_once",
        "apology_once",
        "tracking_required",
        "reason_required",
        "action_in_future",
        "action_before_receipt",
        "action_before_last",
        "new_due_not_later",
    ):
        assert code in MESSAGES

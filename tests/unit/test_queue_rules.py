"""Queue rules that need no database: calling order, ticket display, estimates, hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import sqlite

from counter_app.db.models import QueueService
from counter_app.domain import queue as rules
from counter_app.messages import MESSAGES
from counter_app.services import queue

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_priority_classes_and_weights() -> None:
    assert rules.PRIORITY_CLASSES == ("elderly", "disabled", "pregnant", "child")
    assert set(rules.PRIORITY_WEIGHTS) == set(rules.PRIORITY_CLASSES)
    # equal weights: among priority tickets it is first come, first served
    assert set(rules.PRIORITY_WEIGHTS.values()) == {1}


def test_calling_order_is_weight_then_queue_sequence() -> None:
    """FIFO within a priority: the gap-free queue sequence ASC (NovoSGA's refactor flipped
    arrival to DESC), never the wall clock (issue 12 item 5: a clock stepped back)."""
    compiled = [str(c.compile(dialect=sqlite.dialect())) for c in queue.QUEUE_ORDER]
    assert compiled == [
        "tickets.weight DESC",
        "tickets.queue_seq ASC",
        "tickets.id ASC",
    ]


@pytest.mark.parametrize(
    ("prefix", "number", "shown"),
    [("1", 5, "1005"), ("2", 123, "2123"), ("1", 999, "1999"), ("12", 7, "12007")],
)
def test_display_is_prefix_and_three_digits(prefix: str, number: int, shown: str) -> None:
    assert rules.display_number(prefix, number) == shown


@pytest.mark.parametrize(
    ("ahead", "counters", "avg_s", "minutes"),
    [
        (0, 2, 300, 0),
        (1, 2, 300, 3),  # 2.5 -> 3
        (3, 2, 300, 8),  # 7.5 -> 8
        (3, 1, 300, 15),  # "trước bạn 3 người · dự kiến 15 phút"
        (2, 2, 180, 3),
        (3, 3, 300, 5),  # exactly 5: no float rounding up to 6
        (1, 3, 360, 2),  # 1/3 × 6 min = 2 exactly
        (5, 0, 60, 5),  # a service without counters counts as one
    ],
)
def test_estimate_rounds_up_to_whole_minutes(
    ahead: int, counters: int, avg_s: int, minutes: int
) -> None:
    assert rules.estimate_minutes(ahead, counters, avg_s) == minutes


def test_hours_include_opening_and_exclude_closing() -> None:
    svc = QueueService(code="HT", opens="07:00", closes="17:30")
    day = (2026, 11, 26)
    assert not rules.is_open(svc.opens, svc.closes, datetime(*day, 6, 59, 59, tzinfo=VN))
    assert rules.is_open(svc.opens, svc.closes, datetime(*day, 7, 0, tzinfo=VN))
    assert rules.is_open(svc.opens, svc.closes, datetime(*day, 17, 29, 59, tzinfo=VN))
    assert not rules.is_open(svc.opens, svc.closes, datetime(*day, 17, 30, tzinfo=VN))


def test_queue_error_codes_have_messages() -> None:
    for code in (
        "service_unknown",
        "service_closed",
        "service_numbers_exhausted",
        "service_config_invalid",
        "priority_unknown",
        "counter_serves_nothing",
        "counter_has_no_ticket",
        "ticket_unknown",
        "transfer_target_required",
    ):
        assert code in MESSAGES, code


def test_priority_labels_have_one_home() -> None:
    """Kiosk buttons, the call panel and the printed ticket read the same words."""
    from counter_app.services.printjobs import ticket_data
    from counter_app.ui_text import PRIORITY_LABELS

    assert set(PRIORITY_LABELS) == set(rules.PRIORITY_CLASSES)
    t = queue.TicketInfo(
        "id", "1001", "HT", "Hộ tịch", "child", "waiting",
        datetime(2026, 12, 2, 9, tzinfo=VN), None, None, 0,
    )  # fmt: skip
    assert ticket_data(t, "UBND", (1,)).priority_label == "Ưu tiên: người có con nhỏ"
    plain = ticket_data(queue.TicketInfo(**{**t.__dict__, "priority": ""}), "UBND", (1,))
    assert plain.priority_label == ""

"""Issue 16 (store): the report rows by commune (pure): counting, order, the printed table."""

from __future__ import annotations

from datetime import date

from counter_app.domain.report import DossierFacts, Period
from counter_app.domain.report_communes import commune_rows, rows_for_print

P = Period(date(2026, 10, 1), date(2026, 10, 31))
NEW = DossierFacts(received=date(2026, 10, 5), channel="counter", original_due=date(2026, 10, 9))
DONE = DossierFacts(
    received=date(2026, 10, 5),
    channel="counter",
    original_due=date(2026, 10, 9),
    ready=date(2026, 10, 8),
)
LATER = DossierFacts(received=date(2026, 11, 5), channel="counter", original_due=date(2026, 11, 9))
NAMES = {"30313": "Xã Mỹ Hòa Hưng, tỉnh An Giang", "30307": "Phường Long Xuyên, tỉnh An Giang"}


def test_rows_count_sort_and_name_the_unverified() -> None:
    rows = commune_rows(
        [
            ("30307", NEW, 2),
            ("30313", NEW, 1),
            ("30313", DONE, 1),
            (None, NEW, 2),
            ("", NEW, 1),  # an empty code is no commune either
            ("30310", LATER, 9),  # nothing counts in the period: no row
            ("99999", NEW, 1),  # a code the list no longer has: shown as the code
        ],
        P,
        NAMES.get,
    )
    assert [(r["code"], r["name"], r["received"]) for r in rows] == [
        ("30307", "Phường Long Xuyên, tỉnh An Giang", 2),
        ("30313", "Xã Mỹ Hòa Hưng, tỉnh An Giang", 2),
        ("99999", "Mã 99999", 1),
        (None, "Chưa xác định", 3),  # the unverified last, whatever its size
    ]
    assert rows[1]["resolved"] == 1 and rows[1]["on_time_rate"] == 1.0
    assert rows[0]["on_time_rate"] is None


def test_the_printed_table_keeps_30_then_the_others_then_unverified() -> None:
    groups = [(f"{30000 + i:05d}", NEW, 100 - i) for i in range(40)] + [(None, NEW, 5)]
    rows = commune_rows(groups, P, lambda c: f"Xã {c}")
    for r in rows:
        r["ratings"] = {"hai_long": 1}
        r["digitised"] = 1
    printed = rows_for_print(rows)
    assert len(printed) == 32
    assert [r["code"] for r in printed[:30]] == [f"{30000 + i:05d}" for i in range(30)]
    others = printed[30]
    assert others["name"] == "Các xã/phường khác (10)"
    assert others["received"] == sum(100 - i for i in range(30, 40))
    assert others["ratings"] == {"hai_long": 10} and others["digitised"] == 10
    assert printed[31]["name"] == "Chưa xác định" and printed[31]["received"] == 5
    assert rows_for_print([]) == []
    assert len(rows_for_print(rows[:31])) == 31  # one more is shown, not summed

"""The periodic report's rules (domain/report.py, DOMAIN.md §6): one dossier's counters."""

from __future__ import annotations

from datetime import date

import pytest

from counter_app.domain.errors import ValidationError
from counter_app.domain.report import DossierFacts, Line, Period, classify, summarize, timeliness

NOV = Period(date(2026, 11, 1), date(2026, 11, 30))
DUE = date(2026, 11, 20)


def facts(**over: object) -> DossierFacts:
    base: dict[str, object] = {
        "received": date(2026, 11, 16),
        "channel": "counter",
        "original_due": DUE,
    }
    base.update(over)
    return DossierFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ready", "kind"),
    [
        (date(2026, 11, 19), "resolved_early"),
        (DUE, "resolved_on_time"),  # on the due date = on time, whatever the hour
        (date(2026, 11, 21), "resolved_late"),
    ],
)
def test_before_on_and_after_the_due_day(ready: date, kind: str) -> None:
    assert timeliness(ready, DUE) == kind
    assert classify(facts(ready=ready), NOV) == ["received", "received_direct", "resolved", kind]


def test_an_apology_does_not_make_a_late_dossier_on_time() -> None:
    # original due 20/11, apology moved it to 27/11, result on 25/11: still late
    keys = classify(facts(ready=date(2026, 11, 25), apologized=True), NOV)
    assert "resolved_late" in keys and "resolved_late_apologized" in keys
    assert "resolved_on_time" not in keys
    plain = classify(facts(ready=date(2026, 11, 25)), NOV)
    assert "resolved_late" in plain and "resolved_late_apologized" not in plain


def test_channels_and_closures() -> None:
    assert "received_online" in classify(facts(channel="online"), NOV)
    assert "received_postal" in classify(facts(channel="postal"), NOV)
    refused = classify(facts(ended=date(2026, 11, 17), end_kind="refused"), NOV)
    assert "refused" in refused and "in_progress" not in refused
    returned = classify(facts(ready=DUE, returned=date(2026, 11, 23), returned_postal=True), NOV)
    assert {"returned", "returned_postal"} <= set(returned)


def test_in_progress_overdue_and_carried_over() -> None:
    # still open at the end of the period, due 20/11: overdue
    assert classify(facts(), NOV)[-2:] == ["in_progress", "in_progress_overdue"]
    # due on the last day and still open at its end: overdue too
    assert "in_progress_overdue" in classify(facts(original_due=NOV.end), NOV)
    assert "in_progress_overdue" not in classify(facts(original_due=date(2026, 12, 1)), NOV)
    # received in October, resolved in November: carried over, resolved, not received
    old = facts(
        received=date(2026, 10, 28), original_due=date(2026, 11, 2), ready=date(2026, 11, 2)
    )
    assert classify(old, NOV) == ["carried_over", "resolved", "resolved_on_time"]
    # resolved in October: nothing in November
    done = facts(
        received=date(2026, 10, 5), original_due=date(2026, 10, 8), ready=date(2026, 10, 8)
    )
    assert classify(done, NOV) == []
    # received after the period: nothing; resolved after it: in progress at its end
    assert classify(facts(received=date(2026, 12, 1)), NOV) == []
    assert "in_progress" in classify(facts(ready=date(2026, 12, 3)), NOV)


def test_summary_rate_and_breakdowns() -> None:
    a, b = Line("1.1", "Khai sinh", "Hộ tịch"), Line("2.2", "Chứng thực", "Chứng thực")
    s = summarize(
        [
            (a, facts(ready=date(2026, 11, 19)), 3),
            (a, facts(ready=date(2026, 11, 23)), 1),
            (b, facts(), 2),
        ],
        NOV,
    )
    assert s.totals["received"] == 6 and s.totals["resolved"] == 4
    assert s.totals["on_time_rate"] == 0.75 and s.totals["ratings"] == {}
    assert [r["sector"] for r in s.by_sector] == ["Chứng thực", "Hộ tịch"]
    assert s.by_procedure[0]["procedure"] == "1.1" and s.by_procedure[0]["resolved_late"] == 1
    assert s.by_procedure[1]["on_time_rate"] is None  # none resolved: null, not 0


def test_a_start_after_the_end_is_refused() -> None:
    with pytest.raises(ValidationError) as e:
        Period(date(2026, 12, 1), date(2026, 11, 30))
    assert e.value.code == "report_range_invalid"

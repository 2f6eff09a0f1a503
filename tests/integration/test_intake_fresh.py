"""What a save keeps between saves, or reads as rows, never goes stale (issue 17): another
context on the same database (as another process would) changes the calendar, the clerk or
the unit between two saves of this one, and the second save follows the change."""

from __future__ import annotations

import pytest
from cli_helpers import intake_payload

from counter_app.domain.errors import NotFound
from counter_app.services.calendar import set_override
from counter_app.services.intake import parse_intake, register
from counter_app.services.unit_setup import set_user_active
from counter_app.services.units import set_form_settings


def _save(ctx, today):
    return register(ctx, [parse_intake(intake_payload(), today)], "canbo1")[0]


def test_a_day_off_set_elsewhere_moves_the_next_due_date(demo_db, make_context, clock):
    here, there = make_context(demo_db), make_context(demo_db)
    here.clock = there.clock = clock
    today = here.now().date()
    first = _save(here, today)  # the calendar is now kept in this process
    due_day = here.local(first.due_at).date()
    set_override(there, due_day, False, "nghỉ bù")
    moved = _save(here, today)
    assert here.local(moved.due_at).date() > due_day
    # back to a working day at the same instant: a stamp of (row count, newest update)
    # would not move; the calendar's content does
    set_override(there, due_day, True, "")
    again = _save(here, today)
    assert here.local(again.due_at).date() == due_day


def test_a_clerk_disabled_elsewhere_is_refused_at_the_next_save(demo_db, make_context, clock):
    here, there = make_context(demo_db), make_context(demo_db)
    here.clock = there.clock = clock
    today = here.now().date()
    _save(here, today)
    set_user_active(there, "canbo1", False)
    with pytest.raises(NotFound) as err:
        _save(here, today)
    assert err.value.code == "user_unknown"


def test_a_unit_renamed_on_the_forms_elsewhere_shows_in_the_next_view(demo_db, make_context, clock):
    here, there = make_context(demo_db), make_context(demo_db)
    here.clock = there.clock = clock
    today = here.now().date()
    before = _save(here, today)
    set_form_settings(there, result_place="Quầy số 3, tầng 1")
    after = _save(here, today)
    assert before.unit.result_place != "Quầy số 3, tầng 1"
    assert after.unit.result_place == "Quầy số 3, tầng 1"

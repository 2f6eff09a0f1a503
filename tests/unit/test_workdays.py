"""Unit tests for counter_app.domain.workdays: the working-day calendar and due dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.domain.errors import ValidationError
from counter_app.domain.workdays import (
    DuePlan,
    OfficeHours,
    WorkCalendar,
    compute_due,
    holiday_family,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()
# A make-up Saturday and an extra day off, as the central override table would hold them.
OVERRIDES = {
    date(2027, 2, 20): (True, "Làm bù cho ngày 11/02/2027"),
    date(2027, 2, 11): (False, "Nghỉ Tết (hoán đổi)"),
}
CAL_OVR = WorkCalendar(OVERRIDES)


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


# --- calendar ---------------------------------------------------------------------------


def test_weekends_are_days_off_with_names() -> None:
    assert CAL.day_off_name(date(2026, 3, 7)) == "Thứ Bảy"
    assert CAL.day_off_name(date(2026, 3, 8)) == "Chủ nhật"
    assert not CAL.is_working_day(date(2026, 3, 7))
    assert CAL.is_working_day(date(2026, 3, 6))
    assert CAL.day_off_name(date(2026, 3, 9)) is None


def test_tet_2026_is_16_to_20_february() -> None:
    tet = days(date(2026, 2, 16), date(2026, 2, 20))
    assert [CAL.is_working_day(d) for d in tet] == [False] * 5
    assert CAL.day_off_name(date(2026, 2, 16)) == "Giao thừa Tết Nguyên Đán"
    assert CAL.day_off_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert CAL.is_working_day(date(2026, 2, 13))
    assert CAL.is_working_day(date(2026, 2, 23))


def test_tet_2027_is_4_to_10_february() -> None:
    tet = days(date(2027, 2, 4), date(2027, 2, 10))
    assert [CAL.is_working_day(d) for d in tet] == [False] * 7
    assert CAL.day_off_name(date(2027, 2, 4)) == "29 Tết"
    # A Tết day on a weekend keeps its holiday name rather than "Thứ Bảy".
    assert CAL.day_off_name(date(2027, 2, 6)) == "Tết Nguyên Đán"
    assert CAL.day_off_name(date(2027, 2, 10)) == "Mùng năm Tết Nguyên Đán"
    assert CAL.is_working_day(date(2027, 2, 3))
    assert CAL.is_working_day(date(2027, 2, 11))


def test_substitute_days_off() -> None:
    assert CAL.day_off_name(date(2026, 4, 27)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert CAL.day_off_name(date(2027, 5, 3)) == "Ngày Quốc tế Lao động (nghỉ bù)"
    assert CAL.day_off_name(date(2026, 8, 31)) == "Ngày nghỉ (thay cho ngày 22/08/2026)"
    assert not CAL.is_working_day(date(2027, 9, 3))  # National Day's adjacent day


def test_government_make_up_saturdays_come_from_the_holidays_package() -> None:
    # 31/08/2026 is off in exchange for Saturday 22/08/2026, which becomes a working day.
    assert date(2026, 8, 22).weekday() == 5
    assert CAL.is_working_day(date(2026, 8, 22))
    assert CAL.day_off_name(date(2026, 8, 22)) is None
    assert CAL.is_working_day(date(2025, 4, 26))  # swapped for 02/05/2025
    assert not CAL.is_working_day(date(2026, 8, 29))  # an ordinary Saturday


def test_make_up_saturday_that_crosses_a_year() -> None:
    # 2015: 02/01/2015 off in exchange for Saturday 27/12/2014.
    assert CAL.is_working_day(date(2014, 12, 27))
    assert not CAL.is_working_day(date(2015, 1, 2))


def test_overrides_add_working_saturday_and_day_off() -> None:
    assert CAL.day_off_name(date(2027, 2, 20)) == "Thứ Bảy"
    assert CAL_OVR.is_working_day(date(2027, 2, 20))
    assert CAL.is_working_day(date(2027, 2, 11))
    assert CAL_OVR.day_off_name(date(2027, 2, 11)) == "Nghỉ Tết (hoán đổi)"


def test_overrides_win_over_the_package() -> None:
    cal = WorkCalendar(
        {
            date(2026, 2, 20): (True, "Làm việc"),  # a Tết day made working
            date(2026, 8, 22): (False, ""),  # the package's make-up Saturday cancelled
        }
    )
    assert cal.is_working_day(date(2026, 2, 20))
    assert cal.day_off_name(date(2026, 8, 22)) == "Ngày nghỉ"


def test_next_working_day_is_strictly_after() -> None:
    assert CAL.next_working_day(date(2026, 3, 9)) == date(2026, 3, 10)
    assert CAL.next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CAL.next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)


def test_add_working_days() -> None:
    assert CAL.add_working_days(date(2026, 3, 9), 0) == date(2026, 3, 9)
    assert CAL.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    assert CAL.add_working_days(date(2026, 3, 9), 5) == date(2026, 3, 16)
    assert CAL.add_working_days(date(2026, 8, 20), 2) == date(2026, 8, 22)  # make-up Sat
    with pytest.raises(ValidationError) as exc:
        CAL.add_working_days(date(2026, 3, 9), -1)
    assert exc.value.code == "processing_days_invalid"


def test_calendar_with_no_working_days_fails_instead_of_looping() -> None:
    start = date(2026, 3, 9)
    cal = WorkCalendar({d: (False, "x") for d in days(start, start + timedelta(400))})
    with pytest.raises(ValidationError) as exc:
        cal.next_working_day(start)
    assert exc.value.code == "calendar_no_working_day"


# --- compute_due ------------------------------------------------------------------------


def test_domain_example_monday_morning_and_after_cutoff() -> None:
    monday = (2026, 3, 9)
    plan = compute_due(at(*monday, 9, 0), 3, CAL)
    assert plan.effective_day == date(2026, 3, 9)
    assert plan.due_at == at(2026, 3, 12, 9, 0)  # Thursday
    late = compute_due(at(*monday, 15, 30), 3, CAL)
    assert late.effective_day == date(2026, 3, 10)
    assert late.due_at == at(2026, 3, 13, 15, 30)  # Friday


def test_a_receipt_at_15_00_is_before_the_cutoff() -> None:
    # "sau 15 giờ" means after 15:00 (DOMAIN.md §5): 15:00 itself counts for the day.
    assert compute_due(at(2026, 3, 9, 14, 59), 3, CAL).due_at == at(2026, 3, 12, 14, 59)
    plan = compute_due(at(2026, 3, 9, 15, 0), 3, CAL)
    assert plan.effective_day == date(2026, 3, 9)
    assert plan.due_at == at(2026, 3, 12, 15, 0)
    # to the minute, as printed: "15 giờ 00 phút" whatever the seconds
    assert compute_due(at(2026, 3, 9, 15, 0).replace(second=59), 3, CAL).effective_day == date(
        2026, 3, 9
    )
    after = compute_due(at(2026, 3, 9, 15, 1), 3, CAL)
    assert after.effective_day == date(2026, 3, 10)
    assert after.due_at == at(2026, 3, 13, 15, 1)


def test_calendar_days_count_every_day_and_end_on_a_working_day() -> None:
    # Monday 09/03/2026 + 5 calendar days = Saturday 14/03 -> Monday 16/03.
    plan = compute_due(at(2026, 3, 9, 9, 0), 5, CAL, time_unit="calendar_days")
    assert plan.effective_day == date(2026, 3, 9)
    assert plan.due_at == at(2026, 3, 16, 9, 0)
    assert plan.skipped == ((date(2026, 3, 14), "Thứ Bảy"), (date(2026, 3, 15), "Chủ nhật"))
    # + 4 = Friday, no move; the weekend inside the period does not count as pushing it
    four = compute_due(at(2026, 3, 9, 9, 0), 4, CAL, time_unit="calendar_days")
    assert four.due_at == at(2026, 3, 13, 9, 0) and four.skipped == ()
    # 10 calendar days from Monday = Thursday 19/03 (10 working days would be 23/03)
    assert compute_due(at(2026, 3, 9), 10, CAL, time_unit="calendar_days").due_at == at(2026, 3, 19)
    # after the cut-off R is the next working day, as for working days
    late = compute_due(at(2026, 3, 9, 16, 0), 3, CAL, time_unit="calendar_days")
    assert late.effective_day == date(2026, 3, 10)
    assert late.due_at == at(2026, 3, 13, 16, 0)


def test_hours_run_only_inside_office_hours() -> None:
    hours = compute_due
    assert hours(at(2026, 3, 9, 9, 0), 4, CAL, time_unit="hours").due_at == at(2026, 3, 9, 13, 0)
    # 15:30 + 4 h: 1 h 30 on Monday, 2 h 30 from 07:30 on Tuesday -> 10:00
    plan = hours(at(2026, 3, 9, 15, 30), 4, CAL, time_unit="hours")
    assert plan.effective_day == date(2026, 3, 9)
    assert plan.due_at == at(2026, 3, 10, 10, 0)
    # exactly to closing time stays on the day
    assert hours(at(2026, 3, 9, 13, 0), 4, CAL, time_unit="hours").due_at == at(2026, 3, 9, 17, 0)
    # before opening / on Saturday: the clock starts at the next opening
    assert hours(at(2026, 3, 9, 6, 0), 2, CAL, time_unit="hours").due_at == at(2026, 3, 9, 9, 30)
    sat = hours(at(2026, 3, 7, 10, 0), 24, CAL, time_unit="hours")
    assert sat.effective_day == date(2026, 3, 9)
    # 9.5 office hours a day: 24 h = Mon 9.5 + Tue 9.5 + 5 h Wed -> Wed 12:30
    assert sat.due_at == at(2026, 3, 11, 12, 30)


def test_unknown_time_unit_is_refused() -> None:
    with pytest.raises(ValidationError):
        compute_due(at(2026, 3, 9), 3, CAL, time_unit="weeks")


def test_due_time_is_clamped_into_office_hours() -> None:
    assert compute_due(at(2026, 3, 9, 6, 45), 3, CAL).due_at == at(2026, 3, 12, 7, 30)
    assert compute_due(at(2026, 3, 9, 18, 10), 3, CAL).due_at == at(2026, 3, 13, 17, 0)
    assert compute_due(at(2026, 3, 9, 9, 5), 1, CAL).due_at.second == 0


def test_received_on_saturday() -> None:
    plan = compute_due(at(2026, 3, 7, 9, 0), 3, CAL)
    assert plan.effective_day == date(2026, 3, 9)
    assert plan.due_at == at(2026, 3, 12, 9, 0)
    assert plan.skipped == ((date(2026, 3, 7), "Thứ Bảy"), (date(2026, 3, 8), "Chủ nhật"))
    assert plan.skipped_summary() == ""


def test_same_day_procedure_is_due_at_closing_time() -> None:
    assert compute_due(at(2026, 3, 9, 9, 0), 0, CAL).due_at == at(2026, 3, 9, 17, 0)
    # After the cut-off, or on a weekend: closing time of the next working day.
    assert compute_due(at(2026, 3, 9, 16, 0), 0, CAL).due_at == at(2026, 3, 10, 17, 0)
    assert compute_due(at(2026, 3, 8, 10, 0), 0, CAL).due_at == at(2026, 3, 9, 17, 0)


def test_tet_2026_pushes_the_due_date() -> None:
    plan = compute_due(at(2026, 2, 12, 10, 0), 3, CAL)  # Thursday before Tết
    assert plan.due_at == at(2026, 2, 24, 10, 0)  # 13/02, 23/02, 24/02
    assert [d for d, _ in plan.skipped] == days(date(2026, 2, 14), date(2026, 2, 22))
    assert plan.skipped_summary() == "Tết Nguyên Đán 16–20/02"


def test_received_during_tet_2027() -> None:
    plan = compute_due(at(2027, 2, 8, 9, 0), 2, CAL)  # Mùng ba
    assert plan.effective_day == date(2027, 2, 11)
    assert plan.due_at == at(2027, 2, 15, 9, 0)
    assert plan.skipped_summary() == "Tết Nguyên Đán 08–10/02"


def test_substitute_day_and_holiday_groups_in_summary() -> None:
    plan = compute_due(at(2026, 4, 24, 9, 0), 5, CAL)  # Friday
    # 26/04 (Sun, Hùng Kings) + 27/04 nghỉ bù, 30/04, 01/05 are skipped.
    assert plan.due_at == at(2026, 5, 6, 9, 0)
    assert plan.skipped_summary() == (
        "Ngày Giỗ Tổ Hùng Vương 26–27/04; Ngày Chiến thắng 30/04; Ngày Quốc tế Lao động 01/05"
    )


def test_national_day_2026_swap_counts_the_make_up_saturday() -> None:
    plan = compute_due(at(2026, 8, 20, 9, 0), 5, CAL)  # Thursday
    assert plan.due_at == at(2026, 8, 26, 9, 0)  # 21, Sat 22, 24, 25, 26
    plan = compute_due(at(2026, 8, 28, 9, 0), 2, CAL)  # Friday
    assert plan.due_at == at(2026, 9, 4, 9, 0)  # 31/08, 01/09, 02/09 off; 03, 04
    assert plan.skipped_summary() == "Ngày nghỉ bù 31/08; Quốc khánh 01–02/09"


def test_overrides_change_the_due_date() -> None:
    received = at(2027, 2, 12, 9, 0)  # Friday after Tết 2027
    assert compute_due(received, 3, CAL).due_at == at(2027, 2, 17, 9, 0)
    # Extra day off on Thu 11/02 is before R; make-up Saturday 20/02 does not matter
    # for N=3 but does for N=6.
    assert compute_due(received, 6, CAL).due_at == at(2027, 2, 22, 9, 0)
    assert compute_due(received, 6, CAL_OVR).due_at == at(2027, 2, 20, 9, 0)
    early = compute_due(at(2027, 2, 11, 9, 0), 1, CAL_OVR)
    assert early.effective_day == date(2027, 2, 12)
    assert early.skipped_summary() == "Nghỉ Tết (hoán đổi) 11/02"


def test_year_boundary() -> None:
    plan = compute_due(at(2026, 12, 31, 10, 0), 2, CAL)  # Thursday; 01/01 is a holiday
    assert plan.due_at == at(2027, 1, 5, 10, 0)
    assert plan.skipped_summary() == "Tết Dương lịch 01/01"


def test_due_at_keeps_the_timezone_and_local_date() -> None:
    plan = compute_due(at(2026, 3, 9, 9, 0), 1, CAL)
    assert plan.due_at.tzinfo is TZ
    # Any aware value works: its own local date and clock are used (06:30 -> 07:30).
    fixed = datetime(2026, 3, 9, 6, 30, tzinfo=timezone(timedelta(hours=7)))
    assert compute_due(fixed, 1, CAL).due_at == datetime(
        2026, 3, 10, 7, 30, tzinfo=timezone(timedelta(hours=7))
    )


def test_invalid_inputs() -> None:
    with pytest.raises(ValidationError) as exc:
        compute_due(at(2026, 3, 9), -1, CAL)
    assert exc.value.code == "processing_days_invalid"
    with pytest.raises(ValidationError) as exc:
        compute_due(datetime(2026, 3, 9, 9, 0), 1, CAL)
    assert exc.value.code == "received_at_naive"
    with pytest.raises(ValidationError) as exc:
        OfficeHours(open=time(8), close=time(7))
    assert exc.value.code == "office_hours_invalid"


def test_custom_office_hours() -> None:
    hours = OfficeHours(open=time(8, 0), close=time(16, 30), cutoff=time(16, 0))
    plan = compute_due(at(2026, 3, 9, 15, 30), 2, CAL, hours)
    assert plan.due_at == at(2026, 3, 11, 15, 30)  # before this unit's 16:00 cut-off
    assert compute_due(at(2026, 3, 9, 9), 0, CAL, hours).due_at == at(2026, 3, 9, 16, 30)


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Giao thừa Tết Nguyên Đán", "Tết Nguyên Đán"),
        ("29 Tết", "Tết Nguyên Đán"),
        ("Mùng năm Tết Nguyên Đán", "Tết Nguyên Đán"),
        ("Tết Dương lịch", "Tết Dương lịch"),
        ("Ngày Giỗ Tổ Hùng Vương (nghỉ bù)", "Ngày Giỗ Tổ Hùng Vương"),
        ("Quốc khánh (nghỉ bù, dự kiến)", "Quốc khánh"),
        ("Ngày nghỉ (thay cho ngày 22/08/2026)", "Ngày nghỉ bù"),
    ],
)
def test_holiday_family(name: str, family: str) -> None:
    assert holiday_family(name) == family


def test_summary_spanning_months() -> None:
    plan = DuePlan(
        date(2025, 2, 3),
        at(2025, 2, 4),
        (
            (date(2025, 1, 27), "29 Tết"),
            (date(2025, 1, 31), "Mùng ba Tết Nguyên Đán"),
            (date(2025, 2, 1), "Mùng bốn Tết Nguyên Đán"),
            (date(2025, 2, 2), "Chủ nhật"),
        ),
    )
    assert plan.skipped_summary() == "Tết Nguyên Đán 27/01–01/02"


# --- properties -------------------------------------------------------------------------

receipts = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31, 23, 59), timezones=st.just(TZ)
)
process_days = st.integers(min_value=0, max_value=60)
calendars = st.sampled_from([CAL, CAL_OVR])


@settings(deadline=None)
@given(receipts, receipts, process_days, calendars)
def test_due_date_is_monotonic_in_received_at(
    a: datetime, b: datetime, n: int, cal: WorkCalendar
) -> None:
    early, late = sorted((a, b))
    assert compute_due(early, n, cal).due_at.date() <= compute_due(late, n, cal).due_at.date()


@settings(deadline=None)
@given(receipts, process_days, process_days, calendars)
def test_due_date_is_monotonic_in_processing_days(
    received: datetime, n: int, m: int, cal: WorkCalendar
) -> None:
    low, high = sorted((n, m))
    due_low = compute_due(received, low, cal).due_at
    due_high = compute_due(received, high, cal).due_at
    assert due_low.date() <= due_high.date()
    if low < high:
        assert due_low.date() < due_high.date()


@settings(deadline=None)
@given(receipts, process_days, calendars)
def test_due_date_is_a_working_day_in_office_hours_after_receipt(
    received: datetime, n: int, cal: WorkCalendar
) -> None:
    plan = compute_due(received, n, cal)
    due_day = plan.due_at.date()
    assert cal.is_working_day(due_day)
    assert cal.is_working_day(plan.effective_day)
    assert received.date() <= plan.effective_day <= due_day
    assert time(7, 30) <= plan.due_at.time() <= time(17, 0)
    assert plan.due_at > received
    assert plan.due_at.tzinfo is TZ
    working = [d for d in days(plan.effective_day, due_day)[1:] if cal.is_working_day(d)]
    assert len(working) == n
    assert all(not cal.is_working_day(d) for d, _ in plan.skipped)

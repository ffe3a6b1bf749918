"""The Vietnamese working calendar."""

import datetime as dt

import pytest

from jobs.calendar import VIETNAM, WorkCalendar, add_months

CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (dt.date(2026, 2, 17), "Tết"),  # lunar New Year's day 2026
        (dt.date(2027, 2, 6), "Tết"),  # lunar New Year's day 2027, a Saturday
        (dt.date(2026, 4, 26), "Hùng Vương"),  # 10th of the 3rd lunar month
        (dt.date(2030, 4, 12), "Hùng Vương"),
    ],
)
def test_lunar_holidays_are_computed_for_any_year(day, name):
    assert name in CAL.holiday_name(day)
    assert not CAL.is_working_day(day)


def test_tet_week_2026_is_off_and_work_resumes_after_it():
    tet = [dt.date(2026, 2, d) for d in range(16, 21)]
    assert [CAL.is_working_day(d) for d in tet] == [False] * 5
    assert CAL.on_or_after(dt.date(2026, 2, 14)) == dt.date(2026, 2, 23)


def test_a_deadline_on_a_holiday_moves_to_the_next_working_day():
    # 2 September 2026 (National Day, a Wednesday) moves to Thursday 3 September.
    assert CAL.deadline(dt.date(2026, 9, 2)) == dt.date(2026, 9, 3)
    # Hùng Kings' day 2026 is a Sunday with Monday off in lieu: Tuesday 28 April.
    assert CAL.deadline(dt.date(2026, 4, 26)) == dt.date(2026, 4, 28)


def test_a_deadline_on_a_weekend_moves_to_monday():
    assert CAL.deadline(dt.date(2026, 11, 1)) == dt.date(2026, 11, 2)
    assert CAL.deadline(dt.date(2026, 11, 4)) == dt.date(2026, 11, 4)


def test_working_day_arithmetic_skips_weekends_and_holidays():
    assert CAL.add_working_days(dt.date(2026, 4, 29), 1) == dt.date(2026, 5, 4)
    assert CAL.working_days_between(dt.date(2026, 4, 24), dt.date(2026, 5, 4)) == 3


def test_reminders_wait_for_office_hours_on_a_working_day():
    sunday_night = dt.datetime(2026, 11, 22, 22, 0, tzinfo=VIETNAM)
    assert CAL.next_send_slot(sunday_night) == dt.datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM)
    early = dt.datetime(2026, 11, 23, 0, 30, tzinfo=dt.UTC)  # 07:30 in Hà Nội
    assert CAL.next_send_slot(early) == dt.datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM)
    assert CAL.in_office_hours(dt.datetime(2026, 11, 23, 9, 15, tzinfo=VIETNAM))
    assert not CAL.in_office_hours(dt.datetime(2026, 11, 23, 17, 0, tzinfo=VIETNAM))


def test_office_hours_are_configurable():
    late = WorkCalendar(office_opens=dt.time(7, 30))
    assert late.send_slot(dt.date(2026, 11, 23)).time() == dt.time(7, 30)


def test_a_province_can_declare_swapped_days():
    cal = WorkCalendar(extra_working_days=frozenset({dt.date(2026, 11, 28)}),
                       extra_days_off=frozenset({dt.date(2026, 11, 27)}))
    assert cal.is_working_day(dt.date(2026, 11, 28))
    assert not cal.is_working_day(dt.date(2026, 11, 27))


def test_three_months_after_clamps_to_month_end():
    assert add_months(dt.date(2026, 8, 1), 3) == dt.date(2026, 11, 1)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)

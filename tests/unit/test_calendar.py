"""The Vietnamese working calendar."""

import datetime as dt

import pytest

from jobs.calendar.workdays import VIETNAM, Amendment, Amendments, WorkCalendar, add_months

CAL = WorkCalendar()
NOTICE_9441 = "Thông báo 9441/TB-BNV ngày 16/10/2025"
SAT_22_AUG, MON_31_AUG = dt.date(2026, 8, 22), dt.date(2026, 8, 31)


def day_off_name(day: dt.date) -> str:
    """The name the official calendar gives the day off ``day``."""
    return next(o.name for o in CAL.official_days(day.year) if o.day == day and not o.working)


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
    assert name in day_off_name(day)
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
    assert CAL.add_working_days(dt.date(2026, 4, 24), 3) == dt.date(2026, 5, 4)


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
    cal = WorkCalendar(amendments=Amendments(days=(
        Amendment(dt.date(2026, 11, 28), True, "Làm việc bù", "Quyết định thử"),
        Amendment(dt.date(2026, 11, 27), False, "Nghỉ bù", "Quyết định thử"),
    )))
    assert cal.is_working_day(dt.date(2026, 11, 28))
    assert not cal.is_working_day(dt.date(2026, 11, 27))


# Notice 9441/TB-BNV of 16/10/2025: Monday 31/08/2026 off in exchange for Saturday 22/08/2026.


def test_the_saturday_worked_under_the_2026_notice_is_a_working_day():
    assert CAL.is_working_day(SAT_22_AUG)
    assert not CAL.is_working_day(dt.date(2026, 8, 23))  # the Sunday stays off
    assert CAL.add_working_days(dt.date(2026, 8, 21), 1) == SAT_22_AUG
    assert CAL.add_working_days(dt.date(2026, 8, 21), 2) == dt.date(2026, 8, 24)


def test_a_deadline_on_the_worked_saturday_stays_there():
    assert CAL.deadline(SAT_22_AUG) == SAT_22_AUG
    assert CAL.on_or_before(SAT_22_AUG) == SAT_22_AUG
    assert CAL.send_slot(SAT_22_AUG) == dt.datetime(2026, 8, 22, 8, 0, tzinfo=VIETNAM)
    friday_evening = dt.datetime(2026, 8, 21, 18, 0, tzinfo=VIETNAM)
    assert CAL.next_send_slot(friday_evening) == dt.datetime(2026, 8, 22, 8, 0, tzinfo=VIETNAM)


def test_the_monday_given_off_joins_the_national_day_break():
    # 29/08 (Sat) to 02/09 (Wed) off; a deadline in it moves to Thursday 03/09.
    assert [CAL.is_working_day(dt.date(2026, 8, 28) + dt.timedelta(days=i)) for i in range(7)] \
        == [True, False, False, False, False, False, True]
    assert CAL.deadline(MON_31_AUG) == dt.date(2026, 9, 3)
    assert CAL.on_or_before(dt.date(2026, 9, 2)) == dt.date(2026, 8, 28)


def test_vietnam_cultural_day_is_a_day_off_from_2026():
    assert not CAL.is_working_day(dt.date(2026, 11, 24))
    assert "Văn hóa" in day_off_name(dt.date(2026, 11, 24))
    assert CAL.is_working_day(dt.date(2025, 11, 24))


def test_the_year_lists_the_swap_with_its_origin():
    days = {d.day: d for d in CAL.official_days(2026)}
    assert days[SAT_22_AUG].working and days[SAT_22_AUG].origin == "package"
    assert not days[MON_31_AUG].working and "22/08/2026" in days[MON_31_AUG].name
    assert days[dt.date(2026, 9, 2)].name == "Quốc khánh"
    assert all(not d.working for d in days.values() if d.day != SAT_22_AUG)
    english = {d.day: d.name for d in CAL.official_days(2026, "en")}
    assert english[dt.date(2026, 11, 24)] == "Vietnam Cultural Day"
    assert CAL.notice_recorded(2026) == "package"


def test_the_file_wins_over_the_package_and_names_its_notice():
    cal = WorkCalendar(amendments=Amendments(days=(
        Amendment(SAT_22_AUG, False, "Nghỉ", NOTICE_9441),  # a later notice undoes the swap
        Amendment(dt.date(2026, 9, 1), True, "Làm việc", NOTICE_9441),
    ), file="lich.yaml"))
    assert not cal.is_working_day(SAT_22_AUG)
    assert cal.is_working_day(dt.date(2026, 9, 1))
    days = {d.day: d for d in cal.official_days(2026)}
    assert (days[SAT_22_AUG].working, days[SAT_22_AUG].origin, days[SAT_22_AUG].source) \
        == (False, "file", NOTICE_9441)
    assert days[dt.date(2026, 9, 1)].working
    assert days[MON_31_AUG].origin == "package"
    assert CAL.is_working_day(SAT_22_AUG)  # another calendar is not touched


def test_a_year_without_a_notice_is_known_as_such_until_the_file_records_it():
    # No package carries a notice this far ahead; the file records it by name alone.
    assert CAL.notice_recorded(2040) is None
    named = WorkCalendar(amendments=Amendments(notices=((2040, "Thông báo thử"),)))
    assert named.notice_recorded(2040) == "file"
    listed = WorkCalendar(amendments=Amendments(days=(
        Amendment(dt.date(2040, 1, 2), False, "Nghỉ", "Thông báo thử"),)))
    assert listed.notice_recorded(2040) == "file"
    assert listed.notice_recorded(2041) is None


def test_three_months_after_clamps_to_month_end():
    assert add_months(dt.date(2026, 8, 1), 3) == dt.date(2026, 11, 1)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)

"""Obligations and reminders: what the engine owes and sends, as functions of time."""

import datetime as dt

from jobs.planning.obligations import Period, due_date, event_due_date, owed_between
from jobs.planning.reminders import latest_stages, schedule, stage_key
from tests.conftest import at


def test_period_labels_round_trip():
    for label in ("2026", "2026-Q3", "2026-03"):
        assert Period.parse(label).label == label


def test_obligations_across_a_year_boundary(catalog, calendar):
    owed = owed_between(catalog, "commune", dt.date(2026, 12, 1), dt.date(2027, 3, 31), calendar)
    keys = {(o.duty_key, o.period) for o in owed}
    assert ("quarterly_report", "2026-Q4") in keys
    assert ("quarterly_report", "2027-Q1") in keys
    assert ("annual_report", "2026") in keys
    assert ("quality_objectives", "2027") in keys
    assert ("internal_audit", "2026") not in keys  # due in October, outside the window
    assert all(dt.date(2026, 12, 1) <= o.due <= dt.date(2027, 3, 31) for o in owed)
    assert owed == sorted(owed, key=lambda o: (o.due, o.duty_key, o.period))


def test_every_due_date_is_a_working_day(catalog, calendar):
    owed = owed_between(catalog, "commune", dt.date(2026, 1, 1), dt.date(2028, 12, 31), calendar)
    assert owed and all(calendar.is_working_day(o.due) for o in owed)


def test_a_yearly_duty_due_on_tet_moves_past_the_holiday(catalog, calendar):
    duty = catalog.duty("quality_objectives").model_copy(
        update={"due": catalog.duty("quality_objectives").due.model_copy(
            update={"month": 2, "day": 17})})
    assert due_date(duty, Period(2026), calendar) == dt.date(2026, 2, 23)


def test_legal_update_is_due_three_months_after_taking_effect(catalog, calendar):
    duty = catalog.duty("legal_update")
    # 1 November 2026 is a Sunday: the deadline moves to Monday.
    assert event_due_date(duty, dt.date(2026, 8, 1), calendar) == dt.date(2026, 11, 2)


def test_schedule_never_sends_on_a_day_off(catalog, calendar):
    duty = catalog.duty("quarterly_report")
    for quarter in range(1, 5):
        due = due_date(duty, Period(2026, quarter=quarter), calendar)
        for stage in schedule(due, duty, calendar):
            assert calendar.is_working_day(stage.day), stage


def test_lead_time_reminder_on_tet_goes_out_before_the_holiday(catalog, calendar):
    duty = catalog.duty("quarterly_report")
    stages = {s.name: s.day for s in schedule(dt.date(2026, 2, 24), duty, calendar)}
    # 7 days before is Tuesday 17 February (Tết): sent on Friday 13 February instead.
    assert stages["before-7d"] == dt.date(2026, 2, 13)


def test_schedule_escalates_to_head_then_supervisor(catalog, calendar):
    duty = catalog.duty("internal_audit")
    due = dt.date(2026, 11, 2)
    stages = schedule(due, duty, calendar)
    names = [s.name for s in stages]
    assert names.index("escalate-head") < names.index("escalate-supervisor")
    head = next(s for s in stages if s.name == "escalate-head")
    assert head.recipient_role == "head"
    assert head.day > due


def _latest(now, due, catalog, calendar, duty="quarterly_report"):
    """What the planner sends at ``now`` for an obligation due on ``due``, per track."""
    return latest_stages(schedule(due, catalog.duty(duty), calendar), now, calendar)


def test_only_the_latest_stage_of_each_track_is_sent(catalog, calendar):
    due = dt.date(2026, 12, 15)
    # Nine days before the deadline, after the 14-day reminder was missed during downtime.
    latest = _latest(at("2026-12-07 09:00"), due, catalog, calendar)
    assert [s.name for s in latest.values()] == ["before-14d"]
    latest = _latest(at("2026-12-08 08:00"), due, catalog, calendar)
    assert [s.name for s in latest.values()] == ["before-7d"]


def test_a_long_overdue_obligation_escalates(catalog, calendar):
    latest = _latest(at("2027-01-15 10:00"), dt.date(2026, 12, 15), catalog, calendar)
    roles = sorted(s.recipient_role for s in latest.values())
    assert roles == ["head", "officer", "supervisor"]


def test_redating_an_obligation_gives_its_reminders_new_keys(catalog, calendar):
    now = at("2026-12-09 08:00")
    old_due, new_due = dt.date(2026, 12, 15), dt.date(2026, 12, 16)
    before = _latest(now, old_due, catalog, calendar)["remind"]
    after = _latest(now, new_due, catalog, calendar)["remind"]
    assert before.name == after.name
    assert stage_key(1, old_due, before) != stage_key(1, new_due, after)

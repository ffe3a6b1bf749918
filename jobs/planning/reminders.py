"""When each reminder and escalation of an obligation goes out. Pure: ``now`` is passed in.

Each obligation has *tracks*: the officer's track (lead-time reminders, the due-day reminder,
overdue reminders) and one track per escalation step (the unit head, then the supervisor).
On a track only the latest stage that has come due is sent: after downtime the bot says
"3 days left" once, not "14 days left", "7 days left" and "3 days left" in a burst.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Duty


@dataclass(frozen=True)
class Stage:
    """One planned message of an obligation: its name, its day and who it is for."""

    name: str  # before-7d, due, overdue-3d, escalate-head, escalate-supervisor
    day: dt.date
    recipient_role: str
    track: str  # "remind", or "escalate-<role>"


@dataclass(frozen=True)
class OpenObligation:
    """What the planner needs to know about a stored, open obligation."""

    id: int
    unit_code: str
    duty_key: str
    period: str
    due: dt.date


@dataclass(frozen=True)
class DueReminder:
    """A message that should have gone out by ``now`` for an obligation."""

    obligation: OpenObligation
    stage: Stage
    send_at: dt.datetime


def stage_key(obligation_id: int, due: dt.date, stage: Stage) -> str:
    """The key of a stage of an obligation, its outbox key but for the recipient: stable across
    runs, and with the due date in it so that re-dating an obligation starts afresh."""
    return f"{obligation_id}:{due.isoformat()}:{stage.name}"


def schedule(due: dt.date, duty: Duty, calendar: WorkCalendar) -> list[Stage]:
    """Every stage of an obligation due on ``due``, in time order.

    A lead-time reminder that falls on a day off goes out on the working day before; when two
    land on the same day (around Tết) only the earlier-planned one is kept.
    """
    due = calendar.deadline(due)
    role = duty.recipient
    stages: dict[dt.date, Stage] = {}
    for days in sorted(duty.lead_days, reverse=True):
        day = calendar.on_or_before(due - dt.timedelta(days=days))
        stages.setdefault(day, Stage(f"before-{days}d", day, role, "remind"))
    stages[due] = Stage("due", due, role, "remind")
    every = duty.overdue.every_working_days
    for k in range(1, duty.overdue.max_reminders + 1):
        day = calendar.add_working_days(due, k * every)
        stages[day] = Stage(f"overdue-{k * every}d", day, role, "remind")
    planned = sorted(stages.values(), key=lambda s: s.day)
    for step in duty.escalation:
        day = calendar.add_working_days(due, step.after_working_days)
        planned.append(Stage(f"escalate-{step.to}", day, step.to, f"escalate-{step.to}"))
    return sorted(planned, key=lambda s: (s.day, s.track != "remind"))


def latest_stages(stages: Iterable[Stage], now: dt.datetime,
                  calendar: WorkCalendar) -> dict[str, Stage]:
    """Of a :func:`schedule`, the latest stage of each track whose send slot has come by ``now``.

    The same for every obligation with the same duty and due date, so the planner works it out
    once per such group.
    """
    latest: dict[str, Stage] = {}
    for stage in stages:
        if calendar.send_slot(stage.day) <= now:
            latest[stage.track] = stage
    return latest


def planned_between(
    start: dt.datetime,
    end: dt.datetime,
    obligations: Iterable[OpenObligation],
    duties: dict[str, Duty],
    calendar: WorkCalendar,
) -> list[DueReminder]:
    """Every stage that goes out in [start, end] if nobody completes anything (a dry run)."""
    planned = [
        DueReminder(obligation, stage, calendar.send_slot(stage.day))
        for obligation in obligations
        for stage in schedule(obligation.due, duties[obligation.duty_key], calendar)
        if start <= calendar.send_slot(stage.day) <= end
    ]
    return sorted(planned, key=lambda r: (r.send_at, r.obligation.unit_code,
                                          r.obligation.duty_key, r.obligation.period,
                                          r.stage.track != "remind"))

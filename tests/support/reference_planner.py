"""The planner as it was before it worked per group: one unit, obligation and recipient at a time.

Kept as the reference the set-based planner (jobs/planning/planner.py) is compared with over a year
of ticks (tests/integration/test_planner_equivalence.py). It decides as it always did: each
unit's periods with ``owed_between``, each open obligation's due stages with
``_due_reminders``, each message's recipients by walking up the tree, each text rendered on its
own. Only its lookups are remembered within a tick (which obligations and outbox keys exist,
who receives what for a unit and role), so that a year of ticks runs in seconds instead of
minutes; what it writes goes through the same ``ensure_obligation`` and ``enqueue``.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog, Duty
from jobs.people.absence_summary import queue_return_summaries
from jobs.planning.obligations import owed_between
from jobs.planning.planner import PlanResult, recipients
from jobs.planning.reminders import (
    DueReminder,
    OpenObligation,
    latest_stages,
    schedule,
    stage_key,
)
from jobs.text.i18n import translator
from jobs.text.reminder_texts import About, for_stage, in_brief
from storage.models import Member, Obligation, Outbox
from storage.obligations import ensure_obligation, open_obligations
from storage.outbox import enqueue
from storage.units import all_units

_LOOKBACK = dt.timedelta(days=366)


def plan(session: Session, *, now: dt.datetime, catalog: Catalog,
         calendar: WorkCalendar) -> PlanResult:
    """Create the obligations now owed and queue every reminder and escalation due at ``now``."""
    created = ensure_owed_obligations(session, now=now, catalog=catalog, calendar=calendar)
    queued = queue_due_reminders(session, now=now, catalog=catalog, calendar=calendar)
    queued += queue_return_summaries(session, now=now, catalog=catalog, calendar=calendar)
    return PlanResult(created, queued)


def ensure_owed_obligations(session: Session, *, now: dt.datetime, catalog: Catalog,
                            calendar: WorkCalendar) -> int:
    """Store the catalog obligations of every active unit that fall due soon enough to remind."""
    today = now.astimezone(calendar.tz).date()
    horizon = max((max(d.lead_days, default=0) for d in catalog.duties), default=0) + 1
    existing = set(session.exec(select(Obligation.unit_id, Obligation.duty_key,
                                       Obligation.period)))
    created = 0
    for unit in all_units(session, active_only=True):
        joined = unit.created_at.astimezone(calendar.tz).date() if unit.created_at else today
        start = max(joined, today - _LOOKBACK)
        for owed in owed_between(catalog, unit.kind, start, today + dt.timedelta(days=horizon),
                                 calendar):
            if (unit.id, owed.duty_key, owed.period) in existing:
                continue
            _, new = ensure_obligation(session, unit_id=unit.id, duty_key=owed.duty_key,
                                       period=owed.period, due=owed.due, now=now)
            created += new
    return created


def queue_due_reminders(session: Session, *, now: dt.datetime, catalog: Catalog,
                        calendar: WorkCalendar) -> int:
    """Put every reminder and escalation due at ``now`` into the outbox, once per recipient."""
    duties = {d.key: d for d in catalog.duties}
    rows = [(o, u) for o, u in open_obligations(session) if o.duty_key in duties]
    by_id = {o.id: (o, u) for o, u in rows}
    opens = [OpenObligation(o.id, u.code, o.duty_key, o.period, o.due) for o, u in rows]
    today = now.astimezone(calendar.tz).date()
    queued = 0
    known = set(session.exec(select(Outbox.unique_key)))
    found: dict[tuple[int, str], list[Member]] = {}
    for reminder in _due_reminders(now, opens, duties, calendar):
        obligation, unit = by_id[reminder.obligation.id]
        role = reminder.stage.recipient_role
        key = stage_key(obligation.id, obligation.due, reminder.stage)
        if (unit.id, role) not in found:
            found[unit.id, role] = recipients(session, unit=unit, role=role, day=today)
        for member in found[unit.id, role]:
            if f"{key}:{member.id}" in known:
                continue
            tr = translator(member.language)
            about = About(obligation.id, unit.name, catalog.duty(obligation.duty_key),
                          obligation.period, obligation.due, obligation.note)
            message = for_stage(reminder.stage.track, reminder.stage.recipient_role, about, today,
                                tr)
            # The brief that a morning's message gathers (jobs/delivery/morning.py).
            brief = in_brief(reminder.stage.track, about, today, tr)
            queued += enqueue(session, key=f"{key}:{member.id}", member=member,
                              kind=_kind(reminder), payload={**message.to_payload(),
                                                             "brief": brief},
                              now=now, obligation_id=obligation.id)
    return queued


def _due_reminders(now: dt.datetime, obligations: list[OpenObligation],
                   duties: dict[str, Duty], calendar: WorkCalendar) -> list[DueReminder]:
    """The latest stage of each track of each open obligation that has come due by ``now``;
    none outside office hours on a working day."""
    if not calendar.in_office_hours(now):
        return []
    due = [
        DueReminder(obligation, stage, calendar.send_slot(stage.day))
        for obligation in obligations
        for stage in latest_stages(
            schedule(obligation.due, duties[obligation.duty_key], calendar), now, calendar
        ).values()
    ]
    return sorted(due, key=lambda r: (r.send_at, r.obligation.id, r.stage.track))


def _kind(reminder: DueReminder) -> str:
    return "reminder" if reminder.stage.track == "remind" else "escalation"

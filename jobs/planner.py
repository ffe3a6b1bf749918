"""The planning step the scheduler runs: create owed obligations, put due reminders in the outbox.

Decisions and outbox rows are written in one transaction, so a crash either keeps both or
neither; the outbox's unique key makes running the step twice harmless.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from jobs.calendar import WorkCalendar
from jobs.catalog import Catalog, by_catalog
from jobs.i18n import translator
from jobs.linking import preferred
from jobs.obligations import owed_between
from jobs.reminder_texts import About, for_stage
from jobs.reminders import DueReminder, OpenObligation, due_reminders
from storage.members import members_of
from storage.models import Member, Obligation, Role, Unit
from storage.obligations import ensure_obligation, open_obligations
from storage.outbox import enqueue
from storage.units import all_units, ancestors

# How far back a newly seen period may reach: a year, so a bot that was down still catches up,
# but never before the unit was registered (no one owes what was due before they joined).
_LOOKBACK = dt.timedelta(days=366)


@dataclass(frozen=True)
class PlanResult:
    """What one planning step did."""

    obligations_created: int
    messages_queued: int


def plan(session: Session, *, now: dt.datetime, catalog: Catalog,
         calendar: WorkCalendar) -> PlanResult:
    """Create the obligations now owed and queue every reminder and escalation due at ``now``."""
    created = ensure_owed_obligations(session, now=now, catalog=catalog, calendar=calendar)
    queued = queue_due_reminders(session, now=now, catalog=catalog, calendar=calendar)
    return PlanResult(created, queued)


def ensure_owed_obligations(session: Session, *, now: dt.datetime, catalog: Catalog,
                            calendar: WorkCalendar) -> int:
    """Store the catalog obligations of every active unit that fall due soon enough to remind.

    Each unit's come from the catalog of its province (:meth:`Catalog.for_unit`).
    """
    today = now.astimezone(calendar.tz).date()
    horizon = max((max(d.lead_days, default=0) for c in catalog.every_catalog()
                   for d in c.duties), default=0) + 1
    created = 0
    for unit in all_units(session, active_only=True):
        joined = unit.created_at.astimezone(calendar.tz).date() if unit.created_at else today
        start = max(joined, today - _LOOKBACK)
        for owed in owed_between(catalog.for_unit(unit.code), unit.kind, start,
                                 today + dt.timedelta(days=horizon), calendar):
            _, new = ensure_obligation(session, unit_id=unit.id, duty_key=owed.duty_key,
                                       period=owed.period, due=owed.due, now=now)
            created += new
    return created


def queue_due_reminders(session: Session, *, now: dt.datetime, catalog: Catalog,
                        calendar: WorkCalendar) -> int:
    """Put every reminder and escalation due at ``now`` into the outbox, once per recipient.

    Each obligation is timed by the catalog of its unit's province.
    """
    known = set(catalog.keys())
    rows = [(o, u) for o, u in open_obligations(session) if o.duty_key in known]
    by_id = {o.id: (o, u) for o, u in rows}
    due: list[DueReminder] = []
    for unit_catalog, group in by_catalog(catalog, rows, lambda row: row[1].code):
        opens = [OpenObligation(o.id, u.code, o.duty_key, o.period, o.due) for o, u in group]
        due += due_reminders(now, opens, {d.key: d for d in unit_catalog.duties}, calendar)
    due.sort(key=lambda r: (r.send_at, r.obligation.id, r.stage.track))
    today = now.astimezone(calendar.tz).date()
    queued = 0
    for reminder in due:
        obligation, unit = by_id[reminder.obligation.id]
        for member in recipients(session, unit=unit, role=reminder.stage.recipient_role):
            tr = translator(member.language)
            about = about_obligation(obligation, unit, catalog, tr.lang)
            message = for_stage(reminder.stage.track, reminder.stage.recipient_role, about, today,
                                tr)
            queued += enqueue(session, key=f"{reminder.key}:{member.id}", member=member,
                              kind=_kind(reminder), payload=message.to_payload(), now=now,
                              obligation_id=obligation.id)
    return queued


def _kind(reminder: DueReminder) -> str:
    return "reminder" if reminder.stage.track == "remind" else "escalation"


def recipients(session: Session, *, unit: Unit, role: str) -> list[Member]:
    """Who receives a message meant for ``role`` of ``unit``.

    Officers and heads are the unit's own; supervisors are those of the nearest unit above
    (or the unit itself) that has any. A person with a Telegram and a Zalo account gets it on
    the one(s) they chose (:func:`jobs.linking.preferred`).
    """
    if role != Role.SUPERVISOR:
        return preferred(members_of(session, unit_ids=[unit.id], roles=[role]))
    for candidate in [unit, *ancestors(session, unit=unit)]:
        found = members_of(session, unit_ids=[candidate.id], roles=[Role.SUPERVISOR])
        if found:
            return preferred(found)
    return []


def about_obligation(obligation: Obligation, unit: Unit, catalog: Catalog, lang: str) -> About:
    """What a message about ``obligation`` needs to say, in the words of the catalog of
    ``unit``'s province."""
    return About(obligation.id, unit.name, catalog.for_unit(unit.code).duty(obligation.duty_key),
                 obligation.period, obligation.due, obligation.note, obligation.label)

"""The summary an officer gets on return: what was sent to whom while they were away, what was
done meanwhile, and what is still open.

Queued by the planning step once an absence is over (its last day is past), for the first
office slot of the next working day, once per absence (the outbox key); an absence that ended
more than :data:`LOOK_BACK` ago is not summarised any more.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Message
from jobs.people.linking import person_of, preferred
from jobs.text.i18n import Translator, translator
from jobs.text.labels import named_period
from jobs.text.reminder_texts import days_left_text
from storage.absences import absences_ended, done_during, sent_during, unit_members
from storage.models import Absence, Member, Obligation, Unit
from storage.obligations import open_obligations
from storage.outbox import enqueue

LOOK_BACK = dt.timedelta(days=30)
KIND = "absence_summary"
LISTED = 15  # lines per list; the rest are counted


def queue_return_summaries(session: Session, *, now: dt.datetime, catalog: Catalog,
                           calendar: WorkCalendar) -> int:
    """Queue the summary of every absence that is over; returns how many were new."""
    today = now.astimezone(calendar.tz).date()
    queued = 0
    for absence in absences_ended(session, since=today - LOOK_BACK, before=today):
        officer = session.get(Member, absence.member_id)
        unit = session.get(Unit, absence.unit_id)
        if officer is None or not officer.active or unit is None or not unit.active:
            continue
        back = calendar.send_slot(calendar.on_or_after(absence.ends + dt.timedelta(days=1)))
        rows = [m for m in unit_members(session, unit_id=unit.id)
                if person_of(m) == person_of(officer)]
        for member in preferred(rows):
            text = return_summary(session, absence=absence, unit=unit, catalog=catalog,
                                  calendar=calendar, today=today,
                                  tr=translator(member.language))
            queued += enqueue(session, key=f"back:{absence.id}:{member.id}", member=member,
                              kind=KIND, payload=Message(text).to_payload(), now=now,
                              not_before=max(back, now))
    return queued


def return_summary(session: Session, *, absence: Absence, unit: Unit, catalog: Catalog,
                   calendar: WorkCalendar, today: dt.date, tr: Translator) -> str:
    """The text of the summary of ``absence``."""
    since = dt.datetime.combine(absence.starts, dt.time(0), tzinfo=calendar.tz)
    until = dt.datetime.combine(absence.ends + dt.timedelta(days=1), dt.time(0),
                                tzinfo=calendar.tz)
    lines = [tr._("Welcome back. While you were away ({start} – {end}), for {unit}:").format(
        start=tr.short_date(absence.starts), end=tr.short_date(absence.ends), unit=unit.name)]
    sent = _sent(session, unit, since, until, catalog, calendar, tr)
    lines += ["", tr._("Reminders and notices sent ({n}):").format(n=len(sent))] if sent \
        else ["", tr._("No reminders were sent.")]
    lines += _limited(sent, tr)
    done = [tr._("• {duty} — receipt {reference}").format(
                duty=_duty(o, catalog, tr), reference=e.reference)
            for o, e in done_during(session, unit_id=unit.id, since=since, until=until)]
    if done:
        lines += ["", tr._("Done meanwhile ({n}):").format(n=len(done)), *_limited(done, tr)]
    still = [f"• {_duty(o, catalog, tr)}: {tr.short_date(o.due)}, "
             f"{days_left_text(o.due, today, tr)}"
             for o, _ in open_obligations(session, unit_ids=[unit.id])
             if catalog.get(o.duty_key) is not None]
    lines += ["", tr._("Still open ({n}):").format(n=len(still)), *_limited(still, tr)] \
        if still else ["", tr._("Nothing is open now. 👍")]
    lines += ["", tr._("Type /viec to see your open duties.")]
    return "\n".join(lines)


def _sent(session: Session, unit: Unit, since: dt.datetime, until: dt.datetime,
          catalog: Catalog, calendar: WorkCalendar, tr: Translator) -> list[str]:
    """"• Báo cáo quý (quý 4/2026) → Minh, 11/12/2026": once per duty and recipient."""
    seen: set[tuple[int, int]] = set()
    lines = []
    for row, member, obligation in sent_during(session, unit_id=unit.id, since=since,
                                               until=until,
                                               kinds=("reminder", "escalation", "directive")):
        if (obligation.id, person_of(member)) in seen:
            continue
        seen.add((obligation.id, person_of(member)))
        lines.append(tr._("• {duty} → {name}, {date}").format(
            duty=_duty(obligation, catalog, tr), name=member.display_name or tr._("colleague"),
            date=tr.short_date((row.sent_at or row.created_at).astimezone(calendar.tz).date())))
    return lines


def _duty(obligation: Obligation, catalog: Catalog, tr: Translator) -> str:
    duty = catalog.get(obligation.duty_key)
    title = duty.title.get(tr.lang) if duty is not None else obligation.duty_key
    return f"{title} ({named_period(obligation, tr)})"


def _limited(lines: list[str], tr: Translator) -> list[str]:
    if len(lines) <= LISTED:
        return lines
    return [*lines[:LISTED], tr._("… and {n} more").format(n=len(lines) - LISTED)]

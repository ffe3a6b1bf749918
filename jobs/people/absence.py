"""An officer away: who receives the unit's officer reminders on a date, and the summary the
officer gets on return.

The rule, in one place for every planner (:func:`cover` is pure; :func:`officer_recipients`
and :func:`away_by_unit` load what it needs, one unit or all units at once):

- officers who are not away receive them, as always;
- an officer away from ``starts`` to ``ends`` (inclusive) is replaced by the substitute they
  named, a member of the same unit, or by the unit head when they named none;
- a unit with no active officer at all has them escalated to its head (and its supervisors
  read "no ISO officer" in their digest);
- nobody else left to receive them: the officers themselves, rather than nobody.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlmodel import Session

from jobs.calendar.workdays import WorkCalendar
from jobs.delivery.messages import Message
from jobs.people.linking import person_of, preferred
from jobs.text.i18n import Translator, translator
from storage.absences import absences_of, absences_on, add_absence, unit_members
from storage.models import Absence, Member, Role, Unit
from storage.outbox import enqueue

MAX_DAYS = 184  # half a year: longer than that, the role should be handed over


class _Person(Protocol):
    id: int
    role: str
    person_id: int | None


M = TypeVar("M", bound=_Person)


@dataclass(frozen=True)
class Away:
    """An absence as the rule needs it: whose (the person) and who stands in (a member id)."""

    person: int
    substitute_id: int | None


def cover(members: Sequence[M], away: Sequence[Away]) -> list[M]:
    """Of a unit's active ``members``, who receives its officer messages while ``away``."""
    officers = [m for m in members if m.role == Role.OFFICER]
    heads = [m for m in members if m.role == Role.HEAD]
    absent = {a.person for a in away}
    chosen = [o for o in officers if person_of(o) not in absent]
    for a in away:
        if not any(person_of(o) == a.person for o in officers):
            continue  # the absence of someone who is no longer an officer here
        standing_in = next((m for m in members if m.id == a.substitute_id), None)
        if standing_in is not None and person_of(standing_in) not in absent:
            chosen += [m for m in members if person_of(m) == person_of(standing_in)]
        else:
            chosen += heads
    if not officers:
        chosen = heads
    unique = list({m.id: m for m in chosen}.values())
    return unique or officers


def officer_recipients(session: Session, *, unit_id: int, day: dt.date) -> list[Member]:
    """Who receives the officer reminders of ``unit_id`` on ``day`` (on their chosen
    messenger, :func:`jobs.people.linking.preferred`)."""
    members = unit_members(session, unit_id=unit_id)
    return preferred(cover(members, away_by_unit(session, day=day, unit_ids=[unit_id])
                           .get(unit_id, [])))


def away_by_unit(session: Session, *, day: dt.date,
                 unit_ids: Sequence[int] | None = None) -> dict[int, list[Away]]:
    """The absences covering ``day``, per unit, for :func:`cover` (all units when None)."""
    found: dict[int, list[Away]] = {}
    for absence in absences_on(session, day=day, unit_ids=unit_ids):
        member = session.get(Member, absence.member_id)
        if member is not None:
            found.setdefault(absence.unit_id, []).append(
                Away(person_of(member), absence.substitute_id))
    return found


@dataclass(frozen=True)
class Declared:
    """An absence recorded, or the ``problem`` that stopped it."""

    absence: Absence | None = None
    problem: str | None = None  # order, past, too_long, substitute, overlap


def declare_absence(session: Session, *, member: Member, starts: dt.date, ends: dt.date,
                    substitute: Member | None, created_by: str, now: dt.datetime,
                    calendar: WorkCalendar) -> Declared:
    """Record that the officer ``member`` is away from ``starts`` to ``ends``, replaced by
    ``substitute`` (a member of the same unit) or, when None, by the unit head."""
    today = now.astimezone(calendar.tz).date()
    if ends < starts:
        return Declared(problem="order")
    if ends < today:
        return Declared(problem="past")
    if (ends - starts).days + 1 > MAX_DAYS:
        return Declared(problem="too_long")
    if substitute is not None and (not substitute.active or substitute.unit_id != member.unit_id
                                   or person_of(substitute) == person_of(member)):
        return Declared(problem="substitute")
    mine = absences_of(session, member_ids=[member.id], ending_from=today)
    if any(a.starts <= ends and starts <= a.ends for a in mine):
        return Declared(problem="overlap")
    absence = add_absence(session, absence=Absence(
        member_id=member.id, unit_id=member.unit_id, starts=starts, ends=ends,
        substitute_id=substitute.id if substitute else None, created_by=created_by,
        created_at=now))
    for person in standing_in(session, absence=absence):
        tr = translator(person.language)
        text = tr._("{name} ({unit}) is away from {start} to {end}. Meanwhile the unit's ISO "
                    "reminders come to you.").format(
            name=member.display_name or tr._("colleague"), unit=unit_name(session, member),
            start=tr.date(starts), end=tr.date(ends))
        enqueue(session, key=f"absence:{absence.id}:{person.id}", member=person, kind="notice",
                payload=Message(text).to_payload(), now=now)
    return Declared(absence)


def standing_in(session: Session, *, absence: Absence) -> list[Member]:
    """Who receives the absent officer's reminders: the substitute, else the unit's heads."""
    members = unit_members(session, unit_id=absence.unit_id)
    substitute = next((m for m in members if m.id == absence.substitute_id), None)
    if substitute is not None:
        return preferred([m for m in members if person_of(m) == person_of(substitute)])
    return preferred([m for m in members if m.role == Role.HEAD])


def unit_name(session: Session, member: Member) -> str:
    unit = session.get(Unit, member.unit_id)
    return unit.name if unit is not None else ""


def cancel_absences(session: Session, *, member: Member, now: dt.datetime,
                    calendar: WorkCalendar) -> int:
    """Cancel the current and coming absences of ``member``; returns how many."""
    today = now.astimezone(calendar.tz).date()
    cancelled = 0
    for absence in absences_of(session, member_ids=[member.id], ending_from=today):
        absence.cancelled_at = now
        session.add(absence)
        cancelled += 1
    return cancelled


def problem_text(problem: str, tr: Translator) -> str:
    """Why an absence was not recorded, in one sentence."""
    return {
        "order": tr._("The last day comes before the first. Nothing was recorded."),
        "past": tr._("These days are over already. Nothing was recorded."),
        "too_long": tr._("An absence is at most six months; for longer, the officer's role is "
                         "handed over. Nothing was recorded."),
        "substitute": tr._("The substitute must act for the same unit, and be someone else. "
                           "Nothing was recorded."),
        "overlap": tr._("An absence is recorded for some of these days already. Nothing was "
                        "recorded."),
    }[problem]

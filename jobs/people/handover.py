"""An officer's role handed to another member, or an officer removed: nobody's duties are left
with nobody.

A handover makes the receiving member an officer of the unit (a new membership of their
account) and ends the former officer's; the newcomer gets a training duty, like any new officer.
A removal ends one membership. Either way the unit's reminders follow at once (they go to the
unit's active officers, :mod:`jobs.people.absence`), the people concerned and the supervisors are
told, and a unit left with no officer is escalated to its head.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Message
from jobs.people.absence import cancel_absences
from jobs.people.linking import person_of
from jobs.planning.duty_events import officer_joined
from jobs.planning.planner import recipients
from jobs.text.i18n import N_, Translator, translator
from storage.absences import unit_members
from storage.members import find_member
from storage.models import Member, Role, Unit
from storage.outbox import enqueue

#: What a head reads while the unit has no ISO officer (also in :mod:`jobs.people.joining`).
HEAD_UNTIL_AN_OFFICER = N_("Until a new officer registers, the unit's ISO reminders come to you. "
                           "Please ask the ISO standing office for an invite code for the new "
                           "officer.")


@dataclass(frozen=True)
class HandedOver:
    """The new officer membership, or the ``problem`` that stopped the handover."""

    officer: Member | None = None
    problem: str | None = None  # not_officer, receiver


def name_of(member: Member, tr: Translator) -> str:
    """How a member is named in messages."""
    return member.display_name or tr._("colleague")


def hand_over(session: Session, *, officer: Member, to: Member, by: str, now: dt.datetime,
              catalog: Catalog, calendar: WorkCalendar) -> HandedOver:
    """Hand the officer role of ``officer`` to ``to``, an active member of the same unit."""
    if not officer.active or officer.role != Role.OFFICER:
        return HandedOver(problem="not_officer")
    if not to.active or to.unit_id != officer.unit_id or person_of(to) == person_of(officer):
        return HandedOver(problem="receiver")
    new = find_member(session, unit_id=to.unit_id, role=Role.OFFICER, platform=to.platform,
                      user_id=to.platform_user_id)
    if new is None:
        new = Member(unit_id=to.unit_id, role=Role.OFFICER, platform=to.platform,
                     platform_user_id=to.platform_user_id, chat_id=to.chat_id,
                     display_name=to.display_name, language=to.language, joined_at=now,
                     person_id=person_of(to))  # the same person, acting in a new role
    new.active = True
    session.add(new)
    session.flush()
    leaving = [m for m in unit_members(session, unit_id=officer.unit_id)
               if m.role == Role.OFFICER and person_of(m) == person_of(officer)]
    for member in leaving:
        _leave(session, member, now=now, calendar=calendar)
    officer_joined(session, member=new, now=now, catalog=catalog, calendar=calendar)
    unit = session.get(Unit, officer.unit_id)
    _tell_handover(session, unit=unit, old=officer, new=new, by=by, now=now)
    return HandedOver(officer=new)


def remove_member(session: Session, *, member: Member, by: str, now: dt.datetime,
                  calendar: WorkCalendar) -> None:
    """End ``member``'s membership; when it was the unit's last officer, the head hears."""
    remove_memberships(session, members=[member], by=by, now=now, calendar=calendar)


def remove_memberships(session: Session, *, members: list[Member], by: str, now: dt.datetime,
                       calendar: WorkCalendar, named: bool = True) -> None:
    """End one person's ``members`` (all their accounts, when they leave isobot) at once: each
    unit that loses an officer tells its remaining officers once, or its head when none is
    left; by the person's name, or (``named`` False: they leave isobot and their name with
    it) as "a member of the unit"."""
    for member in members:
        _leave(session, member, now=now, calendar=calendar)
    told: set[int] = set()
    for member in members:
        if member.role != Role.OFFICER or member.unit_id in told:
            continue
        told.add(member.unit_id)
        unit = session.get(Unit, member.unit_id)
        remaining = [m for m in unit_members(session, unit_id=unit.id) if m.role == Role.OFFICER]
        for officer in remaining:
            tr = translator(officer.language)
            text = tr._("{name} no longer acts as ISO officer of {unit}. The unit's reminders "
                        "now come to the remaining officers, you among them.") if named else \
                tr._("A member of {unit} no longer acts as its ISO officer. The unit's "
                     "reminders now come to the remaining officers, you among them.")
            _notice(session, officer, f"left:{member.id}", now,
                    text.format(name=name_of(member, tr), unit=unit.name))
        if not remaining:
            tell_vacancy(session, unit=unit, left=member, now=now, named=named)


def _who_left(member: Member, unit: Unit, tr: Translator, named: bool) -> str:
    return name_of(member, tr) if named else tr._("a member of {unit}").format(unit=unit.name)


def _leave(session: Session, member: Member, *, now: dt.datetime,
           calendar: WorkCalendar) -> None:
    member.active = False
    session.add(member)
    cancel_absences(session, member=member, now=now, calendar=calendar)


def tell_vacancy(session: Session, *, unit: Unit, left: Member, now: dt.datetime,
                 named: bool = True) -> None:
    """Tell the head and the supervisors that ``unit`` has no ISO officer any more."""
    heads = recipients(session, unit=unit, role=Role.HEAD)
    head_ids = {h.id for h in heads}
    for person in [*heads, *recipients(session, unit=unit, role=Role.SUPERVISOR)]:
        tr = translator(person.language)
        text = tr._("⚠️ {unit} has no ISO officer now: {name} no longer acts for it.").format(
            unit=unit.name, name=_who_left(left, unit, tr, named))
        if person.id in head_ids:
            text += "\n" + tr._(HEAD_UNTIL_AN_OFFICER)
        else:
            text += "\n" + tr._("Its reminders go to the head of the unit meanwhile. Please have "
                                "a new officer registered.")
        _notice(session, person, f"vacant:{unit.id}:{left.id}", now, text)


def _tell_handover(session: Session, *, unit: Unit, old: Member, new: Member, by: str,
                   now: dt.datetime) -> None:
    tr = translator(new.language)
    _notice(session, new, f"handover:{new.id}:new", now, tr._(
        "You are now the ISO officer of {unit}, taking over from {old}. isobot will send you "
        "the unit's reminders. Type /viec to see its open duties.").format(
        unit=unit.name, old=name_of(old, tr)))
    tr = translator(old.language)
    _notice(session, old, f"handover:{new.id}:old", now, tr._(
        "Your role as ISO officer of {unit} has been handed over to {new}. You will no longer "
        "receive the unit's reminders.").format(unit=unit.name, new=name_of(new, tr)))
    for supervisor in recipients(session, unit=unit, role=Role.SUPERVISOR):
        tr = translator(supervisor.language)
        _notice(session, supervisor, f"handover:{new.id}:{supervisor.id}", now, tr._(
            "{unit}: the ISO officer role passed from {old} to {new} ({by}).").format(
            unit=unit.name, old=name_of(old, tr), new=name_of(new, tr), by=by))


def _notice(session: Session, member: Member, key: str, now: dt.datetime, text: str) -> None:
    enqueue(session, key=f"{key}:{member.id}", member=member, kind="notice",
            payload=Message(text).to_payload(), now=now)

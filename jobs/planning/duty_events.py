"""Events that create duties: a QMS built or changed, units merged, a new officer."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.planning.obligations import event_due_date
from jobs.text.labels import TRAINING_PREFIX
from storage.models import Member, Obligation, ObligationSource, ObligationStatus, Unit
from storage.obligations import Origin, cancel_pending_messages, ensure_obligation
from storage.unit_history import Change, record_changes
from storage.units import subtree_ids

QMS_EVENTS = ("built", "scope_changed", "merged")


def announcement_due(session: Session, *, unit: Unit, event: str, on: dt.date,
                     now: dt.datetime, catalog: Catalog, calendar: WorkCalendar) -> Obligation:
    """An ``announcement`` obligation: the QMS was built or changed (Art. 4.3, 19/2014)."""
    if event not in QMS_EVENTS:
        raise ValueError(f"unknown QMS event {event!r}")
    duty = catalog.duty("announcement")
    return ensure_obligation(session, unit_id=unit.id, duty_key=duty.key,
                             period=f"{event}-{on.isoformat()}",
                             due=event_due_date(duty, on, calendar), now=now,
                             origin=Origin(ObligationSource.EVENT, note=event))[0]


def merge_units(session: Session, *, merged: Unit, into: Unit, now: dt.datetime,
                catalog: Catalog, calendar: WorkCalendar, on: dt.date | None = None) -> Obligation:
    """Merge ``merged`` into ``into`` on ``on`` (default today): history kept, the QMS re-announced.

    The merged unit stays in the database, inactive and pointing at ``into``, so its records
    remain readable under its own code; its active children, members and open duties go to ``into``
    (a duty ``into`` already owes for the same period is not owed twice).
    """
    if merged.id == into.id or into.id in subtree_ids(session, unit_id=merged.id):
        # Into itself or a unit below it: the tree would lose its root and units would vanish.
        raise ValueError("a unit cannot be merged into itself or a unit below it")
    return hand_over(session, merged=merged, into=into, now=now, catalog=catalog,
                     calendar=calendar, on=on)


def hand_over(session: Session, *, merged: Unit, into: Unit, now: dt.datetime,
              catalog: Catalog, calendar: WorkCalendar, on: dt.date | None = None) -> Obligation:
    """The merge itself, for a caller that has checked ``into`` is not below ``merged`` (a
    reorganisation plan checks all its merges at once, not walking the tree for each)."""
    day = on or now.astimezone(calendar.tz).date()
    changes = [Change(merged.id, "merged", day, merged.code, into.code)]
    for child in session.exec(select(Unit).where(Unit.parent_id == merged.id, Unit.active)):
        child.parent_id = into.id
        session.add(child)
        changes.append(Change(child.id, "moved", day, merged.code, into.code))
    reason = f"merged into {into.code} on {day.isoformat()}"
    for obligation in end_open_obligations(session, unit=merged, reason=reason):
        ensure_obligation(session, unit_id=into.id, duty_key=obligation.duty_key,
                          period=obligation.period, due=obligation.due, now=now,
                          origin=Origin(obligation.source, obligation.source_ref,
                                        obligation.note, obligation.label))
    _move_members(session, merged=merged, into=into)
    merged.active, merged.merged_into_id = False, into.id
    session.add(merged)
    record_changes(session, changes=changes, now=now)
    return announcement_due(session, unit=into, event="merged", on=day, now=now,
                            catalog=catalog, calendar=calendar)


def end_open_obligations(session: Session, *, unit: Unit, reason: str) -> list[Obligation]:
    """Cancel ``unit``'s open obligations with ``reason`` (and their pending reminders)."""
    ended = list(session.exec(select(Obligation).where(
        Obligation.unit_id == unit.id, Obligation.status == ObligationStatus.OPEN)))
    for obligation in ended:
        obligation.status, obligation.cancel_reason = ObligationStatus.CANCELLED, reason
        session.add(obligation)
        cancel_pending_messages(session, obligation_id=obligation.id)
    return ended


def _move_members(session: Session, *, merged: Unit, into: Unit) -> None:
    """Members now act for ``into``; an account already there in the same role is not doubled."""
    there = {(m.role, m.platform, m.platform_user_id)
             for m in session.exec(select(Member).where(Member.unit_id == into.id))}
    for member in session.exec(select(Member).where(Member.unit_id == merged.id)):
        if (member.role, member.platform, member.platform_user_id) in there:
            member.active = False
        else:
            member.unit_id = into.id
        session.add(member)


def officer_joined(session: Session, *, member: Member, now: dt.datetime, catalog: Catalog,
                   calendar: WorkCalendar) -> Obligation:
    """A ``training`` obligation for a new officer: staff rotate, and newcomers must be trained.

    People know it by the officer's name (its ``label``); the period ``T-<member id>`` is only
    its key.
    """
    duty = catalog.duty("training")
    today = now.astimezone(calendar.tz).date()
    name = member.display_name.strip() or None
    return ensure_obligation(session, unit_id=member.unit_id, duty_key=duty.key,
                             period=f"{TRAINING_PREFIX}{member.id}",
                             due=event_due_date(duty, today, calendar), now=now,
                             origin=Origin(ObligationSource.EVENT, note=name,
                                           label=name))[0]

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
                catalog: Catalog, calendar: WorkCalendar) -> Obligation:
    """Merge ``merged`` into ``into``: history kept, open duties closed, the QMS re-announced.

    The merged unit stays in the database, inactive and pointing at ``into``, so its records
    remain readable; its children move under ``into``.
    """
    if merged.id == into.id or into.id in subtree_ids(session, unit_id=merged.id):
        # Into itself or a unit below it: the tree would lose its root and units would vanish.
        raise ValueError("a unit cannot be merged into itself or a unit below it")
    for child in session.exec(select(Unit).where(Unit.parent_id == merged.id)):
        child.parent_id = into.id
        session.add(child)
    for obligation in session.exec(select(Obligation).where(
            Obligation.unit_id == merged.id, Obligation.status == ObligationStatus.OPEN)):
        obligation.status = ObligationStatus.CANCELLED
        session.add(obligation)
        cancel_pending_messages(session, obligation_id=obligation.id)
    for member in session.exec(select(Member).where(Member.unit_id == merged.id)):
        member.active = False
        session.add(member)
    merged.active, merged.merged_into_id = False, into.id
    session.add(merged)
    today = now.astimezone(calendar.tz).date()
    return announcement_due(session, unit=into, event="merged", on=today, now=now,
                            catalog=catalog, calendar=calendar)


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

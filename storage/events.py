"""The append-only evidence log."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import Event, Obligation, Unit

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def append_event(session: Session, *, event: Event) -> Event:
    """Store ``event`` and give it its receipt reference, e.g. ``ISO-2026-000042``.

    The reference is derived from the row id, so it is unique and never reused; it is set in
    the same transaction as the insert.
    """
    event.reference = f"tmp-{uuid.uuid4().hex[:24]}"  # fits the column until the id is known
    session.add(event)
    session.flush()
    # The year as people in Vietnam count it: an event at 20:00 UTC on 31/12 is in January.
    event.reference = f"ISO-{event.at.astimezone(VIETNAM_TZ).year}-{event.id:06d}"
    session.add(event)
    session.flush()
    return event


def events_of_units(
    session: Session, *, unit_ids: Iterable[int] | None = None, since: dt.datetime | None = None
) -> list[tuple[Event, Unit, Obligation | None]]:
    """Events (of ``unit_ids``, or all) in time order, with their unit and obligation."""
    query = (
        select(Event, Unit, Obligation)
        .join(Unit, Unit.id == Event.unit_id)
        .join(Obligation, Obligation.id == Event.obligation_id, isouter=True)
        .order_by(Event.at, Event.id)
    )
    if unit_ids is not None:
        query = query.where(col(Event.unit_id).in_(list(unit_ids)))
    if since is not None:
        query = query.where(col(Event.at) >= since)
    return list(session.exec(query))


def event_by_reference(session: Session, *, reference: str) -> Event | None:
    """The event with receipt ``reference`` ("ISO-2026-000002"), any letter case."""
    return session.exec(select(Event).where(Event.reference == reference.strip().upper())).first()


def corrections_of(session: Session, *, event_id: int) -> list[Event]:
    """The events that correct event ``event_id``, oldest first."""
    return list(session.exec(select(Event).where(Event.correction_of_id == event_id)
                             .order_by(Event.id)))


def correction_of(session: Session, *, event_id: int) -> Event | None:
    """The event that corrects event ``event_id``, if it was corrected."""
    return session.exec(select(Event).where(Event.correction_of_id == event_id)
                        .order_by(Event.id)).first()


def latest_version(session: Session, *, event: Event) -> Event:
    """``event`` as last corrected: the end of the chain of corrections that starts at it."""
    seen = {event.id}
    while (newer := correction_of(session, event_id=event.id)) is not None \
            and newer.id not in seen:
        seen.add(newer.id)
        event = newer
    return event


def recent_uncorrected(session: Session, *, unit_ids: Iterable[int],
                       limit: int) -> list[Event]:
    """The newest events of ``unit_ids`` that no later event corrects, newest first."""
    newer = aliased(Event)
    query = (select(Event).join(newer, newer.correction_of_id == Event.id, isouter=True)
             .where(col(Event.unit_id).in_(list(unit_ids)), col(newer.id).is_(None))
             .order_by(col(Event.id).desc()).limit(limit))
    return list(session.exec(query))

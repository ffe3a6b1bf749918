"""Queries for the exports: every obligation and every event, with what a row needs beside them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import Event, Obligation, Unit


def obligations_for_export(
    session: Session, *, unit_ids: Iterable[int] | None = None
) -> list[tuple[Obligation, Unit, Event | None]]:
    """Obligations (of ``unit_ids``, or all) with their unit and the event that closed them
    (its receipt number, and the document number and date it cites).

    Units of any state are included: a merged unit's records stay readable. Ordered by unit
    code, due date and duty.
    """
    done = aliased(Event)
    query = (
        select(Obligation, Unit, done)
        .join(Unit, Unit.id == Obligation.unit_id)
        .join(done, done.id == Obligation.done_event_id, isouter=True)
        .order_by(Unit.code, Obligation.due, Obligation.duty_key, Obligation.period,
                  Obligation.id)
    )
    if unit_ids is not None:
        query = query.where(col(Obligation.unit_id).in_(list(unit_ids)))
    return [(obligation, unit, event) for obligation, unit, event in session.exec(query)]


def events_for_export(
    session: Session, *, unit_ids: Iterable[int] | None = None
) -> list[tuple[Event, Unit, Obligation | None, str | None, str | None]]:
    """Events (of ``unit_ids``, or all) with their unit, obligation, the reference of the event
    each corrects and of the event that corrects it (both kept: nothing is overwritten).

    Units of any state are included. Ordered by time, then id (the order they were logged).
    """
    corrected, correcting = aliased(Event), aliased(Event)
    query = (
        select(Event, Unit, Obligation, corrected.reference, correcting.reference)
        .join(Unit, Unit.id == Event.unit_id)
        .join(Obligation, Obligation.id == Event.obligation_id, isouter=True)
        .join(corrected, corrected.id == Event.correction_of_id, isouter=True)
        .join(correcting, correcting.correction_of_id == Event.id, isouter=True)
        .order_by(Event.at, Event.id)
    )
    if unit_ids is not None:
        query = query.where(col(Event.unit_id).in_(list(unit_ids)))
    return [tuple(row) for row in session.exec(query)]

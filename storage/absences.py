"""Queries on absences, and on what was sent and done while an officer was away."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel import Session, col, select

from storage.models import Absence, Event, Member, Obligation, Outbox, OutboxState, Role


def add_absence(session: Session, *, absence: Absence) -> Absence:
    """Store ``absence``."""
    session.add(absence)
    session.flush()
    return absence


def absences_on(session: Session, *, day: dt.date,
                unit_ids: Iterable[int] | None = None) -> list[Absence]:
    """The absences (not cancelled) that cover ``day``, of ``unit_ids`` or of every unit."""
    query = select(Absence).where(Absence.starts <= day, Absence.ends >= day,
                                  col(Absence.cancelled_at).is_(None))
    if unit_ids is not None:
        query = query.where(col(Absence.unit_id).in_(list(unit_ids)))
    return list(session.exec(query.order_by(Absence.id)))


def absences_of(session: Session, *, member_ids: Iterable[int],
                ending_from: dt.date) -> list[Absence]:
    """The absences (not cancelled) of ``member_ids`` that end on ``ending_from`` or later."""
    return list(session.exec(
        select(Absence).where(col(Absence.member_id).in_(list(member_ids)),
                              Absence.ends >= ending_from, col(Absence.cancelled_at).is_(None))
        .order_by(Absence.starts, Absence.id)))


def absences_ended(session: Session, *, since: dt.date, before: dt.date) -> list[Absence]:
    """The absences (not cancelled) whose last day is in [``since``, ``before``)."""
    return list(session.exec(
        select(Absence).where(Absence.ends >= since, Absence.ends < before,
                              col(Absence.cancelled_at).is_(None))
        .order_by(Absence.ends, Absence.id)))


def sent_during(session: Session, *, unit_id: int, since: dt.datetime, until: dt.datetime,
                kinds: Iterable[str]) -> list[tuple[Outbox, Member, Obligation]]:
    """Messages of ``kinds`` about ``unit_id``'s obligations decided in [since, until), with
    their recipient and obligation, in the order they were decided."""
    return list(session.exec(
        select(Outbox, Member, Obligation)
        .join(Member, Member.id == Outbox.member_id)
        .join(Obligation, Obligation.id == Outbox.obligation_id)
        .where(Obligation.unit_id == unit_id, col(Outbox.kind).in_(list(kinds)),
               Outbox.created_at >= since, Outbox.created_at < until,
               Outbox.state != OutboxState.CANCELLED)
        .order_by(Outbox.created_at, Outbox.id)))


def done_during(session: Session, *, unit_id: int, since: dt.datetime,
                until: dt.datetime) -> list[tuple[Obligation, Event]]:
    """The obligations of ``unit_id`` completed in [since, until), with their evidence."""
    return list(session.exec(
        select(Obligation, Event).join(Event, Event.id == Obligation.done_event_id)
        .where(Obligation.unit_id == unit_id, Obligation.done_at >= since,
               Obligation.done_at < until)
        .order_by(Obligation.done_at, Obligation.id)))


def staffed_units(session: Session) -> set[int]:
    """The units with at least one active officer."""
    return set(session.exec(select(Member.unit_id).where(
        Member.role == Role.OFFICER, Member.active).distinct()))


def unit_members(session: Session, *, unit_id: int) -> list[Member]:
    """Every active member of ``unit_id``, whatever their role, in id order."""
    return list(session.exec(select(Member).where(Member.unit_id == unit_id, Member.active)
                             .order_by(Member.id)))

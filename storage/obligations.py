"""Queries on obligations: create the owed ones, find the open ones, close or re-date one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from storage.models import Obligation, ObligationSource, ObligationStatus, Outbox, OutboxState, Unit


def ensure_obligation(
    session: Session,
    *,
    unit_id: int,
    duty_key: str,
    period: str,
    due: dt.date,
    now: dt.datetime,
    source: str = ObligationSource.CATALOG,
    source_ref: str | None = None,
    note: str | None = None,
    label: str | None = None,
) -> tuple[Obligation, bool]:
    """The obligation of ``unit_id`` for ``duty_key`` and ``period``, created if missing.

    Returns it and whether it was created. An existing one is left as it is: a supervisor may
    have re-dated it.
    """
    existing = session.exec(
        select(Obligation).where(Obligation.unit_id == unit_id, Obligation.duty_key == duty_key,
                                 Obligation.period == period)
    ).first()
    if existing is not None:
        return existing, False
    obligation = Obligation(unit_id=unit_id, duty_key=duty_key, period=period, due=due,
                            source=source, source_ref=source_ref, note=note, label=label,
                            created_at=now)
    try:
        with session.begin_nested():  # another process may create the same one meanwhile
            session.add(obligation)
    except IntegrityError:
        return ensure_obligation(session, unit_id=unit_id, duty_key=duty_key, period=period,
                                 due=due, now=now, source=source, source_ref=source_ref,
                                 note=note, label=label)[0], False
    return obligation, True


def open_obligations(
    session: Session, *, unit_ids: Iterable[int] | None = None
) -> list[tuple[Obligation, Unit]]:
    """Open obligations of active units (all, or of ``unit_ids``), soonest due first."""
    query = (
        select(Obligation, Unit)
        .join(Unit, Unit.id == Obligation.unit_id)
        .where(Obligation.status == ObligationStatus.OPEN, Unit.active)
        .order_by(Obligation.due, Obligation.id)
    )
    if unit_ids is not None:
        query = query.where(col(Obligation.unit_id).in_(list(unit_ids)))
    return list(session.exec(query))


def obligations_of_units(
    session: Session, *, unit_ids: Iterable[int], due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> list[Obligation]:
    """Every obligation (any status) of ``unit_ids`` with a due date in the optional window."""
    query = select(Obligation).where(col(Obligation.unit_id).in_(list(unit_ids)))
    if due_from is not None:
        query = query.where(Obligation.due >= due_from)
    if due_to is not None:
        query = query.where(Obligation.due <= due_to)
    return list(session.exec(query.order_by(Obligation.due, Obligation.id)))


def cancel_pending_messages(session: Session, *, obligation_id: int) -> int:
    """Cancel the unsent reminders of an obligation; returns how many were cancelled."""
    result = session.exec(
        update(Outbox)
        .where(Outbox.obligation_id == obligation_id, Outbox.state == OutboxState.PENDING)
        .values(state=OutboxState.CANCELLED)
    )
    return result.rowcount or 0


def complete_obligation(
    session: Session, *, obligation: Obligation, event_id: int, now: dt.datetime
) -> None:
    """Mark ``obligation`` done by ``event_id`` and cancel its pending reminders."""
    obligation.status = ObligationStatus.DONE
    obligation.done_at = now
    obligation.done_event_id = event_id
    session.add(obligation)
    cancel_pending_messages(session, obligation_id=obligation.id)


def redate_obligation(session: Session, *, obligation: Obligation, due: dt.date) -> None:
    """Give ``obligation`` a new due date; reminders planned for the old one are cancelled."""
    obligation.due = due
    session.add(obligation)
    cancel_pending_messages(session, obligation_id=obligation.id)


def closed_obligation_keys(
    session: Session, *, unit_ids: Iterable[int]
) -> set[tuple[int, str, str]]:
    """(unit id, duty key, period) of every obligation of ``unit_ids`` that is no longer open."""
    rows = session.exec(select(Obligation.unit_id, Obligation.duty_key, Obligation.period).where(
        Obligation.status != ObligationStatus.OPEN, col(Obligation.unit_id).in_(list(unit_ids))))
    return {(unit_id, duty_key, period) for unit_id, duty_key, period in rows}

"""Queries for the year's report: the obligations of many units, lean, and who has an officer.

A summary reads every obligation of thousands of units, so rows are plain tuples of the columns
the report needs, not whole objects (a third of the memory), and unit ids go in batches small
enough for any database's limit on bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from sqlmodel import Session, col, select

from storage.models import Event, Member, Obligation, Role, Unit

_BATCH = 900  # bound parameters per query: below SQLite's old limit of 999


class ObligationRow(NamedTuple):
    """One obligation and what the event that closed it cites."""

    unit_id: int
    duty_key: str
    period: str
    label: str | None
    note: str | None
    due: object  # dt.date
    status: str
    done_at: object  # dt.datetime | None
    reference: str | None
    document_number: str | None
    document_date: object  # dt.date | None
    nonconformities: int | None


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _BATCH):
        yield ordered[start:start + _BATCH]


def obligation_rows(session: Session, *, unit_ids: Iterable[int]) -> list[ObligationRow]:
    """Every obligation of ``unit_ids``, any year and status, with its done event's reference,
    document and nonconformities; ordered by unit, due date and duty."""
    rows: list[ObligationRow] = []
    for batch in _batches(unit_ids):
        query = (
            select(Obligation.unit_id, Obligation.duty_key, Obligation.period, Obligation.label,
                   Obligation.note, Obligation.due, Obligation.status, Obligation.done_at,
                   Event.reference, Event.document_number, Event.document_date,
                   Event.nonconformities)
            .join(Event, col(Event.id) == Obligation.done_event_id, isouter=True)
            .where(col(Obligation.unit_id).in_(batch))
        )
        rows.extend(ObligationRow(*row) for row in session.exec(query))
    rows.sort(key=lambda r: (r.unit_id, r.due, r.duty_key, r.period))
    return rows


def units_with_officer(session: Session, *, unit_ids: Iterable[int]) -> set[int]:
    """Those of ``unit_ids`` that have an active ISO officer."""
    found: set[int] = set()
    for batch in _batches(unit_ids):
        found.update(session.exec(
            select(Member.unit_id).where(col(Member.unit_id).in_(batch),
                                         Member.role == Role.OFFICER, Member.active).distinct()))
    return found


def units_by_id(session: Session, *, unit_ids: Iterable[int]) -> list[Unit]:
    """The units of ``unit_ids``, active or not, by code."""
    units: list[Unit] = []
    for batch in _batches(unit_ids):
        units.extend(session.exec(select(Unit).where(col(Unit.id).in_(batch))))
    return sorted(units, key=lambda u: u.code)

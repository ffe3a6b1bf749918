"""Queries for the weekly digest: who reads it, what it reads, and which were queued already."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from typing import Protocol

from sqlalchemy import Row
from sqlmodel import Session, col, or_, select

from storage.members import Recipient
from storage.models import Member, Obligation, ObligationStatus, Outbox, Unit

STREAMED_ROWS = 2_000  # rows read at a time where a query may return a few hundred thousand
UNITS_PER_QUERY = 500  # well under SQLite's limit of bound parameters per statement


class DigestMember(Recipient, Protocol):
    """A member as the digest needs it (and ``isobot digest --dry-run`` shows it)."""

    platform_user_id: str
    display_name: str


def digest_members(session: Session, *, roles: Iterable[str]) -> list[DigestMember]:
    """Active members with one of ``roles`` in active units, by unit code: rows (named tuples),
    never objects, which would hold a national digest's 50,000 with their units (130 MB)."""
    return session.connection().execute(
        select(Member.id, Member.unit_id, Member.role, Member.platform, Member.chat_id,
               Member.language, Member.person_id, Member.receives_reminders,
               Member.platform_user_id, Member.display_name)
        .join(Unit, Unit.id == Member.unit_id)
        .where(col(Member.role).in_(list(roles)), Member.active, Unit.active)
        .order_by(Unit.code, Member.role, Member.id)
    ).all()


def digest_obligations(session: Session, *, due_from: dt.date, done_since: dt.datetime,
                       unit_ids: Collection[int] | None = None) -> Iterator[Row]:
    """What a digest may mention: obligations of active units (of ``unit_ids`` only, when
    given) that are open, or due on or after ``due_from``, or done since ``done_since``;
    cancelled ones never; by unit, due date and id. Rows (named tuples of the fields
    :class:`jobs.supervision.digest.DigestObligation` has), never objects: a national digest
    reads a few hundred thousand. They come as they are read, a batch at a time, to be used
    before the next query: read at once, the driver's copy of them and the rows together took
    160 MB."""
    query = (
        select(Obligation.unit_id, Obligation.duty_key, Obligation.period, Obligation.due,
               Obligation.status, Obligation.done_at, Obligation.id, Obligation.label,
               Obligation.note)
        .join(Unit, Unit.id == Obligation.unit_id)
        .where(Unit.active, Obligation.status != ObligationStatus.CANCELLED,
               or_(Obligation.status == ObligationStatus.OPEN, Obligation.due >= due_from,
                   col(Obligation.done_at) >= done_since))
        .order_by(Obligation.unit_id, Obligation.due, Obligation.id))
    if unit_ids is None:
        yield from _streamed(session, query)
        return
    # Ascending chunks of ids keep the order of one query over them all.
    ids = sorted(unit_ids)
    for start in range(0, len(ids), UNITS_PER_QUERY):
        chunk = ids[start:start + UNITS_PER_QUERY]
        yield from _streamed(session, query.where(col(Obligation.unit_id).in_(chunk)))


def _streamed(session: Session, query) -> Iterator[Row]:
    # On this statement only: the connection's own options would stream its next ones too.
    return iter(session.connection().execute(
        query, execution_options={"yield_per": STREAMED_ROWS}))


def queued_keys(session: Session, *, prefix: str) -> set[str]:
    """The outbox keys that start with ``prefix`` (any state)."""
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return set(session.exec(
        select(Outbox.unique_key).where(col(Outbox.unique_key).like(pattern, escape="\\"))))

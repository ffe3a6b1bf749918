"""Queries on obligations: create the owed ones, find the open ones, close one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Date, Select, and_, exists, func, literal, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from storage.db import insert_ignoring_duplicates
from storage.models import (
    AwareDateTime,
    Obligation,
    ObligationSource,
    ObligationStatus,
    Outbox,
    OutboxState,
    Unit,
)


@dataclass(frozen=True)
class Origin:
    """Where an obligation comes from (the catalog, a directive, …; ``ref``: which one) and
    what people read of it: its ``note`` and the ``label`` they know it by."""

    source: str = ObligationSource.CATALOG
    ref: str | None = None
    note: str | None = None
    label: str | None = None


FROM_CATALOG = Origin()


def ensure_obligation(session: Session, *, unit_id: int, duty_key: str, period: str,
                      due: dt.date, now: dt.datetime,
                      origin: Origin = FROM_CATALOG) -> tuple[Obligation, bool]:
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
                            source=origin.source, source_ref=origin.ref, note=origin.note,
                            label=origin.label, created_at=now)
    try:
        with session.begin_nested():  # another process may create the same one meanwhile
            session.add(obligation)
    except IntegrityError:
        return ensure_obligation(session, unit_id=unit_id, duty_key=duty_key, period=period,
                                 due=due, now=now, origin=origin)[0], False
    return obligation, True


@dataclass(frozen=True)
class Owing:
    """The units that owe a catalog obligation: the active ones of ``kinds`` with an id in the
    range ``unit_ids``, registered before ``joined_before`` (and those with no registration
    time when ``unregistered_owe``)."""

    kinds: tuple[str, ...]
    unit_ids: tuple[int, int]
    joined_before: dt.datetime
    unregistered_owe: bool


def create_owed(session: Session, *, duty_key: str, period: str, due: dt.date, owing: Owing,
                now: dt.datetime) -> int:
    """Create the catalog obligation (``duty_key``, ``period``, ``due``) for every unit
    ``owing`` it that lacks it; returns how many were created.

    One ``INSERT … SELECT``: the rows never come to Python. Leaving out the rows that exist
    keeps PostgreSQL from drawing an id for each of them, and ``ON CONFLICT DO NOTHING`` skips
    one another process created meanwhile.
    """
    owed = _owed(duty_key=duty_key, period=period, due=due, owing=owing, now=now)
    # Look first, without writing: on SQLite even an INSERT that adds nothing takes the write
    # lock until the commit, and on most days nothing is missing.
    if not session.execute(select(exists(owed))).scalar():
        return 0
    statement = insert_ignoring_duplicates(session, Obligation.__table__, "unit_id", "duty_key",
                                           "period")
    statement = statement.from_select(
        ["unit_id", "duty_key", "period", "due", "status", "source", "created_at"], owed)
    return session.execute(statement.execution_options(preserve_rowcount=True)).rowcount


def owed_missing(session: Session, *, duty_key: str, period: str, due: dt.date,
                 owing: Owing) -> bool:
    """Whether a unit ``owing`` the catalog obligation (``duty_key``, ``period``) lacks it: one
    look over many units, so that a day with nothing missing costs one statement per period."""
    owed = _owed(duty_key=duty_key, period=period, due=due, owing=owing, now=None)
    return bool(session.execute(select(exists(owed))).scalar())


def _owed(*, duty_key: str, period: str, due: dt.date, owing: Owing,
          now: dt.datetime | None) -> Select:
    """The rows of the obligations ``owing`` units lack, as :func:`create_owed` inserts them."""
    table = Obligation.__table__
    registered = col(Unit.created_at) < literal(owing.joined_before, AwareDateTime())
    if owing.unregistered_owe:
        registered = or_(registered, col(Unit.created_at).is_(None))
    # The WHERE clause also settles SQLite's parsing ambiguity of INSERT … SELECT … ON CONFLICT
    # (https://sqlite.org/lang_upsert.html, "Parsing Ambiguity").
    # NOT IN, not NOT EXISTS: PostgreSQL plans NOT EXISTS as an anti-join from its estimate of
    # the period's rows, about none for a period the tick is creating right now, and chose a
    # nested loop over a scan of them, quadratic as the tick's chunks commit (the national
    # heavy tick: 40-98 s instead of 13, bench/plan.py). NOT IN a subquery is a hashed subplan
    # whatever the estimate; unit_id is never NULL, so it means the same.
    present = select(table.c.unit_id).where(
        table.c.duty_key == duty_key, table.c.period == period,
        table.c.unit_id.between(*owing.unit_ids))
    return select(
        Unit.id, literal(duty_key), literal(period), literal(due, Date()),
        literal(ObligationStatus.OPEN.value), literal(ObligationSource.CATALOG.value),
        literal(now, AwareDateTime()),
    ).where(
        Unit.active, col(Unit.kind).in_(list(owing.kinds)),
        col(Unit.id).between(*owing.unit_ids), registered, col(Unit.id).not_in(present),
    )


class OpenRow(NamedTuple):
    """An open obligation of an active unit, as the planner needs it."""

    id: int
    unit_id: int
    duty_key: str
    period: str
    due: dt.date
    note: str | None
    label: str | None


def open_groups(session: Session) -> dict[tuple[str, dt.date], tuple[int, int]]:
    """Open obligations per (duty, due date): how many, and the sum of their ids.

    The pair changes whenever an obligation joins or leaves a group, so a planner that
    remembers it knows which groups to look at again; an index-only scan (migration 0004).
    """
    rows = session.execute(
        select(Obligation.duty_key, Obligation.due, func.count(), func.sum(Obligation.id))
        .where(Obligation.status == ObligationStatus.OPEN)
        .group_by(Obligation.duty_key, Obligation.due)
    )
    return {(duty_key, due): (count, int(total)) for duty_key, due, count, total in rows}


def open_rows(
    session: Session, *, duty_key: str | None = None, due: dt.date | None = None,
    unit_ids: Iterable[int] | None = None,
) -> list[OpenRow]:
    """Open obligations of active units: of one (duty, due date) group, or of ``unit_ids``;
    named tuples, never objects."""
    query = (
        select(Obligation.id, Obligation.unit_id, Obligation.duty_key, Obligation.period,
               Obligation.due, Obligation.note, Obligation.label)
        .join(Unit, Unit.id == Obligation.unit_id)
        .where(Obligation.status == ObligationStatus.OPEN, Unit.active)
        .order_by(Obligation.id)
    )
    if duty_key is not None:
        query = query.where(and_(Obligation.duty_key == duty_key, Obligation.due == due))
    connection = session.connection()  # a plain Core query: rows, no ORM work per row
    if unit_ids is None:
        return _shared(connection.execute(query))
    ids = sorted(unit_ids)
    return [row for start in range(0, len(ids), _UNITS_PER_QUERY)
            for row in _shared(connection.execute(query.where(
                col(Obligation.unit_id).in_(ids[start:start + _UNITS_PER_QUERY]))))]


def _shared(rows: Iterable[tuple]) -> list[OpenRow]:
    """``rows`` as :class:`OpenRow`, each duty key, period and due date one object however many
    rows carry it: a national heavy tick holds 100,000 rows of a few groups until their
    messages are written, and their copies of those were 20 MB of its peak."""
    shared: dict[object, object] = {}
    return [OpenRow(row_id, unit_id, shared.setdefault(duty_key, duty_key),
                    shared.setdefault(period, period), shared.setdefault(due, due), note, label)
            for row_id, unit_id, duty_key, period, due, note, label in rows]


# Bound values per query: far below SQLite's limit of 32,766 variables.
_UNITS_PER_QUERY = 1000


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


def closed_obligation_keys(
    session: Session, *, unit_ids: Iterable[int]
) -> set[tuple[int, str, str]]:
    """(unit id, duty key, period) of every obligation of ``unit_ids`` that is no longer open."""
    rows = session.exec(select(Obligation.unit_id, Obligation.duty_key, Obligation.period).where(
        Obligation.status != ObligationStatus.OPEN, col(Obligation.unit_id).in_(list(unit_ids))))
    return {(unit_id, duty_key, period) for unit_id, duty_key, period in rows}

"""The durable queues' shared queries: take a batch with a lease, renew, release, finish, retry,
park (the words of :mod:`jobs.queues`, where the rule that decides between them lives).

A queue's table has ``id``, ``state``, ``attempts``, ``next_attempt_at``, ``leased_by`` and
``last_error``; a row is due once ``next_attempt_at`` has passed, and a taken row is held by
moving that moment to the lease's end, so a worker that dies holds its rows only that long, and
by naming the process that took it (``leased_by``): the lease's end is on the bot's clock, which
an operator may start again at the same moment after a crash (``isobot run --now``), so a
process that starts hands back at once what a process that is gone held
(:func:`release_orphans`). Each queue
(:mod:`storage.inbox`, :mod:`storage.outbox`, :mod:`storage.evidence_files`) describes its table
with a :class:`QueueTable` and says itself which rows are waiting and in what order they go.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session, SQLModel, col

#: The longest error kept on a row.
ERROR_LENGTH = 500
#: This process, as the owner of the leases it takes (random: a restart is another process).
PROCESS = uuid.uuid4().hex


@dataclass(frozen=True)
class QueueTable:
    """Where a queue keeps its rows, and what its states are called."""

    model: type[SQLModel]
    waiting: tuple[str, ...]  # the states of rows waiting to be taken (or taken)
    parked: str  # the state of a row given up
    finished: str | None  # the state of a row done with; None: it leaves the table (deleted)
    # Whether taking a row counts as a try (else the try's end does, unless told otherwise).
    counts_take: bool = False

    def is_waiting(self, table: Any = None):
        """The condition that a row of ``table`` (this queue's, or an alias of it) waits."""
        state = (table if table is not None else self.model).state
        return state == self.waiting[0] if len(self.waiting) == 1 else state.in_(self.waiting)


def take(session: Session, queue: QueueTable, *, where: Sequence[Any], order_by: Sequence[Any],
         now: dt.datetime, until: dt.datetime, limit: int) -> list[Any]:
    """Take up to ``limit`` rows matching ``where`` that are due at ``now``, first by
    ``order_by``, and hold them until ``until``; returns them.

    ``where`` says which rows wait (:meth:`QueueTable.is_waiting`, or an equivalent the
    queue's indexes need). On PostgreSQL rows another worker holds are skipped (``FOR UPDATE
    SKIP LOCKED``); SQLite has one writer at a time, so the clause is simply not emitted there.
    """
    model = queue.model
    rows = list(session.scalars(
        select(model).where(*where, col(model.next_attempt_at) <= now).order_by(*order_by)
        .limit(limit).with_for_update(skip_locked=True)))
    if rows:
        values: dict[str, Any] = {"next_attempt_at": until, "leased_by": PROCESS}
        if queue.counts_take:
            values["attempts"] = model.attempts + 1
        session.execute(update(model).where(col(model.id).in_([r.id for r in rows]))
                        .values(**values))
    return rows


def renew(session: Session, queue: QueueTable, *, ids: Collection[int],
          until: dt.datetime) -> set[int]:
    """Hold the still-waiting rows among ``ids`` until ``until``; returns their ids (a row
    finished or cancelled meanwhile is left alone)."""
    if not ids:
        return set()
    model = queue.model
    renewed = session.execute(
        update(model).where(col(model.id).in_(list(ids)), queue.is_waiting())
        .values(next_attempt_at=until).returning(model.id))
    return set(renewed.scalars())


def release(session: Session, queue: QueueTable, *, due: Mapping[int, dt.datetime]) -> None:
    """Hand taken rows back untried, each due again at its moment in ``due`` (id -> moment);
    a take that counted as a try is uncounted."""
    if not due:
        return
    table = queue.model.__table__
    values: dict[str, Any] = {"next_attempt_at": bindparam("at"), "leased_by": None}
    if queue.counts_take:
        values["attempts"] = table.c.attempts - 1
    statement = (table.update()
                 .where(table.c.id == bindparam("row_id"), queue.is_waiting(table.c))
                 .values(**values))
    session.connection().execute(
        statement, [{"row_id": row_id, "at": at} for row_id, at in due.items()])


def release_orphans(session: Session, queue: QueueTable, *, now: dt.datetime,
                    alive: Callable[[str], bool]) -> int:
    """Make due at ``now`` the waiting rows held by processes that are gone (``alive`` says
    which live, :meth:`storage.leadership.Leadership.alive`); returns how many. Their leases
    may end long after ``now`` when the bot's clock was started again where it once was."""
    model = queue.model
    owners = set(session.scalars(select(model.leased_by).distinct().where(
        queue.is_waiting(), col(model.leased_by).is_not(None), model.leased_by != PROCESS)))
    gone = [owner for owner in owners if not alive(owner)]
    if not gone:
        return 0
    return session.execute(update(model).where(queue.is_waiting(), col(model.leased_by).in_(gone))
                           .values(next_attempt_at=now, leased_by=None)).rowcount


def finish(session: Session, queue: QueueTable, row: Any, **fields: Any) -> None:
    """The work on ``row`` is done: it is kept, finished, with ``fields`` (a queue whose
    finished rows leave the table deletes them itself, without reading them first)."""
    row.state = queue.finished
    for name, value in fields.items():
        setattr(row, name, value)
    _end_try(queue, row)
    session.add(row)


def retry(session: Session, queue: QueueTable, row: Any, *, at: dt.datetime, error: str,
          counts_as_try: bool = True) -> None:
    """Try ``row`` again at ``at``; ``counts_as_try`` False: the failure was no fault of the
    work (a messenger's "wait N seconds")."""
    row.next_attempt_at, row.last_error, row.leased_by = at, error[:ERROR_LENGTH], None
    if counts_as_try:
        _end_try(queue, row)
    session.add(row)


def park(session: Session, queue: QueueTable, row: Any, *, error: str) -> None:
    """Give up on ``row``; it stays, with its error, for the operator."""
    row.state, row.last_error = queue.parked, error[:ERROR_LENGTH]
    _end_try(queue, row)
    session.add(row)


def next_due(session: Session, queue: QueueTable, *, where: Sequence[Any]) -> dt.datetime | None:
    """When the earliest row matching ``where`` comes due, if one waits."""
    return session.scalar(select(func.min(queue.model.next_attempt_at)).where(*where))


def _end_try(queue: QueueTable, row: Any) -> None:
    row.leased_by = None  # the try is over: nobody holds the row (retry says it itself)
    if not queue.counts_take:  # else the take counted it already
        row.attempts += 1

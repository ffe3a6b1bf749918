"""The outbox: messages decided in the same transaction as the decision, sent later (a durable
queue, :mod:`storage.queue`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import and_, exists, func, literal_column
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage import queue
from storage.db import insert_ignoring_duplicates
from storage.models import REPLY_KINDS, Member, Outbox, OutboxState
from storage.queue import QueueTable


def enqueue(
    session: Session,
    *,
    key: str,
    member: Member,
    kind: str,
    payload: dict[str, Any],
    now: dt.datetime,
    obligation_id: int | None = None,
    not_before: dt.datetime | None = None,
) -> bool:
    """Add a message unless one with ``key`` exists; returns whether it was added.

    Two planners racing on PostgreSQL both try; the unique key lets exactly one win.
    """
    if session.exec(select(Outbox.id).where(Outbox.unique_key == key)).first() is not None:
        return False
    row = Outbox(unique_key=key, member_id=member.id, platform=member.platform,
                 chat_id=member.chat_id, kind=kind, obligation_id=obligation_id, payload=payload,
                 next_attempt_at=not_before or now, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


class Queued(NamedTuple):
    """A message to add to the outbox in bulk (see :func:`enqueue_many`)."""

    key: str
    member_id: int
    platform: str
    chat_id: str
    kind: str
    obligation_id: int | None
    payload: dict[str, Any]


def existing_keys(session: Session, *, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` the outbox already holds (one indexed lookup each, in batches).

    A batch is counted first: when the outbox holds all of it, as on most ticks, its keys are
    not fetched (a restarted planner looks at 100,000 known keys).
    """
    found: set[str] = set()
    for start in range(0, len(keys), _BATCH):
        batch = set(keys[start:start + _BATCH])
        held = col(Outbox.unique_key).in_(batch)
        if session.exec(select(func.count()).where(held)).one() == len(batch):
            found |= batch
            continue
        found.update(session.exec(select(Outbox.unique_key).where(held)))
    return found


def enqueue_many(session: Session, *, messages: Iterable[Queued], now: dt.datetime) -> int:
    """Add ``messages`` in one executemany; returns how many were added.

    A key that exists already (another planner was quicker) is skipped by the database; check
    :func:`existing_keys` first, so PostgreSQL draws no id for rows that are skipped.
    """
    rows = [
        {"unique_key": m.key, "member_id": m.member_id, "platform": m.platform,
         "chat_id": m.chat_id, "kind": m.kind, "obligation_id": m.obligation_id,
         "payload": m.payload, "state": OutboxState.PENDING.value, "attempts": 0,
         "next_attempt_at": now, "created_at": now}
        for m in messages
    ]
    if not rows:
        return 0
    # No RETURNING: psycopg then sends the rows pipelined, three times as fast as the
    # multi-row VALUES statements RETURNING needs, which it must parse one by one. The
    # rowcount, summed over the rows, is kept only when asked for (SQLAlchemy 2.0.28+).
    statement = insert_ignoring_duplicates(session, Outbox.__table__, "unique_key")
    return session.execute(statement.execution_options(preserve_rowcount=True), rows).rowcount


# Bound values per lookup: far below SQLite's limit of 32,766 variables.
_BATCH = 1000


def enqueue_reply(session: Session, *, key: str, platform: str, chat_id: str, kind: str,
                  payload: dict[str, Any], now: dt.datetime) -> None:
    """Add a reply into the chat an update came from (``kind`` one of :data:`REPLY_KINDS`).

    Queued in the transaction that handles the update, which is recorded once: ``key`` never
    repeats, so no savepoint is needed.
    """
    session.add(Outbox(unique_key=key, member_id=None, platform=platform, chat_id=chat_id,
                       kind=kind, payload=payload, next_attempt_at=now, created_at=now))


#: The outbox as a durable queue (storage.queue): a sent message stays, marked sent; one given
#: up is kept as "failed" (parked, in the queues' words). A try counts once it ends.
OUTBOX = QueueTable(Outbox, waiting=(OutboxState.PENDING,), parked=OutboxState.FAILED,
                    finished=OutboxState.SENT)


class Taken(NamedTuple):
    """A message a delivery worker holds for a while: what it needs to send it."""

    id: int
    member_id: int | None  # None: a reply into the chat an update came from
    chat_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int  # tries so far (a messenger's "wait" not counted)


def take(session: Session, *, now: dt.datetime, platform: str, limit: int,
         until: dt.datetime, replies: bool | None = None) -> list[Taken]:
    """Take up to ``limit`` messages for ``platform`` due at ``now`` until ``until``.

    Taken rows are due again at ``until`` unless the worker renews, releases or settles them
    first; so a worker that dies holds its messages only that long. ``replies`` True takes only
    replies, and of each chat only the oldest waiting one, so a chat's replies go out one after
    the other in order even when sent concurrently; False takes everything else, oldest due
    first; None both.
    """
    order = (Outbox.id,) if replies else (Outbox.next_attempt_at, Outbox.id)
    rows = queue.take(session, OUTBOX, where=_waiting(platform=platform, replies=replies),
                      order_by=order, now=now, until=until, limit=limit)
    return [Taken(r.id, r.member_id, r.chat_id, r.kind, dict(r.payload), r.attempts)
            for r in rows]


def any_due(session: Session, *, now: dt.datetime, platform: str,
            replies: bool | None = None) -> bool:
    """Whether :func:`take` would find anything now."""
    query = select(Outbox.id).where(*_waiting(platform=platform, replies=replies),
                                    col(Outbox.next_attempt_at) <= now)
    return session.exec(query.limit(1)).first() is not None


def _waiting(*, platform: str, replies: bool | None) -> tuple[Any, ...]:
    if replies:
        earlier = aliased(Outbox)
        return (Outbox.platform == platform, _pending_reply(Outbox), ~exists().where(
            _pending_reply(earlier), earlier.platform == Outbox.platform,
            earlier.chat_id == Outbox.chat_id, earlier.id < Outbox.id))
    waiting = (OUTBOX.is_waiting(), Outbox.platform == platform)
    if replies is False:
        return (*waiting, col(Outbox.kind).not_in(REPLY_KINDS))
    return waiting


def _pending_reply(table):
    """The predicate of the partial index ``ix_outbox_pending_replies``, word for word and in
    literals: a database uses a partial index only for a query whose conditions imply its
    own, and cannot tell that a bound parameter will be 'pending' (PostgreSQL's generic plans,
    SQLite always). Without it, finding the few pending replies meant reading past every
    pending reminder: 15-55 ms among 100,000 after a national tick, far more on a busy server."""
    return and_(table.state == literal_column("'pending'"),
                col(table.kind).in_([literal_column(f"'{kind}'") for kind in REPLY_KINDS]))


def renew(session: Session, *, ids: Collection[int], until: dt.datetime) -> set[int]:
    """Hold the still-pending messages among ``ids`` until ``until``; returns their ids.

    A message cancelled meanwhile (its duty was done) is left alone and not returned.
    """
    return queue.renew(session, OUTBOX, ids=ids, until=until)


def release(session: Session, *, due: Mapping[int, dt.datetime]) -> None:
    """Hand taken messages back untried, each due again at its time in ``due`` (id -> moment)."""
    queue.release(session, OUTBOX, due=due)


def outbox_rows(session: Session, *, ids: Collection[int]) -> dict[int, Outbox]:
    """The outbox rows with ``ids``, by id."""
    if not ids:
        return {}
    rows = session.exec(select(Outbox).where(col(Outbox.id).in_(list(ids))))
    return {row.id: row for row in rows}


def recent_sends(session: Session, *, platform: str, since: dt.datetime,
                 lease: dt.timedelta) -> list[tuple[str, dt.datetime]]:
    """(chat id, sent at) of the messages sent on ``platform`` since ``since``.

    A message is sent while its lease runs, and a lease is renewed long before it ends, so a
    sent message's ``next_attempt_at`` (its last lease's end) is later than a lease before its
    sending: that bound lets the due index find them without reading the whole outbox.
    """
    return list(session.exec(
        select(Outbox.chat_id, Outbox.sent_at)
        .where(Outbox.state == OutboxState.SENT, Outbox.platform == platform,
               col(Outbox.next_attempt_at) >= since - lease, col(Outbox.sent_at) >= since)).all())


def finish(session: Session, *, row: Outbox, message_id: str | None, now: dt.datetime) -> None:
    """Record that ``row`` went out."""
    queue.finish(session, OUTBOX, row, sent_at=now, sent_message_id=message_id)


def retry(session: Session, *, row: Outbox, at: dt.datetime, error: str,
          counts_as_try: bool = True) -> None:
    """Try ``row`` again at ``at``; a messenger's "wait N seconds" does not count as a try."""
    queue.retry(session, OUTBOX, row, at=at, error=error, counts_as_try=counts_as_try)


def park(session: Session, *, row: Outbox, error: str) -> None:
    """Give up on ``row`` (state "failed")."""
    queue.park(session, OUTBOX, row, error=error)


def sent_to_chat(session: Session, *, obligation_id: int, platform: str,
                 chat_id: str) -> list[Outbox]:
    """The messages about ``obligation_id`` already sent into one chat, with their message ids."""
    return list(session.exec(select(Outbox).where(
        Outbox.obligation_id == obligation_id, Outbox.state == OutboxState.SENT,
        Outbox.platform == platform, Outbox.chat_id == chat_id,
        col(Outbox.sent_message_id).is_not(None))))

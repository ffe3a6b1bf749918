"""The outbox: messages decided in the same transaction as the decision, sent later."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, exists, literal_column, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from storage.db import insert_ignoring_duplicates
from storage.models import REPLY_KINDS, Member, Outbox, OutboxState


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
    """Which of ``keys`` the outbox already holds (one indexed lookup each, in batches)."""
    found: set[str] = set()
    for start in range(0, len(keys), _BATCH):
        found.update(session.exec(
            select(Outbox.unique_key)
            .where(col(Outbox.unique_key).in_(keys[start:start + _BATCH]))))
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


def claim_due(session: Session, *, now: dt.datetime, platform: str, limit: int,
              replies: bool | None = None) -> list[Outbox]:
    """Pending messages for ``platform`` whose time has come, oldest first, locked for sending.

    ``replies`` True takes only replies, and of each chat only the oldest pending one, so a
    chat's replies go out one after the other in order even when sent concurrently; False
    takes everything else; None both. On PostgreSQL rows another worker holds are skipped
    (``FOR UPDATE SKIP LOCKED``); SQLite has one writer at a time, so the clause is simply not
    emitted there.
    """
    query = _due(select(Outbox), now=now, platform=platform, replies=replies)
    query = query.order_by(Outbox.id) if replies else query.order_by(Outbox.next_attempt_at,
                                                                     Outbox.id)
    return list(session.exec(query.limit(limit).with_for_update(skip_locked=True)))


def any_due(session: Session, *, now: dt.datetime, platform: str,
            replies: bool | None = None) -> bool:
    """Whether :func:`claim_due` would find anything now."""
    query = _due(select(Outbox.id), now=now, platform=platform, replies=replies)
    return session.exec(query.limit(1)).first() is not None


def _due(query, *, now: dt.datetime, platform: str, replies: bool | None):
    due = (Outbox.platform == platform, col(Outbox.next_attempt_at) <= now)
    if replies:
        earlier = aliased(Outbox)
        return query.where(*due, _pending_reply(Outbox), ~exists().where(
            _pending_reply(earlier), earlier.platform == Outbox.platform,
            earlier.chat_id == Outbox.chat_id, earlier.id < Outbox.id))
    query = query.where(Outbox.state == OutboxState.PENDING, *due)
    if replies is False:
        return query.where(col(Outbox.kind).not_in(REPLY_KINDS))
    return query


def _pending_reply(table):
    """The predicate of the partial index ``ix_outbox_pending_replies``, word for word and in
    literals: a database uses a partial index only for a query whose conditions imply its
    own, and cannot tell that a bound parameter will be 'pending' (PostgreSQL's generic plans,
    SQLite always). Without it, finding the few pending replies meant reading past every
    pending reminder: 15-55 ms among 100,000 after a national tick, far more on a busy server."""
    return and_(table.state == literal_column("'pending'"),
                col(table.kind).in_([literal_column(f"'{kind}'") for kind in REPLY_KINDS]))


class Leased(NamedTuple):
    """A message a delivery worker holds for a while: what it needs to send it."""

    id: int
    member_id: int | None  # None: a reply into the chat an update came from
    chat_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int  # failed attempts so far


def lease_due(session: Session, *, now: dt.datetime, platform: str, limit: int,
              until: dt.datetime, replies: bool | None = None) -> list[Leased]:
    """Take up to ``limit`` due messages for ``platform`` until ``until``, oldest first.

    Leased rows are due again at ``until`` unless the worker renews, releases or settles them
    first; so a worker that dies holds its messages only that long. ``replies`` as in
    :func:`claim_due`.
    """
    rows = claim_due(session, now=now, platform=platform, limit=limit, replies=replies)
    if rows:
        session.execute(update(Outbox).where(col(Outbox.id).in_([r.id for r in rows]))
                        .values(next_attempt_at=until))
    return [Leased(r.id, r.member_id, r.chat_id, r.kind, dict(r.payload), r.attempts)
            for r in rows]


def renew_leases(session: Session, *, ids: Collection[int], until: dt.datetime) -> set[int]:
    """Hold the still-pending messages among ``ids`` until ``until``; returns their ids.

    A message cancelled meanwhile (its duty was done) is left alone and not returned.
    """
    if not ids:
        return set()
    renewed = session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(list(ids)), Outbox.state == OutboxState.PENDING)
        .values(next_attempt_at=until)
        .returning(Outbox.id))
    return set(renewed.scalars())


def release_leases(session: Session, *, due: Mapping[int, dt.datetime]) -> None:
    """Hand leased messages back, each due again at its time in ``due`` (id -> moment)."""
    if not due:
        return
    table = Outbox.__table__
    statement = (table.update()
                 .where(table.c.id == bindparam("row_id"),
                        table.c.state == OutboxState.PENDING.value)
                 .values(next_attempt_at=bindparam("at")))
    session.connection().execute(
        statement, [{"row_id": row_id, "at": at} for row_id, at in due.items()])


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


def next_attempt(session: Session, *, platform: str) -> dt.datetime | None:
    """When the earliest pending message for ``platform`` may go, if any is pending."""
    return session.exec(
        select(func.min(Outbox.next_attempt_at))
        .where(Outbox.state == OutboxState.PENDING, Outbox.platform == platform)
    ).first()


def mark_sent(session: Session, *, row: Outbox, message_id: str | None, now: dt.datetime) -> None:
    """Record that ``row`` went out."""
    row.state, row.sent_at, row.sent_message_id = OutboxState.SENT, now, message_id
    row.attempts += 1
    session.add(row)


def mark_retry(session: Session, *, row: Outbox, at: dt.datetime, error: str,
               count_attempt: bool = True) -> None:
    """Try ``row`` again at ``at``; a rate limit does not count as a failed attempt."""
    row.next_attempt_at, row.last_error = at, error[:500]
    if count_attempt:
        row.attempts += 1
    session.add(row)


def mark_failed(session: Session, *, row: Outbox, error: str) -> None:
    """Give up on ``row``."""
    row.state, row.last_error = OutboxState.FAILED, error[:500]
    row.attempts += 1
    session.add(row)


def count_by_state(session: Session) -> dict[str, int]:
    """How many messages are in each state."""
    rows = session.exec(select(Outbox.state, func.count()).group_by(Outbox.state))
    return dict(rows.all())


def sent_to_chat(session: Session, *, obligation_id: int, platform: str,
                 chat_id: str) -> list[Outbox]:
    """The messages about ``obligation_id`` already sent into one chat, with their message ids."""
    return list(session.exec(select(Outbox).where(
        Outbox.obligation_id == obligation_id, Outbox.state == OutboxState.SENT,
        Outbox.platform == platform, Outbox.chat_id == chat_id,
        col(Outbox.sent_message_id).is_not(None))))

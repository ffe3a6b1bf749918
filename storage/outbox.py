"""The outbox: messages decided in the same transaction as the decision, sent later."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from storage.db import insert_ignoring_duplicates
from storage.models import Member, Outbox, OutboxState


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


def claim_due(session: Session, *, now: dt.datetime, platform: str, limit: int) -> list[Outbox]:
    """Pending messages for ``platform`` whose time has come, oldest first, locked for sending.

    On PostgreSQL rows another worker holds are skipped (``FOR UPDATE SKIP LOCKED``); SQLite
    has one writer at a time, so the clause is simply not emitted there.
    """
    query = (
        select(Outbox)
        .where(Outbox.state == OutboxState.PENDING, Outbox.platform == platform,
               col(Outbox.next_attempt_at) <= now)
        .order_by(Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.exec(query))


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

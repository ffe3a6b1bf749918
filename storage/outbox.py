"""The outbox: messages decided in the same transaction as the decision, sent later."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import exists
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from storage.models import Member, Outbox, OutboxState

#: What the conversation answers: sent in order per chat, ahead of reminders and digests.
REPLY_KINDS = ("reply", "edit")


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
    query = query.where(Outbox.state == OutboxState.PENDING, Outbox.platform == platform,
                        col(Outbox.next_attempt_at) <= now)
    if replies is False:
        return query.where(col(Outbox.kind).not_in(REPLY_KINDS))
    if not replies:
        return query
    earlier = aliased(Outbox)
    return query.where(col(Outbox.kind).in_(REPLY_KINDS), ~exists().where(
        col(earlier.kind).in_(REPLY_KINDS), earlier.state == OutboxState.PENDING,
        earlier.platform == Outbox.platform, earlier.chat_id == Outbox.chat_id,
        earlier.id < Outbox.id))


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

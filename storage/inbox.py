"""The inbox: updates stored as they arrive, handled later, one at a time per chat (a durable
queue, :mod:`storage.queue`).

A chat's updates wait their turn in the order they came (``pending``), but one that failed is
set aside (``aside``): retried on its own, once the chat has nothing else waiting, so one bad
update (a photo whose link answers 404) never holds the person's next messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from storage import queue
from storage.db import insert_ignoring_duplicates
from storage.models import Inbox, InboxState
from storage.queue import QueueTable


def store(session: Session, *, platform: str, arrivals: Iterable[tuple[str, str, dict[str, Any]]],
          now: dt.datetime) -> None:
    """Store (update id, chat key, payload) triples; one stored already is left as it is.

    A redelivered update therefore never makes a second row while the first waits; once handled
    and deleted, a new row for it is handled as a no-op (``ProcessedUpdate``).
    """
    rows = [dict(platform=platform, update_id=update_id, chat_key=chat_key, payload=payload,
                 state=InboxState.PENDING, attempts=0, received_at=now, next_attempt_at=now)
            for update_id, chat_key, payload in arrivals]
    if rows:
        session.execute(insert_ignoring_duplicates(session, Inbox.__table__, "platform",
                                                   "update_id"), rows)


#: The inbox as a durable queue (storage.queue): taking an update counts as a try, and a
#: handled one leaves the table (``ProcessedUpdate`` remembers it).
INBOX = QueueTable(Inbox, waiting=(InboxState.PENDING, InboxState.ASIDE),
                   parked=InboxState.PARKED, finished=None, counts_take=True)


def take(session: Session, *, now: dt.datetime, until: dt.datetime, limit: int,
         platforms: Collection[str], busy: Collection[int] = ()) -> list[Inbox]:
    """Take up to ``limit`` due updates of ``platforms`` until ``until``, each the next of its
    chat; ``busy`` are rows this process handles already.

    A chat whose earlier update is being handled gives nothing, so its updates are handled in
    the order they came, one at a time (here; another process may retry an update set aside
    while this one handles the chat's next: their turns then wait for each other on the chat's
    state). The lease lets another process take the update over if this one dies; each take
    counts as a try, so an update that kills its worker is parked in the end instead of
    looping for ever.
    """
    mine = aliased(Inbox)
    chat_busy = exists().where(mine.platform == Inbox.platform, mine.chat_key == Inbox.chat_key,
                               col(mine.id).in_(list(busy)))
    return queue.take(session, INBOX, now=now, until=until, limit=limit,
                      where=(_next_of_its_chat(platforms), ~chat_busy), order_by=(Inbox.id,))


def release(session: Session, *, row_ids: list[int], at: dt.datetime) -> None:
    """Hand back updates taken but not begun (a worker stopping): due at ``at``, the take
    not counted as a try."""
    queue.release(session, INBOX, due=dict.fromkeys(row_ids, at))


def finish(session: Session, *, row_id: int) -> None:
    """The update was handled (or could not be used): it leaves the inbox."""
    session.execute(delete(Inbox).where(Inbox.id == row_id))


def retry(session: Session, *, row_id: int, at: dt.datetime, error: str) -> bool:
    """Handle the update again at ``at``, aside of its chat's order; returns whether it was
    set aside just now (it had been waiting its turn until this failure)."""
    row = session.get(Inbox, row_id)
    if row is None:
        return False
    set_aside = row.state == InboxState.PENDING
    row.state = InboxState.ASIDE
    queue.retry(session, INBOX, row, at=at, error=error)
    return set_aside


def park(session: Session, *, row_id: int, error: str) -> None:
    """Give up on the update; it stays for the operator to see."""
    row = session.get(Inbox, row_id)
    if row is not None:
        queue.park(session, INBOX, row, error=error)


def counts(session: Session) -> dict[str, int]:
    """How many updates wait (``pending``, set aside or not) and how many were given up
    (``parked``)."""
    found = dict(session.execute(select(Inbox.state, func.count()).group_by(Inbox.state)).all())
    return {InboxState.PENDING: found.get(InboxState.PENDING, 0)
            + found.get(InboxState.ASIDE, 0),
            InboxState.PARKED: found.get(InboxState.PARKED, 0)}


def next_due(session: Session, *, platforms: Collection[str]) -> dt.datetime | None:
    """When the earliest update of ``platforms`` that may be taken next can be, if one waits
    (an update waiting behind another of its chat is not counted)."""
    return queue.next_due(session, INBOX, where=(_next_of_its_chat(platforms),))


def _next_of_its_chat(platforms: Collection[str]):
    """Updates of ``platforms`` a worker may take next: a pending update with no earlier
    pending one in its chat; an update set aside once its chat has none pending, nor an
    earlier one set aside (so it is retried beside the chat's next updates, never before)."""
    other = aliased(Inbox)
    same_chat = and_(other.platform == Inbox.platform, other.chat_key == Inbox.chat_key)
    pending, aside = InboxState.PENDING, InboxState.ASIDE
    return and_(col(Inbox.platform).in_(list(platforms)), or_(
        and_(Inbox.state == pending,
             ~exists().where(same_chat, other.state == pending, other.id < Inbox.id)),
        and_(Inbox.state == aside,
             ~exists().where(same_chat, or_(other.state == pending,
                                            and_(other.state == aside,
                                                 other.id < Inbox.id))))))

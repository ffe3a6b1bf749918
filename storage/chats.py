"""Per-chat conversation state and the record of updates already handled."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import ColumnElement, false, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import ChatState, ProcessedUpdate


def claim_update(session: Session, *, platform: str, update_id: str, now: dt.datetime) -> bool:
    """Record that an update is being handled; False when it was handled before.

    The record commits with the update's effects, so a crash handling it lets it be redone.
    """
    if session.get(ProcessedUpdate, (platform, update_id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ProcessedUpdate(platform=platform, update_id=update_id, at=now))
    except IntegrityError:
        return False
    return True


def load_state(session: Session, *, platform: str, chat_id: str,
               user_id: str) -> dict[str, Any]:
    """The conversation state of one person in one chat, held until the transaction ends.

    Load it here to change it and :func:`save_state` it: another transaction loading it waits
    until this one ends, then reads what this one saved, so neither writes back a state the
    other changed meanwhile. A chat without state is empty, and held all the same, without a
    row being written for it (a stranger who only says hello leaves none). Lock order: the
    turn and delivery change the member's row, when they do, before loading (its changes are
    flushed here), so neither holds the state while waiting for the member.
    """
    key = ChatState.platform == platform, ChatState.chat_id == chat_id, \
        ChatState.user_id == user_id
    postgresql = session.get_bind().dialect.name == "postgresql"
    if not postgresql:
        # SQLite lets one writer in at a time until it commits: a write, even of no row, makes
        # this transaction that writer before it reads, so its read stays true to the end.
        session.execute(update(ChatState.__table__).where(false()).values(updated_at=None))
    row = _held(session, *key)  # the row lock (PostgreSQL)
    if row is None and postgresql:
        # No row to lock: the chat's own advisory lock instead, then look again, since a
        # writer that held it first may have made the row meanwhile.
        session.execute(select(func.pg_advisory_xact_lock(
            _CHAT_LOCKS, _chat_number(platform, chat_id, user_id))))
        row = _held(session, *key)
    return dict(row.state) if row is not None else {}


def _held(session: Session, *key: ColumnElement[bool]) -> ChatState | None:
    # populate_existing: the row as it is once locked, not as this session saw it before.
    return session.exec(select(ChatState).where(*key).with_for_update()
                        .execution_options(populate_existing=True)).first()


#: The first key of a chat's advisory lock, the second its number. PostgreSQL keeps locks of
#: two int4 keys apart from those of one bigint key (the roles of storage.leadership).
_CHAT_LOCKS = 1_015_001


def _chat_number(platform: str, chat_id: str, user_id: str) -> int:
    """A chat's number among its advisory locks: two chats rarely share one, and then only
    wait for each other."""
    digest = hashlib.blake2b(f"{platform}\n{chat_id}\n{user_id}".encode(),
                             digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def save_state(session: Session, *, platform: str, chat_id: str, user_id: str,
               state: dict[str, Any], now: dt.datetime) -> None:
    """Replace the conversation state of one person in one chat (loaded by :func:`load_state`
    in this transaction, so that nobody else changed it since). A chat that had no state and
    still holds nothing (no flow, no choices on offer) gets no row."""
    row = session.get(ChatState, (platform, chat_id, user_id))
    if row is None:
        if not any(state.values()):
            return
        row = ChatState(platform=platform, chat_id=chat_id, user_id=user_id)
    row.state, row.updated_at = dict(state), now
    session.add(row)

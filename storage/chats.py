"""Per-chat conversation state and the record of updates already handled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.db import insert_ignoring_duplicates
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


def load_state(session: Session, *, platform: str, chat_id: str, user_id: str,
               now: dt.datetime) -> dict[str, Any]:
    """The conversation state of one person in one chat, held until the transaction ends.

    Load it here to change it and :func:`save_state` it: another transaction loading it waits
    until this one ends, then reads what this one saved, so neither writes back a state the
    other changed meanwhile (a row lock on PostgreSQL; SQLite lets one writer in at a time).
    A chat without state gets an empty one, dated ``now``, so that there is a row to hold.
    Lock order: the turn and delivery change the member's row, when they do, before loading
    (its changes are flushed here), so neither holds the state while waiting for the member.
    """
    key = ChatState.platform == platform, ChatState.chat_id == chat_id, \
        ChatState.user_id == user_id
    row = _held(session, *key)
    if row is None:  # two first writers: the second waits for the first's row, then skips
        session.execute(insert_ignoring_duplicates(
            session, ChatState.__table__, "platform", "chat_id", "user_id").values(
            platform=platform, chat_id=chat_id, user_id=user_id, state={}, updated_at=now))
        row = _held(session, *key)
    return dict(row.state)


def _held(session: Session, *key: ColumnElement[bool]) -> ChatState | None:
    # populate_existing: the row as it is once locked, not as this session saw it before.
    return session.exec(select(ChatState).where(*key).with_for_update()
                        .execution_options(populate_existing=True)).first()


def save_state(session: Session, *, platform: str, chat_id: str, user_id: str,
               state: dict[str, Any], now: dt.datetime) -> None:
    """Replace the conversation state of one person in one chat (loaded by :func:`load_state`
    in this transaction, so that nobody else changed it since)."""
    row = session.get(ChatState, (platform, chat_id, user_id))
    if row is None:
        row = ChatState(platform=platform, chat_id=chat_id, user_id=user_id)
    row.state, row.updated_at = dict(state), now
    session.add(row)

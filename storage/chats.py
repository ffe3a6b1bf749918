"""Per-chat conversation state and the record of updates already handled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

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


def load_state(session: Session, *, platform: str, chat_id: str, user_id: str) -> dict[str, Any]:
    """The conversation state of one person in one chat (empty when none)."""
    row = session.get(ChatState, (platform, chat_id, user_id))
    return dict(row.state) if row else {}


def save_state(session: Session, *, platform: str, chat_id: str, user_id: str,
               state: dict[str, Any], now: dt.datetime) -> None:
    """Replace the conversation state of one person in one chat."""
    row = session.get(ChatState, (platform, chat_id, user_id))
    if row is None:
        row = ChatState(platform=platform, chat_id=chat_id, user_id=user_id)
    row.state, row.updated_at = dict(state), now
    session.add(row)

"""The durable queues: messages on their way out (outbox) and updates on their way in (inbox)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp_field


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # given up: the recipient is gone or the message can never be sent
    CANCELLED = "cancelled"  # no longer true (the duty was done or re-dated)


#: The outbox kinds that answer what a person wrote: sent in order per chat, ahead of the rest.
REPLY_KINDS = ("reply", "edit")
#: Which outbox rows ``ix_outbox_pending_replies`` holds (storage.outbox._pending_reply says
#: the same in SQL expressions).
PENDING_REPLY = "state = 'pending' AND kind IN ({})".format(
    ", ".join(f"'{kind}'" for kind in REPLY_KINDS))


class Outbox(SQLModel, table=True):
    """A message decided but maybe not yet sent. The unique key makes deciding idempotent.

    Replies to what a person wrote (``kind`` "reply" or "edit") go through it too; they may be
    to someone who is not a member yet (``member_id`` None: a stranger registering).
    """

    # What is due, in the order it goes: with the platform and id in it, a lease of 60 among a
    # million pending messages due at the same moment reads 60 index entries instead of
    # sorting the million (1.7 s on PostgreSQL, on the event loop).
    __table_args__ = (Index("ix_outbox_due", "state", "platform", "next_attempt_at", "id"),
                      # The reply lane: only the pending replies, a few among a national tick's
                      # 100,000 pending reminders, oldest first (storage/outbox.py).
                      Index("ix_outbox_pending_replies", "platform", "id",
                            postgresql_where=text(PENDING_REPLY), sqlite_where=text(PENDING_REPLY)))

    id: int | None = Field(default=None, primary_key=True)
    unique_key: str = Field(unique=True, max_length=255)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    obligation_id: int | None = Field(default=None, foreign_key="obligation.id", index=True)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default=OutboxState.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: dt.datetime | None = timestamp_field()
    # The process holding the row's lease (storage.queue.PROCESS); None when none holds it.
    leased_by: str | None = Field(default=None, max_length=32)
    created_at: dt.datetime | None = timestamp_field()
    sent_at: dt.datetime | None = timestamp_field(nullable=True)
    sent_message_id: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, max_length=500)


class InboxState(StrEnum):
    PENDING = "pending"  # waiting its turn in its chat, or being handled (leased)
    # Failed once, retried on its own: the chat's later updates no longer wait for it.
    ASIDE = "aside"
    PARKED = "parked"  # failed too often: kept for the operator, never retried by itself


class Inbox(SQLModel, table=True):
    """An update as a messenger handed it over, stored before it is answered.

    The webhook answers 200 once the row is committed; workers handle the rows in the order
    they arrived per chat and delete each once handled (``ProcessedUpdate`` remembers it).
    """

    __table_args__ = (UniqueConstraint("platform", "update_id", name="uq_inbox_update"),
                      Index("ix_inbox_due", "state", "next_attempt_at"),
                      Index("ix_inbox_chat", "platform", "chat_key", "id"))

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    update_id: str = Field(max_length=64)
    chat_key: str = Field(max_length=64)  # updates of one chat are handled one at a time
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default=InboxState.PENDING, max_length=16)
    attempts: int = 0
    received_at: dt.datetime | None = timestamp_field()
    next_attempt_at: dt.datetime | None = timestamp_field()
    # The process holding the row's lease (storage.queue.PROCESS); None when none holds it.
    leased_by: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=500)

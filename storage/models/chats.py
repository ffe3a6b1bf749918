"""Conversation state per chat, and the updates already handled."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp_field


class ProcessedUpdate(SQLModel, table=True):
    """An incoming update already handled, so a redelivered one is ignored."""

    platform: str = Field(primary_key=True, max_length=16)
    update_id: str = Field(primary_key=True, max_length=64)
    at: dt.datetime | None = timestamp_field()


class ChatState(SQLModel, table=True):
    """Where a person is in a multi-step conversation; kept in the database to survive restarts."""

    platform: str = Field(primary_key=True, max_length=16)
    chat_id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(primary_key=True, max_length=64)
    state: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime | None = timestamp_field()

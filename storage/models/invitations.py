"""The codes that join a messenger account to a unit (invites) or to a person (links)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp_field


class Invite(SQLModel, table=True):
    """A single-use, expiring code that binds a messenger account to a unit and role."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    unit_id: int = Field(foreign_key="unit.id")
    role: str = Field(max_length=16)
    created_at: dt.datetime | None = timestamp_field()
    expires_at: dt.datetime | None = timestamp_field()
    used_at: dt.datetime | None = timestamp_field(nullable=True)
    used_by_member_id: int | None = Field(default=None, foreign_key="member.id")


class LinkCode(SQLModel, table=True):
    """A single-use, short-lived code that adds a person's account on another messenger."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    member_id: int = Field(foreign_key="member.id")  # a membership of the account that asked
    created_at: dt.datetime | None = timestamp_field()
    expires_at: dt.datetime | None = timestamp_field()
    used_at: dt.datetime | None = timestamp_field(nullable=True)


class WrongCode(SQLModel, table=True):
    """A code an account sent that matched no invite or link: guessing is throttled."""

    __table_args__ = (Index("ix_wrongcode_account", "platform", "user_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    at: dt.datetime | None = timestamp_field()

"""Units (public bodies), their history, and the people who act for them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint, true
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp_field


class UnitKind(StrEnum):
    """The documented vocabulary of unit kinds; units form a tree of any depth."""

    PROVINCE = "province"  # tỉnh / thành phố trực thuộc TW (UBND tỉnh)
    DEPARTMENT = "department"  # sở, ban, ngành
    DISTRICT = "district"  # huyện, thị xã (abolished 1 July 2025; kept for history)
    COMMUNE = "commune"  # xã, thị trấn
    WARD = "ward"  # phường
    OFFICE = "office"  # phòng chuyên môn, chi cục, văn phòng
    SCHOOL = "school"  # trường công lập
    AGENCY = "agency"  # đơn vị sự nghiệp, trung tâm, ban quản lý


class Role(StrEnum):
    """What a member does for a unit."""

    OFFICER = "officer"  # cán bộ đầu mối / thư ký ISO
    HEAD = "head"  # thủ trưởng đơn vị / đại diện lãnh đạo
    SUPERVISOR = "supervisor"  # cơ quan thường trực Ban chỉ đạo ISO: sees the unit's subtree
    OPERATOR = "operator"  # runs the bot for the province


class Unit(SQLModel, table=True):
    """A public body (or one of its offices) that runs a quality management system."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=255)
    kind: str = Field(max_length=32, index=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    active: bool = True
    # A merged unit stays, inactive, so its records remain readable under its old code.
    merged_into_id: int | None = Field(default=None, foreign_key="unit.id")
    created_at: dt.datetime | None = timestamp_field()


class UnitChange(SQLModel, table=True):
    """One change of a unit (created, renamed, moved, merged, closed) and the day it took effect:
    the unit's history stays readable after the tree has changed."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    change: str = Field(max_length=16)
    effective: dt.date
    # Names and codes as they were: the former and new name, parent's code or successor's code.
    old_value: str | None = Field(default=None, max_length=255)
    new_value: str | None = Field(default=None, max_length=255)
    recorded_at: dt.datetime | None = timestamp_field()


class Member(SQLModel, table=True):
    """One messenger account acting for one unit in one role."""

    __table_args__ = (
        UniqueConstraint("unit_id", "role", "platform", "platform_user_id",
                         name="uq_member_account"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str = Field(max_length=16)
    platform: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=64, index=True)
    chat_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=255)
    language: str = Field(default="vi", max_length=8)
    active: bool = True
    joined_at: dt.datetime | None = timestamp_field()
    # One person may act through a Telegram and a Zalo account: their rows share ``person_id``,
    # the id of the person's first member row (None for an account never linked to another).
    person_id: int | None = Field(default=None, index=True)
    # False when the person chose to get reminders on their other messenger only.
    receives_reminders: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    # A messenger that cannot say "blocked" for sure (Zalo): failed sends since the last one that
    # went through, and when the first of them failed (jobs/delivery/reachability.py judges them).
    unreachable_since: dt.datetime | None = timestamp_field(nullable=True)
    unreachable_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Absence(SQLModel, table=True):
    """An officer away from ``starts`` to ``ends`` (inclusive, Vietnam dates): their reminders
    go to ``substitute_id``, a member of the same unit, or to the unit head when None."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    starts: dt.date
    ends: dt.date = Field(index=True)
    substitute_id: int | None = Field(default=None, foreign_key="member.id")
    created_by: str = Field(max_length=128)  # "telegram:1001" or "cli:operator"
    created_at: dt.datetime | None = timestamp_field()
    cancelled_at: dt.datetime | None = timestamp_field(nullable=True)

"""The tables. Storage knows tables, not rules: the rules live in ``jobs/`` and ``bot/``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    LargeBinary,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class AwareDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware in Python and stored as UTC.

    SQLite has no time zones and hands back naive values; PostgreSQL keeps them. Both come back
    aware (UTC) so no naive datetime ever reaches the rules.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an AwareDateTime column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _timestamp(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), nullable=nullable, index=index))


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


class ObligationStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ObligationSource(StrEnum):
    CATALOG = "catalog"
    DIRECTIVE = "directive"
    LEGAL_DOCUMENT = "legal_document"
    AUDIT = "audit"
    EVENT = "event"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # given up: the recipient is gone or the message can never be sent
    CANCELLED = "cancelled"  # no longer true (the duty was done or re-dated)


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
    created_at: dt.datetime | None = _timestamp()


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
    recorded_at: dt.datetime | None = _timestamp()


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
    joined_at: dt.datetime | None = _timestamp()
    # One person may act through a Telegram and a Zalo account: their rows share ``person_id``,
    # the id of the person's first member row (None for an account never linked to another).
    person_id: int | None = Field(default=None, index=True)
    # False when the person chose to get reminders on their other messenger only.
    receives_reminders: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    # A messenger that cannot say "blocked" for sure (Zalo): failed sends since the last one that
    # went through, and when the first of them failed (jobs/delivery/reachability.py judges them).
    unreachable_since: dt.datetime | None = _timestamp(nullable=True)
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
    created_at: dt.datetime | None = _timestamp()
    cancelled_at: dt.datetime | None = _timestamp(nullable=True)


class Invite(SQLModel, table=True):
    """A single-use, expiring code that binds a messenger account to a unit and role."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    unit_id: int = Field(foreign_key="unit.id")
    role: str = Field(max_length=16)
    created_at: dt.datetime | None = _timestamp()
    expires_at: dt.datetime | None = _timestamp()
    used_at: dt.datetime | None = _timestamp(nullable=True)
    used_by_member_id: int | None = Field(default=None, foreign_key="member.id")


class LinkCode(SQLModel, table=True):
    """A single-use, short-lived code that adds a person's account on another messenger."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    member_id: int = Field(foreign_key="member.id")  # a membership of the account that asked
    created_at: dt.datetime | None = _timestamp()
    expires_at: dt.datetime | None = _timestamp()
    used_at: dt.datetime | None = _timestamp(nullable=True)


class WrongCode(SQLModel, table=True):
    """A code an account sent that matched no invite or link: guessing is throttled."""

    __table_args__ = (Index("ix_wrongcode_account", "platform", "user_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    at: dt.datetime | None = _timestamp()


class Obligation(SQLModel, table=True):
    """One duty a unit owes for one period, with its due date."""

    __table_args__ = (
        UniqueConstraint("unit_id", "duty_key", "period", name="uq_obligation"),
        # The planner's groups: open obligations per (duty, due date), read from the index.
        Index("ix_obligation_open_groups", "status", "duty_key", "due", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    duty_key: str = Field(max_length=64)
    period: str = Field(max_length=64)
    due: dt.date
    status: str = Field(default=ObligationStatus.OPEN, max_length=16)
    source: str = Field(default=ObligationSource.CATALOG, max_length=16)
    # What created it, for the reminder's text: a directive id, a legal document id, an audit event.
    source_ref: str | None = Field(default=None, max_length=64)
    # As long as a directive's text (jobs/supervision/directives.py), which it carries.
    note: str | None = Field(default=None, max_length=4000)
    # What people know it by when its period is not a calendar one: a directive's or a legal
    # document's official number, a new officer's name (jobs/text/labels.py words it).
    label: str | None = Field(default=None, max_length=255)
    # Why it was cancelled, for whoever reads it later ("merged into AGG on 2025-07-01").
    cancel_reason: str | None = Field(default=None, max_length=255)
    created_at: dt.datetime | None = _timestamp()
    done_at: dt.datetime | None = _timestamp(nullable=True)
    done_event_id: int | None = Field(default=None)


class Event(SQLModel, table=True):
    """Append-only evidence: something a person logged. Never updated; corrections point back."""

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)
    obligation_id: int | None = Field(default=None, foreign_key="obligation.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    actor: str = Field(max_length=128)  # "telegram:123456" or "cli:operator"
    at: dt.datetime | None = _timestamp(index=True)
    kind: str = Field(max_length=32)
    document_number: str | None = Field(default=None, max_length=128)
    document_date: dt.date | None = None
    file_name: str | None = Field(default=None, max_length=255)
    file_hash: str | None = Field(default=None, max_length=64)  # sha256, hex
    file_ref: str | None = Field(default=None, max_length=255)  # the messenger's file id
    note: str | None = Field(default=None, max_length=4000)
    nonconformities: int | None = None
    correction_of_id: int | None = Field(default=None, foreign_key="event.id")
    # The file itself, in the evidence store (its state and where it is kept).
    evidence_file_id: int | None = Field(default=None, foreign_key="evidencefile.id", index=True)


class EvidenceFileState(StrEnum):
    STAGED = "staged"  # the bytes are in ``staged`` until the store has them
    PENDING = "pending"  # the messenger's download failed: tried again later
    STORED = "stored"  # in the evidence store under ``blob_key``
    FAILED = "failed"  # could not be downloaded after every attempt


class EvidenceFile(SQLModel, table=True):
    """A file or photo a person sent, on its way into the evidence store (written once there).

    Not evidence itself: the event that cites it is. This row only follows the file from the
    messenger to the store, so it changes (staged or pending, then stored) while events never do.
    """

    __table_args__ = (Index("ix_evidencefile_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    platform: str = Field(max_length=16)
    ref: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sha256: str | None = Field(default=None, max_length=64, index=True)
    size: int | None = None
    state: str = Field(default=EvidenceFileState.STAGED, max_length=16)
    staged: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    blob_key: str | None = Field(default=None, max_length=128)
    location: str | None = Field(default=None, max_length=1024)  # for the operator to find it
    attempts: int = 0
    next_attempt_at: dt.datetime | None = _timestamp()
    # The process holding the row's lease (storage.queue.PROCESS); None when none holds it.
    leased_by: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime | None = _timestamp()
    stored_at: dt.datetime | None = _timestamp(nullable=True)


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
    next_attempt_at: dt.datetime | None = _timestamp()
    # The process holding the row's lease (storage.queue.PROCESS); None when none holds it.
    leased_by: str | None = Field(default=None, max_length=32)
    created_at: dt.datetime | None = _timestamp()
    sent_at: dt.datetime | None = _timestamp(nullable=True)
    sent_message_id: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, max_length=500)


class Directive(SQLModel, table=True):
    """An ad-hoc request a supervisor broadcast to units, with an optional deadline."""

    id: int | None = Field(default=None, primary_key=True)
    # The official number its issuer gave it ("1699/UBND-TH"); None when sent without one.
    number: str | None = Field(default=None, max_length=128)
    text: str = Field(max_length=4000)
    issuer_unit_id: int = Field(foreign_key="unit.id")  # whose subtree it was sent within
    issued_by_member_id: int | None = Field(default=None, foreign_key="member.id")
    issued_by: str = Field(max_length=128)  # "telegram:123" or "cli:operator"
    scope: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    due: dt.date | None = None
    created_at: dt.datetime | None = _timestamp()


class LegalDocument(SQLModel, table=True):
    """A new legal document that units must bring into their QMS within three months."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=128, index=True)
    title: str = Field(max_length=1000)
    effective: dt.date
    scope: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    registered_by: str = Field(max_length=128)
    created_at: dt.datetime | None = _timestamp()


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
    received_at: dt.datetime | None = _timestamp()
    next_attempt_at: dt.datetime | None = _timestamp()
    # The process holding the row's lease (storage.queue.PROCESS); None when none holds it.
    leased_by: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=500)


class ProcessedUpdate(SQLModel, table=True):
    """An incoming update already handled, so a redelivered one is ignored."""

    platform: str = Field(primary_key=True, max_length=16)
    update_id: str = Field(primary_key=True, max_length=64)
    at: dt.datetime | None = _timestamp()


class ChatState(SQLModel, table=True):
    """Where a person is in a multi-step conversation; kept in the database to survive restarts."""

    platform: str = Field(primary_key=True, max_length=16)
    chat_id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(primary_key=True, max_length=64)
    state: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime | None = _timestamp()


class PlannerMemory(SQLModel, table=True):
    """What the planner's last committed tick did, for a fresh process to skip it (one row,
    ``name`` "planner"; :mod:`storage.planner_memory`, :mod:`jobs.planning.memory`)."""

    __tablename__ = "planner_memory"

    name: str = Field(primary_key=True, max_length=32)
    planned_at: dt.datetime | None = _timestamp()  # the tick's now: the newest one is kept
    memory: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

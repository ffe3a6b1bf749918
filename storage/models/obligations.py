"""Duties units owe, and the directives and legal documents that create some of them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp_field


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
    created_at: dt.datetime | None = timestamp_field()
    done_at: dt.datetime | None = timestamp_field(nullable=True)
    done_event_id: int | None = Field(default=None)


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
    created_at: dt.datetime | None = timestamp_field()


class LegalDocument(SQLModel, table=True):
    """A new legal document that units must bring into their QMS within three months."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=128, index=True)
    title: str = Field(max_length=1000)
    effective: dt.date
    scope: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    registered_by: str = Field(max_length=128)
    created_at: dt.datetime | None = timestamp_field()

"""Evidence: the append-only events people logged, and the files they sent with them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp_field


class Event(SQLModel, table=True):
    """Append-only evidence: something a person logged. Never updated; corrections point back."""

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)
    obligation_id: int | None = Field(default=None, foreign_key="obligation.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    actor: str = Field(max_length=128)  # "telegram:123456" or "cli:operator"
    at: dt.datetime | None = timestamp_field(index=True)
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
    next_attempt_at: dt.datetime | None = timestamp_field()
    # The process holding the row's lease (storage.queue.PROCESS); None when none holds it.
    leased_by: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime | None = timestamp_field()
    stored_at: dt.datetime | None = timestamp_field(nullable=True)

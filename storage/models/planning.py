"""What the planner remembers between processes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp_field


class PlannerMemory(SQLModel, table=True):
    """What the planner's last committed tick did, for a fresh process to skip it (one row,
    ``name`` "planner"; :mod:`storage.planner_memory`, :mod:`jobs.planning.memory`)."""

    __tablename__ = "planner_memory"

    name: str = Field(primary_key=True, max_length=32)
    planned_at: dt.datetime | None = timestamp_field()  # the tick's now: the newest one is kept
    memory: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

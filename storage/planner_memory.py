"""The planner's memory, stored for a fresh process: one JSON row (:mod:`jobs.planning.memory`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import PlannerMemory

NAME = "planner"


def load_memory(session: Session) -> dict[str, Any] | None:
    """The stored memory, or None."""
    return session.execute(
        select(PlannerMemory.memory).where(PlannerMemory.name == NAME)).scalar_one_or_none()


def save_memory(session: Session, *, memory: dict[str, Any], planned_at: dt.datetime) -> bool:
    """Store ``memory``, made by the tick at ``planned_at``, unless a tick at a later moment stored
    its own (a slower process must not put back an older memory). Whether it was stored."""
    table = PlannerMemory.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table).values(name=NAME, planned_at=planned_at, memory=memory)
    upsert = insert.on_conflict_do_update(
        index_elements=["name"], set_={"planned_at": planned_at, "memory": memory},
        where=table.c.planned_at <= insert.excluded.planned_at)
    return session.execute(upsert.execution_options(preserve_rowcount=True)).rowcount == 1

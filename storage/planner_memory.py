"""The planner's memory, stored for a fresh process: one JSON row (:mod:`jobs.planning.memory`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from storage.db import insert_ignoring_duplicates
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
    inserted = session.execute(insert_ignoring_duplicates(session, table, "name").values(
        name=NAME, planned_at=planned_at, memory=memory)).rowcount
    if inserted:
        return True
    updated = session.execute(
        table.update().where(table.c.name == NAME, table.c.planned_at <= planned_at)
        .values(planned_at=planned_at, memory=memory)).rowcount
    return bool(updated)

"""Queries on the units' history: what changed, when it took effect (:class:`UnitChange`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import NamedTuple

from sqlalchemy import insert
from sqlmodel import Session, select

from storage.models import Unit, UnitChange


class Change(NamedTuple):
    """A change to record: which unit, what (created, renamed, moved, merged, closed), when,
    and the name or code before and after."""

    unit_id: int
    change: str
    effective: dt.date
    old_value: str | None = None
    new_value: str | None = None


def record_changes(session: Session, *, changes: Iterable[Change], now: dt.datetime) -> int:
    """Keep ``changes`` in one statement; returns how many."""
    rows = [{**change._asdict(), "recorded_at": now} for change in changes]
    if rows:
        session.connection().execute(insert(UnitChange.__table__), rows)
    return len(rows)


def unit_changes(session: Session, *, unit_id: int) -> list[UnitChange]:
    """The changes of ``unit_id``, oldest first (by effective date, then as recorded)."""
    return list(session.exec(select(UnitChange).where(UnitChange.unit_id == unit_id)
                             .order_by(UnitChange.effective, UnitChange.id)))


def merges_into(session: Session, *, code: str) -> list[UnitChange]:
    """The merges that made other units part of the unit with ``code``."""
    return list(session.exec(select(UnitChange).where(UnitChange.change == "merged",
                                                      UnitChange.new_value == code)))


def absorbed_units(session: Session, *, unit_ids: Collection[int]) -> list[Unit]:
    """The units merged into any of ``unit_ids``, and into those, and so on (their records are
    now those units' records too), by code."""
    found: dict[int, Unit] = {}
    wanted = list(unit_ids)
    while wanted:
        merged = session.exec(select(Unit).where(Unit.merged_into_id.in_(wanted))).all()
        wanted = [u.id for u in merged if u.id not in found and u.id not in unit_ids]
        found.update((u.id, u) for u in merged if u.id not in unit_ids)
    return sorted(found.values(), key=lambda u: u.code)

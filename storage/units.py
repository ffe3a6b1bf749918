"""Queries on the unit tree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol

from sqlmodel import Session, select

from storage.models import Unit


def unit_by_code(session: Session, *, code: str) -> Unit | None:
    """The unit with ``code``, active or not."""
    return session.exec(select(Unit).where(Unit.code == code)).first()


def all_units(session: Session, *, active_only: bool = False) -> list[Unit]:
    """Every unit, ordered by code."""
    query = select(Unit).order_by(Unit.code)
    if active_only:
        query = query.where(Unit.active)
    return list(session.exec(query))


class UnitRecord(Protocol):
    """A unit as the planner needs it: where it hangs in the tree, and whether it is active."""

    id: int
    parent_id: int | None
    active: bool
    kind: str
    name: str


def unit_records(session: Session) -> list[UnitRecord]:
    """Every unit, active or not, in id order: rows (named tuples), never objects."""
    # Through the connection: a plain Core query, without the ORM's per-row work.
    return session.connection().execute(
        select(Unit.id, Unit.parent_id, Unit.active, Unit.kind, Unit.name).order_by(Unit.id)
    ).all()


def parent_codes(session: Session) -> dict[str, str | None]:
    """Each stored unit's code mapped to its parent's code."""
    units = all_units(session)
    code_of = {u.id: u.code for u in units}
    return {u.code: code_of.get(u.parent_id) for u in units}


def upsert_units(
    session: Session, *, rows: Iterable[tuple[str, str, str, str | None]], now: dt.datetime
) -> tuple[int, int]:
    """Create or update units from (code, name, kind, parent code), parents first.

    Returns how many were created and how many updated. The caller checks the rows first.
    """
    created = updated = 0
    for code, name, kind, parent_code in rows:
        parent = unit_by_code(session, code=parent_code) if parent_code else None
        unit = unit_by_code(session, code=code)
        if unit is None:
            unit = Unit(code=code, name=name, kind=kind, created_at=now)
            created += 1
        else:
            updated += 1
        unit.name, unit.kind = name, kind
        unit.parent_id = parent.id if parent else None
        session.add(unit)
        session.flush()
    return created, updated


def tree_order(units: Sequence[Unit]) -> list[tuple[Unit, int]]:
    """Units depth-first from the roots, each with its depth, children ordered by code."""
    children: dict[int | None, list[Unit]] = {}
    for unit in sorted(units, key=lambda u: u.code):
        children.setdefault(unit.parent_id, []).append(unit)
    ids = {u.id for u in units}
    ordered: list[tuple[Unit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    # Units whose parent is outside ``units`` start their own branch.
    for orphan_parent in sorted(k for k in children if k is not None and k not in ids):
        walk(orphan_parent, 0)
    return ordered


def subtree_ids(session: Session, *, unit_id: int) -> set[int]:
    """The ids of ``unit_id`` and every unit below it."""
    units = all_units(session)
    children: dict[int | None, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.id)
    found, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


def ancestors(session: Session, *, unit: Unit) -> list[Unit]:
    """The units above ``unit``, nearest first."""
    chain, seen = [], {unit.id}
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in seen:
        parent = session.get(Unit, parent_id)
        if parent is None:
            break
        chain.append(parent)
        seen.add(parent.id)
        parent_id = parent.parent_id
    return chain

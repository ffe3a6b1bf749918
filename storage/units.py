"""Queries on the unit tree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import aliased
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
    code: str  # which province's catalog the unit reads (Catalog.for_unit)


def unit_records(session: Session) -> list[UnitRecord]:
    """Every unit, active or not, in id order: rows (named tuples), never objects."""
    # Through the connection: a plain Core query, without the ORM's per-row work.
    return session.connection().execute(
        select(Unit.id, Unit.parent_id, Unit.active, Unit.kind, Unit.name, Unit.code)
        .order_by(Unit.id)
    ).all()


def parent_codes(session: Session) -> dict[str, str | None]:
    """Each stored unit's code mapped to its parent's code."""
    parent = aliased(Unit)
    return dict(session.connection().execute(
        select(Unit.code, parent.code).outerjoin(parent, parent.id == Unit.parent_id)).all())


def parent_ids(session: Session) -> dict[int, int | None]:
    """Each stored unit's id mapped to its parent's id."""
    return dict(session.exec(select(Unit.id, Unit.parent_id)).all())


def upsert_units(
    session: Session, *, rows: Iterable[tuple[str, str, str, str | None]], now: dt.datetime
) -> tuple[int, int]:
    """Create or update units from (code, name, kind, parent code).

    Returns how many were created and how many updated. The caller checks the rows first.
    Set-based, for a country's 50,000 units: the stored units are read once, the new ones are
    inserted a tree level at a time (so each level's parents exist) and the changed ones
    updated, each with one executemany. Core statements: a unit object this session loaded
    before is not refreshed.
    """
    table = Unit.__table__
    connection = session.connection()
    stored = {code: (uid, name, kind, parent_id) for code, uid, name, kind, parent_id
              in connection.execute(select(table.c.code, table.c.id, table.c.name,
                                           table.c.kind, table.c.parent_id))}
    wanted: dict[str, tuple[str, str, str | None]] = {}
    created = updated = 0
    for code, name, kind, parent in rows:
        if code in stored or code in wanted:
            updated += 1
        else:
            created += 1
        wanted[code] = (name, kind, parent or None)
    ids = {code: fields[0] for code, fields in stored.items()}
    pending = {code for code in wanted if code not in stored}
    while pending:
        level = [c for c in wanted if c in pending and wanted[c][2] not in pending]
        if not level:
            raise ValueError("the units' parents form a cycle; check the rows first")
        connection.execute(insert(table), [
            {"code": c, "name": wanted[c][0], "kind": wanted[c][1], "active": True,
             "parent_id": ids[wanted[c][2]] if wanted[c][2] else None, "created_at": now}
            for c in level])
        ids.update(connection.execute(select(table.c.code, table.c.id)).all())
        pending.difference_update(level)
    changes = [{"unit": stored[c][0], "new_name": name, "new_kind": kind,
                "new_parent": ids[parent] if parent else None}
               for c, (name, kind, parent) in wanted.items() if c in stored
               and stored[c][1:] != (name, kind, ids[parent] if parent else None)]
    if changes:
        connection.execute(
            update(table).where(table.c.id == bindparam("unit")).values(
                name=bindparam("new_name"), kind=bindparam("new_kind"),
                parent_id=bindparam("new_parent")), changes)
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
    return below(unit_children(session), unit_id)


def unit_children(session: Session) -> dict[int | None, list[int]]:
    """Every unit's id under its parent's (``None``: the top), active or not: the tree's
    shape in two columns, for walking many subtrees with :func:`below` after one query."""
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in session.exec(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent_id, []).append(unit_id)
    return children


def below(children: dict[int | None, list[int]], unit_id: int) -> set[int]:
    """``unit_id`` and every unit under it in ``children`` (see :func:`unit_children`)."""
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

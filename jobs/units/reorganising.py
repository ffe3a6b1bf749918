"""Applying a checked reorganisation plan (:mod:`jobs.units.reorganisation`) in one transaction:
new units, moves, renames, merges (each through :func:`hand_over`, the merge of ``units merge``
without its check, which the plan's covers), closings; every change kept in the units' history."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.planning.duty_events import end_open_obligations, hand_over
from jobs.units.reform_notices import members_of, tell_moved_members, tell_supervisors_of_plan
from jobs.units.reorganisation import ACTIONS, PlanRow, Tree
from jobs.units.units_file import UnitRow, in_tree_order
from storage.models import Member, Unit
from storage.unit_history import Change, record_changes
from storage.units import parent_codes, upsert_units


def stored_tree(session: Session) -> Tree:
    """The stored units as a plan is checked against: code → (parent's code, active)."""
    active = dict(session.connection().execute(select(Unit.code, Unit.active)).all())
    return {code: (parent, bool(active[code])) for code, parent in parent_codes(session).items()}


@dataclass(frozen=True)
class Effect:
    """What a plan does, by action; ``announcements``: successors that must announce again."""

    counts: dict[str, int]
    announcements: int = 0


def count_actions(rows: list[PlanRow]) -> dict[str, int]:
    """How many rows of each action."""
    return dict(Counter(r.action for r in rows))


@dataclass(frozen=True)
class When:
    """The plan's effective date and the moment it is applied at."""

    effective: dt.date
    now: dt.datetime


def apply_plan(session: Session, *, rows: list[PlanRow], when: When, catalog: Catalog,
               calendar: WorkCalendar) -> Effect:
    """Make a checked plan take effect on ``when.effective``; the caller commits once."""
    by_action = {a: [r for r in rows if r.action == a] for a in ACTIONS}
    _create(session, by_action["new"], when)
    units = {u.code: u for u in session.exec(select(Unit).where(Unit.code.in_(
        {r.code for r in rows} | {r.target for r in rows if r.target})))}
    _move(session, by_action["move"], units, when)
    _rename(session, by_action["rename"], units, when)
    session.expire_all()  # the moves and renames went past the ORM
    for row in by_action["close"]:
        close_unit(session, unit=unit_by(session, row.code), when=when)
        _settle(session)
    parents, announced = parent_codes(session), set()
    acting = members_of(session, codes=[r.code for r in by_action["merge"]])
    # The deepest first: a department merges before its province, so it is not first carried
    # along under the province's successor.
    for row in sorted(by_action["merge"], key=lambda r: -_depth(r.code, parents)):
        merged, into = unit_by(session, row.code), unit_by(session, row.target)
        announced.add(hand_over(session, merged=merged, into=into, now=when.now,
                                catalog=catalog, calendar=calendar, on=when.effective).id)
        _settle(session)
    tell_moved_members(session, before=acting, effective=when.effective, now=when.now)
    effect = Effect(count_actions(rows), len(announced))
    tell_supervisors_of_plan(session, codes={r.target or r.code for r in rows},
                             counts=effect.counts, announcements=effect.announcements,
                             effective=when.effective, now=when.now)
    return effect


def _settle(session: Session) -> None:
    """Write what one unit's change did and forget its objects: the ORM checks every object it
    holds before each query, so holding thousands makes a large plan quadratic."""
    session.flush()
    session.expunge_all()


def _depth(code: str, parents: dict[str, str | None]) -> int:
    depth = 0
    while (code := parents.get(code)) is not None:
        depth += 1
    return depth


def unit_by(session: Session, code: str) -> Unit:
    return session.exec(select(Unit).where(Unit.code == code)).one()


def _create(session: Session, rows: list[PlanRow], when: When) -> None:
    ordered = in_tree_order([UnitRow(r.line, r.code, r.name, r.kind, r.target) for r in rows])
    upsert_units(session, rows=[(r.code, r.name, r.kind, r.parent or None) for r in ordered],
                 now=when.now)
    by_code = {r.code: r for r in rows}
    created = session.connection().execute(
        select(Unit.id, Unit.code).where(Unit.code.in_(list(by_code)))).all()
    record_changes(session, changes=[
        Change(uid, "created", when.effective, by_code[code].target or None, by_code[code].name)
        for uid, code in created], now=when.now)


def _move(session: Session, rows: list[PlanRow], units: dict[str, Unit], when: When) -> None:
    table, code_of = Unit.__table__, {u.id: u.code for u in units.values()}
    if not rows:
        return
    session.connection().execute(
        update(table).where(table.c.id == bindparam("unit")).values(parent_id=bindparam("to")),
        [{"unit": units[r.code].id, "to": units[r.target].id} for r in rows])
    record_changes(session, changes=[
        Change(units[r.code].id, "moved", when.effective,
               code_of.get(units[r.code].parent_id) or _code(session, units[r.code].parent_id),
               r.target) for r in rows], now=when.now)


def _code(session: Session, unit_id: int | None) -> str | None:
    if unit_id is None:
        return None
    return session.connection().execute(select(Unit.code).where(Unit.id == unit_id)).scalar()


def _rename(session: Session, rows: list[PlanRow], units: dict[str, Unit], when: When) -> None:
    if not rows:
        return
    table = Unit.__table__
    session.connection().execute(
        update(table).where(table.c.id == bindparam("unit")).values(name=bindparam("to")),
        [{"unit": units[r.code].id, "to": r.name} for r in rows])
    record_changes(session, changes=[
        Change(units[r.code].id, "renamed", when.effective, units[r.code].name, r.name)
        for r in rows], now=when.now)


def close_unit(session: Session, *, unit: Unit, when: When) -> None:
    """The unit ends: inactive, its open duties cancelled, its members no longer acting for it;
    its records stay readable under its code."""
    end_open_obligations(session, unit=unit,
                         reason=f"closed on {when.effective.isoformat()}")
    for member in session.exec(select(Member).where(Member.unit_id == unit.id)):
        member.active = False
        session.add(member)
    unit.active = False
    session.add(unit)
    record_changes(session, changes=[Change(unit.id, "closed", when.effective, unit.name)],
                   now=when.now)

"""Creating the catalog obligations units owe, a period at a time for all of them.

Every unit of a kind owes the same periods on the same dates, so they are worked out once per
kind, and each (duty, period, due date) is created for all the units that owe it with one
``INSERT … SELECT`` per few thousand units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import replace

from sqlmodel import Session

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.planning.obligations import Owed, owed_between
from storage.obligations import Owing, create_owed, owed_missing
from storage.units import UnitRecord

# How far back a newly seen period may reach: a year, so a bot that was down still catches up,
# but never before the unit was registered (no one owes what was due before they joined).
LOOKBACK = dt.timedelta(days=366)
# Units per INSERT … SELECT: each statement, and its share of SQLite's write lock, stays short.
UNITS_PER_STATEMENT = 5000


def create_owed_obligations(
    session: Session, *, units: Iterable[UnitRecord], now: dt.datetime, catalog: Catalog,
    calendar: WorkCalendar, checkpoint: Callable[[], None] = lambda: None,
) -> int:
    """Store the catalog obligations of the active ``units`` that fall due soon enough to remind.

    A unit owes what falls due from the day it was registered (a year back at most) to the
    longest lead time ahead. ``checkpoint`` runs after each statement that created any (the
    planner commits there). Returns how many obligations were created.
    """
    active = [u for u in units if u.active]
    today = now.astimezone(calendar.tz).date()
    horizon = max((max(d.lead_days, default=0) for d in catalog.duties), default=0) + 1
    kinds_owing: dict[Owed, list[str]] = {}
    for kind in sorted({u.kind for u in active}):
        for owed in owed_between(catalog, kind, today - LOOKBACK,
                                 today + dt.timedelta(days=horizon), calendar):
            kinds_owing.setdefault(owed, []).append(kind)
    ranges = _id_ranges(sorted(u.id for u in active))
    created = 0
    # In the order the per-unit planner used, so each unit's obligations keep that id order.
    for owed in sorted(kinds_owing, key=lambda o: (o.due, o.duty_key, o.period)):
        next_day = dt.datetime.combine(owed.due + dt.timedelta(days=1), dt.time.min,
                                       tzinfo=calendar.tz)
        everyone = Owing(kinds=tuple(kinds_owing[owed]), unit_ids=(ranges[0][0], ranges[-1][1]),
                         joined_before=next_day,
                         unregistered_owe=today <= owed.due)  # no registration time: joined today
        if len(ranges) > 1 and not owed_missing(  # one look at all the units, on most days
                session, duty_key=owed.duty_key, period=owed.period, due=owed.due,
                owing=everyone):
            continue
        for unit_ids in ranges:
            added = create_owed(session, duty_key=owed.duty_key, period=owed.period,
                                due=owed.due, owing=replace(everyone, unit_ids=unit_ids), now=now)
            if added:
                checkpoint()
            created += added
    return created


def _id_ranges(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ``ids`` cut into ranges of at most :data:`UNITS_PER_STATEMENT` of them."""
    return [(ids[i], ids[min(i + UNITS_PER_STATEMENT, len(ids)) - 1])
            for i in range(0, len(ids), UNITS_PER_STATEMENT)]

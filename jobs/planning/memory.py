"""What a :class:`jobs.planning.planner.Planner` remembers between ticks, and how it is stored.

In the process, the memory says which work the last committed tick did: the day and the units of
its obligations pass, the address book of its reminders pass, and per group (duty, due date) the
stages it queued and for which obligations. Stored in the database after a committed tick
(:mod:`storage.planner_memory`), it lets a fresh process (a restarted bot, ``isobot plan``) skip
what is done as the warm planner does. Stored, it keeps fingerprints instead of rows: of the
units, of the address book's units, members and absences, and of everything the planning rules
read (the catalog, the working calendar, :data:`RULES`); a fingerprint that differs makes that
part of the memory worthless, and the planner does that part from scratch. Pure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jobs.calendar.workdays import PACKAGE_VERSION, WorkCalendar
from jobs.catalog import Catalog
from jobs.planning.recipients import AddressBook

#: The planning rules' version: bump it whenever a change to the planner, its schedules or its
#: keys makes what an older version stored mean something else; stored memories are then ignored.
RULES = 1

Group = tuple[str, dt.date]  # (duty key, due date)


@dataclass(frozen=True)
class Seen:
    """What the planner committed for a group: the stage of each track, for which of the group's
    obligations (None: not known, as after a restart; all of them when the aggregate matches),
    and the group's count and id sum when it looked."""

    stages: dict[str, str]
    aggregate: tuple[int, int]
    ids: frozenset[int] | None


@dataclass
class Memory:
    """What the planner committed; empty: plan from scratch."""

    owed_on: dt.date | None = None  # the day of the last obligations pass …
    owed_units: Sequence | None = None  # … the units it was made for (None: known by print only)
    owed_print: str | None = None  # … and their fingerprint
    book: AddressBook | None = None  # the units and members of the last reminders pass …
    book_print: str | None = None  # … their fingerprint (a stored memory has only this)
    groups: dict[Group, Seen] = field(default_factory=dict)


def fingerprint(*parts: Iterable[Any]) -> str:
    """A digest of rows (named tuples, in a stable order): the same rows, the same digest."""
    digest = hashlib.sha256()
    for part in parts:
        rows = [tuple(row) for row in part]
        try:
            # Format 2 writes values, never references to objects met before: the same values,
            # the same bytes. Twice as fast as a repr per row, a tenth of a fresh `isobot plan`
            # at 50,000 units. A new Python may write other bytes: its first tick plans afresh.
            digest.update(marshal.dumps(rows, 2))
        except ValueError:  # a value marshal does not write (a time of day, a dataclass)
            digest.update(repr(rows).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def book_fingerprint(units_print: str, members: Sequence, away: Mapping[int, list]) -> str:
    """The fingerprint of what an :class:`AddressBook` is built from: the units (their
    :func:`fingerprint`), the active members and the day's absences."""
    return fingerprint([(units_print,)], members,
                       sorted((unit, repr(a)) for unit, a in away.items()))


def rules_fingerprint(catalog: Catalog, calendar: WorkCalendar) -> str:
    """The fingerprint of everything the schedules and the obligations owed depend on: the
    catalog (the provinces' too), the working calendar and the planning rules' version."""
    return fingerprint(
        [(RULES,)], [(catalog.model_dump_json(),)],
        [(prefix, province.model_dump_json()) for prefix, province in catalog.provinces()],
        [(calendar.office_opens, calendar.office_closes, str(calendar.tz), calendar.amendments,
          PACKAGE_VERSION)])


def stored(memory: Memory, *, rules: str) -> dict[str, Any]:
    """``memory`` as JSON, for a fresh process; fingerprints in place of rows."""
    return {
        "rules": rules, "owed_on": memory.owed_on.isoformat() if memory.owed_on else None,
        "owed_units": memory.owed_print, "book": memory.book_print,
        "groups": [[duty, due.isoformat(), seen.stages, *seen.aggregate]
                   for (duty, due), seen in sorted(memory.groups.items())],
    }


def restored(data: Mapping[str, Any] | None, *, rules: str) -> Memory:
    """The memory :func:`stored` wrote, or an empty one when it was made under other rules."""
    if not data or data.get("rules") != rules:
        return Memory()
    owed_on = data.get("owed_on")
    return Memory(
        owed_on=dt.date.fromisoformat(owed_on) if owed_on else None,
        owed_print=data.get("owed_units"), book_print=data.get("book"),
        groups={(duty, dt.date.fromisoformat(due)): Seen(dict(stages), (count, total), None)
                for duty, due, stages, count, total in data.get("groups", [])})

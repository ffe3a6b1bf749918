"""The planning step the scheduler runs: create owed obligations, put due reminders in the outbox.

It works per *group*, not per unit: every open obligation with the same duty and due date has
the same reminder stages, so a group's schedule and the latest stage of each of its tracks are
worked out once, and that stage's messages are queued for all of the group's obligations and
recipients in bulk (:mod:`jobs.planning.owed` does the same for creating obligations).

A :class:`Planner` lives as long as the bot and remembers what it committed, so a tick does only
what is new: obligations of new periods are created on the first tick of a day (or when units
change), and a group is looked at again only when one of its stages came due, an obligation
joined it, or the recipients of one of its units changed. Whatever it skips, every message
goes through the outbox's unique key, so the results are those of planning from scratch
(:func:`plan`); tests compare them with the old per-unit planner's over a year.

Work is committed in chunks (per period, per few thousand messages), so a long tick never holds
SQLite's write lock for long while the chat writes; a tick cut short leaves nothing half-done
that the next tick does not complete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.people.absence import away_by_unit, officer_recipients
from jobs.people.absence_summary import queue_return_summaries
from jobs.people.linking import preferred
from jobs.planning.owed import create_owed_obligations
from jobs.planning.queueing import Outgoing
from jobs.planning.recipients import AddressBook
from jobs.planning.reminders import Stage, latest_stages, schedule
from jobs.text.reminder_texts import About
from storage.members import active_recipients, members_of
from storage.models import Member, Obligation, Role, Unit
from storage.obligations import open_groups, open_rows
from storage.units import UnitRecord, ancestors, unit_records

Group = tuple[str, dt.date]  # (duty key, due date)


@dataclass(frozen=True)
class PlanResult:
    """What one planning step did."""

    obligations_created: int
    messages_queued: int


def plan(session: Session, *, now: dt.datetime, catalog: Catalog,
         calendar: WorkCalendar) -> PlanResult:
    """Create the obligations now owed and queue every reminder and escalation due at ``now``.

    From scratch, in the caller's transaction (nothing is committed here).
    """
    return Planner(catalog, calendar).tick(session, now=now)


@dataclass(frozen=True)
class _Seen:
    """What the planner committed for a group: the stage of each track, and for which of the
    group's obligations (and the group's count and id sum when it looked)."""

    stages: dict[str, str]
    aggregate: tuple[int, int]
    ids: frozenset[int]


@dataclass
class _Memory:
    owed_on: dt.date | None = None  # the day of the last obligations pass …
    owed_units: Sequence[UnitRecord] = ()  # … and the units it was made for
    book: AddressBook | None = None  # the units and members of the last reminders pass
    groups: dict[Group, _Seen] = field(default_factory=dict)


class Planner:
    """Plans tick after tick, remembering what it committed so a tick does only what is new.

    One per process, used by one thread at a time. A tick that fails makes it forget
    everything: the next tick plans from scratch, which is always correct.
    """

    def __init__(self, catalog: Catalog, calendar: WorkCalendar, *,
                 after_commit: Callable[[], None] = lambda: None) -> None:
        self.catalog = catalog
        self.calendar = calendar
        self.after_commit = after_commit  # after each chunk a committing tick writes
        self.duties = {d.key: d for d in catalog.duties}
        self._memory = _Memory()
        self._schedules: dict[Group, list[Stage]] = {}

    def tick(self, session: Session, *, now: dt.datetime, commit: bool = False) -> PlanResult:
        """Create the obligations owed and queue the messages due at ``now``.

        With ``commit`` the work is committed in chunks and remembered for the next tick;
        without, it stays in the caller's transaction and nothing is remembered.
        """
        try:
            with _collector_paused():
                return _Tick(self, session, now, commit).run()
        except BaseException:
            self._memory = _Memory()
            raise

    def schedule(self, group: Group) -> list[Stage]:
        """Every stage of the obligations of ``group``: the same for all of them."""
        if group not in self._schedules:
            self._schedules[group] = schedule(group[1], self.duties[group[0]], self.calendar)
        return self._schedules[group]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for a tick, which holds a few hundred thousand rows and
    strings: the collector would walk them again and again, for a third of a heavy tick's time.
    The tick makes no garbage cycles worth collecting early; the collector resumes after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Tick:
    """One planning step of a :class:`Planner`."""

    def __init__(self, planner: Planner, session: Session, now: dt.datetime,
                 commit: bool) -> None:
        self.planner, self.session, self.now, self.commit = planner, session, now, commit
        self.memory = planner._memory
        self.today = now.astimezone(planner.calendar.tz).date()

    def checkpoint(self) -> None:
        if self.commit:
            self.session.commit()
            self.planner.after_commit()

    def run(self) -> PlanResult:
        units = unit_records(self.session)  # once: the obligations and the messages use them
        created = self.create_owed(units)
        queued = 0
        if self.planner.calendar.in_office_hours(self.now):  # else nothing is due
            queued = self.queue_due(units)
        queued += queue_return_summaries(self.session, now=self.now,
                                         catalog=self.planner.catalog,
                                         calendar=self.planner.calendar)
        return PlanResult(created, queued)

    def create_owed(self, units: Sequence[UnitRecord]) -> int:
        """Obligations: on the first tick of a day, else only for units added since."""
        memory = self.memory
        if memory.owed_on == self.today and memory.owed_units == units:
            return 0
        owing = units
        if memory.owed_on == self.today and set(memory.owed_units) <= set(units):
            known = {u.id for u in memory.owed_units}  # nothing changed but units were added
            owing = [u for u in units if u.id not in known]
        created = create_owed_obligations(
            self.session, units=owing, now=self.now, catalog=self.planner.catalog,
            calendar=self.planner.calendar, checkpoint=self.checkpoint)
        if self.commit:
            memory.owed_on, memory.owed_units = self.today, units
        return created

    def queue_due(self, units: Sequence[UnitRecord]) -> int:
        """Messages: the latest due stage of every track of every open obligation."""
        members = active_recipients(self.session)
        away = away_by_unit(self.session, day=self.today)
        book, changed = self.memory.book, set()
        if book is None or not book.built_from(units, members, away):
            book, before = AddressBook(units, members, away), book
            changed = book.changed_since(before) if before else set()
        outgoing = Outgoing(self.session, book=book, today=self.today, now=self.now,
                            catalog=self.planner.catalog, checkpoint=self.checkpoint)
        seen = self.queue_groups(outgoing)
        self.queue_for_units(changed, outgoing)
        outgoing.send()
        if self.commit:
            self.memory.groups, self.memory.book = seen, book
        return outgoing.queued

    def queue_groups(self, outgoing: Outgoing) -> dict[Group, _Seen]:
        """Each group whose stage came due, or whose obligations changed, since last time."""
        remembered, seen = self.memory.groups, {}
        for group, aggregate in sorted(open_groups(self.session).items(),
                                       key=lambda item: (item[0][1], item[0][0])):
            if group[0] not in self.planner.duties:
                continue
            latest = latest_stages(self.planner.schedule(group), self.now, self.planner.calendar)
            if not latest:
                continue  # nothing due yet
            stages = {track: stage.name for track, stage in latest.items()}
            before = remembered.get(group)
            if before and before.stages == stages and before.aggregate == aggregate:
                seen[group] = before
                continue
            rows = [r for r in open_rows(self.session, duty_key=group[0], due=group[1])
                    if r.unit_id in outgoing.book.units]  # not a unit newer than the book
            changed = [s for t, s in latest.items() if not before or before.stages.get(t) != s.name]
            for row in rows:
                outgoing.add(row, latest.values() if not before or row.id not in before.ids
                             else changed)
            seen[group] = _Seen(stages, aggregate, frozenset(r.id for r in rows))
        return seen

    def queue_for_units(self, unit_ids: Iterable[int], outgoing: Outgoing) -> None:
        """Every due message of the open obligations of ``unit_ids`` (whose recipients changed)."""
        for row in open_rows(self.session, unit_ids=unit_ids):
            group = (row.duty_key, row.due)
            if group[0] in self.planner.duties and row.unit_id in outgoing.book.units:
                outgoing.add(row, latest_stages(self.planner.schedule(group), self.now,
                                                self.planner.calendar).values())


def recipients(session: Session, *, unit: Unit, role: str,
               day: dt.date | None = None) -> list[Member]:
    """Who receives a message meant for ``role`` of ``unit`` (one unit; the planner uses
    :class:`jobs.planning.recipients.AddressBook` for all of them at once).

    Officers and heads are the unit's own; supervisors are those of the nearest unit above
    (or the unit itself) that has any. A person with a Telegram and a Zalo account gets it on
    the one(s) they chose (:func:`jobs.people.linking.preferred`). Given the ``day``, an officer's
    messages follow :mod:`jobs.people.absence`: to a substitute while the officer is away, and to
    the head of a unit with no officer.
    """
    if role == Role.OFFICER and day is not None:
        return officer_recipients(session, unit_id=unit.id, day=day)
    if role != Role.SUPERVISOR:
        return preferred(members_of(session, unit_ids=[unit.id], roles=[role]))
    for candidate in [unit, *ancestors(session, unit=unit)]:
        found = members_of(session, unit_ids=[candidate.id], roles=[Role.SUPERVISOR])
        if found:
            return preferred(found)
    return []


def about_obligation(obligation: Obligation, unit: Unit, catalog: Catalog, lang: str) -> About:
    """What a message about ``obligation`` needs to say, citing what binds ``unit``."""
    return About(obligation.id, unit.name, catalog.for_unit(unit.code).duty(obligation.duty_key),
                 obligation.period, obligation.due, obligation.note, obligation.label)

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
(:func:`plan`); tests compare them with the old per-unit planner's over a year. What it
remembers is stored in the database too (:mod:`jobs.planning.memory`), so a fresh process (a
restarted bot, ``isobot plan``) skips what is done as well.

Work is committed in chunks (per period, per few thousand messages), so a long tick never holds
SQLite's write lock for long while the chat writes; a tick cut short leaves nothing half-done
that the next tick does not complete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.people.absence import away_by_unit, officer_recipients
from jobs.people.absence_summary import queue_return_summaries
from jobs.people.linking import preferred
from jobs.planning.memory import (
    Group,
    Memory,
    Seen,
    book_fingerprint,
    fingerprint,
    restored,
    rules_fingerprint,
    stored,
)
from jobs.planning.owed import create_owed_obligations
from jobs.planning.queueing import Outgoing
from jobs.planning.recipients import AddressBook
from jobs.planning.reminders import Stage, latest_stages, schedule
from jobs.text.reminder_texts import About
from storage.members import active_recipients, members_of
from storage.models import Member, Obligation, Role, Unit
from storage.obligations import open_groups, open_rows
from storage.planner_memory import load_memory, save_memory
from storage.units import UnitRecord, ancestors, unit_records


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
    return Planner(catalog, calendar, stored=False).tick(session, now=now)


class Planner:
    """Plans tick after tick, remembering what it committed so a tick does only what is new.

    One per process, used by one thread at a time. Its first tick starts from the memory the
    last committed tick stored (:mod:`jobs.planning.memory`), unless ``stored`` is false; each
    committing tick stores its own in its last commit, so a stored memory claims only committed
    work, which nothing undoes (outbox rows and obligations are never deleted). A tick that
    fails makes it forget everything and not load the stored memory again: the next tick plans
    from scratch, which is always correct.
    """

    def __init__(self, catalog: Catalog, calendar: WorkCalendar, *,
                 after_commit: Callable[[], None] = lambda: None, stored: bool = True) -> None:
        self.catalog = catalog
        self.calendar = calendar
        self.after_commit = after_commit  # after each chunk a committing tick writes
        self.duties = {d.key: d for d in catalog.duties}
        self.rules = rules_fingerprint(catalog, calendar)
        self._memory = Memory()
        self._to_load = stored  # the stored memory, on the first tick
        self._saved: dict | None = None  # the memory as stored last (loaded or written)
        self._schedules: dict[Group, list[Stage]] = {}

    def tick(self, session: Session, *, now: dt.datetime, commit: bool = False) -> PlanResult:
        """Create the obligations owed and queue the messages due at ``now``.

        With ``commit`` the work is committed in chunks and remembered for the next tick, in
        the process and in the database; without, it stays in the caller's transaction and
        nothing is remembered.
        """
        try:
            with _collector_paused():
                if self._to_load:
                    self._saved = load_memory(session)
                    self._memory = restored(self._saved, rules=self.rules)
                    self._to_load = False
                result = _Tick(self, session, now, commit).run()
                if commit:
                    self._store(session, now)
                return result
        except BaseException:
            self._memory, self._to_load = Memory(), False
            raise

    def _store(self, session: Session, now: dt.datetime) -> None:
        """Store the memory, in the tick's last commit: it then claims only committed work."""
        memory = stored(self._memory, rules=self.rules)
        if memory != self._saved:  # a steady tick of a warm planner mostly writes nothing
            save_memory(session, memory=memory, planned_at=now)
            session.commit()
            self._saved = memory

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
        self._units_print: str | None = None

    def checkpoint(self) -> None:
        if self.commit:
            self.session.commit()
            self.planner.after_commit()

    def run(self) -> PlanResult:
        units = unit_records(self.session)  # once: the obligations and the messages use them
        if units == self.memory.owed_units:
            units = self.memory.owed_units  # one copy of 50,000 rows held between ticks, not two
        created = self.create_owed(units)
        queued = 0
        if self.planner.calendar.in_office_hours(self.now):  # else nothing is due
            queued = self.queue_due(units)
        queued += queue_return_summaries(self.session, now=self.now,
                                         catalog=self.planner.catalog,
                                         calendar=self.planner.calendar)
        return PlanResult(created, queued)

    def units_fingerprint(self, units: Sequence[UnitRecord]) -> str:
        """The fingerprint of the tick's ``units``, worked out once: both passes may ask."""
        if self._units_print is None:
            self._units_print = fingerprint(units)
        return self._units_print

    def create_owed(self, units: Sequence[UnitRecord]) -> int:
        """Obligations: on the first tick of a day, else only for units added since."""
        memory = self.memory
        if memory.owed_on == self.today and memory.owed_units == units:
            return 0
        units_print, same_day = self.units_fingerprint(units), memory.owed_on == self.today
        if same_day and memory.owed_print == units_print:
            memory.owed_units = units  # a stored memory's units: the same rows
            return 0
        owing = units
        if same_day and memory.owed_units is not None and set(memory.owed_units) <= set(units):
            known = {u.id for u in memory.owed_units}  # nothing changed but units were added
            owing = [u for u in units if u.id not in known]
        created = create_owed_obligations(
            self.session, units=owing, now=self.now, catalog=self.planner.catalog,
            calendar=self.planner.calendar, checkpoint=self.checkpoint)
        if self.commit:
            memory.owed_on, memory.owed_units, memory.owed_print = self.today, units, units_print
        return created

    def queue_due(self, units: Sequence[UnitRecord]) -> int:
        """Messages: the latest due stage of every track of every open obligation."""
        members = active_recipients(self.session)
        away = away_by_unit(self.session, day=self.today)
        memory, remembered, changed = self.memory, self.memory.groups, set()
        book, book_print = memory.book, memory.book_print
        if book is None or not book.built_from(units, members, away):
            book_print = book_fingerprint(self.units_fingerprint(units), members, away)
            book, before = AddressBook(units, members, away), book
            if before is not None:
                changed = book.changed_since(before)
            elif book_print != memory.book_print:
                remembered = {}  # a stored memory of other recipients: every group again
        outgoing = Outgoing(self.session, book=book, today=self.today, now=self.now,
                            catalog=self.planner.catalog, checkpoint=self.checkpoint)
        seen = self.queue_groups(outgoing, remembered)
        self.queue_for_units(changed, outgoing)
        outgoing.send()
        if self.commit:
            memory.groups, memory.book, memory.book_print = seen, book, book_print
        return outgoing.queued

    def queue_groups(self, outgoing: Outgoing,
                     remembered: dict[Group, Seen]) -> dict[Group, Seen]:
        """Each group whose stage came due, or whose obligations changed, since last time."""
        seen = {}
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
            known = before.ids if before else frozenset()
            if known is None:  # a stored memory's group: the same rows if the same aggregate
                known = frozenset(r.id for r in rows) if before.aggregate == aggregate else ()
            for row in rows:
                outgoing.add(row, changed if row.id in known else latest.values())
            seen[group] = Seen(stages, aggregate, frozenset(r.id for r in rows))
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

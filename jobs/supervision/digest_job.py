"""Queuing the weekly digest: when it is due, who gets which digest, and the outbox rows.

The planner's clock decides (``now`` is passed in, so ``isobot run --now`` rehearses a Monday):
the digest of a week is due from its moment — ``send_at`` on ``weekday`` (Monday 07:30 by
default), moved to the next working day at the same time when that day is a holiday — until a
day later. Within that day every planning step composes the digests not queued yet; the key
``digest:<ISO year-week>:<member id>`` lets each person have one per week however often the
step runs, on however many processes. A reader whose digest had nothing to say is composed
for once a week too: the bot's planning process remembers them (:class:`Composed`), so the
steps after the moment compose only for people who joined since (a national Monday spent
6.5 s of CPU a minute, all day, composing 50,000 empty digests again). A bot that was down
longer than the day skips that week's digest rather than sending a stale one; one that catches
up after office hours sends it when the office next opens.

Who gets what (the composition rules are in :mod:`jobs.supervision.digest`):

- every active officer and head of an active unit: their unit's week, or the one-line
  "all done" when nothing is overdue or due this week and something was done last week;
  nothing when there is nothing to say;
- every active supervisor: the state of their unit's subtree (active units), with the chart and
  the XLSX table, unless the subtree is quiet.

A person with a Telegram and a Zalo account gets it on the account(s) they chose
(:func:`jobs.people.linking.preferred`), in their language.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter

from sqlalchemy import Row
from sqlmodel import Session

from jobs.calendar.workdays import VIETNAM, WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Message
from jobs.people.linking import preferred
from jobs.supervision.digest import DigestObligation, DigestUnit, Week, officer_digest
from jobs.supervision.subtree_digest import supervisor_digest
from jobs.text.i18n import translator
from storage.absences import staffed_units
from storage.digests import DigestMember, digest_members, digest_obligations, queued_keys
from storage.models import Role
from storage.outbox import enqueue
from storage.units import UnitRecord, below, unit_children, unit_records

DEFAULT_SEND_AT = dt.time(7, 30)
DEFAULT_WEEKDAY = 0  # Monday
GRACE = dt.timedelta(days=1)  # how long after its moment a week's digest may still be queued
CATCH_UP = dt.timedelta(hours=1)  # later than this after its moment, it waits for office hours
KIND = "digest"
UNIT_ROLES = (Role.OFFICER, Role.HEAD)
REPEATED_FIELDS = ("unit_id", "duty_key", "period", "due", "status")


@dataclass(frozen=True)
class PlannedDigest:
    """One digest for one member, not yet in the outbox."""

    key: str
    member: DigestMember
    unit: UnitRecord  # the member's unit (for a supervisor, the root of the subtree)
    message: Message


@dataclass
class Composed:
    """Whose digest of a week was composed already, queued or found with nothing to say: a
    process's memory, so a later step of the day leaves them out (a restarted bot composes
    the empty ones once more, and finds them empty again)."""

    week: str | None = None
    keys: set[str] = field(default_factory=set)

    def of(self, week: Week) -> set[str]:
        """The keys composed for ``week``."""
        return self.keys if self.week == week.label else set()

    def add(self, week: Week, keys: Iterable[str]) -> None:
        """Remember ``keys`` as composed for ``week`` (forgetting any earlier week's)."""
        if self.week != week.label:
            self.week, self.keys = week.label, set()
        self.keys.update(keys)


def digest_key(week: Week, member: DigestMember) -> str:
    """The outbox key of ``member``'s digest for ``week``."""
    return f"{KIND}:{week.label}:{member.id}"


def digest_moment(week: Week, *, calendar: WorkCalendar, send_at: dt.time = DEFAULT_SEND_AT,
                  weekday: int = DEFAULT_WEEKDAY) -> dt.datetime:
    """When the digest of ``week`` goes out: ``weekday`` at ``send_at``, or the next working
    day at that time when ``weekday`` is a day off."""
    day = calendar.on_or_after(week.monday + dt.timedelta(days=weekday))
    return dt.datetime.combine(day, send_at, tzinfo=calendar.tz)


def due_week(now: dt.datetime, *, calendar: WorkCalendar, send_at: dt.time = DEFAULT_SEND_AT,
             weekday: int = DEFAULT_WEEKDAY) -> tuple[Week, dt.datetime] | None:
    """The week whose digest is due at ``now``, and its moment; None outside every window.

    A moment moved by holidays may fall in the next week; when two weeks' moments are both
    due, the later week's wins (the earlier one's news is in it).
    """
    current = Week.containing(now)
    for week in (current, current.previous):
        moment = digest_moment(week, calendar=calendar, send_at=send_at, weekday=weekday)
        if moment <= now < moment + GRACE:
            return week, moment
    return None


def _digest_unit(u: UnitRecord) -> DigestUnit:
    return DigestUnit(id=u.id, code=u.code, name=u.name)


def build_weekly_digest(session: Session, *, now: dt.datetime, catalog: Catalog,
                        week: Week | None = None,
                        skip_keys: set[str] | frozenset[str] = frozenset()
                        ) -> list[PlannedDigest]:
    """Every digest due to someone at ``now`` (officers and heads first, then supervisors).

    Reads only. ``week`` names the keys (the week of ``now`` by default); members whose key is
    in ``skip_keys`` are left out before anything is read or composed for them.
    """
    readers = _readers(session, week or Week.containing(now), skip_keys)
    return _composed(session, readers, now=now, catalog=catalog)


def _composed(session: Session, readers: list[tuple[str, DigestMember]], *,
              now: dt.datetime, catalog: Catalog) -> list[PlannedDigest]:
    """The digests of ``readers`` that have something to say."""
    if not readers:
        # Every later step of the day, once all have theirs: no units, tree and a national
        # digest's 250,000 obligations read for nobody.
        return []
    units = {u.id: u for u in unit_records(session) if u.active}
    tree = unit_children(session)
    recipients = _recipients(readers, units)
    since = dt.datetime.combine(Week.containing(now).previous.monday, dt.time(0), tzinfo=VIETNAM)
    window = {"due_from": dt.date(now.astimezone(VIETNAM).year, 1, 1), "done_since": since}
    # One text per unit (or subtree) and language, however many people read it.
    composed = _unit_digests(session, recipients, units, window, now=now, catalog=catalog)
    composed |= _subtree_digests(session, recipients, tree, units, window, now=now,
                                 catalog=catalog)
    return [PlannedDigest(key, member, unit, message) for key, member, unit in recipients
            if (message := composed[_text_key(member, unit)]) is not None]


Recipients = list[tuple[str, DigestMember, UnitRecord]]
Texts = dict[tuple[str, int, str], Message | None]


def _text_key(member: DigestMember, unit: UnitRecord) -> tuple[str, int, str]:
    kind = "supervisor" if member.role == Role.SUPERVISOR else "unit"
    return kind, unit.id, translator(member.language).lang


def _unit_digests(session: Session, recipients: Recipients, units: dict[int, UnitRecord],
                  window: dict, *, now: dt.datetime, catalog: Catalog) -> Texts:
    """The officers' and heads' digests, composed unit by unit as the obligations stream in:
    the national digest's 250,000 are never in memory at once (the planning process's peak
    when every step of the Monday composed them again for the units with nothing to say)."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for _, member, unit in recipients:
        if member.role != Role.SUPERVISOR:
            wanted[unit.id].add(translator(member.language).lang)
    texts: Texts = {}

    def compose(unit_id: int, obligations: list[DigestObligation]) -> None:
        for lang in wanted.get(unit_id, ()):
            texts[("unit", unit_id, lang)] = officer_digest(
                _digest_unit(units[unit_id]), obligations, now=now, catalog=catalog,
                tr=translator(lang))

    ids = wanted.keys() if len(wanted) <= len(units) // 2 else None
    rows = digest_obligations(session, **window, unit_ids=ids)
    for unit_id, obligations in groupby(_digest_obligations(rows), key=attrgetter("unit_id")):
        compose(unit_id, list(obligations))
    for unit_id in wanted.keys() - {unit_id for _, unit_id, _ in texts}:
        compose(unit_id, [])
    return texts


def _subtree_digests(session: Session, recipients: Recipients,
                     tree: dict[int | None, list[int]], units: dict[int, UnitRecord],
                     window: dict, *, now: dt.datetime, catalog: Catalog) -> Texts:
    """The supervisors' digests, one subtree at a time."""
    staffed = staffed_units(session)
    texts: Texts = {}
    for _, member, unit in recipients:
        text_key = _text_key(member, unit)
        if member.role != Role.SUPERVISOR or text_key in texts:
            continue
        subtree = _subtree(tree, unit, units)
        by_unit: dict[int, list[DigestObligation]] = defaultdict(list)
        rows = digest_obligations(session, **window, unit_ids=[u.id for u in subtree])
        for obligation in _digest_obligations(rows):
            by_unit[obligation.unit_id].append(obligation)
        texts[text_key] = supervisor_digest(
            _digest_unit(unit), subtree, [o for u in subtree for o in by_unit.get(u.id, [])],
            now=now, catalog=catalog, tr=translator(member.language),
            without_officer=[u for u in subtree if u.id not in staffed])
    return texts


def _digest_obligations(rows: Iterable[Row]) -> Iterator[DigestObligation]:
    """The obligations of ``rows``. A national digest reads a few hundred thousand that share
    a few keys, periods, statuses and due dates: each of those is one object, not one per
    obligation (60 MB less)."""
    shared: dict[tuple[str, object], object] = {}
    for row in rows:
        fields = row._asdict()
        for name in REPEATED_FIELDS:
            fields[name] = shared.setdefault((name, fields[name]), fields[name])
        yield DigestObligation(**fields)


def _readers(session: Session, week: Week, skip_keys: set[str] | frozenset[str]
             ) -> list[tuple[str, DigestMember]]:
    """Who is owed ``week``'s digest, with its key: per unit and role, the preferred account
    of each person, unless their key is in ``skip_keys``."""
    members = digest_members(session, roles=[*UNIT_ROLES, Role.SUPERVISOR])
    groups: dict[tuple[int, str], list[DigestMember]] = defaultdict(list)
    for member in members:
        groups[(member.unit_id, member.role)].append(member)
    # The choice among a person's accounts is made before the skip: one served account does
    # not hand the digest to another.
    chosen = {m.id for group in groups.values() for m in preferred(group)}
    keyed = ((digest_key(week, m), m) for m in members if m.id in chosen)
    return [(key, m) for key, m in keyed if key not in skip_keys]


def _recipients(readers: list[tuple[str, DigestMember]], units: dict[int, UnitRecord]
                ) -> list[tuple[str, DigestMember, UnitRecord]]:
    """``readers`` with their units, in the order they are composed: officers and heads of
    each unit (of ``units``, the active ones), then the supervisors."""
    rank = {Role.OFFICER: 0, Role.HEAD: 1, Role.SUPERVISOR: 2}
    # A unit activated since ``units`` were read waits for the next digest, as its officers.
    return sorted(((key, m, units[m.unit_id]) for key, m in readers if m.unit_id in units),
                  key=lambda kmu: (kmu[1].role == Role.SUPERVISOR, kmu[2].code,
                                   rank[kmu[1].role], kmu[1].id))


def _subtree(tree: dict[int | None, list[int]], root: UnitRecord,
             units: dict[int, UnitRecord]) -> list[DigestUnit]:
    """The active units of ``root``'s subtree, ``root`` among them, by code."""
    ids = below(tree, root.id) & units.keys()
    return [_digest_unit(units[i]) for i in sorted(ids, key=lambda i: units[i].code)]


def enqueue_digests(session: Session, planned: list[PlannedDigest], *, now: dt.datetime,
                    not_before: dt.datetime | None = None) -> int:
    """Put ``planned`` into the outbox; returns how many were new."""
    return sum(enqueue(session, key=p.key, member=p.member, kind=KIND,
                       payload=p.message.to_payload(), now=now, not_before=not_before)
               for p in planned)


def queue_weekly_digest(session: Session, *, now: dt.datetime, catalog: Catalog,
                        calendar: WorkCalendar, send_at: dt.time = DEFAULT_SEND_AT,
                        weekday: int = DEFAULT_WEEKDAY, composed: Composed | None = None) -> int:
    """Queue this week's digests once ``now`` is past their moment; returns how many.

    Given the process's ``composed``, readers composed for at an earlier step are left out,
    and those composed now are added to it.
    """
    due = due_week(now, calendar=calendar, send_at=send_at, weekday=weekday)
    if due is None:
        return 0
    week, moment = due
    composed = composed if composed is not None else Composed()
    done = queued_keys(session, prefix=f"{KIND}:{week.label}:") | composed.of(week)
    readers = _readers(session, week, done)
    planned = _composed(session, readers, now=now, catalog=catalog)
    # The caller's transaction may yet fail: it keeps ``composed`` only once it has committed.
    composed.add(week, (key for key, _ in readers))
    if not planned:
        return 0
    # On time it goes at once, at the configured moment; caught up later (the bot was down)
    # outside office hours, it waits for the office to open rather than ping at night.
    late = now - moment > CATCH_UP and not calendar.in_office_hours(now)
    not_before = calendar.next_send_slot(now) if late else now
    return enqueue_digests(session, planned, now=now, not_before=not_before)

"""Queuing the weekly digest: when it is due, who gets which digest, and the outbox rows.

The planner's clock decides (``now`` is passed in, so ``isobot run --now`` rehearses a Monday):
the digest of a week is due from its moment — ``send_at`` on ``weekday`` (Monday 07:30 by
default), moved to the next working day at the same time when that day is a holiday — until a
day later. Within that day every planning step composes the digests not queued yet; the key
``digest:<ISO year-week>:<member id>`` lets each person have one per week however often the
step runs, on however many processes. A bot that was down longer than the day skips that week's
digest rather than sending a stale one; one that catches up after office hours sends it when
the office next opens.

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
from collections.abc import Iterable
from dataclasses import dataclass

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
    if not readers:
        # Every later step of the day, once all have theirs: a national digest's units and
        # 250,000 obligations read for nobody were the planning process's peak (+70 MB).
        return []
    units = {u.id: u for u in unit_records(session) if u.active}
    tree = unit_children(session)
    recipients = _recipients(readers, units)
    since = dt.datetime.combine(Week.containing(now).previous.monday, dt.time(0), tzinfo=VIETNAM)
    first_of_year = dt.date(now.astimezone(VIETNAM).year, 1, 1)
    by_unit = _by_unit(digest_obligations(session, due_from=first_of_year, done_since=since,
                                          unit_ids=_units_read(recipients, tree, units)))
    staffed = staffed_units(session)
    planned: list[PlannedDigest] = []
    # One text per unit (or subtree) and language, however many people read it.
    composed: dict[tuple[str, int, str], Message | None] = {}
    for key, member, unit in recipients:
        tr = translator(member.language)
        if member.role == Role.SUPERVISOR:
            cache_key = ("supervisor", unit.id, tr.lang)
            if cache_key not in composed:
                subtree = _subtree(tree, unit, units)
                composed[cache_key] = supervisor_digest(
                    _digest_unit(unit), subtree,
                    [o for u in subtree for o in by_unit.get(u.id, [])],
                    now=now, catalog=catalog, tr=tr,
                    without_officer=[u for u in subtree if u.id not in staffed])
        else:
            cache_key = ("unit", unit.id, tr.lang)
            if cache_key not in composed:
                composed[cache_key] = officer_digest(_digest_unit(unit), by_unit.get(unit.id, []),
                                                     now=now, catalog=catalog, tr=tr)
        if composed[cache_key] is not None:
            planned.append(PlannedDigest(key, member, unit, composed[cache_key]))
    return planned


def _by_unit(rows: Iterable[Row]) -> dict[int, list[DigestObligation]]:
    """The obligations of ``rows``, by unit. A national digest reads a few hundred thousand
    that share a few keys, periods, statuses and due dates: each of those is one object, not
    one per obligation (60 MB less)."""
    by_unit: dict[int, list[DigestObligation]] = defaultdict(list)
    shared: dict[tuple[str, object], object] = {}
    for row in rows:
        fields = row._asdict()
        for name in REPEATED_FIELDS:
            fields[name] = shared.setdefault((name, fields[name]), fields[name])
        by_unit[row.unit_id].append(DigestObligation(**fields))
    return by_unit


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


def _units_read(recipients: list[tuple[str, DigestMember, UnitRecord]],
                tree: dict[int | None, list[int]], units: dict[int, UnitRecord]
                ) -> set[int] | None:
    """The units whose obligations the digests of ``recipients`` mention (a supervisor's, the
    subtree's); None, for every unit, when that is most of them (one query, not hundreds)."""
    needed: set[int] = set()
    for _, member, unit in recipients:
        needed |= below(tree, unit.id) if member.role == Role.SUPERVISOR else {unit.id}
    return needed if len(needed) <= len(units) // 2 else None


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
                        weekday: int = DEFAULT_WEEKDAY) -> int:
    """Queue this week's digests once ``now`` is past their moment; returns how many."""
    due = due_week(now, calendar=calendar, send_at=send_at, weekday=weekday)
    if due is None:
        return 0
    week, moment = due
    done = queued_keys(session, prefix=f"{KIND}:{week.label}:")
    planned = build_weekly_digest(session, now=now, catalog=catalog, week=week, skip_keys=done)
    if not planned:
        return 0
    # On time it goes at once, at the configured moment; caught up later (the bot was down)
    # outside office hours, it waits for the office to open rather than ping at night.
    late = now - moment > CATCH_UP and not calendar.in_office_hours(now)
    not_before = calendar.next_send_slot(now) if late else now
    return enqueue_digests(session, planned, now=now, not_before=not_before)

"""The year's report, as facts: what a unit did about each duty of a year, read from its records.

Every unit writes a yearly report on applying, maintaining and improving its QMS, and the
supervising department sums those up for the People's Committee (``annual_report``). isobot holds
the facts: :func:`unit_years` turns the obligations of a year (lean rows,
:func:`storage.annual.obligation_rows`) into one :class:`UnitYear` per unit, and
:func:`summarise` a subtree's into a :class:`Summary`. Pure: ``today`` is passed in.

An obligation belongs to a year as in the compliance table (its period's year, else its due
date's, :func:`jobs.reports.compliance.year_of`); cancelled ones are not owed and are left out.
How each stands is :mod:`jobs.planning.standing`. The unit's **standing** for the year sums
them up in one word: nothing owed, all on time, some done late, or some overdue.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from jobs.calendar.workdays import VIETNAM
from jobs.planning.obligations import Period
from jobs.planning.standing import Standing, standing_of
from storage.annual import ObligationRow
from storage.models import ObligationStatus, Unit

#: The duties each section of the report reads, by catalog key.
AUDIT, CORRECTIVE, REVIEW = "internal_audit", "corrective_action", "management_review"
LEGAL, DIRECTIVE, TRAINING = "legal_update", "directive", "training"
SELF_CHECK, QUARTERLY, ANNUAL = "self_check", "quarterly_report", "annual_report"
REPORTS = (QUARTERLY, ANNUAL)


class YearStanding(StrEnum):
    """A unit's year in one word: the worst of its obligations' standings."""

    nothing = "nothing"  # no obligation of the year is recorded
    not_due = "not_due"  # nothing done yet, and nothing overdue
    on_time = "on_time"  # everything done so far was done on time, nothing overdue
    late = "late"  # some done after the deadline, nothing overdue
    overdue = "overdue"  # some deadline passed and it is not done


@dataclass(frozen=True)
class Record:
    """One obligation of the year as the report cites it."""

    duty_key: str
    period: str
    label: str | None
    note: str | None
    due: dt.date
    standing: Standing
    done: dt.date | None  # the day it was done, in Vietnam
    reference: str | None  # isobot's receipt number
    document_number: str | None
    document_date: dt.date | None
    nonconformities: int | None


@dataclass(frozen=True)
class Tally:
    """How the obligations of one duty stand: owed, done (on time, late), overdue."""

    owed: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def due(self) -> int:
        """Those whose deadline has come: done, or overdue."""
        return self.done + self.overdue


@dataclass(frozen=True)
class UnitYear:
    """What one unit did in ``year``, as of ``today``."""

    unit_id: int
    code: str
    name: str
    year: int
    today: dt.date
    records: tuple[Record, ...]
    has_officer: bool = True

    def of(self, *duty_keys: str) -> list[Record]:
        """The records of ``duty_keys``, by due date."""
        return [r for r in self.records if r.duty_key in duty_keys]

    def done(self, *duty_keys: str) -> list[Record]:
        """The records of ``duty_keys`` that are done, by the day they were done."""
        return sorted((r for r in self.of(*duty_keys) if r.done), key=lambda r: (r.done, r.due))

    def tally(self, *duty_keys: str) -> Tally:
        counts = Counter(r.standing for r in self.of(*duty_keys))
        return Tally(sum(counts.values()), counts[Standing.on_time], counts[Standing.late],
                     counts[Standing.overdue])

    @property
    def standing(self) -> YearStanding:
        found = {r.standing for r in self.records}
        if Standing.overdue in found:
            return YearStanding.overdue
        if Standing.late in found:
            return YearStanding.late
        if Standing.on_time in found:
            return YearStanding.on_time
        return YearStanding.not_due if self.records else YearStanding.nothing

    @property
    def nonconformities(self) -> int | None:
        """What the year's internal audits found, when any audit says."""
        found = [r.nonconformities for r in self.done(AUDIT) if r.nonconformities is not None]
        return sum(found) if found else None


def year_of(period: str, due: dt.date) -> int:
    """The year an obligation counts for: its period's, else its due date's."""
    try:
        return Period.parse(period).year
    except ValueError:
        return due.year


def record_of(row: ObligationRow, today: dt.date) -> Record | None:
    """The row as the report cites it; None when it was cancelled."""
    standing = standing_of(row.status, row.done_at, row.due, today)
    if standing is None:
        return None
    done = row.done_at.astimezone(VIETNAM).date() \
        if row.status == ObligationStatus.DONE and row.done_at else None
    return Record(row.duty_key, row.period, row.label, row.note, row.due, standing, done,
                  row.reference, row.document_number, row.document_date, row.nonconformities)


def unit_years(units: Sequence[Unit], rows: Iterable[ObligationRow], *, year: int,
               today: dt.date, with_officer: set[int] | None = None) -> list[UnitYear]:
    """One :class:`UnitYear` per unit of ``units``, in their order, from the rows of any year.

    ``with_officer``: the units that have an ISO officer (None: not asked, all count as having
    one). A merged (inactive) unit is kept only when it owed something that year.
    """
    records: dict[int, list[Record]] = defaultdict(list)
    for row in rows:
        if year_of(row.period, row.due) != year:
            continue
        record = record_of(row, today)
        if record is not None:
            records[row.unit_id].append(record)
    return [UnitYear(unit.id, unit.code, unit.name, year, today, tuple(records[unit.id]),
                     with_officer is None or unit.id in with_officer)
            for unit in units if unit.active or records.get(unit.id)]


@dataclass(frozen=True)
class Summary:
    """A subtree's year: the head unit, each unit's year, and the totals people read first."""

    head: UnitYear
    units: tuple[UnitYear, ...]  # in tree order, the head first

    @property
    def year(self) -> int:
        return self.head.year

    def count(self, predicate: Callable[[UnitYear], bool]) -> int:
        return sum(1 for unit in self.units if predicate(unit))

    def with_audit(self) -> int:
        return self.count(lambda u: bool(u.done(AUDIT)))

    def with_review(self) -> int:
        return self.count(lambda u: bool(u.done(REVIEW)))

    def tally(self, *duty_keys: str) -> Tally:
        tallies = [u.tally(*duty_keys) for u in self.units]
        return Tally(*(sum(getattr(t, f) for t in tallies)
                       for f in ("owed", "on_time", "late", "overdue")))

    def without_officer(self) -> list[UnitYear]:
        return [u for u in self.units if not u.has_officer]

    def behind(self) -> list[UnitYear]:
        """The units with something overdue or done late, worst first, then by code."""
        worst = {YearStanding.overdue: 0, YearStanding.late: 1}
        return sorted((u for u in self.units if u.standing in worst),
                      key=lambda u: (worst[u.standing], u.code))


def summarise(years: Sequence[UnitYear], *, head_id: int) -> Summary:
    """The summary of a subtree from its units' years (``head_id``: the unit at its top)."""
    head = next(u for u in years if u.unit_id == head_id)
    return Summary(head, tuple(years))

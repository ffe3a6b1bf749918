"""The weekly digest: what an officer's unit owes this week, and a supervisor's subtree at a glance.

Pure: every function takes the units, the obligations and ``now``; nothing reads the database
or the clock. :mod:`jobs.supervision.digest_job` loads the inputs and queues the messages. This
module holds what both digests read and an officer's week; a supervisor's subtree is
:mod:`jobs.supervision.subtree_digest`.

The rules, all in Vietnam's time zone:

- The *week* is the Monday–Sunday containing ``now``; *last week* the one before it.
- An officer (or head) reads their unit's week: what is **overdue** (open, due before today),
  what is **due this week** (open, due from today to Sunday) and what was **done last week**
  (done during last week's Monday–Sunday).
- Nothing overdue and nothing due this week, but something done last week: a one-line
  "all done" (good news). Nothing in any of the three lists: no message.
- A supervisor reads their subtree: per duty, how many units are **on time** (everything of that
  duty due so far this year done by its due date), **overdue** (something open past its due
  date), **done late** (nothing overdue, but something done after its due date) and **not yet
  due** (nothing late, nothing done yet, something still to do) — the words of
  :mod:`jobs.planning.standing`, one meaning each; the ten most overdue obligations; and what
  changed in the last 7 days (obligations completed, and obligations whose due date passed and which
  are still open). The duties counted are those due this year, plus any older one still open
  past its due date (it is overdue now).
- A supervisor whose subtree has nothing overdue and completed nothing in the last 7 days gets
  no message (a quiet week on track). Otherwise the digest comes with the chart (PNG) and the
  table of the obligations counted (XLSX).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jobs.calendar.workdays import VIETNAM
from jobs.catalog import Catalog, duty_title
from jobs.delivery.messages import Message
from jobs.text.i18n import Translator
from jobs.text.labels import named_period
from jobs.text.reminder_texts import days_left_text
from storage.models import ObligationStatus

LIST_LIMIT = 10  # at most this many items per list in a message; the rest are counted


@dataclass(frozen=True)
class DigestUnit:
    """A unit as the digest names it."""

    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)  # a national digest holds a few hundred thousand
class DigestObligation:
    """One obligation of a unit, as the digest reads it."""

    unit_id: int
    duty_key: str
    period: str
    due: dt.date
    status: str
    done_at: dt.datetime | None = None
    id: int | None = None
    label: str | None = None  # how people name a period that is not a calendar one
    note: str | None = None

    @property
    def is_open(self) -> bool:
        """Still to do."""
        return self.status == ObligationStatus.OPEN

    @property
    def is_done(self) -> bool:
        """Done, with the moment it was done."""
        return self.status == ObligationStatus.DONE and self.done_at is not None


@dataclass(frozen=True)
class Week:
    """A Monday–Sunday week."""

    monday: dt.date

    @classmethod
    def containing(cls, moment: dt.datetime | dt.date) -> Week:
        """The week of ``moment`` (a moment is read in Vietnam's time)."""
        day = moment.astimezone(VIETNAM).date() if isinstance(moment, dt.datetime) else moment
        return cls(day - dt.timedelta(days=day.weekday()))

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def previous(self) -> Week:
        return Week(self.monday - dt.timedelta(days=7))

    @property
    def label(self) -> str:
        """The ISO year and week, for keys and file names: ``2026-W50``."""
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    def span_text(self, tr: Translator) -> str:
        """The week's first and last day: ``Tuần 07/12 – 13/12``."""
        return tr._("Week {start} – {end}").format(start=tr.short_date(self.monday),
                                                  end=tr.short_date(self.sunday))

    def text(self, tr: Translator) -> str:
        """The week as people write it: ``tuần 50 năm 2026`` (no "/": it names a sheet)."""
        year, week, _ = self.monday.isocalendar()
        return tr._("week {week} of {year}").format(week=week, year=year)

    def __contains__(self, day: dt.date) -> bool:
        return self.monday <= day <= self.sunday


def local_day(moment: dt.datetime) -> dt.date:
    """The day of ``moment`` in Vietnam."""
    return moment.astimezone(VIETNAM).date()


def at_most(items: Sequence[Any], render: Callable[[Any], str], tr: Translator,
            limit: int = LIST_LIMIT) -> list[str]:
    """The lines of the first ``limit`` items, and how many more there are."""
    lines = [render(item) for item in items[:limit]]
    if len(items) > limit:
        lines.append(tr._("… and {n} more").format(n=len(items) - limit))
    return lines


# ---------------------------------------------------------------------------- an officer's week


@dataclass(frozen=True)
class UnitWeek:
    """A unit's week: overdue (most overdue first), due this week, done last week."""

    overdue: tuple[DigestObligation, ...]
    due_this_week: tuple[DigestObligation, ...]
    done_last_week: tuple[DigestObligation, ...]

    @property
    def all_done(self) -> bool:
        """Nothing overdue, nothing due this week, and something done last week: good news."""
        return not self.overdue and not self.due_this_week and bool(self.done_last_week)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_this_week or self.done_last_week)


def unit_week(obligations: Iterable[DigestObligation], now: dt.datetime) -> UnitWeek:
    """Sort a unit's obligations into the three lists of its weekly digest."""
    today = local_day(now)
    week = Week.containing(today)
    last = week.previous
    overdue, due, done = [], [], []
    for o in obligations:
        if o.is_open and o.due < today:
            overdue.append(o)
        elif o.is_open and today <= o.due <= week.sunday:
            due.append(o)
        elif o.is_done and local_day(o.done_at) in last:
            done.append(o)
    return UnitWeek(
        tuple(sorted(overdue, key=lambda o: (o.due, o.duty_key, o.period))),
        tuple(sorted(due, key=lambda o: (o.due, o.duty_key, o.period))),
        tuple(sorted(done, key=lambda o: (o.done_at, o.duty_key, o.period))),
    )


def officer_digest(unit: DigestUnit, obligations: Iterable[DigestObligation], *,
                   now: dt.datetime, catalog: Catalog, tr: Translator) -> Message | None:
    """The weekly digest of ``unit`` for its officer or head; None when there is nothing to say."""
    state = unit_week(obligations, now)
    if state.empty:
        return None
    if state.all_done:
        n = len(state.done_last_week)
        return Message(tr.ngettext(
            "✅ {unit}: all ISO duties are on track – nothing overdue, nothing due this week; "
            "{n} duty was completed last week.",
            "✅ {unit}: all ISO duties are on track – nothing overdue, nothing due this week; "
            "{n} duties were completed last week.", n).format(unit=unit.name, n=n), lang=tr.lang)
    today = local_day(now)

    def title(o: DigestObligation) -> str:
        return duty_title(catalog, o.duty_key, tr.lang)

    lines = [tr._("📋 WEEKLY ISO DIGEST: {unit}").format(unit=unit.name),
             Week.containing(today).span_text(tr)]
    if state.overdue:
        lines += ["", tr._("⚠️ Overdue ({n}):").format(n=len(state.overdue))]
        lines += at_most(state.overdue, lambda o: tr._("• {title} ({period}), due {date}: {left}")
                          .format(title=title(o), period=named_period(o, tr),
                                  date=tr.short_date(o.due),
                                  left=days_left_text(o.due, today, tr)), tr)
    if state.due_this_week:
        lines += ["", tr._("📅 Due this week ({n}):").format(n=len(state.due_this_week))]
        lines += at_most(state.due_this_week, lambda o: tr._("• {title} ({period}), due {date}")
                          .format(title=title(o), period=named_period(o, tr),
                                  date=tr.date(o.due)), tr)
    if state.done_last_week:
        lines += ["", tr._("✅ Done last week ({n}):").format(n=len(state.done_last_week))]
        lines += at_most(state.done_last_week, lambda o: tr._("• {title} ({period}), done {date}")
                          .format(title=title(o), period=named_period(o, tr),
                                  date=tr.short_date(local_day(o.done_at))), tr)
    return Message("\n".join(lines), lang=tr.lang)

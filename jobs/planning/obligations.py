"""Which obligations a unit owes: periods, their labels and their due dates. Pure."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from jobs.calendar.workdays import WorkCalendar, add_months, days_in_month
from jobs.catalog import Catalog, Duty

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A year (``2026``), a quarter (``2026-Q3``) or a month (``2026-03``)."""

    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def label(self) -> str:
        """The period as stored and shown: ``2026``, ``2026-Q3``, ``2026-03``."""
        if self.quarter:
            return f"{self.year}-Q{self.quarter}"
        if self.month:
            return f"{self.year}-{self.month:02d}"
        return str(self.year)

    @classmethod
    def parse(cls, label: str) -> Period:
        """Read a period label; ``ValueError`` when it is not one."""
        match = _PERIOD.match(label)
        if not match:
            raise ValueError(f"not a period label: {label!r}")
        quarter, month = match["quarter"], match["month"]
        return cls(int(match["year"]), int(quarter) if quarter else None,
                   int(month) if month else None)


def periods(cadence: str, first_year: int, last_year: int) -> Iterator[Period]:
    """Every period of ``cadence`` in the years ``first_year`` to ``last_year``, in order."""
    for year in range(first_year, last_year + 1):
        if cadence == "yearly":
            yield Period(year)
        elif cadence == "quarterly":
            yield from (Period(year, quarter=q) for q in range(1, 5))
        elif cadence == "monthly":
            yield from (Period(year, month=m) for m in range(1, 13))


def nominal_due(duty: Duty, period: Period) -> dt.date:
    """The due date the catalog names for ``period``, before moving off days off."""
    rule = duty.due
    if duty.cadence == "yearly":
        month = rule.month
    elif duty.cadence == "quarterly":
        month = (period.quarter - 1) * 3 + rule.month_of_quarter
    elif duty.cadence == "monthly":
        month = period.month
    else:
        raise ValueError(f"duty {duty.key!r} has no periods: it is created by an event")
    # "31" means the month's last day in a shorter month.
    return dt.date(period.year, month, min(rule.day, days_in_month(period.year, month)))


def due_date(duty: Duty, period: Period, calendar: WorkCalendar) -> dt.date:
    """The legal due date of ``duty`` for ``period``: on a day off, the next working day."""
    return calendar.deadline(nominal_due(duty, period))


def event_due_date(duty: Duty, happened: dt.date, calendar: WorkCalendar) -> dt.date:
    """The due date of an event-driven duty triggered on ``happened``."""
    rule = duty.due
    if getattr(rule, "months_after", None):
        nominal = add_months(happened, rule.months_after)
    else:
        nominal = happened + dt.timedelta(days=rule.days_after or 0)
    return calendar.deadline(nominal)


@dataclass(frozen=True)
class Owed:
    """An obligation the catalog says a unit owes (before it is stored)."""

    duty_key: str
    period: str
    due: dt.date


def owed_between(
    catalog: Catalog, unit_kind: str, start: dt.date, end: dt.date, calendar: WorkCalendar
) -> list[Owed]:
    """The scheduled obligations of a unit of ``unit_kind`` whose due date lies in [start, end]."""
    owed = []
    for duty in scheduled_duties(catalog, unit_kind):
        for period in periods(duty.cadence, start.year - 1, end.year + 1):
            due = due_date(duty, period, calendar)
            if start <= due <= end:
                owed.append(Owed(duty.key, period.label, due))
    return sorted(owed, key=lambda o: (o.due, o.duty_key, o.period))


def scheduled_duties(catalog: Catalog, unit_kind: str) -> Iterable[Duty]:
    """The duties with a cadence (not created by events) that apply to ``unit_kind``."""
    return (d for d in catalog.duties if d.is_scheduled and d.applies(unit_kind))

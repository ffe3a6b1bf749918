"""A dry run: every reminder and escalation the engine would send in a window. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog, by_catalog
from jobs.planning.obligations import owed_between
from jobs.planning.reminders import OpenObligation, planned_between
from jobs.text.i18n import Translator
from jobs.text.reminder_texts import About, for_stage

CSV_COLUMNS = ("send_at", "unit", "duty", "period", "due", "stage", "recipient_role", "text")


@dataclass(frozen=True)
class UnitInfo:
    """The little the dry run needs to know about a unit."""

    code: str
    name: str
    kind: str
    joined: dt.date | None = None  # a unit owes nothing that fell due before it was registered


@dataclass(frozen=True)
class SimulatedMessage:
    """One row of the dry run."""

    send_at: dt.datetime
    unit: str
    duty: str
    period: str
    due: dt.date
    stage: str
    recipient_role: str
    text: str

    def as_row(self) -> list[str]:
        """The row in :data:`CSV_COLUMNS` order."""
        return [self.send_at.isoformat(), self.unit, self.duty, self.period, self.due.isoformat(),
                self.stage, self.recipient_role, self.text]


def simulate(
    units: Iterable[UnitInfo],
    catalog: Catalog,
    calendar: WorkCalendar,
    start: dt.date,
    end: dt.date,
    tr: Translator,
) -> list[SimulatedMessage]:
    """What would be sent from ``start`` to ``end`` (inclusive) if nobody completed anything.

    Each unit's duties come from the catalog of its province (:meth:`Catalog.for_unit`).
    Obligations due up to the longest lead time after ``end`` are included, so the early
    reminders of next year's duties show up in December.
    """
    rows = []
    for unit_catalog, group in by_catalog(catalog, units, lambda unit: unit.code):
        rows += _simulate(group, unit_catalog, calendar, start, end, tr)
    # The order planned_between gives, across the provinces' catalogs.
    return sorted(rows, key=lambda r: (r.send_at, r.unit, r.duty, r.period,
                                       r.stage.startswith("escalate")))


def _simulate(units: list[UnitInfo], catalog: Catalog, calendar: WorkCalendar, start: dt.date,
              end: dt.date, tr: Translator) -> list[SimulatedMessage]:
    """:func:`simulate` for units that all read ``catalog``."""
    names = {u.code: u.name for u in units}
    horizon = max((max(d.lead_days, default=0) for d in catalog.duties), default=0)
    # Obligations due before ``start`` still send overdue reminders and escalations into it.
    earliest = _earliest_due_reaching(start, catalog, calendar)
    obligations = []
    for unit in units:
        owed = owed_between(catalog, unit.kind, max(earliest, unit.joined or earliest),
                            end + dt.timedelta(days=horizon), calendar)
        obligations += [
            OpenObligation(len(obligations) + i, unit.code, o.duty_key, o.period, o.due)
            for i, o in enumerate(owed)
        ]
    window_start = dt.datetime.combine(start, dt.time.min, tzinfo=calendar.tz)
    window_end = dt.datetime.combine(end, dt.time.max, tzinfo=calendar.tz)
    duties = {d.key: d for d in catalog.duties}
    rows = []
    for planned in planned_between(window_start, window_end, obligations, duties, calendar):
        o, stage = planned.obligation, planned.stage
        about = About(o.id, names[o.unit_code], duties[o.duty_key], o.period, o.due)
        message = for_stage(stage.track, stage.recipient_role, about, stage.day, tr)
        rows.append(SimulatedMessage(planned.send_at, o.unit_code, o.duty_key, o.period, o.due,
                                     stage.name, stage.recipient_role, message.text))
    return rows


def _earliest_due_reaching(start: dt.date, catalog: Catalog, calendar: WorkCalendar) -> dt.date:
    """The earliest due date whose overdue reminders or escalations reach ``start``."""
    tail = max((max([d.overdue.every_working_days * d.overdue.max_reminders,
                     *(step.after_working_days for step in d.escalation)])
                for d in catalog.duties), default=0)
    day = start
    while tail > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            tail -= 1
    return day

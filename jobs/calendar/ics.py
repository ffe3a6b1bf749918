"""A unit's obligations as an iCalendar file (RFC 5545) for an officer's phone calendar. Pure.

One all-day event per obligation: the unit's stored obligations still open (overdue ones too),
and those the catalog says it owes in the next twelve months that are not stored yet. Each
event's UID is made of the unit, the duty and the period, so importing a newer file updates the
events instead of adding them twice. Two alarms ring at office opening time seven days and one
day before the due date. Nothing here reads a clock: the caller passes ``now`` and ``today``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from icalendar import Alarm, Calendar, Event

from jobs.calendar.workdays import WorkCalendar, add_months
from jobs.catalog import Catalog, UnknownDutyError, duty_title
from jobs.planning.obligations import owed_between
from jobs.text.i18n import Translator
from jobs.text.labels import content_text, period_line, period_text
from storage.models import Obligation, ObligationStatus, Unit

PRODID = "-//isobot//ISO 9001 duties//VI"
UID_DOMAIN = "isobot"
AHEAD_MONTHS = 12
# Before the due day's midnight: 16 hours before it is 08:00 of the day before.
ALARMS: tuple[dt.timedelta, ...] = (dt.timedelta(days=6, hours=16), dt.timedelta(hours=16))


@dataclass(frozen=True)
class Entry:
    """One obligation on the calendar."""

    duty_key: str
    period: str
    due: dt.date
    detail: str | None = None  # a directive's text, a legal document's number and title
    label: str | None = None  # its official number or the officer's name (jobs.text.labels)


def entries(unit: Unit, stored: Sequence[Obligation], *, catalog: Catalog,
            calendar: WorkCalendar, today: dt.date) -> list[Entry]:
    """What ``unit``'s calendar holds, soonest first.

    ``stored`` are the unit's obligations of any status: open ones are listed, and done or
    cancelled ones keep the catalog from listing their period again. The catalog adds what falls
    due from ``today`` to twelve months later and is not stored yet.
    """
    stored = [o for o in stored if o.unit_id == unit.id]
    known = {(o.duty_key, o.period) for o in stored}
    listed = [Entry(o.duty_key, o.period, o.due, o.note, o.label) for o in stored
              if o.status == ObligationStatus.OPEN]
    for owed in owed_between(catalog, unit.kind, today, add_months(today, AHEAD_MONTHS),
                             calendar):
        if (owed.duty_key, owed.period) not in known:
            known.add((owed.duty_key, owed.period))
            listed.append(Entry(owed.duty_key, owed.period, owed.due))
    return sorted(listed, key=lambda e: (e.due, e.duty_key, e.period))


def uid(unit_code: str, duty_key: str, period: str) -> str:
    """The event's lasting identity: the same unit, duty and period give the same UID."""
    parts = (quote(part, safe="-._~") for part in (unit_code, duty_key, period))
    return f"{'.'.join(parts)}@{UID_DOMAIN}"


def calendar_name(unit: Unit, tr: Translator) -> str:
    """The calendar's name as the phone shows it."""
    return tr._("ISO duties — {unit}").format(unit=unit.name)


def new_calendar(name: str) -> Calendar:
    """An empty calendar the phone shows as ``name``, in Vietnam's time zone."""
    ical = Calendar()
    ical.add("prodid", PRODID)
    ical.add("version", "2.0")
    ical.add("calscale", "GREGORIAN")
    ical.add("method", "PUBLISH")
    ical.add("x-wr-calname", name)
    ical.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    return ical


def write_ics(unit: Unit, listed: Sequence[Entry], *, catalog: Catalog, tr: Translator,
              now: dt.datetime) -> bytes:
    """The iCalendar file of ``listed`` for ``unit``, in ``tr``'s language, stamped ``now``,
    in the words of the catalog of ``unit``'s province."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    catalog = catalog.for_unit(unit.code)
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    ical = new_calendar(calendar_name(unit, tr))
    for entry in listed:
        summary = _summary(entry, catalog, tr)
        event = Event()
        event.add("uid", uid(unit.code, entry.duty_key, entry.period))
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.due)
        event.add("dtend", entry.due + dt.timedelta(days=1))
        event.add("summary", summary)
        event.add("description", _description(unit, entry, catalog, tr))
        event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
        event.add("categories", ["ISO 9001"])
        for before in ALARMS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", -before)
            event.add_component(alarm)
        ical.add_component(event)
    return ical.to_ical()


def _summary(entry: Entry, catalog: Catalog, tr: Translator) -> str:
    title = duty_title(catalog, entry.duty_key, tr.lang)
    return f"{title} — {period_text(entry.period, tr, label=entry.label, note=entry.detail)}"


def _description(unit: Unit, entry: Entry, catalog: Catalog, tr: Translator) -> str:
    lines = [tr._("Unit: {unit}").format(unit=unit.name),
             period_line(entry.period, tr, label=entry.label, note=entry.detail)]
    if detail := content_text(entry.period, entry.detail):
        lines.append(tr._("Content: {detail}").format(detail=detail))
    try:
        duty = catalog.duty(entry.duty_key)
    except UnknownDutyError:
        return "\n".join(lines)
    lines.append(tr._("Legal basis: {basis}").format(basis=duty.legal_basis.get(tr.lang)))
    checklist = duty.checklist.get(tr.lang)
    if checklist:
        lines += ["", tr._("Checklist:"), *(f"☐ {item}" for item in checklist)]
    return "\n".join(lines)

"""A year of the official calendar for people (text), software (CSV) and phones (iCalendar).

What ``isobot calendar show YEAR`` prints: every day off and every working weekend day, each with
its name and where it comes from (the ``holidays`` package, or the operator's calendar file and
the notice it cites), and a warning when the year's notice is not recorded anywhere yet. Pure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from icalendar import Event

from jobs.calendar.ics import UID_DOMAIN, new_calendar
from jobs.calendar.workdays import PACKAGE_VERSION, OfficialDay, WorkCalendar
from jobs.text.i18n import Translator

# Stable codes for software; people read the text and the calendar file.
CSV_COLUMNS = ("date", "kind", "name", "origin", "source")


def day_name(day: OfficialDay, tr: Translator) -> str:
    """The day's name; the package leaves its working weekend days unnamed."""
    return day.name or tr._("Working day in exchange for a day off")


def source_text(day: OfficialDay, calendar: WorkCalendar, tr: Translator) -> str:
    """Where the day comes from, as a person cites it."""
    if day.origin == "file":
        return tr._("{notice} (calendar file {file})").format(
            notice=day.source, file=calendar.amendments.file)
    return tr._("holidays package {version}").format(version=PACKAGE_VERSION)


def missing_notice(year: int, calendar: WorkCalendar, tr: Translator) -> str | None:
    """The warning that ``year``'s notice is not recorded yet, or None when it is."""
    if calendar.notice_recorded(year):
        return None
    return tr._("The Ministry of Home Affairs' notice of the civil servants' days off for {year} "
                "is not recorded yet: when it is published, add its days to the calendar file "
                "(ISOBOT_CALENDAR).").format(year=year)


def as_text(year: int, days: Sequence[OfficialDay], calendar: WorkCalendar,
            tr: Translator) -> str:
    """One line a day, in date order, between a title and a count."""
    dates = [tr.date(d.day) for d in days]
    kinds = [tr._("Working day") if d.working else tr._("Day off") for d in days]
    width, kind_width = max(map(len, dates), default=0), max(map(len, kinds), default=0)
    lines = [tr._("Days off and working weekend days in {year}").format(year=year)]
    for day, date, kind in zip(days, dates, kinds, strict=True):
        lines.append(f"{date:<{width}}  {kind:<{kind_width}}  {day_name(day, tr)} — "
                     f"{source_text(day, calendar, tr)}")
    off = sum(not d.working for d in days)
    lines.append(tr.ngettext("{n} day off", "{n} days off", off).format(n=off) + ", " +
                 tr.ngettext("{n} working day on a weekend or holiday",
                             "{n} working days on a weekend or holiday",
                             len(days) - off).format(n=len(days) - off) + ".")
    warning = missing_notice(year, calendar, tr)
    return "\n".join([*lines, *([warning] if warning else [])]) + "\n"


def as_csv(days: Sequence[OfficialDay], calendar: WorkCalendar, tr: Translator) -> str:
    """The days with :data:`CSV_COLUMNS`: ISO dates, ``day_off``/``working_day``, the origin."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for day in days:
        source = day.source if day.origin == "file" else f"holidays {PACKAGE_VERSION}"
        writer.writerow([day.day.isoformat(), "working_day" if day.working else "day_off",
                         day_name(day, tr), day.origin, source])
    return out.getvalue()


def as_ics(year: int, days: Sequence[OfficialDay], calendar: WorkCalendar, tr: Translator,
           now: dt.datetime) -> bytes:
    """An all-day event a day, so the phone shows which days the office is closed or open."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    ical = new_calendar(tr._("Working calendar {year}").format(year=year))
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    for day in days:
        template = tr._("Working day: {name}") if day.working else tr._("Day off: {name}")
        event = Event()
        # One event per day: a newer file (the notice added) updates it instead of adding twice.
        event.add("uid", f"workday-{day.day.isoformat()}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day.day)
        event.add("dtend", day.day + dt.timedelta(days=1))
        event.add("summary", template.format(name=day_name(day, tr)))
        event.add("description", tr._("Source: {source}").format(
            source=source_text(day, calendar, tr)))
        event.add("transp", "TRANSPARENT")
        ical.add_component(event)
    return ical.to_ical()

"""Files the chat hands out: the compliance table (``/xuat``) and the calendar file (``/lich_ics``).

``/xuat [YEAR]`` is for supervisors: the compliance XLSX of the subtrees of all their supervisor
memberships. Anyone else is refused and gets no file. ``/lich_ics`` gives an officer or a unit
head one iCalendar file per unit they work for. The functions that read the database for these
files are shared with the ``isobot export`` and ``isobot ics`` commands.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable

from sqlmodel import Session

from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import Turn
from jobs.calendar.ics import entries, write_ics
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Attachment, Message
from jobs.reports.compliance import Compliance, build_compliance, write_compliance_xlsx
from jobs.text.i18n import N_, Translator
from storage.exports import obligations_for_export
from storage.models import Role, Unit
from storage.obligations import obligations_of_units
from storage.unit_history import absorbed_units
from storage.units import all_units, subtree_ids

_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_YEAR = re.compile(r"^\d{4}$")


def compliance_table(session: Session, *, unit_ids: Iterable[int] | None, catalog: Catalog,
                     year: int, today: dt.date) -> Compliance:
    """The compliance table of ``year`` for ``unit_ids`` (every unit when None)."""
    wanted = None if unit_ids is None else set(unit_ids)
    if wanted is not None:  # the units merged into them: their records are now theirs too
        wanted.update(u.id for u in absorbed_units(session, unit_ids=wanted))
    units = [u for u in all_units(session) if wanted is None or u.id in wanted]
    rows = obligations_for_export(session, unit_ids=wanted)
    return build_compliance(units, rows, catalog=catalog, year=year, today=today)


def compliance_filename(year: int, today: dt.date) -> str:
    """``isobot-compliance-2026-20261130.xlsx``."""
    return f"isobot-compliance-{year}-{today:%Y%m%d}.xlsx"


def unit_calendar(session: Session, *, unit: Unit, catalog: Catalog, calendar: WorkCalendar,
                  tr: Translator, now: dt.datetime) -> tuple[bytes, int]:
    """``unit``'s iCalendar file as of ``now`` and how many deadlines it holds."""
    today = now.astimezone(calendar.tz).date()
    listed = entries(unit, obligations_of_units(session, unit_ids=[unit.id]), catalog=catalog,
                     calendar=calendar, today=today)
    return write_ics(unit, listed, catalog=catalog, tr=tr, now=now), len(listed)


def calendar_filename(unit: Unit) -> str:
    """``isobot-QNG-MD-DTAN.ics``: the unit's code, safe for any file system."""
    return f"isobot-{_FILENAME_UNSAFE.sub('_', unit.code)}.ics"


@feature(60)
class Exports(Feature):
    """The ``/xuat`` and ``/lich_ics`` commands."""

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("xuat", N_("the compliance table (Excel) of the units you supervise"),
                    {Audience.SUPERVISOR}, self.compliance, aliases=("xuất",),
                    refusal=N_("Only the ISO standing office (supervisors) can export the "
                               "compliance table. Nothing was sent.")),
            Command("lich_ics", N_("the unit's deadlines as a calendar file for your phone"),
                    {Audience.OFFICER, Audience.HEAD}, self.calendars,
                    aliases=("lịch ics",),
                    refusal=N_("The calendar file lists the deadlines of the units you work for "
                               "as ISO officer or head of unit, and your account has none.")),
        )

    def compliance(self, turn: Turn, args: str) -> None:
        """/xuat [YEAR]: the compliance table of the subtrees the person supervises."""
        tr, args = turn.tr, args.strip()
        supervised = [unit for member, unit in turn.members if member.role == Role.SUPERVISOR]
        if args and not _YEAR.match(args):
            turn.say(tr._("Write the year with four digits, e.g. /xuat {year}.").format(
                year=turn.today.year))
            return
        year = int(args) if args else turn.today.year
        unit_ids = set().union(*(subtree_ids(turn.session, unit_id=u.id) for u in supervised))
        table = compliance_table(turn.session, unit_ids=unit_ids, catalog=self.catalog,
                                 year=year, today=turn.today)
        content = io.BytesIO()
        write_compliance_xlsx(table, content, tr=tr, catalog=self.catalog)
        names = ", ".join(unit.name for unit in supervised)
        text = "\n".join([
            tr._("ISO 9001 compliance table for {year}: {units}.").format(year=year, units=names),
            tr.ngettext("{n} unit, as of {date}.", "{n} units, as of {date}.",
                        len(table.rows)).format(n=len(table.rows),
                                                date=tr.short_date(turn.today)),
        ])
        turn.reply(Message(text, attachments=(
            Attachment("document", compliance_filename(year, turn.today), content.getvalue()),),
            lang=tr.lang))

    def calendars(self, turn: Turn, args: str) -> None:
        """/lich_ics: one calendar file per unit the person works for."""
        tr = turn.tr
        units: dict[int, Unit] = {}
        for member, unit in turn.members:
            if member.role in (Role.OFFICER, Role.HEAD):
                units.setdefault(unit.id, unit)
        lines = [tr._("Your ISO deadlines as calendar files, one per unit. Open a file on your "
                      "phone to add them to your calendar; opening a newer file updates them."),
                 ""]
        attachments = []
        for unit in units.values():
            content, count = unit_calendar(turn.session, unit=unit, catalog=self.catalog,
                                           calendar=self.calendar, tr=tr, now=turn.now)
            attachments.append(Attachment("document", calendar_filename(unit), content))
            lines.append("• " + tr.ngettext("{unit}: {n} deadline", "{unit}: {n} deadlines",
                                            count).format(unit=unit.name, n=count))
        turn.reply(Message("\n".join(lines), attachments=tuple(attachments), lang=tr.lang))

"""``isobot simulate``: every message the bot would send between two dates, sent nowhere."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer

from bot.cli.context import LANG, CliContext, Format, with_context
from bot.cli.errors import fail
from jobs.people.registration import role_text
from jobs.planning.simulate import CSV_COLUMNS, UnitInfo, simulate
from jobs.text.labels import period_text
from jobs.text.reminder_texts import days_left_text
from jobs.units.units_file import SAMPLE_UNITS, read_units_file
from storage.units import all_units


@with_context(LANG)
def simulate_command(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    unit: Annotated[list[str] | None, typer.Option(help="Only this unit (repeatable).")] = None,
    *, cli: CliContext,
    fmt: Annotated[Format, typer.Option("--format")] = Format.text,
) -> None:
    """Print every reminder and escalation the engine would send between two dates."""
    tr = cli.tr
    first, last = cli.day(start), cli.day(end)
    if last < first:
        raise fail(tr._("--to must not be before --from."))
    catalog = cli.catalog
    units = _simulation_units(cli)
    if unit:
        wanted = set(unit)
        unknown = wanted - {u.code for u in units}
        if unknown:
            codes = ", ".join(sorted(unknown))
            raise fail(tr._("Unknown unit code: {codes}").format(codes=codes))
        units = [u for u in units if u.code in wanted]
    rows = simulate(units, catalog, cli.calendar, first, last, tr)
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(row.as_row() for row in rows)
        return
    for row in rows:
        # The stage as the message itself counts it (7 days left, 3 days overdue) and whom it
        # is for, in the words the chat uses; the CSV keeps the codes, for software.
        headline = row.text.splitlines()[0]
        stage = days_left_text(row.due, row.send_at.date(), tr)
        typer.echo(f"{row.send_at:%Y-%m-%d %H:%M %z}  {row.unit:<16} {stage:<20} "
                   f"→ {role_text(row.recipient_role, tr):<20} {period_text(row.period, tr):<14} "
                   f"{headline}")
    typer.echo(tr.ngettext("{n} message.", "{n} messages.", len(rows)).format(n=len(rows)))


def _simulation_units(cli: CliContext) -> list[UnitInfo]:
    """The active units in the database, or the sample units when there are none."""
    with cli.session() as session:
        tz = cli.calendar.tz
        stored = [UnitInfo(u.code, u.name, u.kind,
                           u.created_at.astimezone(tz).date() if u.created_at else None)
                  for u in all_units(session, active_only=True)]
    if stored:
        return stored
    return [UnitInfo(r.code, r.name, r.kind) for r in read_units_file(SAMPLE_UNITS)]

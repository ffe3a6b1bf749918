"""``isobot report``: the year's report drafted from the records, as a Word document.

``--unit CODE`` drafts one unit's report; ``--under CODE`` the supervisor's summary of that unit
and every unit under it (:mod:`jobs.reports.annual_files`). The file is written whole or not at
all; a wrong option is one line and exit code 2, a file that cannot be written exit code 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import LANG, NOW, CliContext, with_context
from bot.cli.errors import ENVIRONMENT, fail
from jobs.reports.annual_files import summary_report, unit_report, write_whole
from storage.units import unit_by_code


@with_context(LANG, NOW)
def report_command(
    out: Annotated[Path, typer.Option(help="The Word file to write, e.g. bao-cao-2026.docx.")],
    unit: Annotated[str | None, typer.Option(
        help="The unit whose yearly report to draft.")] = None,
    under: Annotated[str | None, typer.Option(
        help="Draft the summary of this unit and every unit under it instead.")] = None,
    year: Annotated[int | None, typer.Option(
        min=2000, max=2100, help="The year (default this year).")] = None,
    *, cli: CliContext,
) -> None:
    """Draft the year's ISO report of a unit, or a supervisor's summary, as a DOCX file."""
    tr = cli.tr
    if (unit is None) == (under is None):
        raise fail(tr._("Give either --unit (a unit's report) or --under (the summary of a "
                        "subtree)."))
    if out.suffix.lower() != ".docx":
        raise fail(tr._("The report is a Word file: give --out a name ending in .docx."))
    code = (unit or under or "").strip()
    today = cli.now.astimezone(cli.calendar.tz).date()
    year = year or today.year
    with cli.session() as session:
        target = unit_by_code(session, code=code)
        if target is None:
            raise fail(tr._("Unknown unit code: {codes}").format(codes=code))
        draft = summary_report(session, unit=target, year=year, today=today, tr=tr) \
            if under else unit_report(session, unit=target, year=year, today=today,
                                      catalog=cli.catalog, tr=tr)
    try:
        write_whole(out, lambda stream: stream.write(draft.content))
    except OSError as error:
        raise fail(tr._("Cannot write {path}: {error}").format(
            path=out, error=error.strerror or error), ENVIRONMENT) from None
    typer.echo(str(out))
    if draft.empty:
        typer.echo(tr._("isobot holds no records for {year} yet: the draft says so, and every "
                        "section is left to be written.").format(year=year), err=True)


"""``isobot calendar show``: the official working calendar of a year, as isobot counts it."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from bot.cli.context import LANG, NOW, CliContext, with_context

calendar_app = typer.Typer(help="The official working calendar.", no_args_is_help=True)


class CalendarFormat(StrEnum):
    text = "text"
    csv = "csv"
    ics = "ics"


@calendar_app.command("show")
@with_context(LANG, NOW)
def calendar_show(
    year: Annotated[int, typer.Argument(min=1995, max=2199, help="The year, e.g. 2026.")],
    fmt: Annotated[CalendarFormat, typer.Option("--format")] = CalendarFormat.text,
    *, cli: CliContext,
) -> None:
    """Every day off and working weekend day of a year, with its source (package or file)."""
    from jobs.calendar import show as show

    tr, calendar = cli.tr, cli.calendar
    days = calendar.official_days(year, tr.lang)
    if fmt is CalendarFormat.text:
        typer.echo(show.as_text(year, days, calendar, tr), nl=False)
        return
    # The file goes to stdout for software or a phone; the warning to a person, on stderr.
    warning = show.missing_notice(year, calendar, tr)
    if warning:
        typer.echo(warning, err=True)
    if fmt is CalendarFormat.csv:
        typer.echo(show.as_csv(days, calendar, tr), nl=False)
    else:
        content = show.as_ics(year, days, calendar, tr, cli.now)
        typer.echo(content.decode("utf-8"), nl=False)

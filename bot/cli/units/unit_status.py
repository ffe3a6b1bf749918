"""``isobot units status``: who has joined, unit by unit (:mod:`jobs.people.joining`)."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import NOW, CliContext, with_context
from bot.cli.errors import fail
from bot.cli.people.invitations import Outputs, checked_outputs, write_files
from bot.cli.targeting import named_unit
from jobs.calendar.workdays import VIETNAM
from jobs.people.joining import UnitStatus, status_table, status_totals, units_status
from jobs.reports.export import write_xlsx
from jobs.text.i18n import Translator
from jobs.text.labels import kind_text
from storage.units import all_units, subtree_ids, tree_order


class StatusFormat(StrEnum):
    text = "text"
    csv = "csv"
    xlsx = "xlsx"


@with_context(NOW)
def units_status_command(
    under: Annotated[str | None, typer.Option(
        help="Only this unit and the units below it.")] = None,
    fmt: Annotated[StatusFormat, typer.Option("--format")] = StatusFormat.text,
    out: Annotated[Path | None, typer.Option(help="With --format xlsx: the file to write.")] = None,
    *, cli: CliContext,
) -> None:
    """Show each unit's officers, heads, supervisors, open invitations and last activity."""
    tr = cli.tr
    if (fmt is StatusFormat.xlsx) != (out is not None):
        raise fail(tr._("--format xlsx goes with --out FILE.xlsx, and --out only with it."))
    outputs = checked_outputs(cli, out, None) if out is not None else None
    with cli.session() as session:
        root = named_unit(session, cli, under)
        wanted = subtree_ids(session, unit_id=root.id) if root else None
        units = [u for u, _ in tree_order(all_units(session, active_only=True))
                 if wanted is None or u.id in wanted]
        rows = units_status(session, units=units, now=cli.now)
    if fmt is StatusFormat.csv:
        _write_csv(rows)
    elif outputs is not None:
        _write_sheet(cli, rows, outputs)
    else:
        _write_text(rows, tr)


def _write_csv(rows: list[UnitStatus]) -> None:
    table = status_table(rows)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(table.keys)
    for row in table.rows:
        writer.writerow(["" if v is None else v.isoformat() if hasattr(v, "isoformat") else v
                         for v in row])


def _write_sheet(cli: CliContext, rows: list[UnitStatus], outputs: Outputs) -> None:
    tr = cli.tr
    write_files(cli, [(outputs.sheet, lambda f: write_xlsx(
        status_table(rows, tr), f, title=tr._("Units that joined isobot")))])
    typer.echo(status_totals(rows, tr))


def _write_text(rows: list[UnitStatus], tr: Translator) -> None:
    for r in rows:
        invites = tr._("{n} open until {date}").format(
            n=r.open_invites, date=tr.short_date(r.open_until.astimezone(VIETNAM).date())) \
            if r.open_until else "0"
        seen = tr.short_date(r.last_activity.astimezone(VIETNAM).date()) \
            if r.last_activity else "–"
        typer.echo(tr._("{code}  {name} [{kind}]: officers {officers}, heads {heads}, "
                        "supervisors {supervisors}; invitations {invites}; last activity "
                        "{seen}").format(code=r.code, name=r.name, kind=kind_text(r.kind, tr),
                                         officers=r.officers, heads=r.heads,
                                         supervisors=r.supervisors, invites=invites, seen=seen))
    typer.echo(status_totals(rows, tr))

"""``isobot units import|list|merge|qms``: the unit tree, and what changes in it that gives units
new duties (see :mod:`jobs.planning.duty_events`)."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import NOW, CliContext, Format, with_context
from bot.cli.errors import fail, refuse
from bot.cli.units.table_file import read_table
from bot.cli.units.unit_reform import units_history_command, units_reorganize_command
from bot.cli.units.unit_status import units_status_command
from jobs.planning.duty_events import announcement_due, merge_units
from jobs.text.i18n import Translator
from jobs.text.labels import kind_text, kinds_text
from jobs.units.units_file import (
    RowProblem,
    check_units,
    in_tree_order,
    read_units_file,
    sample_units_file,
)
from storage.models import UnitKind
from storage.units import (
    all_units,
    parent_codes,
    subtree_ids,
    tree_order,
    unit_by_code,
    upsert_units,
)

units_app = typer.Typer(help="The unit tree.", no_args_is_help=True)
# The commands are listed in the help in the order they are defined here.


class QmsEvent(StrEnum):
    built = "built"
    scope_changed = "scope_changed"


@units_app.command("merge")
@with_context(NOW)
def units_merge(
    merged: Annotated[str, typer.Option("--from", help="The unit that ceases to exist.")],
    into: Annotated[str, typer.Option("--into", help="The unit it joins.")],
    *, cli: CliContext,
) -> None:
    """Merge a unit into another; its records stay readable, its QMS must be re-announced."""
    tr, moment, catalog = cli.tr, cli.now, cli.catalog
    with cli.session() as session:
        old, new = unit_by_code(session, code=merged), unit_by_code(session, code=into)
        if old is None or new is None or not old.active or not new.active or old.id == new.id:
            raise fail(tr._("Both units must exist, be active and differ."))
        if new.id in subtree_ids(session, unit_id=old.id):
            raise fail(tr._("{new} is below {old}: a unit cannot be merged into a unit it "
                            "contains. Move it first (units import with a new parent).").format(
                new=new.name, old=old.name))
        merge_units(session, merged=old, into=new, now=moment, catalog=catalog,
                    calendar=cli.calendar)
        typer.echo(tr._("{old} is merged into {new}; {new} must announce its QMS again.").format(
            old=old.name, new=new.name))


@units_app.command("qms")
@with_context(NOW)
def units_qms(
    unit: Annotated[str, typer.Option(help="The unit's code.")],
    event: Annotated[QmsEvent, typer.Option(help="What happened to its QMS.")],
    on: Annotated[str | None, typer.Option(help="When, YYYY-MM-DD (default today).")] = None,
    *, cli: CliContext,
) -> None:
    """Record that a unit's QMS was built or its scope changed: it must announce conformity."""
    catalog, now = cli.catalog, cli.now
    day = cli.day(on) if on else now.date()
    with cli.session() as session:
        target = cli.active_unit(session, unit)
        obligation = announcement_due(session, unit=target, event=event.value, on=day, now=now,
                                      catalog=catalog, calendar=cli.calendar)
        typer.echo(cli.tr._("{unit} must announce its QMS by {date}.").format(
            unit=target.name, date=cli.tr.date(obligation.due)))


@units_app.command("import")
@with_context(NOW)
def units_import(
    file: Annotated[Path | None, typer.Argument(help="CSV or XLSX: code,name,kind,parent.")] = None,
    sample: Annotated[bool, typer.Option(help="Load the sample units of isobot.")] = False,
    before_reform: Annotated[bool, typer.Option(
        help="With --sample: the units as they were before 1 July 2025, with districts; "
             "storage/data/sample_reform_plan.csv replays the reform on them.")] = False,
    *, cli: CliContext,
) -> None:
    """Import units from a CSV or XLSX file; a file with any bad row imports nothing."""
    tr, moment = cli.tr, cli.now
    if sample == (file is not None) or (before_reform and not sample):
        raise fail(tr._("Give either a file or --sample."))
    path = sample_units_file(before_reform=before_reform) if sample else file
    rows = read_table(path, read_units_file, tr, unreadable=tr._(
        "“{value}” cannot be read as a units table: save it from Excel as .xlsx or CSV (UTF-8) "
        "and try again."))
    with cli.session() as session:
        problems = check_units(rows, parent_codes(session))
        if problems:
            raise refuse((_problem_text(problem, tr) for problem in problems),
                         tr._("Nothing was imported: correct the rows above and try again."))
        created, updated = upsert_units(
            session, rows=[(r.code, r.name, r.kind, r.parent or None) for r in in_tree_order(rows)],
            now=moment)
    typer.echo(tr._("Imported {total} units ({created} new, {updated} updated).").format(
        total=created + updated, created=created, updated=updated))


def _problem_text(problem: RowProblem, tr: Translator) -> str:
    what = {
        "empty_code": tr._("the code is empty"),
        "code_too_long": tr._("the code “{value}” is longer than 64 characters"),
        "empty_name": tr._("the name is empty"),
        "name_too_long": tr._("the name “{value}” is longer than 255 characters"),
        "duplicate_code": tr._("the code “{value}” appears more than once"),
        "unknown_kind": tr._("unknown kind “{value}” (allowed: {kinds})"),
        "unknown_parent": tr._("the parent unit “{value}” does not exist"),
        "cycle": tr._("the unit “{value}” would be its own ancestor"),
    }[problem.problem]
    kinds = kinds_text(UnitKind, tr)
    return tr._("Line {line}: {what}").format(
        line=problem.line, what=what.format(value=problem.value, kinds=kinds))


@units_app.command("list")
@with_context()
def units_list(fmt: Annotated[Format, typer.Option("--format")] = Format.text, *,
               cli: CliContext) -> None:
    """Show the unit tree."""
    with cli.session() as session:
        ordered = tree_order(all_units(session))
        code_of = {u.id: u.code for u, _ in ordered}
        if fmt is Format.csv:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(["code", "name", "kind", "parent"])
            for unit, _depth in ordered:
                writer.writerow([unit.code, unit.name, unit.kind, code_of.get(unit.parent_id, "")])
            return
        tr = cli.tr
        if not ordered:
            typer.echo(tr._("No units yet: run “isobot units import FILE” or “--sample”."))
        for unit, depth in ordered:
            inactive = "" if unit.active else " " + tr._("(inactive)")
            # The kind as typed in --kind and the units file, and as people read it.
            typer.echo(f"{'  ' * depth}{unit.code}  {unit.name} [{unit.kind}] "
                       f"({kind_text(unit.kind, tr)}){inactive}")


units_app.command("status")(units_status_command)
units_app.command("reorganize")(units_reorganize_command)
units_app.command("history")(units_history_command)

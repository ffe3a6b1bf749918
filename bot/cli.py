"""The ``isobot`` command line: what an operator runs."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import Settings
from jobs.catalog import Catalog, CatalogError, load_catalog
from jobs.i18n import Translator, translator
from jobs.simulate import CSV_COLUMNS, UnitInfo, simulate
from jobs.units import (
    SAMPLE_UNITS,
    RowProblem,
    UnitsFileError,
    check_units,
    in_tree_order,
    read_units_file,
)
from storage.db import make_engine, session_scope, upgrade
from storage.units import all_units, parent_codes, tree_order, upsert_units

app = typer.Typer(help="isobot: ISO 9001 duty reminders for Vietnamese public bodies.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
units_app = typer.Typer(help="The unit tree.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(units_app, name="units")


class Lang(StrEnum):
    vi = "vi"
    en = "en"


class Format(StrEnum):
    text = "text"
    csv = "csv"


def _settings() -> Settings:
    return Settings()


def _tr(settings: Settings, lang: Lang | None = None) -> Translator:
    return translator(lang.value if lang else settings.language)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _catalog(settings: Settings, tr: Translator) -> Catalog:
    try:
        return load_catalog(override=settings.catalog)
    except CatalogError as error:
        raise _fail(tr._("The duty catalog is invalid: {error}").format(error=error), 2) from None


def _ready_engine(settings: Settings):
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def _now(value: str | None) -> dt.datetime:
    """``--now`` as an aware moment; a value without an offset is read in Vietnam's time."""
    from jobs.calendar import VIETNAM

    if value is None:
        return dt.datetime.now(tz=VIETNAM)
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    settings = _settings()
    upgrade(make_engine(settings.database_url))
    typer.echo(_tr(settings)._("The database is up to date."))


def _problem_text(problem: RowProblem, tr: Translator) -> str:
    what = {
        "empty_code": tr._("the code is empty"),
        "empty_name": tr._("the name is empty"),
        "duplicate_code": tr._("the code “{value}” appears more than once"),
        "unknown_kind": tr._("unknown kind “{value}” (allowed: {kinds})"),
        "unknown_parent": tr._("the parent unit “{value}” does not exist"),
        "cycle": tr._("the unit “{value}” would be its own ancestor"),
    }[problem.problem]
    from storage.models import UnitKind

    kinds = ", ".join(k.value for k in UnitKind)
    return tr._("Line {line}: {what}").format(
        line=problem.line, what=what.format(value=problem.value, kinds=kinds))


@units_app.command("import")
def units_import(
    file: Annotated[Path | None, typer.Argument(help="CSV or XLSX: code,name,kind,parent.")] = None,
    sample: Annotated[bool, typer.Option(help="Load the sample units of isobot.")] = False,
) -> None:
    """Import units from a CSV or XLSX file; a file with any bad row imports nothing."""
    settings = _settings()
    tr = _tr(settings)
    if sample == (file is not None):
        raise _fail(tr._("Give either a file or --sample."), 2)
    path = SAMPLE_UNITS if sample else file
    if not path.exists():
        raise _fail(tr._("File not found: {path}").format(path=path), 2)
    try:
        rows = read_units_file(path)
    except UnitsFileError as error:
        message = {
            "unknown_format": tr._("Unsupported file type “{value}”: use .csv or .xlsx."),
            "missing_columns": tr._("The file lacks the columns: {value}."),
        }[error.problem]
        raise _fail(message.format(value=error.value), 2) from None
    engine = _ready_engine(settings)
    with session_scope(engine) as session:
        problems = check_units(rows, parent_codes(session))
        if problems:
            for problem in problems:
                typer.echo(_problem_text(problem, tr), err=True)
            raise _fail(tr._("Nothing was imported: correct the rows above and try again."))
        created, updated = upsert_units(
            session, rows=[(r.code, r.name, r.kind, r.parent or None) for r in in_tree_order(rows)],
            now=_now(None))
    typer.echo(tr._("Imported {total} units ({created} new, {updated} updated).").format(
        total=created + updated, created=created, updated=updated))


@units_app.command("list")
def units_list(fmt: Annotated[Format, typer.Option("--format")] = Format.text) -> None:
    """Show the unit tree."""
    settings = _settings()
    engine = _ready_engine(settings)
    with session_scope(engine) as session:
        ordered = tree_order(all_units(session))
        code_of = {u.id: u.code for u, _ in ordered}
        if fmt is Format.csv:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(["code", "name", "kind", "parent"])
            for unit, _depth in ordered:
                writer.writerow([unit.code, unit.name, unit.kind, code_of.get(unit.parent_id, "")])
            return
        tr = _tr(settings)
        if not ordered:
            typer.echo(tr._("No units yet: run “isobot units import FILE” or “--sample”."))
        for unit, depth in ordered:
            inactive = "" if unit.active else " " + tr._("(inactive)")
            typer.echo(f"{'  ' * depth}{unit.code}  {unit.name} [{unit.kind}]{inactive}")


@app.command("simulate")
def simulate_command(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    unit: Annotated[list[str] | None, typer.Option(help="Only this unit (repeatable).")] = None,
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.text,
) -> None:
    """Print every reminder and escalation the engine would send between two dates."""
    settings = _settings()
    tr = _tr(settings, lang)
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        raise _fail(tr._("Dates are written YYYY-MM-DD, e.g. 2026-01-31."), 2) from None
    if last < first:
        raise _fail(tr._("--to must not be before --from."), 2)
    catalog = _catalog(settings, tr)
    units = _simulation_units(settings)
    if unit:
        wanted = set(unit)
        unknown = wanted - {u.code for u in units}
        if unknown:
            codes = ", ".join(sorted(unknown))
            raise _fail(tr._("Unknown unit code: {codes}").format(codes=codes), 2)
        units = [u for u in units if u.code in wanted]
    rows = simulate(units, catalog, settings.work_calendar(), first, last, tr)
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(row.as_row() for row in rows)
        return
    for row in rows:
        headline = row.text.splitlines()[0]
        typer.echo(f"{row.send_at:%Y-%m-%d %H:%M %z}  {row.unit:<16} {row.stage:<20} "
                   f"→ {row.recipient_role:<10} {row.period:<8} {headline}")
    typer.echo(tr.ngettext("{n} message.", "{n} messages.", len(rows)).format(n=len(rows)))


def _simulation_units(settings: Settings) -> list[UnitInfo]:
    """The active units in the database, or the sample units when there are none."""
    engine = _ready_engine(settings)
    with session_scope(engine) as session:
        stored = [UnitInfo(u.code, u.name, u.kind) for u in all_units(session, active_only=True)]
    if stored:
        return stored
    return [UnitInfo(r.code, r.name, r.kind) for r in read_units_file(SAMPLE_UNITS)]


if __name__ == "__main__":
    app()

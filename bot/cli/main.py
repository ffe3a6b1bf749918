"""The ``isobot`` command line: what an operator runs."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.cli import duty_events as cli_duty_events
from bot.cli import evidence as cli_evidence
from bot.cli import members as cli_members
from bot.cli import person as cli_person
from bot.cli import plan as cli_plan
from bot.cli import reports as cli_reports
from bot.cli.errors import BAD_INPUT, ENVIRONMENT, IsobotGroup
from bot.cli.support import (
    Lang,
    MessengerName,
    NowOption,
    _catalog,
    _fail,
    _moment,
    _ready_engine,
    _settings,
    _tr,
)
from bot.messengers import by_name, installed
from bot.runtime import logs
from bot.settings import Settings
from jobs.calendar.clock import Clock
from jobs.calendar.workdays import VIETNAM
from jobs.people.registration import create_invite
from jobs.planning.simulate import CSV_COLUMNS, UnitInfo, simulate
from jobs.text.i18n import Translator
from jobs.text.labels import period_text
from jobs.units.units_file import (
    SAMPLE_UNITS,
    RowProblem,
    UnitsFileError,
    check_units,
    in_tree_order,
    read_units_file,
)
from storage.backup import BackupError, backup_database
from storage.db import make_engine, session_scope, upgrade
from storage.models import Role, UnitKind
from storage.units import (
    all_units,
    parent_codes,
    tree_order,
    unit_by_code,
    upsert_units,
)

app = typer.Typer(help="isobot: ISO 9001 duty reminders for Vietnamese public bodies.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=IsobotGroup)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
units_app = typer.Typer(help="The unit tree.", no_args_is_help=True)
calendar_app = typer.Typer(help="The official working calendar.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(units_app, name="units")
app.add_typer(calendar_app, name="calendar")
cli_duty_events.register(app, units_app)
cli_reports.register(app)
cli_evidence.register(app)
cli_members.register(app)
cli_plan.register(app)
cli_person.register(app)


class InviteRole(StrEnum):
    officer = "officer"
    head = "head"
    supervisor = "supervisor"


# `isobot demo --messenger NAME`: the first installed messenger is the default.
DEFAULT_MESSENGER = MessengerName(installed()[0].name)


class Format(StrEnum):
    text = "text"
    csv = "csv"


class CalendarFormat(StrEnum):
    text = "text"
    csv = "csv"
    ics = "ics"


@app.callback()
def main_options(debug: Annotated[bool, typer.Option(
        "--debug", help="When something fails, show the full error (traceback).")] = False,
) -> None:
    """isobot: ISO 9001 duty reminders for Vietnamese public bodies."""
    IsobotGroup.debug = debug


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    settings = _settings()
    upgrade(make_engine(settings.database_url))
    typer.echo(_tr(settings)._("The database is up to date."))


@app.command("backup")
def backup_command(
    out: Annotated[Path, typer.Option(
        help="The new file: a copy of a SQLite database, or pg_dump's custom-format archive "
             "of a PostgreSQL one.")],
) -> None:
    """Back up the database, consistent even while the bot runs (see README, Backups)."""
    settings = _settings()
    tr = _tr(settings)
    # No migration first: a backup is what one takes before changing the database.
    try:
        done = backup_database(settings.database_url, out)
    except BackupError as error:
        raise _fail(_backup_problem(error, tr),
                    BAD_INPUT if error.bad_input else ENVIRONMENT) from None
    typer.echo(tr._("Backup written to {path} ({size} MB).").format(
        path=done.path, size=tr.number(round(done.size / 1_000_000, 1))))


def _backup_problem(error: BackupError, tr: Translator) -> str:
    return {
        "unsupported": tr._("Only SQLite and PostgreSQL databases can be backed up (check "
                            "DATABASE_URL)."),
        "target_exists": tr._("{value} already exists: choose a new file name."),
        "no_folder": tr._("The folder {value} does not exist."),
        "cannot_write": tr._("Cannot write the backup: {value}"),
        "no_database": tr._("There is no database at {value} (check DATABASE_URL)."),
        "unreadable": tr._("The database cannot be read: {value}"),
        "no_pg_dump": tr._("pg_dump was not found: install PostgreSQL's client tools, or run "
                           "pg_dump where the database runs (see README, Backups)."),
        "pg_dump_failed": tr._("pg_dump failed: {value}"),
    }[error.problem].format(value=error.detail)


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
    kinds = ", ".join(k.value for k in UnitKind)
    return tr._("Line {line}: {what}").format(
        line=problem.line, what=what.format(value=problem.value, kinds=kinds))


@units_app.command("import")
def units_import(
    file: Annotated[Path | None, typer.Argument(help="CSV or XLSX: code,name,kind,parent.")] = None,
    sample: Annotated[bool, typer.Option(help="Load the sample units of isobot.")] = False,
    now: NowOption = None,
) -> None:
    """Import units from a CSV or XLSX file; a file with any bad row imports nothing."""
    settings = _settings()
    tr = _tr(settings)
    moment = _moment(settings, now, tr)
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
            "unreadable": tr._("“{value}” cannot be read as a units table: save it from Excel "
                               "as .xlsx or CSV (UTF-8) and try again."),
        }[error.problem]
        raise _fail(message.format(value=error.value), 2) from None
    engine = _ready_engine(settings)
    with session_scope(engine) as session:
        problems = check_units(rows, parent_codes(session))
        if problems:
            for problem in problems:
                typer.echo(_problem_text(problem, tr), err=True)
            raise _fail(tr._("Nothing was imported: correct the rows above and try again."), 2)
        created, updated = upsert_units(
            session, rows=[(r.code, r.name, r.kind, r.parent or None) for r in in_tree_order(rows)],
            now=moment)
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


@calendar_app.command("show")
def calendar_show(
    year: Annotated[int, typer.Argument(min=1995, max=2199, help="The year, e.g. 2026.")],
    fmt: Annotated[CalendarFormat, typer.Option("--format")] = CalendarFormat.text,
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
    now: NowOption = None,
) -> None:
    """Every day off and working weekend day of a year, with its source (package or file)."""
    from jobs.calendar import show as show

    settings = _settings()
    tr = _tr(settings, lang)
    calendar = settings.work_calendar()
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
        content = show.as_ics(year, days, calendar, tr, _moment(settings, now, tr))
        typer.echo(content.decode("utf-8"), nl=False)


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
                   f"→ {row.recipient_role:<10} {period_text(row.period, tr):<14} {headline}")
    typer.echo(tr.ngettext("{n} message.", "{n} messages.", len(rows)).format(n=len(rows)))


@app.command("invite")
def invite_command(
    unit: Annotated[str, typer.Option(help="The unit's code.")],
    role: Annotated[InviteRole, typer.Option(help="The role the code grants.")],
    valid_days: Annotated[int, typer.Option(min=1, max=365)] = 14,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    now: NowOption = None,
) -> None:
    """Print a single-use invite code for a unit and role, and links that carry it."""
    settings = _settings()
    tr = _tr(settings)
    moment = _moment(settings, now, tr)
    engine = _ready_engine(settings)
    with session_scope(engine) as session:
        target = unit_by_code(session, code=unit)
        if target is None or not target.active:
            raise _fail(tr._("Unknown unit code: {codes}").format(codes=unit), 2)
        invite = create_invite(session, unit=target, role=Role(role.value), now=moment,
                               valid_days=valid_days)
        code, expires, unit_name = invite.code, invite.expires_at, target.name
    linking = [m for m in installed() if m.capabilities.deep_links]
    links = {m: m.invite_link(settings, code) for m in linking}
    if json_output:
        named = {f"{m.name}_link": link for m, link in links.items()}
        typer.echo(json.dumps({"code": code, **named, "unit": unit, "role": role.value,
                               "expires_at": expires.isoformat()}))
        return
    typer.echo(tr._("Invite code for {unit} ({role}): {code}").format(
        unit=unit_name, role=role.value, code=code))
    for messenger, link in links.items():
        if link:
            typer.echo(tr._("{messenger} link: {link}").format(
                messenger=messenger.capabilities.brand, link=link))
    typer.echo(tr._("Valid until {moment}; it can be used once.").format(
        moment=tr.datetime(expires.astimezone(VIETNAM))))


@app.command("run")
def run_command(
    now: Annotated[str | None, typer.Option(
        "--now", help="Start the bot's clock at this moment (ISO 8601; Vietnam time if no "
                      "offset); it then runs on. Default: ISOBOT_NOW, else the real clock.")
    ] = None,
) -> None:
    """Run the bot and its scheduler until stopped."""
    from bot.runtime.run import Runtime, run_forever

    settings = _settings()
    tr = _tr(settings)
    if not any(m.enabled(settings) for m in installed()):
        raise _fail(tr._("No messenger is configured: set one of {variables} (or run “make "
                         "demo” for the local sandbox).").format(
            variables=", ".join(m.token_variable for m in installed())), 2)
    catalog = _catalog(settings, tr)
    logs.configure((s.get_secret_value() for s in settings.secrets()),
                   fmt=settings.log_format)
    start = _moment(settings, now, tr) if now or settings.now else None
    clock = Clock(start=start)
    runtime = Runtime(settings, _ready_engine(settings), catalog, clock)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_forever(runtime))


@app.command("demo")
def demo_command(
    speed: Annotated[float, typer.Option(help="How much faster than real time time runs.")] = 60.0,
    messenger: Annotated[MessengerName, typer.Option(
        help="The messenger whose sandbox you chat through.")
    ] = DEFAULT_MESSENGER,
    now: NowOption = None,
) -> None:
    """Chat with the bot in this terminal, as an ISO officer, through a local sandbox server."""
    from bot.cli.demo import run_demo

    settings = _settings()
    tr = _tr(settings)
    catalog = _catalog(settings, tr)
    today = _moment(settings, now, tr).date()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_demo(settings, catalog, today=today, speed=speed,
                             messenger=by_name(messenger.value)))


def _simulation_units(settings: Settings) -> list[UnitInfo]:
    """The active units in the database, or the sample units when there are none."""
    engine = _ready_engine(settings)
    with session_scope(engine) as session:
        tz = settings.work_calendar().tz
        stored = [UnitInfo(u.code, u.name, u.kind,
                           u.created_at.astimezone(tz).date() if u.created_at else None)
                  for u in all_units(session, active_only=True)]
    if stored:
        return stored
    return [UnitInfo(r.code, r.name, r.kind) for r in read_units_file(SAMPLE_UNITS)]


if __name__ == "__main__":
    app()

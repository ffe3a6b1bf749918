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
from pydantic import ValidationError
from sqlmodel import Session

from bot import logs
from bot.settings import Settings
from jobs.calendar import VIETNAM
from jobs.catalog import Catalog, CatalogError, load_catalog
from jobs.clock import Clock
from jobs.directives import period_of as directive_period
from jobs.directives import report as directive_report
from jobs.directives import send_directive
from jobs.duty_events import announcement_due, merge_units
from jobs.export import (
    FileFormat,
    What,
    event_table,
    obligation_table,
    write_csv,
    write_xlsx,
)
from jobs.i18n import Translator, set_default_language, translator
from jobs.legal import register_legal_document
from jobs.registration import create_invite
from jobs.scope import Scope, Targets, resolve
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
from storage.exports import events_for_export, obligations_for_export
from storage.models import Role, Unit, UnitKind
from storage.units import (
    all_units,
    parent_codes,
    subtree_ids,
    tree_order,
    unit_by_code,
    upsert_units,
)

app = typer.Typer(help="isobot: ISO 9001 duty reminders for Vietnamese public bodies.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
units_app = typer.Typer(help="The unit tree.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(units_app, name="units")


class Lang(StrEnum):
    vi = "vi"
    en = "en"


class InviteRole(StrEnum):
    officer = "officer"
    head = "head"
    supervisor = "supervisor"


class QmsEvent(StrEnum):
    built = "built"
    scope_changed = "scope_changed"


class Messenger(StrEnum):
    telegram = "telegram"
    zalo = "zalo"


class Format(StrEnum):
    text = "text"
    csv = "csv"


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as error:
        names = ", ".join(sorted({str(e["loc"][0]) for e in error.errors() if e["loc"]}))
        raise _fail(translator(None)._("Invalid setting: {names}.").format(names=names),
                    2) from None
    set_default_language(settings.language)
    return settings


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


NowOption = Annotated[str | None, typer.Option(
    "--now", help="Act as at this moment (ISO 8601; Vietnam time if no offset). Default: "
                  "ISOBOT_NOW, else the real clock.")]


def _moment(settings: Settings, value: str | None, tr: Translator) -> dt.datetime:
    """The moment a command acts at: ``--now``, else ``ISOBOT_NOW``, else the real clock.

    One clock for every command, so a rehearsal is consistent end to end: units imported
    "at" a moment owe what falls due after it, and the bot started at a later moment agrees.
    """
    if value is None:
        return settings.now or Clock().now()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _fail(tr._("--now is written like 2026-11-23T08:00 or 2026-11-23T08:00+07:00."),
                    2) from None
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


@app.command("invite")
def invite_command(
    unit: Annotated[str, typer.Option(help="The unit's code.")],
    role: Annotated[InviteRole, typer.Option(help="The role the code grants.")],
    valid_days: Annotated[int, typer.Option(min=1, max=365)] = 14,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    now: NowOption = None,
) -> None:
    """Print a single-use invite code for a unit and role, and its Telegram link."""
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
    username = _telegram_username(settings)
    link = f"https://t.me/{username}?start={code}" if username else None
    if json_output:
        typer.echo(json.dumps({"code": code, "telegram_link": link, "unit": unit,
                               "role": role.value, "expires_at": expires.isoformat()}))
        return
    typer.echo(tr._("Invite code for {unit} ({role}): {code}").format(
        unit=unit_name, role=role.value, code=code))
    if link:
        typer.echo(tr._("Telegram link: {link}").format(link=link))
    typer.echo(tr._("Valid until {moment}; it can be used once.").format(
        moment=tr.datetime(expires.astimezone(VIETNAM))))


def _telegram_username(settings: Settings) -> str | None:
    """The bot's username for links: configured, or asked of Telegram with the token."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if not settings.telegram_bot_token:
        return None
    from telegram import Bot

    async def ask() -> str:
        bot = Bot(settings.telegram_bot_token.get_secret_value(),
                  base_url=settings.telegram_api_base_url,
                  base_file_url=settings.telegram_file_base_url)
        async with bot:
            return bot.username

    try:
        return asyncio.run(ask())
    except Exception:  # the code is still valid; only the link cannot be made offline
        return None


@app.command("run")
def run_command(
    now: Annotated[str | None, typer.Option(
        "--now", help="Start the bot's clock at this moment (ISO 8601; Vietnam time if no "
                      "offset); it then runs on. Default: ISOBOT_NOW, else the real clock.")
    ] = None,
) -> None:
    """Run the bot and its scheduler until stopped."""
    from bot.runtime import Runtime, run_forever

    settings = _settings()
    tr = _tr(settings)
    if not settings.telegram_bot_token and not settings.zalo_bot_token:
        raise _fail(tr._("No messenger is configured: set TELEGRAM_BOT_TOKEN (or run "
                         "“make demo” for the local sandbox)."), 2)
    catalog = _catalog(settings, tr)
    logs.configure(s.get_secret_value() for s in (
        settings.telegram_bot_token, settings.zalo_bot_token, settings.webhook_secret) if s)
    start = _moment(settings, now, tr) if now or settings.now else None
    clock = Clock(start=start)
    runtime = Runtime(settings, _ready_engine(settings), catalog, clock)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_forever(runtime))


@app.command("demo")
def demo_command(
    speed: Annotated[float, typer.Option(help="How much faster than real time time runs.")] = 60.0,
    messenger: Annotated[Messenger, typer.Option(
        help="The messenger the sandbox plays: Telegram (buttons) or Zalo (numbered replies).")
    ] = Messenger.telegram,
    now: NowOption = None,
) -> None:
    """Chat with the bot in this terminal, as an ISO officer, through a local sandbox server."""
    from bot.sandbox.demo import run_demo

    settings = _settings()
    tr = _tr(settings)
    catalog = _catalog(settings, tr)
    today = _moment(settings, now, tr).date()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_demo(settings, catalog, today=today, speed=speed,
                             messenger=messenger.value))


directive_app = typer.Typer(help="Directives to units.", no_args_is_help=True)
legal_app = typer.Typer(help="Legal documents units must bring into their QMS.",
                        no_args_is_help=True)
app.add_typer(directive_app, name="directive")
app.add_typer(legal_app, name="legal")

AllOption = Annotated[bool, typer.Option("--all", help="Every unit (below --under).")]
KindOption = Annotated[list[str] | None, typer.Option("--kind", help="Units of this kind.")]
UnitOption = Annotated[list[str] | None, typer.Option("--unit", help="This unit (repeatable).")]
UnderOption = Annotated[str | None, typer.Option(help="Only units below this unit's code.")]


def _targets(session: Session, tr: Translator, everyone: bool, kinds: list[str] | None,
             codes: list[str] | None, under: str | None) -> tuple[Scope, Targets, Unit | None]:
    """The units an operator's --all / --kind / --unit / --under options reach."""
    scope = Scope(everyone=everyone, kinds=tuple(kinds or ()), codes=tuple(codes or ()))
    if scope.is_empty():
        raise _fail(tr._("Say which units: --all, --kind KIND or --unit CODE."), 2)
    unknown_kinds = set(scope.kinds) - {k.value for k in UnitKind}
    if unknown_kinds:
        raise _fail(tr._("Unknown unit kind: {kinds}").format(
            kinds=", ".join(sorted(unknown_kinds))), 2)
    root = None
    if under:
        root = unit_by_code(session, code=under)
        if root is None:
            raise _fail(tr._("Unknown unit code: {codes}").format(codes=under), 2)
    within = subtree_ids(session, unit_id=root.id) if root else None
    targets = resolve(session, scope=scope, within=within,
                      sender_unit_id=root.id if root else None)
    if targets.outside:
        raise _fail(tr._("Unknown unit code, or outside --under: {codes}").format(
            codes=", ".join(targets.outside)), 2)
    if not targets.units:
        raise _fail(tr._("No active unit matches."), 1)
    return scope, targets, root


def _date_option(value: str | None, tr: Translator) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise _fail(tr._("Dates are written YYYY-MM-DD, e.g. 2026-01-31."), 2) from None


@directive_app.command("send")
def directive_send(
    text: Annotated[str, typer.Option(help="What the units must do.")],
    everyone: AllOption = False, kind: KindOption = None, unit: UnitOption = None,
    under: UnderOption = None,
    due: Annotated[str | None, typer.Option(help="Deadline, YYYY-MM-DD.")] = None,
    now: NowOption = None,
) -> None:
    """Send a directive to units; each gets an obligation, reminded and escalated like any."""
    settings = _settings()
    tr = _tr(settings)
    catalog = _catalog(settings, tr)
    if not text.strip():
        raise _fail(tr._("The directive's text is empty."), 2)
    deadline = _date_option(due, tr)
    now = _moment(settings, now, tr)
    if deadline and deadline < now.date():
        raise _fail(tr._("The deadline is in the past."), 2)
    with session_scope(_ready_engine(settings)) as session:
        scope, targets, root = _targets(session, tr, everyone, kind, unit, under)
        issuer = root or next(u for u in all_units(session) if u.parent_id is None)
        sent = send_directive(session, text=text.strip(), targets=targets, issuer_unit=issuer,
                              issued_by="cli:operator", member=None, due=deadline, scope=scope,
                              now=now, catalog=catalog, calendar=settings.work_calendar())
        typer.echo(tr._("Directive {number} sent to {units} units ({people} people), due "
                        "{date}.").format(number=directive_period(sent.directive.id),
                                          units=sent.units, people=sent.people,
                                          date=tr.date(sent.directive.due)))


@directive_app.command("status")
def directive_status(
    number: Annotated[int | None, typer.Option("--id", help="Only this directive.")] = None,
    now: NowOption = None,
) -> None:
    """Show, per directive, how many units received, acknowledged and did it, and who is late."""
    settings = _settings()
    tr = _tr(settings)
    today = _moment(settings, now, tr).date()
    calendar = settings.work_calendar()
    with session_scope(_ready_engine(settings)) as session:
        for line in directive_report(session, tr=tr, today=today, tz=calendar.tz,
                                     directive_id=number, limit=1000):
            typer.echo(line)


@legal_app.command("add")
def legal_add(
    number: Annotated[str, typer.Option(help="The document's number, e.g. 15/2026/NĐ-CP.")],
    title: Annotated[str, typer.Option(help="The document's title.")],
    effective: Annotated[str, typer.Option(help="When it takes effect, YYYY-MM-DD.")],
    everyone: AllOption = False, kind: KindOption = None, unit: UnitOption = None,
    under: UnderOption = None,
    now: NowOption = None,
) -> None:
    """Register a legal document: affected units must update their QMS within 3 months."""
    settings = _settings()
    tr = _tr(settings)
    moment = _moment(settings, now, tr)
    catalog = _catalog(settings, tr)
    takes_effect = _date_option(effective, tr)
    if not number.strip() or not title.strip():
        raise _fail(tr._("The document's number and title are required."), 2)
    with session_scope(_ready_engine(settings)) as session:
        scope, targets, _root = _targets(session, tr, everyone, kind, unit, under)
        registered = register_legal_document(
            session, number=number.strip(), title=title.strip(), effective=takes_effect,
            targets=targets, scope=scope, registered_by="cli:operator", now=moment,
            catalog=catalog, calendar=settings.work_calendar())
        due = registered.obligations[0].due
        typer.echo(tr._("Registered {number}: {units} units must update their QMS by "
                        "{date}.").format(number=number, units=len(registered.obligations),
                                          date=tr.date(due)))


@units_app.command("merge")
def units_merge(
    merged: Annotated[str, typer.Option("--from", help="The unit that ceases to exist.")],
    into: Annotated[str, typer.Option("--into", help="The unit it joins.")],
    now: NowOption = None,
) -> None:
    """Merge a unit into another; its records stay readable, its QMS must be re-announced."""
    settings = _settings()
    tr = _tr(settings)
    moment = _moment(settings, now, tr)
    catalog = _catalog(settings, tr)
    with session_scope(_ready_engine(settings)) as session:
        old, new = unit_by_code(session, code=merged), unit_by_code(session, code=into)
        if old is None or new is None or not old.active or not new.active or old.id == new.id:
            raise _fail(tr._("Both units must exist, be active and differ."), 2)
        merge_units(session, merged=old, into=new, now=moment, catalog=catalog,
                    calendar=settings.work_calendar())
        typer.echo(tr._("{old} is merged into {new}; {new} must announce its QMS again.").format(
            old=old.name, new=new.name))


@units_app.command("qms")
def units_qms(
    unit: Annotated[str, typer.Option(help="The unit's code.")],
    event: Annotated[QmsEvent, typer.Option(help="What happened to its QMS.")],
    on: Annotated[str | None, typer.Option(help="When, YYYY-MM-DD (default today).")] = None,
    now: NowOption = None,
) -> None:
    """Record that a unit's QMS was built or its scope changed: it must announce conformity."""
    settings = _settings()
    tr = _tr(settings)
    catalog = _catalog(settings, tr)
    now = _moment(settings, now, tr)
    day = _date_option(on, tr) or now.date()
    with session_scope(_ready_engine(settings)) as session:
        target = unit_by_code(session, code=unit)
        if target is None or not target.active:
            raise _fail(tr._("Unknown unit code: {codes}").format(codes=unit), 2)
        obligation = announcement_due(session, unit=target, event=event.value, on=day, now=now,
                                      catalog=catalog, calendar=settings.work_calendar())
        typer.echo(tr._("{unit} must announce its QMS by {date}.").format(
            unit=target.name, date=tr.date(obligation.due)))


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


@app.command("export")
def export_command(
    what: Annotated[What, typer.Option(
        help="events: the evidence log; obligations: each obligation's status; compliance: "
             "the year's table, one row per unit.")],
    fmt: Annotated[FileFormat, typer.Option(
        "--format", help="csv for scripts, xlsx for people.")] = FileFormat.csv,
    out: Annotated[Path | None, typer.Option(
        help="The file to write; CSV goes to standard output and XLSX to "
             "isobot-WHAT-YYYYMMDD.xlsx when not given.")] = None,
    unit: Annotated[list[str] | None, typer.Option(
        help="Only this unit and the units below it (repeatable).")] = None,
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
    year: Annotated[int | None, typer.Option(
        min=2000, max=2100, help="With --what compliance: the year (default this year).")] = None,
    now: NowOption = None,
) -> None:
    """Export the evidence log, the obligation status or the compliance table as CSV or XLSX."""
    from bot.documents import compliance_table
    from jobs.compliance import write_compliance_csv, write_compliance_xlsx

    settings = _settings()
    tr = _tr(settings, lang)
    if year is not None and what is not What.compliance:
        raise _fail(tr._("--year goes with --what compliance."), 2)
    catalog = _catalog(settings, tr)
    today = _moment(settings, now, tr).date()
    engine = _ready_engine(settings)
    with session_scope(engine) as session:
        unit_ids: set[int] | None = None
        if unit:
            found = {code: unit_by_code(session, code=code) for code in unit}
            unknown = sorted(code for code, row in found.items() if row is None)
            if unknown:
                raise _fail(tr._("Unknown unit code: {codes}").format(codes=", ".join(unknown)),
                            2)
            unit_ids = set().union(*(subtree_ids(session, unit_id=row.id)
                                     for row in found.values()))
        if what is What.compliance:
            table = compliance_table(session, unit_ids=unit_ids, catalog=catalog,
                                     year=year or today.year, today=today)
        elif what is What.events:
            table = event_table(events_for_export(session, unit_ids=unit_ids), tr=tr,
                                catalog=catalog)
        else:
            table = obligation_table(obligations_for_export(session, unit_ids=unit_ids), tr=tr,
                                     catalog=catalog, today=today)
    to_csv = write_compliance_csv if what is What.compliance else write_csv
    if fmt is FileFormat.csv and out is None:
        to_csv(table, sys.stdout)
        return
    path = out or Path(f"isobot-{what.value}-{today:%Y%m%d}.xlsx")
    try:
        if fmt is FileFormat.csv:
            with path.open("w", encoding="utf-8", newline="") as stream:
                to_csv(table, stream)
        elif what is What.compliance:
            write_compliance_xlsx(table, path, tr=tr, catalog=catalog)
        else:
            title = tr._("Evidence log") if what is What.events else tr._("Obligations")
            write_xlsx(table, path, title=title)
    except OSError as error:
        raise _fail(tr._("Cannot write {path}: {error}").format(
            path=path, error=error.strerror or error), 1) from None
    typer.echo(str(path))


@app.command("ics")
def ics_command(
    unit: Annotated[str, typer.Option(help="The unit's code.")],
    out: Annotated[Path | None, typer.Option(
        help="The file to write; isobot-CODE.ics when not given.")] = None,
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
    now: NowOption = None,
) -> None:
    """Write a unit's ISO deadlines as an iCalendar file for phone calendars."""
    from bot.documents import calendar_filename, unit_calendar

    settings = _settings()
    tr = _tr(settings, lang)
    catalog = _catalog(settings, tr)
    engine = _ready_engine(settings)
    with session_scope(engine) as session:
        target = unit_by_code(session, code=unit)
        if target is None or not target.active:
            raise _fail(tr._("Unknown unit code: {codes}").format(codes=unit), 2)
        content, _count = unit_calendar(session, unit=target, catalog=catalog,
                                        calendar=settings.work_calendar(), tr=tr,
                                        now=_moment(settings, now, tr))
        path = out or Path(calendar_filename(target))
    try:
        path.write_bytes(content)
    except OSError as error:
        raise _fail(tr._("Cannot write {path}: {error}").format(
            path=path, error=error.strerror or error), 1) from None
    typer.echo(str(path))


@app.command("digest")
def digest_command(
    now: NowOption = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print each recipient's digest and attachments; change nothing.")
    ] = False,
) -> None:
    """The weekly digest: print it (--dry-run), or queue it for the running bot to send."""
    from sqlmodel import Session

    from jobs.digest import Week
    from jobs.digest_job import KIND, build_weekly_digest, enqueue_digests
    from storage.digests import queued_keys

    settings = _settings()
    tr = _tr(settings)
    catalog = _catalog(settings, tr)
    moment = _moment(settings, now, tr)
    week = Week.containing(moment)
    engine = _ready_engine(settings)
    with Session(engine) as session:  # committed only when queuing
        queued = queued_keys(session, prefix=f"{KIND}:{week.label}:")
        planned = build_weekly_digest(session, now=moment, catalog=catalog, week=week)
        if dry_run:
            for item in planned:
                member = item.member
                already = " " + tr._("(already queued)") if item.key in queued else ""
                typer.echo(f"=== {member.role} · {item.unit.code} · {member.display_name} "
                           f"({member.platform}:{member.platform_user_id}){already}")
                typer.echo(item.message.text)
                for attachment in item.message.attachments:
                    typer.echo(tr._("Attachment: {name} ({kind}, {size} bytes)").format(
                        name=attachment.filename, kind=attachment.kind,
                        size=tr.number(len(attachment.content))))
                typer.echo("")
            session.rollback()
            fresh = sum(item.key not in queued for item in planned)
            typer.echo(tr.ngettext("{n} message would be queued; nothing was changed.",
                                   "{n} messages would be queued; nothing was changed.",
                                   fresh).format(n=fresh))
            return
        count = enqueue_digests(session, [p for p in planned if p.key not in queued],
                                now=moment)
        session.commit()
    typer.echo(tr.ngettext("{n} message queued; the running bot will send it.",
                           "{n} messages queued; the running bot will send them.",
                           count).format(n=count))


@app.command("plan")
def plan_command(
    now: NowOption = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Count what the tick would create and queue; change nothing.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """One planning tick: create the obligations owed and queue the reminders due at --now."""
    import time

    from jobs.planner import Planner

    settings = _settings()
    tr = _tr(settings)
    moment = _moment(settings, now, tr)
    catalog = _catalog(settings, tr)
    engine = _ready_engine(settings)
    started = time.perf_counter()
    with Session(engine) as session:
        # A dry run is one transaction, rolled back; a real one commits as it goes, like the bot.
        result = Planner(catalog, settings.work_calendar()).tick(session, now=moment,
                                                                 commit=not dry_run)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    seconds = time.perf_counter() - started
    created, queued = result.obligations_created, result.messages_queued
    if json_output:
        typer.echo(json.dumps({"now": moment.isoformat(), "obligations_created": created,
                               "messages_queued": queued, "seconds": round(seconds, 3),
                               "dry_run": dry_run}))
        return
    if dry_run:
        done = tr._("Planning as of {moment} would create {obligations} and queue {messages} "
                    "({seconds} s); nothing was changed.")
        obligations = tr.ngettext("{n} obligation", "{n} obligations", created)
        messages = tr.ngettext("{n} message", "{n} messages", queued)
    else:
        done = tr._("Planned as of {moment} in {seconds} s: {obligations}, {messages}.")
        obligations = tr.ngettext("{n} obligation created", "{n} obligations created", created)
        messages = tr.ngettext("{n} message queued", "{n} messages queued", queued)
    typer.echo(done.format(moment=tr.datetime(moment), seconds=tr.number(round(seconds, 2)),
                           obligations=obligations.format(n=tr.number(created)),
                           messages=messages.format(n=tr.number(queued))))


if __name__ == "__main__":
    app()

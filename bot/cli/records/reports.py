"""``isobot export``, ``isobot ics``, ``isobot digest``: what an operator reads out of isobot."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlmodel import Session

from bot.cli.context import LANG, NOW, CliContext, LangOption, NowOption, with_context
from bot.cli.errors import ENVIRONMENT, fail
from bot.features.exports import calendar_filename, compliance_table, unit_calendar
from jobs.catalog import Catalog
from jobs.reports.compliance import write_compliance_csv, write_compliance_xlsx
from jobs.reports.export import (
    FileFormat,
    What,
    event_table,
    obligation_sheet,
    obligation_table,
    write_csv,
    write_xlsx,
)
from jobs.text.i18n import Translator
from storage.exports import events_for_export, obligations_for_export
from storage.units import subtree_ids, unit_by_code

if TYPE_CHECKING:
    from jobs.supervision.digest_job import PlannedDigest


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
    lang: LangOption = None,
    year: Annotated[int | None, typer.Option(
        min=2000, max=2100, help="With --what compliance: the year (default this year).")] = None,
    now: NowOption = None,
) -> None:
    """Export the evidence log, the obligation status or the compliance table as CSV or XLSX."""
    # Not @with_context: --year stands between --lang and --now in the help.
    cli = CliContext.create(lang=lang, now=now)
    tr = cli.tr
    if year is not None and what is not What.compliance:
        raise fail(tr._("--year goes with --what compliance."))
    catalog = cli.catalog
    today = cli.now.date()
    with cli.session() as session:
        unit_ids = _subtrees(session, unit, tr)
        if what is What.compliance:
            table = compliance_table(session, unit_ids=unit_ids, catalog=catalog,
                                     year=year or today.year, today=today)
        elif what is What.events:
            table = event_table(events_for_export(session, unit_ids=unit_ids), tr=tr,
                                catalog=catalog, for_people=fmt is FileFormat.xlsx)
        else:
            # CSV keeps the stable codes software reads; XLSX is written for people.
            build = obligation_sheet if fmt is FileFormat.xlsx else obligation_table
            table = build(obligations_for_export(session, unit_ids=unit_ids), tr=tr,
                          catalog=catalog, today=today)
    if fmt is FileFormat.csv and out is None:
        _csv_writer(what)(table, sys.stdout)
        return
    path = out or Path(f"isobot-{what.value}-{today:%Y%m%d}.xlsx")
    _write(path, tr, lambda: _write_table(table, path, what, fmt, tr, catalog))


def _subtrees(session: Session, codes: list[str] | None, tr: Translator) -> set[int] | None:
    """The units of ``codes`` and all units below them; None (every unit) without codes."""
    if not codes:
        return None
    found = {code: unit_by_code(session, code=code) for code in codes}
    unknown = sorted(code for code, row in found.items() if row is None)
    if unknown:
        raise fail(tr._("Unknown unit code: {codes}").format(codes=", ".join(unknown)))
    return set().union(*(subtree_ids(session, unit_id=row.id) for row in found.values()))


def _write_table(table: Any, path: Path, what: What, fmt: FileFormat, tr: Translator,
                 catalog: Catalog) -> None:
    if fmt is FileFormat.csv:
        with path.open("w", encoding="utf-8", newline="") as stream:
            _csv_writer(what)(table, stream)
    elif what is What.compliance:
        write_compliance_xlsx(table, path, tr=tr, catalog=catalog)
    elif what is What.events:
        write_xlsx(table, path, title=tr._("Evidence log"))
    else:
        write_xlsx(table, path, title=tr._("Obligations"), tr=tr)


def _csv_writer(what: What) -> Callable[[Any, Any], None]:
    return write_compliance_csv if what is What.compliance else write_csv


def _write(path: Path, tr: Translator, write: Callable[[], object]) -> None:
    """Run ``write``; a file that cannot be written is a sentence and exit code 1."""
    try:
        write()
    except OSError as error:
        raise fail(tr._("Cannot write {path}: {error}").format(
            path=path, error=error.strerror or error), ENVIRONMENT) from None
    typer.echo(str(path))


@with_context(LANG, NOW)
def ics_command(
    unit: Annotated[str, typer.Option(help="The unit's code.")],
    out: Annotated[Path | None, typer.Option(
        help="The file to write; isobot-CODE.ics when not given.")] = None,
    *, cli: CliContext,
) -> None:
    """Write a unit's ISO deadlines as an iCalendar file for phone calendars."""
    tr, catalog = cli.tr, cli.catalog
    with cli.session() as session:
        target = cli.active_unit(session, unit)
        content, _count = unit_calendar(session, unit=target, catalog=catalog,
                                        calendar=cli.calendar, tr=tr, now=cli.now)
        path = out or Path(calendar_filename(target))
    _write(path, tr, lambda: path.write_bytes(content))


@with_context(NOW)
def digest_command(
    cli: CliContext,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print each recipient's digest and attachments; change nothing.")
    ] = False,
) -> None:
    """The weekly digest: print it (--dry-run), or queue it for the running bot to send."""
    # Imported here: the digest draws charts, and matplotlib is slow to import for every command.
    from jobs.supervision.digest import Week
    from jobs.supervision.digest_job import KIND, build_weekly_digest, enqueue_digests
    from storage.digests import queued_keys

    tr, catalog, moment = cli.tr, cli.catalog, cli.now
    week = Week.containing(moment)
    with Session(cli.engine) as session:  # committed only when queuing
        queued = queued_keys(session, prefix=f"{KIND}:{week.label}:")
        planned = build_weekly_digest(session, now=moment, catalog=catalog, week=week)
        if dry_run:
            _print_digest(planned, queued, tr)
            session.rollback()
            return
        count = enqueue_digests(session, [p for p in planned if p.key not in queued],
                                now=moment)
        session.commit()
    typer.echo(tr.ngettext("{n} message queued; the running bot will send it.",
                           "{n} messages queued; the running bot will send them.",
                           count).format(n=count))


def _print_digest(planned: list[PlannedDigest], queued: set[str], tr: Translator) -> None:
    """Each recipient's digest as it would be sent, and how many would be queued."""
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
    fresh = sum(item.key not in queued for item in planned)
    typer.echo(tr.ngettext("{n} message would be queued; nothing was changed.",
                           "{n} messages would be queued; nothing was changed.",
                           fresh).format(n=fresh))


"""``isobot legal add|import``: a legal document units must bring into their QMS (see
:mod:`jobs.supervision.legal`); ``import`` reads its number, title and effective date from the
file (see :mod:`jobs.documents`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import NOW, CliContext, with_context
from bot.cli.documents.reading import read_file
from bot.cli.errors import fail
from bot.cli.targeting import UnitChoice, reached, with_unit_choice
from jobs.calendar.workdays import VIETNAM
from jobs.supervision.legal import MAX_NUMBER as MAX_LEGAL_NUMBER
from jobs.supervision.legal import MAX_TITLE as MAX_LEGAL_TITLE
from jobs.supervision.legal import (
    AlreadyRegistered,
    LegalNotice,
    is_long_in_force,
    register_legal_document,
)
from jobs.text.text_input import clean_text

legal_app = typer.Typer(help="Legal documents units must bring into their QMS.",
                        no_args_is_help=True)


@legal_app.command("add")
@with_context(NOW)
@with_unit_choice
def legal_add(
    number: Annotated[str, typer.Option(help="The document's number, e.g. 15/2026/NĐ-CP.")],
    title: Annotated[str, typer.Option(help="The document's title.")],
    effective: Annotated[str, typer.Option(help="When it takes effect, YYYY-MM-DD.")],
    units: UnitChoice,
    long_in_force: Annotated[bool, typer.Option(
        "--long-in-force", help="Register a document in force for more than a year (every "
                                "unit is then overdue at once).")] = False,
    *, cli: CliContext,
) -> None:
    """Register a legal document: affected units must update their QMS within 3 months."""
    takes_effect = cli.day(effective) if effective else None
    _register(cli, (number, title, takes_effect), units, long_in_force)


@legal_app.command("import")
@with_context(NOW)
@with_unit_choice
def legal_import(
    path: Annotated[Path, typer.Argument(
        metavar="FILE", help="The legal document as published: .edxml, .pdf (with text), "
                             ".docx or .txt.")],
    units: UnitChoice,
    long_in_force: Annotated[bool, typer.Option(
        "--long-in-force", help="Register a document in force for more than a year (every "
                                "unit is then overdue at once).")] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", help="Register it, as `legal add` would.")] = False,
    *, cli: CliContext,
) -> None:
    """Read a legal document's number, title and effective date from its file; with --yes,
    register it as `legal add` does."""
    tr = cli.tr
    fields, _content = read_file(path, tr)
    if not fields.number:
        raise fail(tr._("The document has no number (“Số: …”): nothing was registered."))
    if fields.effective is None:
        raise fail(tr._("The document does not say when it takes effect (“có hiệu lực từ "
                        "ngày …”): register it with isobot legal add --effective."))
    title = " ".join(filter(None, [fields.kind, fields.subject]))
    if not yes:
        typer.echo(tr._("{number}: {title}; takes effect on {date}.").format(
            number=fields.number, title=title or "?", date=tr.date(fields.effective)))
        typer.echo(tr._("Nothing was registered. To register it, add --yes."))
        return
    _register(cli, (fields.number, title, fields.effective), units, long_in_force)


def _register(cli: CliContext, document: tuple[str, str, dt.date | None], units: UnitChoice,
              long_in_force: bool) -> None:
    """Register ``document`` (number, title, effective date) for the units ``units`` reach,
    with `legal add`'s checks."""
    tr, moment, catalog = cli.tr, cli.now, cli.catalog
    number, title, takes_effect = document
    number, title = clean_text(number), clean_text(title)
    if not number or not title:
        raise fail(tr._("The document's number and title are required."))
    if len(number) > MAX_LEGAL_NUMBER or len(title) > MAX_LEGAL_TITLE:
        raise fail(tr._("The number has at most 128 characters and the title 1,000."))
    if is_long_in_force(takes_effect, moment.date()) and not long_in_force:
        raise fail(tr._("{number} took effect on {date}, more than a year ago: units should "
                        "have updated their QMS already. To register it anyway, add "
                        "--long-in-force.").format(number=number, date=tr.date(takes_effect)))
    with cli.session() as session:
        targets, _root = reached(session, cli, units)
        notice = LegalNotice(number=number, title=title, effective=takes_effect,
                             scope=units.scope, targets=targets)
        try:
            registered = register_legal_document(
                session, notice=notice, registered_by="cli:operator", now=moment,
                catalog=catalog, calendar=cli.calendar)
        except AlreadyRegistered as known:
            when = known.document.created_at.astimezone(VIETNAM).date()
            raise fail(tr._("{number} is registered already (on {date}); nothing was "
                            "changed.").format(number=known.document.number,
                                               date=tr.short_date(when))) from None
        due = registered.obligations[0].due
        typer.echo(tr._("Registered {number}: {units} units must update their QMS by "
                        "{date}.").format(number=number, units=len(registered.obligations),
                                          date=tr.date(due)))

"""``isobot directive send|import|status``: a request with a deadline, sent to units and
followed up like any duty (see :mod:`jobs.supervision.directives`); ``import`` reads it from
the file the document system exported (see :mod:`jobs.documents`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli.context import NOW, CliContext, with_context
from bot.cli.documents.reading import print_draft, problem_text, read_file
from bot.cli.errors import fail
from bot.cli.targeting import UnitChoice, named_unit, reached, with_unit_choice
from bot.parsing import parse_document_number
from jobs.calendar.workdays import VIETNAM
from jobs.documents.draft import Draft, make_draft
from jobs.documents.recipients import UnitTree
from jobs.evidence.store import receive_file
from jobs.supervision.directives import MAX_TEXT as MAX_DIRECTIVE_TEXT
from jobs.supervision.directives import (
    DirectiveOrder,
    Issuer,
    Sent,
    directive_name,
    directive_number,
    send_directive,
)
from jobs.supervision.directives import period_of as directive_period
from jobs.supervision.directives import report as directive_report
from jobs.supervision.scope import Scope, Targets, common_ancestor
from jobs.text.i18n import Translator
from jobs.text.text_input import clean_text
from storage.directives import directives_by_number
from storage.models import Directive, Unit
from storage.units import all_units, parent_ids

directive_app = typer.Typer(help="Directives to units.", no_args_is_help=True)


@directive_app.command("send")
@with_context(NOW)
@with_unit_choice
def directive_send(
    text: Annotated[str, typer.Option(help="What the units must do.")],
    units: UnitChoice,
    issuer: Annotated[str | None, typer.Option(
        "--as", help="The unit on whose behalf it is sent (default: --under, else the "
                     "nearest unit above all targets; required when they span provinces).")
    ] = None,
    due: Annotated[str | None, typer.Option(help="Deadline, YYYY-MM-DD.")] = None,
    number: Annotated[str | None, typer.Option(
        help="Its official number, e.g. 1699/UBND-TH: officers then know it by it.")] = None,
    *, cli: CliContext,
) -> None:
    """Send a directive to units; each gets an obligation, reminded and escalated like any."""
    tr, catalog = cli.tr, cli.catalog
    text, official = _checked_text(tr, text), _checked_number(tr, number)
    deadline = cli.day(due) if due else None
    now = cli.now
    _check_deadline(tr, deadline, now)
    with cli.session() as session:
        named = named_unit(session, cli, issuer)
        targets, root = reached(session, cli, units)
        sender, targets = _issuer(session, tr, targets, units.scope, named or root)
        order = DirectiveOrder(text=text, scope=units.scope, targets=targets, due=deadline,
                               number=official)
        sent = send_directive(session, order=order, issuer=Issuer(sender, by="cli:operator"),
                              now=now, catalog=catalog, calendar=cli.calendar)
        for line in _directive_notes(tr, sent, deadline, sender):
            typer.echo(line)


def _checked_text(tr: Translator, text: str) -> str:
    text = clean_text(text, multiline=True)
    if not text or len(text) > MAX_DIRECTIVE_TEXT:
        raise fail(tr._("The directive's text is empty or longer than 4,000 characters."))
    return text


def _checked_number(tr: Translator, number: str | None) -> str | None:
    official = parse_document_number(number) if number is not None else None
    if number is not None and official is None:
        raise fail(tr._("“{number}” is not an official document number; write it like "
                        "1699/UBND-TH.").format(number=number))
    return official


def _check_deadline(tr: Translator, deadline: dt.date | None, now: dt.datetime) -> None:
    if deadline and deadline < now.date():
        raise fail(tr._("The deadline is in the past."))


@directive_app.command("import")
@with_context(NOW)
def directive_import(
    path: Annotated[Path, typer.Argument(
        metavar="FILE", help="The directive as the document system exported it: .edxml, "
                             ".pdf (with text), .docx or .txt.")],
    issuer: Annotated[str | None, typer.Option(
        "--as", help="The unit on whose behalf it is sent (default: the organ its heading "
                     "names).")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would be sent; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the draft as JSON.")] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", help="Send it, as `directive send` would.")] = False,
    *, cli: CliContext,
) -> None:
    """Read a directive from its file and show the draft; with --yes, send it to the units
    it names, the file kept with it in the evidence store."""
    tr = cli.tr
    if dry_run and yes:
        raise fail(tr._("--dry-run and --yes do not go together."))
    fields, content = read_file(path, tr)
    with cli.session() as session:
        tree = UnitTree(all_units(session, active_only=True))
        named = named_unit(session, cli, issuer)
        draft = make_draft(fields, tree=tree, calendar=cli.calendar, issuer=named)
        if (problem := problem_text(draft, tr)) is not None:
            raise fail(problem)
        if not yes:
            print_draft(draft, path.name, tr, as_json=as_json)
            if not as_json:
                typer.echo(tr._("Nothing was sent. To send it, add --yes."))
            return
        notes = _send_imported(session, cli, draft, (path.name, content))
        if as_json:
            print_draft(draft, path.name, tr, as_json=True)
        else:
            typer.echo("\n".join(notes))


def _send_imported(session: Session, cli: CliContext, draft: Draft,
                   file: tuple[str, bytes]) -> list[str]:
    """Send the draft with `directive send`'s checks, and keep its file beside it; what the
    operator reads then."""
    tr, now = cli.tr, cli.now
    number = _checked_number(tr, draft.fields.number)
    if directives_by_number(session, number=number):
        raise fail(tr._("Directive {number} was sent already; nothing was sent.").format(
            number=number))
    _check_deadline(tr, draft.due, now)
    text = _checked_text(tr, draft.fields.subject or "")
    scope = Scope(codes=tuple(u.code for u in draft.targets))
    order = DirectiveOrder(text=text, scope=scope, targets=Targets(draft.targets),
                           due=draft.due, number=number)
    sent = send_directive(session, order=order, issuer=Issuer(draft.issuer, by="cli:operator"),
                          now=now, catalog=cli.catalog, calendar=cli.calendar)
    name, content = file
    kept = receive_file(session, name=name, platform="cli", ref=f"directive:{sent.directive.id}",
                        content=content, now=now)
    whole_month = draft.fields.deadline is not None and draft.fields.deadline.whole_month
    asked = draft.due if whole_month else draft.due_as_written  # a month ends on a working day
    return [*_directive_notes(tr, sent, asked, draft.issuer),
            tr._("The file {name} is kept with the directive (SHA-256 {sha256}).").format(
                name=kept.name, sha256=kept.sha256)]


def _issuer(session: Session, tr: Translator, targets: Targets, scope: Scope,
            named: Unit | None) -> tuple[Unit, Targets]:
    """Whose directive it is: ``--as``/``--under``, else the targets' nearest common ancestor.

    Never an unrelated unit: officers read the issuer's name, and the issuer's supervisors
    follow the directive up.
    """
    if named is None:
        found = common_ancestor([u.id for u in targets.units], parent_ids(session))
        if found is None:
            raise fail(tr._("These units belong to different provinces: say on whose behalf "
                            "the directive is sent with --as CODE."))
        named = session.get(Unit, found)
    if scope.everyone or scope.kinds:  # "all" below the issuer is not the issuer itself
        kept = [u for u in targets.units if u.id != named.id or u.code in scope.codes]
        targets = Targets(kept, targets.outside)
    if not targets.units:
        raise fail(tr._("No active unit matches."))
    return named, targets


def _directive_notes(tr: Translator, sent: Sent, asked: dt.date | None,
                     sender: Unit) -> list[str]:
    """What the operator reads after sending: where it went, and what isobot decided."""
    due = sent.directive.due
    lines = [tr._("Directive {number} from {issuer} sent to {units} units ({people} people), "
                  "due {date}.").format(number=directive_name(sent.directive, tr, VIETNAM),
                                        issuer=sender.name, units=sent.units,
                                        people=sent.people, date=tr.date(due))]
    if not sent.directive.number:
        # Without an official number the operator needs a handle to follow it up.
        lines.append(tr._("Follow it with: isobot directive status --id {key}").format(
            key=directive_period(sent.directive.id)))
    if asked is None:
        lines.append(tr._("No --due was given: the deadline is the catalog's default."))
    elif asked != due:
        lines.append(tr._("{asked} is a day off: the deadline moves to the next working day, "
                          "{date} (Civil Code 2015, Article 148).").format(
            asked=tr.date(asked), date=tr.date(due)))
    if sent.people == 0:
        lines.append(tr._("Nobody in these units uses isobot yet: the directive is on each "
                          "unit's list of duties, and its officers are reminded once they "
                          "register."))
    return lines


@directive_app.command("status")
@with_context(NOW)
def directive_status(
    reference: Annotated[str | None, typer.Option(
        "--id", help="Only this directive: its official number (1699/UBND-TH), or CD-12 as "
                     "`directive send` named one sent without a number.")] = None,
    *, cli: CliContext,
) -> None:
    """Show, per directive, how many units received, acknowledged and did it, and who is
    overdue or was late."""
    tr = cli.tr
    today = cli.now.date()
    with cli.session() as session:
        directive_id = None if reference is None else _directive_id(session, reference, tr)
        for line in directive_report(session, tr=tr, today=today, tz=cli.calendar.tz,
                                     directive_id=directive_id, limit=1000):
            typer.echo(line)


def _directive_id(session: Session, reference: str, tr: Translator) -> int:
    """The directive ``--id`` names: by its official number, else by its key (CD-12, 12)."""
    if (number := parse_document_number(reference)) is not None:
        found = directives_by_number(session, number=number)
        if found:
            return found[0].id
    directive_id = directive_number(reference)
    if directive_id is None or session.get(Directive, directive_id) is None:
        raise fail(tr._("There is no directive {number}.").format(number=reference))
    return directive_id

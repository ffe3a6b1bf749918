"""``isobot directive``, ``isobot legal``, ``isobot units merge|qms``: what an operator does
that gives units new duties (see :mod:`jobs.supervision.directives`, :mod:`jobs.supervision.legal`,
:mod:`jobs.planning.duty_events`)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli.support import NowOption, _catalog, _fail, _moment, _ready_engine, _settings, _tr
from bot.parsing import parse_document_number
from jobs.calendar.workdays import VIETNAM
from jobs.planning.duty_events import announcement_due, merge_units
from jobs.supervision.directives import MAX_TEXT as MAX_DIRECTIVE_TEXT
from jobs.supervision.directives import directive_name, directive_number, send_directive
from jobs.supervision.directives import period_of as directive_period
from jobs.supervision.directives import report as directive_report
from jobs.supervision.legal import MAX_NUMBER as MAX_LEGAL_NUMBER
from jobs.supervision.legal import MAX_TITLE as MAX_LEGAL_TITLE
from jobs.supervision.legal import AlreadyRegistered, is_long_in_force, register_legal_document
from jobs.supervision.scope import Scope, Targets, common_ancestor, resolve
from jobs.text.i18n import Translator
from jobs.text.text_input import clean_text
from storage.db import session_scope
from storage.directives import directives_by_number
from storage.models import Directive, Unit, UnitKind
from storage.units import parent_ids, subtree_ids, unit_by_code


def register(app: typer.Typer, units_app: typer.Typer) -> None:
    """Add these commands to the ``isobot`` command line."""
    app.add_typer(directive_app, name="directive")
    app.add_typer(legal_app, name="legal")
    units_app.command("merge")(units_merge)
    units_app.command("qms")(units_qms)


class QmsEvent(StrEnum):
    built = "built"
    scope_changed = "scope_changed"


directive_app = typer.Typer(help="Directives to units.", no_args_is_help=True)
legal_app = typer.Typer(help="Legal documents units must bring into their QMS.",
                        no_args_is_help=True)

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
    if scope.everyone and scope.kinds:
        raise _fail(tr._("--all and --kind do not go together: --all is every unit, --kind "
                         "only units of that kind."), 2)
    unknown_kinds = set(scope.kinds) - {k.value for k in UnitKind}
    if unknown_kinds:
        raise _fail(tr._("Unknown unit kind: {kinds}").format(
            kinds=", ".join(sorted(unknown_kinds))), 2)
    root = _unit_option(session, tr, under)
    within = subtree_ids(session, unit_id=root.id) if root else None
    targets = resolve(session, scope=scope, within=within,
                      sender_unit_id=root.id if root else None)
    if targets.outside:
        raise _fail(tr._("Unknown unit code, or outside --under: {codes}").format(
            codes=", ".join(targets.outside)), 2)
    if not targets.units:
        raise _fail(tr._("No active unit matches."), 2)
    return scope, targets, root


def _unit_option(session: Session, tr: Translator, code: str | None) -> Unit | None:
    """The unit an option names, or None when the option was not given."""
    if code is None:
        return None
    unit = unit_by_code(session, code=code)
    if unit is None or not unit.active:
        raise _fail(tr._("Unknown unit code: {codes}").format(codes=code), 2)
    return unit


def _issuer(session: Session, tr: Translator, targets: Targets, scope: Scope,
            named: Unit | None) -> tuple[Unit, Targets]:
    """Whose directive it is: ``--as``/``--under``, else the targets' nearest common ancestor.

    Never an unrelated unit: officers read the issuer's name, and the issuer's supervisors
    follow the directive up.
    """
    if named is None:
        found = common_ancestor([u.id for u in targets.units], parent_ids(session))
        if found is None:
            raise _fail(tr._("These units belong to different provinces: say on whose behalf "
                             "the directive is sent with --as CODE."), 2)
        named = session.get(Unit, found)
    if scope.everyone or scope.kinds:  # "all" below the issuer is not the issuer itself
        kept = [u for u in targets.units if u.id != named.id or u.code in scope.codes]
        targets = Targets(kept, targets.outside)
    if not targets.units:
        raise _fail(tr._("No active unit matches."), 2)
    return named, targets


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
    issuer: Annotated[str | None, typer.Option(
        "--as", help="The unit on whose behalf it is sent (default: --under, else the "
                     "nearest unit above all targets; required when they span provinces).")
    ] = None,
    due: Annotated[str | None, typer.Option(help="Deadline, YYYY-MM-DD.")] = None,
    number: Annotated[str | None, typer.Option(
        help="Its official number, e.g. 1699/UBND-TH: officers then know it by it.")] = None,
    now: NowOption = None,
) -> None:
    """Send a directive to units; each gets an obligation, reminded and escalated like any."""
    settings = _settings()
    tr = _tr(settings)
    catalog = _catalog(settings, tr)
    text = clean_text(text, multiline=True)
    if not text or len(text) > MAX_DIRECTIVE_TEXT:
        raise _fail(tr._("The directive's text is empty or longer than 4,000 characters."), 2)
    official = parse_document_number(number) if number is not None else None
    if number is not None and official is None:
        raise _fail(tr._("“{number}” is not an official document number; write it like "
                         "1699/UBND-TH.").format(number=number), 2)
    deadline = _date_option(due, tr)
    now = _moment(settings, now, tr)
    if deadline and deadline < now.date():
        raise _fail(tr._("The deadline is in the past."), 2)
    calendar = settings.work_calendar()
    with session_scope(_ready_engine(settings)) as session:
        named = _unit_option(session, tr, issuer)
        scope, targets, root = _targets(session, tr, everyone, kind, unit, under)
        sender, targets = _issuer(session, tr, targets, scope, named or root)
        sent = send_directive(session, text=text, targets=targets, issuer_unit=sender,
                              issued_by="cli:operator", member=None, due=deadline, scope=scope,
                              now=now, catalog=catalog, calendar=calendar, number=official)
        for line in _directive_notes(tr, sent, deadline, sender):
            typer.echo(line)


def _directive_notes(tr: Translator, sent, asked: dt.date | None, sender: Unit) -> list[str]:
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
def directive_status(
    reference: Annotated[str | None, typer.Option(
        "--id", help="Only this directive: its official number (1699/UBND-TH), or CD-12 as "
                     "`directive send` named one sent without a number.")] = None,
    now: NowOption = None,
) -> None:
    """Show, per directive, how many units received, acknowledged and did it, and who is
    overdue or was late."""
    settings = _settings()
    tr = _tr(settings)
    today = _moment(settings, now, tr).date()
    calendar = settings.work_calendar()
    with session_scope(_ready_engine(settings)) as session:
        directive_id = None if reference is None else _directive_id(session, reference, tr)
        for line in directive_report(session, tr=tr, today=today, tz=calendar.tz,
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
        raise _fail(tr._("There is no directive {number}.").format(number=reference), 2)
    return directive_id


@legal_app.command("add")
def legal_add(
    number: Annotated[str, typer.Option(help="The document's number, e.g. 15/2026/NĐ-CP.")],
    title: Annotated[str, typer.Option(help="The document's title.")],
    effective: Annotated[str, typer.Option(help="When it takes effect, YYYY-MM-DD.")],
    everyone: AllOption = False, kind: KindOption = None, unit: UnitOption = None,
    under: UnderOption = None,
    long_in_force: Annotated[bool, typer.Option(
        "--long-in-force", help="Register a document in force for more than a year (every "
                                "unit is then overdue at once).")] = False,
    now: NowOption = None,
) -> None:
    """Register a legal document: affected units must update their QMS within 3 months."""
    settings = _settings()
    tr = _tr(settings)
    moment = _moment(settings, now, tr)
    catalog = _catalog(settings, tr)
    takes_effect = _date_option(effective, tr)
    number, title = clean_text(number), clean_text(title)
    if not number or not title:
        raise _fail(tr._("The document's number and title are required."), 2)
    if len(number) > MAX_LEGAL_NUMBER or len(title) > MAX_LEGAL_TITLE:
        raise _fail(tr._("The number has at most 128 characters and the title 1,000."), 2)
    if is_long_in_force(takes_effect, moment.date()) and not long_in_force:
        raise _fail(tr._("{number} took effect on {date}, more than a year ago: units should "
                         "have updated their QMS already. To register it anyway, add "
                         "--long-in-force.").format(number=number, date=tr.date(takes_effect)), 2)
    with session_scope(_ready_engine(settings)) as session:
        scope, targets, _root = _targets(session, tr, everyone, kind, unit, under)
        try:
            registered = register_legal_document(
                session, number=number, title=title, effective=takes_effect,
                targets=targets, scope=scope, registered_by="cli:operator", now=moment,
                catalog=catalog, calendar=settings.work_calendar())
        except AlreadyRegistered as known:
            when = known.document.created_at.astimezone(VIETNAM).date()
            raise _fail(tr._("{number} is registered already (on {date}); nothing was "
                             "changed.").format(number=known.document.number,
                                                date=tr.short_date(when)), 2) from None
        due = registered.obligations[0].due
        typer.echo(tr._("Registered {number}: {units} units must update their QMS by "
                        "{date}.").format(number=number, units=len(registered.obligations),
                                          date=tr.date(due)))


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
        if new.id in subtree_ids(session, unit_id=old.id):
            raise _fail(tr._("{new} is below {old}: a unit cannot be merged into a unit it "
                             "contains. Move it first (units import with a new parent).").format(
                new=new.name, old=old.name), 2)
        merge_units(session, merged=old, into=new, now=moment, catalog=catalog,
                    calendar=settings.work_calendar())
        typer.echo(tr._("{old} is merged into {new}; {new} must announce its QMS again.").format(
            old=old.name, new=new.name))


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

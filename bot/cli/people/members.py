"""``isobot members list|remove|handover`` and ``isobot absence add|list``: who acts for a unit,
and who stands in for an officer who is away (see :mod:`jobs.people.handover`,
:mod:`jobs.people.absence`).

A member is named by its number (``members list`` shows it, e.g. ``12``) or by its account
as the events export writes it (``messenger:user id``); an account acting for
several units or roles needs ``--unit`` (and for ``absence``, its officer membership is meant).
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import Session, select

from bot.cli.context import NOW, CliContext, with_context
from bot.cli.errors import fail
from jobs.people.absence import declare_absence, problem_text, standing_in
from jobs.people.handover import hand_over, remove_member
from jobs.people.registration import role_text
from jobs.text.i18n import Translator
from storage.absences import absences_of
from storage.models import Member, Role, Unit
from storage.units import unit_by_code

members_app = typer.Typer(help="Who acts for a unit.", no_args_is_help=True)
absence_app = typer.Typer(help="Officers away, and who stands in.", no_args_is_help=True)

MemberOption = Annotated[str, typer.Option(
    "--member", help="The member's number (see members list) or its account as the events "
                     "export writes it (messenger:user id).")]
UnitOption = Annotated[str | None, typer.Option(
    "--unit", help="The unit's code, when the account acts for several.")]


def _member(session: Session, tr: Translator, ref: str, unit_code: str | None,
            role: str | None = None) -> Member:
    """The active member ``ref`` names (a number or platform:user), in ``--unit`` if given."""
    unit = None
    if unit_code is not None:
        unit = unit_by_code(session, code=unit_code)
        if unit is None:
            raise fail(tr._("Unknown unit code: {codes}").format(codes=unit_code))
    query = select(Member).where(Member.active)
    if ref.strip().isdigit():
        query = query.where(Member.id == int(ref))
    elif ":" in ref:
        platform, _, user = ref.strip().partition(":")
        query = query.where(Member.platform == platform, Member.platform_user_id == user)
    else:
        raise fail(tr._("A member is named by its number (isobot members list) or its account "
                        "as the events export writes it (messenger:user id)."))
    if unit is not None:
        query = query.where(Member.unit_id == unit.id)
    if role is not None:
        query = query.where(Member.role == role)
    found = list(session.exec(query))
    if len(found) != 1:
        raise fail(tr._("No single active member matches {ref}; see isobot members list (and "
                        "add --unit when the account acts for several units).").format(
            ref=ref))
    return found[0]


@members_app.command("list")
@with_context()
def members_list(unit: Annotated[str, typer.Option(help="The unit's code.")], *,
                 cli: CliContext) -> None:
    """The active members of a unit: number, role, account, name."""
    tr = cli.tr
    with cli.session() as session:
        found = unit_by_code(session, code=unit)
        if found is None:
            raise fail(tr._("Unknown unit code: {codes}").format(codes=unit))
        members = session.exec(select(Member).where(Member.unit_id == found.id, Member.active)
                               .order_by(Member.id)).all()
        if not members:
            typer.echo(tr._("Nobody acts for {unit} yet.").format(unit=found.name))
        for m in members:
            typer.echo(f"{m.id}  {role_text(m.role, tr)}  {m.platform}:{m.platform_user_id}  "
                       f"{m.display_name}")


@members_app.command("remove")
@with_context(NOW)
def members_remove(member: MemberOption, unit: UnitOption = None, *, cli: CliContext) -> None:
    """End a membership (someone left); the unit's reminders go to the remaining officers, or
    to its head when none is left."""
    tr, moment = cli.tr, cli.now
    with cli.session() as session:
        found = _member(session, tr, member, unit)
        remove_member(session, member=found, by="cli:operator", now=moment,
                      calendar=cli.calendar)
        typer.echo(tr._("{name} no longer acts for {unit} as {role}.").format(
            name=found.display_name or found.platform_user_id,
            unit=session.get(Unit, found.unit_id).name, role=role_text(found.role, tr)))


@members_app.command("handover")
@with_context(NOW)
def members_handover(
    officer: Annotated[str, typer.Option("--from", help="The officer who leaves the role.")],
    to: Annotated[str, typer.Option("--to", help="The member of the same unit who takes it.")],
    unit: UnitOption = None, *, cli: CliContext,
) -> None:
    """Hand an officer's role to another member of the unit."""
    tr, moment = cli.tr, cli.now
    with cli.session() as session:
        old = _member(session, tr, officer, unit, role=Role.OFFICER)
        new = _member(session, tr, to, session.get(Unit, old.unit_id).code)
        done = hand_over(session, officer=old, to=new, by="cli:operator", now=moment,
                         catalog=cli.catalog, calendar=cli.calendar)
        if done.problem:
            raise fail(tr._("The member who takes over must act for the same unit and be "
                            "someone else. Nothing was changed."))
        typer.echo(tr._("{new} is now the ISO officer of {unit}; {old} no longer is.").format(
            new=new.display_name or new.platform_user_id,
            unit=session.get(Unit, old.unit_id).name,
            old=old.display_name or old.platform_user_id))


@absence_app.command("add")
@with_context(NOW)
def absence_add(
    member: MemberOption,
    starts: Annotated[str, typer.Option("--from", help="The first day away, YYYY-MM-DD.")],
    ends: Annotated[str, typer.Option("--to", help="The last day away, YYYY-MM-DD.")],
    substitute: Annotated[str | None, typer.Option(
        help="The member of the same unit who stands in (default: the unit head).")] = None,
    unit: UnitOption = None, *, cli: CliContext,
) -> None:
    """Record an officer's absence: their reminders go to the substitute (or the head)."""
    tr, moment = cli.tr, cli.now
    first, last = cli.day(starts), cli.day(ends)
    with cli.session() as session:
        officer = _member(session, tr, member, unit, role=Role.OFFICER)
        code = session.get(Unit, officer.unit_id).code
        stand_in = _member(session, tr, substitute, code) if substitute else None
        declared = declare_absence(session, member=officer, starts=first, ends=last,
                                   substitute=stand_in, created_by="cli:operator", now=moment,
                                   calendar=cli.calendar)
        if declared.problem:
            raise fail(problem_text(declared.problem, tr))
        who = ", ".join(m.display_name or m.platform_user_id
                        for m in standing_in(session, absence=declared.absence)) or "—"
        typer.echo(tr._("Recorded: {name} is away from {start} to {end}; the reminders go to "
                        "{who}.").format(name=officer.display_name or officer.platform_user_id,
                                         start=tr.date(first), end=tr.date(last), who=who))


@absence_app.command("list")
@with_context(NOW)
def absence_list(unit: Annotated[str, typer.Option(help="The unit's code.")], *,
                 cli: CliContext) -> None:
    """The current and coming absences of a unit's officers."""
    tr = cli.tr
    today = cli.now.astimezone(cli.calendar.tz).date()
    with cli.session() as session:
        found = unit_by_code(session, code=unit)
        if found is None:
            raise fail(tr._("Unknown unit code: {codes}").format(codes=unit))
        ids = session.exec(select(Member.id).where(Member.unit_id == found.id)).all()
        absences = absences_of(session, member_ids=ids, ending_from=today)
        if not absences:
            typer.echo(tr._("No absence is recorded for {unit}.").format(unit=found.name))
        for a in absences:
            who = ", ".join(m.display_name or m.platform_user_id
                            for m in standing_in(session, absence=a)) or "—"
            name = session.get(Member, a.member_id)
            typer.echo(f"{a.starts.isoformat()} – {a.ends.isoformat()}  "
                       f"{name.display_name or name.platform_user_id} → {who}")

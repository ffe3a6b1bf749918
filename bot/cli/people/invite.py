"""``isobot invite``: a single-use code that lets someone join a unit in a role; with ``--out``,
codes for many units on a sheet and cards (:mod:`bot.cli.people.invitations`)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import NOW, CliContext, with_context
from bot.cli.errors import fail
from bot.cli.people.invitations import checked_outputs, invite_many
from bot.cli.targeting import UnitChoice, with_unit_choice
from bot.messengers import installed
from jobs.calendar.workdays import VIETNAM
from jobs.people.invitations import InvitationRequest
from jobs.people.registration import create_invite, role_text
from storage.models import Role


class InviteRole(StrEnum):
    officer = "officer"
    head = "head"
    supervisor = "supervisor"


@with_context(NOW)
@with_unit_choice
def invite_command(
    role: Annotated[InviteRole, typer.Option(help="The role the code grants.")],
    valid_days: Annotated[int, typer.Option(min=1, max=365)] = 14,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    out: Annotated[Path | None, typer.Option(
        help="Codes for every unit chosen that has nobody in the role, as an Excel sheet.")] = None,
    pdf: Annotated[Path | None, typer.Option(
        help="With --out: the same codes as cards with QR codes, to print and cut.")] = None,
    again: Annotated[bool, typer.Option(
        help="With --out: new codes for every unit; the open ones stop working.")] = False,
    *, units: UnitChoice, cli: CliContext,
) -> None:
    """Print a single-use invite code for a unit and role, and links that carry it; with --out,
    codes for many units (--under, --all, --kind) on a sheet and cards."""
    tr = cli.tr
    if out is not None:
        outputs = checked_outputs(cli, out, pdf)
        invite_many(cli, choice=units, request=InvitationRequest(
            (), Role(role.value), valid_days, again), outputs=outputs)
        return
    if len(units.scope.codes) != 1 or units.scope.everyone or units.scope.kinds or pdf or again:
        raise fail(tr._("Give one --unit CODE, or --out FILE.xlsx for the codes of many units."))
    _invite_one(cli, units.scope.codes[0], role, valid_days, json_output=json_output)


def _invite_one(cli: CliContext, unit: str, role: InviteRole, valid_days: int, *,
                json_output: bool) -> None:
    tr, moment = cli.tr, cli.now
    with cli.session() as session:
        target = cli.active_unit(session, unit)
        invite = create_invite(session, unit=target, role=Role(role.value), now=moment,
                               valid_days=valid_days)
        code, expires, unit_name = invite.code, invite.expires_at, target.name
    linking = [m for m in installed() if m.capabilities.deep_links]
    links = {m: m.invite_link(cli.settings, code) for m in linking}
    if json_output:
        named = {f"{m.name}_link": link for m, link in links.items()}
        typer.echo(json.dumps({"code": code, **named, "unit": unit, "role": role.value,
                               "expires_at": expires.isoformat()}))
        return
    typer.echo(tr._("Invite code for {unit} ({role}): {code}").format(
        unit=unit_name, role=role_text(role.value, tr), code=code))
    for messenger, link in links.items():
        if link:
            typer.echo(tr._("{messenger} link: {link}").format(
                messenger=messenger.capabilities.brand, link=link))
    typer.echo(tr._("Valid until {moment}; it can be used once.").format(
        moment=tr.datetime(expires.astimezone(VIETNAM))))

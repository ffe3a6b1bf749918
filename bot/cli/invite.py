"""``isobot invite``: a single-use code that lets someone join a unit in a role."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from bot.cli.context import NOW, CliContext, with_context
from bot.messengers import installed
from jobs.calendar.workdays import VIETNAM
from jobs.people.registration import create_invite, role_text
from storage.models import Role


class InviteRole(StrEnum):
    officer = "officer"
    head = "head"
    supervisor = "supervisor"


@with_context(NOW)
def invite_command(
    unit: Annotated[str, typer.Option(help="The unit's code.")],
    role: Annotated[InviteRole, typer.Option(help="The role the code grants.")],
    valid_days: Annotated[int, typer.Option(min=1, max=365)] = 14,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    *, cli: CliContext,
) -> None:
    """Print a single-use invite code for a unit and role, and links that carry it."""
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

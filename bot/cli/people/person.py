"""``isobot person show|forget``: a person's data rights, exercised for them by the operator.

The same as ``/dulieu`` and ``/roi`` in the chat (:mod:`jobs.people.personal_data`), for a person
who asks the operator in writing, or whose account is no longer in their hands.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.context import LANG, NOW, CliContext, with_context
from bot.cli.errors import ENVIRONMENT, fail
from bot.cli.messenger_choice import MessengerName
from bot.messengers import installed
from jobs.people.personal_data import forget_person, person_rows, personal_record, record_lines

person_app = typer.Typer(help="A person's data: what isobot holds, and erasing it.",
                         no_args_is_help=True)

MessengerOption = Annotated[MessengerName, typer.Option(
    "--messenger", help="The messenger of the account.")]
UserOption = Annotated[str, typer.Option(
    "--user", help="The account's user id, as `members list` and the events export show it.")]


def _brand(platform: str) -> str:
    known = {m.name: m for m in installed()}
    return known[platform].capabilities.brand if platform in known else platform.capitalize()


@person_app.command("show")
@with_context(LANG)
def person_show(messenger: MessengerOption, user: UserOption, *, cli: CliContext) -> None:
    """What isobot holds about the person behind an account, on every account they linked."""
    with cli.session() as session:
        record = personal_record(session, platform=messenger.value, user_id=user.strip())
        lines = record_lines(record, cli.tr, brand=_brand, tz=cli.calendar.tz, to_operator=True)
    typer.echo("\n".join(lines))


@person_app.command("forget")
@with_context(NOW)
def person_forget(
    messenger: MessengerOption, user: UserOption,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    *, cli: CliContext,
) -> None:
    """The person leaves isobot: memberships end, name and what is not evidence erased; the
    events they logged stay as their units' records."""
    tr, moment = cli.tr, cli.now
    platform, user_id = messenger.value, user.strip()
    with cli.session() as session:
        rows = person_rows(session, platform=platform, user_id=user_id)
        if rows and not yes and not typer.confirm(tr._(
                "{name} leaves isobot on every linked account; this cannot be undone. "
                "Continue?").format(name=rows[0].display_name or f"{platform}:{user_id}")):
            raise fail(tr._("Nothing was changed."), ENVIRONMENT)  # declined, as typer.Abort
        done = forget_person(session, platform=platform, user_id=user_id, by="cli:operator",
                             now=moment, calendar=cli.calendar)
    if not rows:
        typer.echo(tr._("isobot holds no membership for {account}; its conversation state, "
                        "if any, was erased.").format(account=f"{platform}:{user_id}"))
        return
    typer.echo(tr._("Done: {memberships} memberships ended, {messages} messages not yet sent "
                    "cancelled, the name and conversation erased; the events logged stay as "
                    "the units' records.").format(memberships=done.memberships,
                                                  messages=done.messages))

"""``isobot person show|forget``: a person's data rights, exercised for them by the operator.

The same as ``/dulieu`` and ``/roi`` in the chat (:mod:`jobs.people.personal_data`), for a person
who asks the operator in writing, or whose account is no longer in their hands.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.support import (
    Lang,
    MessengerName,
    NowOption,
    _fail,
    _moment,
    _ready_engine,
    _settings,
    _tr,
)
from bot.messengers import installed
from jobs.people.personal_data import forget_person, person_rows, personal_record, record_lines
from storage.db import session_scope

person_app = typer.Typer(help="A person's data: what isobot holds, and erasing it.",
                         no_args_is_help=True)

MessengerOption = Annotated[MessengerName, typer.Option(
    "--messenger", help="The messenger of the account.")]
UserOption = Annotated[str, typer.Option(
    "--user", help="The account's user id, as `members list` and the events export show it.")]


def register(app: typer.Typer) -> None:
    """Add these commands to the ``isobot`` command line."""
    app.add_typer(person_app, name="person")


def _brand(platform: str) -> str:
    known = {m.name: m for m in installed()}
    return known[platform].capabilities.brand if platform in known else platform.capitalize()


@person_app.command("show")
def person_show(messenger: MessengerOption, user: UserOption,
                lang: Annotated[Lang | None, typer.Option("--lang")] = None) -> None:
    """What isobot holds about the person behind an account, on every account they linked."""
    settings = _settings()
    tr = _tr(settings, lang)
    with session_scope(_ready_engine(settings)) as session:
        record = personal_record(session, platform=messenger.value, user_id=user.strip())
        lines = record_lines(record, tr, brand=_brand, tz=settings.work_calendar().tz)
    typer.echo("\n".join(lines))


@person_app.command("forget")
def person_forget(
    messenger: MessengerOption, user: UserOption,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    now: NowOption = None,
) -> None:
    """The person leaves isobot: memberships end, name and what is not evidence erased; the
    events they logged stay as their units' records."""
    settings = _settings()
    tr = _tr(settings)
    moment = _moment(settings, now, tr)
    platform, user_id = messenger.value, user.strip()
    with session_scope(_ready_engine(settings)) as session:
        rows = person_rows(session, platform=platform, user_id=user_id)
        if rows and not yes and not typer.confirm(tr._(
                "{name} leaves isobot on every linked account; this cannot be undone. "
                "Continue?").format(name=rows[0].display_name or f"{platform}:{user_id}")):
            raise _fail(tr._("Nothing was changed."), 1)
        done = forget_person(session, platform=platform, user_id=user_id, by="cli:operator",
                             now=moment, calendar=settings.work_calendar())
    if not rows:
        typer.echo(tr._("isobot holds no membership for {account}; its conversation state, "
                        "if any, was erased.").format(account=f"{platform}:{user_id}"))
        return
    typer.echo(tr._("Done: {memberships} memberships ended, {messages} messages not yet sent "
                    "cancelled, the name and conversation erased; the events logged stay as "
                    "the units' records.").format(memberships=done.memberships,
                                                  messages=done.messages))

"""``isobot run`` and ``isobot demo``: the bot itself, for real or against a local sandbox."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

import typer

from bot.cli.context import NOW, CliContext, with_context
from bot.cli.errors import fail
from bot.cli.messenger_choice import MessengerName
from bot.cli.options import option
from bot.messengers import by_name, installed
from bot.runtime import logs
from jobs.calendar.clock import Clock

# `isobot demo --messenger NAME`: the first installed messenger is the default.
DEFAULT_MESSENGER = MessengerName(installed()[0].name)

#: ``isobot run --now``: the clock starts there and runs on.
START = option("now", Annotated[str | None, typer.Option(
    "--now", help="Start the bot's clock at this moment (ISO 8601; Vietnam time if no "
                  "offset); it then runs on. Default: ISOBOT_NOW, else the real clock.")])


@with_context(START)
def run_command(*, cli: CliContext) -> None:
    """Run the bot and its scheduler until stopped."""
    from bot.runtime.run import Runtime, run_forever

    settings, tr = cli.settings, cli.tr
    if not any(m.enabled(settings) for m in installed()):
        raise fail(tr._("No messenger is configured: set one of {variables} (or run “make "
                        "demo” for the local sandbox).").format(
            variables=", ".join(m.token_variable for m in installed())))
    catalog = cli.catalog
    logs.configure((s.get_secret_value() for s in settings.secrets()),
                   fmt=settings.log_format)
    clock = Clock(start=cli.now if cli.now_is_set else None)
    runtime = Runtime(settings, cli.engine, catalog, clock)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_forever(runtime))


@with_context(NOW)
def demo_command(
    speed: Annotated[float, typer.Option(help="How much faster than real time time runs.")] = 60.0,
    messenger: Annotated[MessengerName, typer.Option(
        help="The messenger whose sandbox you chat through.")
    ] = DEFAULT_MESSENGER,
    *, cli: CliContext,
) -> None:
    """Chat with the bot in this terminal, as an ISO officer, through a local sandbox server."""
    from bot.cli.demo import run_demo

    catalog = cli.catalog
    today = cli.now.date()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_demo(cli.settings, catalog, today=today, speed=speed,
                             messenger=by_name(messenger.value)))

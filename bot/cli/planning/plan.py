"""``isobot plan``: one planning tick from the command line, as the running bot does it.

Operators use it to check what a day brings (``--dry-run``); the benchmarks use it (``--json``).
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli.context import NOW, CliContext, with_context
from jobs.planning.planner import Planner, PlanResult
from jobs.text.i18n import Translator


@with_context(NOW)
def plan_command(
    cli: CliContext,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Count what the tick would create and queue; change nothing.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """One planning tick: create the obligations owed and queue the reminders due at --now."""
    tr, moment, catalog, engine = cli.tr, cli.now, cli.catalog, cli.engine
    started, cpu = time.perf_counter(), time.process_time()
    with Session(engine) as session:
        # A dry run is one transaction, rolled back; a real one commits as it goes, like the bot.
        result = Planner(catalog, cli.calendar).tick(session, now=moment, commit=not dry_run)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    if json_output:
        typer.echo(json.dumps({"now": moment.isoformat(), "seconds": round(seconds, 3),
                               "cpu_seconds": round(cpu_seconds, 3),
                               "obligations_created": result.obligations_created,
                               "messages_queued": result.messages_queued, "dry_run": dry_run}))
        return
    typer.echo(_summary(result, tr, moment=tr.datetime(moment),
                        seconds=tr.number(round(seconds, 2)), dry_run=dry_run))


def _summary(result: PlanResult, tr: Translator, *, moment: str, seconds: str,
             dry_run: bool) -> str:
    created, queued = result.obligations_created, result.messages_queued
    if dry_run:
        done = tr._("Planning as of {moment} would create {obligations} and queue {messages} "
                    "({seconds} s); nothing was changed.")
        obligations = tr.ngettext("{n} obligation", "{n} obligations", created)
        messages = tr.ngettext("{n} message", "{n} messages", queued)
    else:
        done = tr._("Planned as of {moment} in {seconds} s: {obligations}, {messages}.")
        obligations = tr.ngettext("{n} obligation created", "{n} obligations created", created)
        messages = tr.ngettext("{n} message queued", "{n} messages queued", queued)
    return done.format(moment=moment, seconds=seconds,
                       obligations=obligations.format(n=tr.number(created)),
                       messages=messages.format(n=tr.number(queued)))

"""The ``isobot`` command line: what an operator runs.

Each command group lives in its own module; this one assembles them, in the order ``isobot
--help`` lists them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli import (
    annual,
    database,
    directive,
    evidence,
    invite,
    legal,
    members,
    person,
    plan,
    reports,
    run,
    simulate,
    units,
    working_calendar,
)
from bot.cli.errors import IsobotGroup

app = typer.Typer(help="isobot: ISO 9001 duty reminders for Vietnamese public bodies.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=IsobotGroup)

for name, command in (
    ("export", reports.export_command),
    ("ics", reports.ics_command),
    ("digest", reports.digest_command),
    ("report", annual.report_command),
    ("dossier", evidence.dossier_command),
    ("plan", plan.plan_command),
    ("backup", database.backup_command),
    ("simulate", simulate.simulate_command),
    ("invite", invite.invite_command),
    ("run", run.run_command),
    ("demo", run.demo_command),
):
    app.command(name)(command)

for name, group in (
    ("db", database.db_app),
    ("units", units.units_app),
    ("calendar", working_calendar.calendar_app),
    ("directive", directive.directive_app),
    ("legal", legal.legal_app),
    ("evidence", evidence.evidence_app),
    ("members", members.members_app),
    ("absence", members.absence_app),
    ("person", person.person_app),
):
    app.add_typer(group, name=name)


@app.callback()
def main_options(debug: Annotated[bool, typer.Option(
        "--debug", help="When something fails, show the full error (traceback).")] = False,
) -> None:
    """isobot: ISO 9001 duty reminders for Vietnamese public bodies."""
    IsobotGroup.debug = debug


if __name__ == "__main__":
    app()

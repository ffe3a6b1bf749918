"""The ``isobot`` command line: what an operator runs.

Each command or group lives in its own module; :data:`COMMANDS` names them, in the order ``isobot
--help`` lists them, and a module is imported only when its command is used (:mod:`bot.cli.lazy`):
``isobot plan`` does not load the PDF, spreadsheet and Word libraries of the others.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.errors import IsobotGroup

#: Every command, then every group: name → "module:attribute" (a function or a ``typer.Typer``).
COMMANDS = {
    "export": "bot.cli.records.reports:export_command",
    "ics": "bot.cli.records.reports:ics_command",
    "digest": "bot.cli.records.reports:digest_command",
    "report": "bot.cli.records.annual:report_command",
    "dossier": "bot.cli.records.evidence:dossier_command",
    "plan": "bot.cli.planning.plan:plan_command",
    "backup": "bot.cli.database:backup_command",
    "simulate": "bot.cli.planning.simulate:simulate_command",
    "invite": "bot.cli.people.invite:invite_command",
    "run": "bot.cli.run:run_command",
    "demo": "bot.cli.run:demo_command",
    "db": "bot.cli.database:db_app",
    "units": "bot.cli.units.units:units_app",
    "calendar": "bot.cli.planning.working_calendar:calendar_app",
    "directive": "bot.cli.documents.directive:directive_app",
    "legal": "bot.cli.documents.legal:legal_app",
    "evidence": "bot.cli.records.evidence:evidence_app",
    "members": "bot.cli.people.members:members_app",
    "absence": "bot.cli.people.members:absence_app",
    "person": "bot.cli.people.person:person_app",
}


class Isobot(IsobotGroup):
    """The root command, with its commands."""

    table = COMMANDS


app = typer.Typer(help="isobot: ISO 9001 duty reminders for Vietnamese public bodies.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=Isobot)


@app.callback()
def main_options(debug: Annotated[bool, typer.Option(
        "--debug", help="When something fails, show the full error (traceback).")] = False,
) -> None:
    """isobot: ISO 9001 duty reminders for Vietnamese public bodies."""
    IsobotGroup.debug = debug


if __name__ == "__main__":
    app()

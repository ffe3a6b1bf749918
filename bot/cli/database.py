"""``isobot db upgrade`` and ``isobot backup``: the database itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import CliContext, with_context
from bot.cli.errors import BAD_INPUT, ENVIRONMENT, fail
from jobs.text.i18n import Translator
from storage.backup import BackupError, backup_database
from storage.db import make_engine, upgrade

db_app = typer.Typer(help="The database.", no_args_is_help=True)


@db_app.command("upgrade")
@with_context()
def db_upgrade(*, cli: CliContext) -> None:
    """Apply the database migrations."""
    upgrade(make_engine(cli.settings.database_url))
    typer.echo(cli.tr._("The database is up to date."))


@with_context()
def backup_command(
    out: Annotated[Path, typer.Option(
        help="The new file: a copy of a SQLite database, or pg_dump's custom-format archive "
             "of a PostgreSQL one.")],
    *, cli: CliContext,
) -> None:
    """Back up the database, consistent even while the bot runs (see README, Backups)."""
    tr = cli.tr
    # No migration first: a backup is what one takes before changing the database.
    try:
        done = backup_database(cli.settings.database_url, out)
    except BackupError as error:
        raise fail(_backup_problem(error, tr),
                   BAD_INPUT if error.bad_input else ENVIRONMENT) from None
    typer.echo(tr._("Backup written to {path} ({size} MB).").format(
        path=done.path, size=tr.number(round(done.size / 1_000_000, 1))))


def _backup_problem(error: BackupError, tr: Translator) -> str:
    return {
        "unsupported": tr._("Only SQLite and PostgreSQL databases can be backed up (check "
                            "DATABASE_URL)."),
        "target_exists": tr._("{value} already exists: choose a new file name."),
        "no_folder": tr._("The folder {value} does not exist."),
        "cannot_write": tr._("Cannot write the backup: {value}"),
        "no_database": tr._("There is no database at {value} (check DATABASE_URL)."),
        "unreadable": tr._("The database cannot be read: {value}"),
        "no_pg_dump": tr._("pg_dump was not found: install PostgreSQL's client tools, or run "
                           "pg_dump where the database runs (see README, Backups)."),
        "pg_dump_failed": tr._("pg_dump failed: {value}"),
    }[error.problem].format(value=error.detail)

"""What every ``isobot`` command needs: settings, language, catalog, database and the clock.

Private to the command line (bot/cli/main.py and bot/cli/reports.py), hence the underscores: a
command reads its settings once, fails with a sentence and an exit code, never a traceback.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from bot.cli.errors import IsobotGroup, setting_problem
from bot.messengers import installed
from bot.settings import Settings
from jobs.calendar.clock import Clock
from jobs.calendar.operator_file import CalendarFileError
from jobs.calendar.workdays import VIETNAM
from jobs.catalog import Catalog, CatalogError, load_catalogs
from jobs.text.i18n import Translator, set_default_language, translator
from storage.db import make_engine, upgrade


class Lang(StrEnum):
    vi = "vi"
    en = "en"


# The installed messengers, by name (`--messenger NAME`).
MessengerName = StrEnum("MessengerName", {m.name: m.name for m in installed()})


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as error:
        raise _fail(setting_problem(error, translator(None)), 2) from None
    set_default_language(settings.language)
    IsobotGroup.secrets = tuple(s.get_secret_value() for s in settings.secrets())
    try:
        settings.work_calendar()  # a bad calendar file stops every command, the bot included
    except CalendarFileError as error:
        raise _fail(translator(None)._("The calendar file is invalid: {error}").format(
            error=error), 2) from None
    return settings


def _tr(settings: Settings, lang: Lang | None = None) -> Translator:
    return translator(lang.value if lang else settings.language)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _catalog(settings: Settings, tr: Translator) -> Catalog:
    try:
        return load_catalogs(override=settings.catalog, provinces=settings.province_catalogs)
    except CatalogError as error:
        raise _fail(tr._("The duty catalog is invalid: {error}").format(error=error), 2) from None


def _ready_engine(settings: Settings) -> Engine:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


NowOption = Annotated[str | None, typer.Option(
    "--now", help="Act as at this moment (ISO 8601; Vietnam time if no offset). Default: "
                  "ISOBOT_NOW, else the real clock.")]


def _moment(settings: Settings, value: str | None, tr: Translator) -> dt.datetime:
    """The moment a command acts at: ``--now``, else ``ISOBOT_NOW``, else the real clock.

    One clock for every command, so a rehearsal is consistent end to end: units imported
    "at" a moment owe what falls due after it, and the bot started at a later moment agrees.
    """
    if value is None:
        return settings.now or Clock().now()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _fail(tr._("--now is written like 2026-11-23T08:00 or 2026-11-23T08:00+07:00."),
                    2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)

"""What every ``isobot`` command needs, built in one place: :class:`CliContext`.

A command reads its settings once and speaks the operator's language (``--lang``, else
``ISOBOT_LANG``); the duty catalog, a migrated database and the moment it acts at (``--now``) are
made when the command first asks for them, and each fails there with one sentence and an exit
code (:func:`bot.cli.errors.fail`), never a traceback.

``@with_context(LANG, NOW)`` hands a command its context as its ``cli`` parameter and adds the
shared options ``--lang`` and ``--now``, declared once here, where ``cli`` stands in its help.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from contextlib import AbstractContextManager
from enum import StrEnum
from functools import cached_property
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.cli.errors import IsobotGroup, fail, setting_problem
from bot.cli.options import Command, expand, option
from bot.settings import Settings
from jobs.calendar.clock import Clock
from jobs.calendar.operator_file import CalendarFileError
from jobs.calendar.workdays import VIETNAM, WorkCalendar
from jobs.catalog import Catalog, CatalogError, load_catalogs
from jobs.text.i18n import Translator, set_default_language, translator
from storage.db import make_engine, session_scope, upgrade
from storage.models import Unit
from storage.units import unit_by_code


class Lang(StrEnum):
    vi = "vi"
    en = "en"


class Format(StrEnum):
    text = "text"
    csv = "csv"


LangOption = Annotated[Lang | None, typer.Option(
    "--lang", help="The language of what the command prints. Default: ISOBOT_LANG.")]
NowOption = Annotated[str | None, typer.Option(
    "--now", help="Act as at this moment (ISO 8601; Vietnam time if no offset). Default: "
                  "ISOBOT_NOW, else the real clock.")]


class CliContext:
    """One command's settings and language, and what it asks for: catalog, database, moment."""

    def __init__(self, settings: Settings, tr: Translator, now: str | None = None) -> None:
        self.settings = settings
        self.tr = tr
        self._now = now  # --now as written

    @classmethod
    def create(cls, *, lang: Lang | None = None, now: str | None = None) -> CliContext:
        """The context of a command given ``--lang`` and ``--now``; fails on bad settings."""
        settings = _read_settings()
        return cls(settings, translator(lang.value if lang else settings.language), now)

    @property
    def calendar(self) -> WorkCalendar:
        """The working calendar (read and checked with the settings)."""
        return self.settings.work_calendar()

    @cached_property
    def catalog(self) -> Catalog:
        """The duty catalog with the deployment's override and province catalogs."""
        try:
            return load_catalogs(override=self.settings.catalog,
                                 provinces=self.settings.province_catalogs)
        except CatalogError as error:
            raise fail(self.tr._("The duty catalog is invalid: {error}").format(
                error=error)) from None

    @cached_property
    def engine(self) -> Engine:
        """The database, migrated to the newest schema."""
        engine = make_engine(self.settings.database_url)
        upgrade(engine)
        return engine

    def session(self) -> AbstractContextManager[Session]:
        """A session on :attr:`engine`, committed when the block ends without an error."""
        return session_scope(self.engine)

    @cached_property
    def now(self) -> dt.datetime:
        """The moment the command acts at: ``--now``, else ``ISOBOT_NOW``, else the real clock.

        One clock for every command, so a rehearsal is consistent end to end: units imported
        "at" a moment owe what falls due after it, and the bot started at a later moment agrees.
        """
        if self._now is None:
            return self.settings.now or Clock().now()
        try:
            moment = dt.datetime.fromisoformat(self._now)
        except ValueError:
            raise fail(self.tr._("--now is written like 2026-11-23T08:00 or "
                                 "2026-11-23T08:00+07:00.")) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)

    @property
    def now_is_set(self) -> bool:
        """Whether ``--now`` or ``ISOBOT_NOW`` sets the moment (else it is the real clock's)."""
        return bool(self._now or self.settings.now)

    def day(self, value: str) -> dt.date:
        """A date the operator wrote as YYYY-MM-DD."""
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise fail(self.tr._("Dates are written YYYY-MM-DD, e.g. 2026-01-31.")) from None

    def active_unit(self, session: Session, code: str) -> Unit:
        """The active unit with ``code``; the command fails naming the code otherwise."""
        unit = unit_by_code(session, code=code)
        if unit is None or not unit.active:
            raise fail(self.tr._("Unknown unit code: {codes}").format(codes=code))
        return unit


def _read_settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as error:
        raise fail(setting_problem(error, translator(None))) from None
    set_default_language(settings.language)
    IsobotGroup.settings = settings
    try:
        settings.work_calendar()  # a bad calendar file stops every command, the bot included
    except CalendarFileError as error:
        raise fail(translator(None)._("The calendar file is invalid: {error}").format(
            error=error)) from None
    return settings


#: The shared options a command may take, each a keyword of :meth:`CliContext.create`.
LANG = option("lang", LangOption)
NOW = option("now", NowOption)


def with_context(*shared: inspect.Parameter) -> Callable[[Command], Command]:
    """Hand the command its :class:`CliContext` as ``cli``, with the ``shared`` options
    (:data:`LANG`, :data:`NOW`, …) in its help where ``cli`` stands."""
    def decorate(command: Command) -> Command:
        return expand(command, "cli", shared, CliContext.create)
    return decorate

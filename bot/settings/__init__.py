"""The one settings object, read from the environment (and a ``.env`` file for local use).

Each installed messenger brings its own small settings model (its token, base URLs, rates);
:class:`Settings` is the core's fields plus all of them, so a deployment still sets one flat list
of variables and a messenger reads its own from the same object.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.messengers import installed, settings_models
from bot.settings.ops import OpsSettings
from bot.settings.store import StoreSettings
from bot.settings.web import WebSettings
from jobs.calendar.operator_file import load_calendar_file
from jobs.calendar.workdays import VIETNAM, Amendments, WorkCalendar
from storage.db import DEFAULT_DATABASE_URL

_SECRET = re.compile(r"[A-Za-z0-9_-]{8,256}")


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(*settings_models(), WebSettings, StoreSettings, OpsSettings, BaseSettings):
    """What a deployment sets. Secrets are ``SecretStr`` so they never print by accident."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias=_env("DATABASE_URL"))
    app_database_url: str | None = Field(
        None, validation_alias=_env("ISOBOT_APP_DATABASE_URL"),
        description="PostgreSQL: the login the bot runs as, a role that owns no table (so it "
                    "cannot lift the events' protection); `isobot db upgrade` makes it and "
                    "grants it the bot's rights.")
    webhook_base_url: str | None = Field(None, validation_alias=_env("WEBHOOK_BASE_URL"))
    webhook_secret: SecretStr | None = Field(None, validation_alias=_env("WEBHOOK_SECRET"),
                                             validate_default=True)
    webhook_listen: str = Field("0.0.0.0", validation_alias=_env("WEBHOOK_LISTEN"))
    webhook_port: int = Field(8443, validation_alias=_env("WEBHOOK_PORT"))
    catalog: Path | None = Field(None, validation_alias=_env("ISOBOT_CATALOG"))
    province_catalogs: Path | None = Field(
        None, validation_alias=_env("ISOBOT_PROVINCE_CATALOGS"),
        description="A YAML file mapping unit codes (or their start) to province catalog files: "
                    "a unit's reminders cite its own province's documents (catalogs/).")
    calendar_file: Path | None = Field(
        None, validation_alias=_env("ISOBOT_CALENDAR"),
        description="The operator's YAML of days off and working days per year, each with its "
                    "notice, laid over the holidays package's calendar.")
    language: str = Field("vi", validation_alias=_env("ISOBOT_LANG"))
    office_opens: dt.time = Field(dt.time(8, 0), validation_alias=_env("ISOBOT_OFFICE_OPENS"))
    office_closes: dt.time = Field(dt.time(17, 0), validation_alias=_env("ISOBOT_OFFICE_CLOSES"))
    plan_every_minutes: int = Field(5, validation_alias=_env("ISOBOT_PLAN_EVERY_MINUTES"))
    planning_process: bool = Field(
        True, validation_alias=_env("ISOBOT_PLANNING_PROCESS"),
        description="Plan in a process of its own, so a national tick never slows the chat; "
                    "off, in a thread of the bot (tests, which start many bots).")
    inbox_workers: int = Field(
        4, ge=1, le=64, validation_alias=_env("ISOBOT_INBOX_WORKERS"),
        description="How many updates are handled at once (of different chats).")
    invite_valid_days: int = Field(14, validation_alias=_env("ISOBOT_INVITE_VALID_DAYS"))
    digest_at: dt.time = Field(dt.time(7, 30), validation_alias=_env("ISOBOT_DIGEST_AT"))
    digest_weekday: int = Field(0, ge=0, le=6, validation_alias=_env("ISOBOT_DIGEST_WEEKDAY"),
                                description="0 = Monday … 6 = Sunday.")

    now: dt.datetime | None = Field(
        None, validation_alias=_env("ISOBOT_NOW"),
        description="The moment every command acts at (ISO 8601; Vietnam time without an "
                    "offset), for rehearsals; unset, the real clock.")

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        # SQLite embedded, PostgreSQL in production: the migrations are tested on these two.
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("DATABASE_URL must be sqlite:///FILE or postgresql+psycopg://…")
        try:
            make_url(value)
        except ArgumentError:  # "sqlite:", a scheme and nothing else
            raise ValueError("DATABASE_URL is not a URL") from None
        return value

    @field_validator("app_database_url")
    @classmethod
    def _server_role(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql:", "postgresql+psycopg:")):
            raise ValueError("ISOBOT_APP_DATABASE_URL must be postgresql+psycopg://ROLE:…")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _usable_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if info.data.get("webhook_base_url"):
                raise ValueError("WEBHOOK_SECRET must be set when WEBHOOK_BASE_URL is set")
            return None
        # Telegram takes 1–256 of A–Z a–z 0–9 _ - (Bot API setWebhook); Zalo wants 8–256.
        if not _SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET must be 8–256 characters of A-Z a-z 0-9 _ -")
        return value

    @field_validator("now")
    @classmethod
    def _in_vietnam(cls, value: dt.datetime | None) -> dt.datetime | None:
        # An operator writes local time; a moment without an offset is Vietnam's.
        return value.replace(tzinfo=VIETNAM) if value and value.tzinfo is None else value

    _work_calendar: WorkCalendar | None = PrivateAttr(None)

    def secrets(self) -> list[SecretStr]:
        """Every secret that is set, for the filters that keep them out of logs and errors."""
        return [*self.messenger_secrets(),
                *([self.webhook_secret] if self.webhook_secret else []), *self.store_secrets()]

    def messenger_secrets(self) -> list[SecretStr]:
        """The installed messengers' tokens that are set."""
        return [SecretStr(token) for m in installed() for token in m.secrets(self)]

    def work_calendar(self) -> WorkCalendar:
        """The working calendar: this deployment's office hours and its calendar file.

        Read once per settings object, so every part of a command or of the bot shares one
        calendar (and its per-year cache). Raises ``CalendarFileError`` for a file that cannot
        be used.
        """
        if self._work_calendar is None:
            amendments = (load_calendar_file(self.calendar_file) if self.calendar_file
                          else Amendments())
            self._work_calendar = WorkCalendar(office_opens=self.office_opens,
                                               office_closes=self.office_closes,
                                               amendments=amendments)
        return self._work_calendar

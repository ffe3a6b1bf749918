"""Telegram's part of the one settings object (the README's variable names)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings


class TelegramSettings(BaseSettings):
    """Each base URL is everything before the token, as python-telegram-bot has it."""

    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN"))
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot", validation_alias=AliasChoices("TELEGRAM_API_BASE_URL"))
    telegram_file_base_url: str = Field(
        "https://api.telegram.org/file/bot",
        validation_alias=AliasChoices("TELEGRAM_FILE_BASE_URL"))
    telegram_bot_username: str | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_USERNAME"),
        description="Used for invite links when the bot cannot be asked (getMe) offline.")


#: This messenger's part of the one settings object (:func:`bot.messengers.settings_models`).
SETTINGS = TelegramSettings

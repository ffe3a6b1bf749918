"""Zalo's part of the one settings object (the README's variable names)."""

from __future__ import annotations

from typing import Final

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings

#: Everything before the token; ``bot-api.zapps.me`` is the older host of the same API. Here,
#: not in ``client``, so that reading the settings loads no HTTP client.
DEFAULT_BASE_URL: Final = "https://bot-api.zaloplatforms.com/bot"


class ZaloSettings(BaseSettings):
    """The Zalo Bot Platform: token, base URL (everything before the token), sending rate."""

    zalo_bot_token: SecretStr | None = Field(None, validation_alias=AliasChoices("ZALO_BOT_TOKEN"))
    zalo_api_base_url: str = Field(
        DEFAULT_BASE_URL, validation_alias=AliasChoices("ZALO_API_BASE_URL"))
    zalo_messages_per_second: float = Field(
        5.0, validation_alias=AliasChoices("ZALO_MESSAGES_PER_SECOND"))


#: This messenger's part of the one settings object (:func:`bot.messengers.settings_models`).
SETTINGS = ZaloSettings

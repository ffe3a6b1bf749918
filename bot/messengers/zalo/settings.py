"""Zalo's part of the one settings object (the README's variable names)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings

from bot.messengers.zalo.client import DEFAULT_BASE_URL


class ZaloSettings(BaseSettings):
    """The Zalo Bot Platform: token, base URL (everything before the token), sending rate."""

    zalo_bot_token: SecretStr | None = Field(None, validation_alias=AliasChoices("ZALO_BOT_TOKEN"))
    zalo_api_base_url: str = Field(
        DEFAULT_BASE_URL, validation_alias=AliasChoices("ZALO_API_BASE_URL"))
    zalo_messages_per_second: float = Field(
        5.0, validation_alias=AliasChoices("ZALO_MESSAGES_PER_SECOND"))

"""Telegram as a plug-in: its facts and limits, and the one object the runtime loops over.

Light on purpose: python-telegram-bot is imported only when the bot connects, so the settings
(which are composed from every messenger's model) and the CLI load without it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bot.messengers.telegram.mini_app import mini_app_user
from bot.messengers.telegram.settings import TelegramSettings
from jobs.delivery.deliverer import RateLimits
from jobs.delivery.transport import Capabilities
from jobs.supervision.page_access import MiniApp

if TYPE_CHECKING:
    from bot.messengers.base import Arrival, Connection, Host, Phone
    from bot.settings import Settings

PLATFORM = "telegram"
#: Bot API: message text 1–4096 characters, captions up to 1024 (core.telegram.org/bots/api).
MAX_TEXT = 4096
#: A bot may download files of up to 20 MB (getFile, core.telegram.org/bots/api#getfile).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: "Bots can currently send files of any type of up to 50 MB in size" (Bot API, Sending files).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: setWebhook(secret_token=...): Telegram sends it back in this header.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Telegram's FAQ: about 30 messages a second overall, 1 a second per chat, 20 a minute per group.
LIMITS = RateLimits(per_second=30.0, per_chat_second=1.0, per_group_minute=20.0)


def is_group(chat_id: str) -> bool:
    """Telegram group and channel ids are negative; people's ids are positive."""
    return chat_id.startswith("-")


CAPABILITIES = Capabilities(
    brand="Telegram", buttons=True, edits=True, sends_files=True, deep_links=True,
    max_text=MAX_TEXT, max_file_bytes=MAX_FILE_BYTES, is_group=is_group)


class Telegram:
    """The Telegram Bot API through python-telegram-bot, long polling or a webhook."""

    name = PLATFORM
    capabilities = CAPABILITIES
    webhook_path = "/telegram"
    secret_header = SECRET_HEADER
    token_variable = "TELEGRAM_BOT_TOKEN"
    settings_model = TelegramSettings

    def enabled(self, settings: Settings) -> bool:
        return bool(settings.telegram_bot_token)

    def secrets(self, settings: Settings) -> list[str]:
        token = settings.telegram_bot_token
        return [token.get_secret_value()] if token else []

    def rate_limits(self, settings: Settings) -> RateLimits:
        return LIMITS

    def read_update(self, body: Any) -> Arrival | None:
        from bot.messengers.telegram.intake import read_update

        return read_update(body)

    async def connect(self, host: Host) -> Connection:
        from bot.messengers.telegram.connection import TelegramConnection

        return await TelegramConnection.open(host)

    def invite_link(self, settings: Settings, code: str) -> str | None:
        """``t.me/<bot>?start=CODE``: Telegram sends "/start CODE" when it is opened."""
        username = _username(settings)
        return f"https://t.me/{username}?start={code}" if username else None

    def phone(self) -> Phone:
        from bot.messengers.telegram.phone import TelegramPhone

        return TelegramPhone()

    def mini_app(self, settings: Settings) -> MiniApp | None:
        """Who opened a Mini App (the supervisors' page), from the data Telegram signed;
        Telegram's web client shows it in a frame."""
        token = settings.telegram_bot_token
        if not token:
            return None
        secret = token.get_secret_value()
        return MiniApp(lambda fragment, now: mini_app_user(fragment, bot_token=secret, now=now),
                       frame_origins=("https://web.telegram.org",))


def _username(settings: Settings) -> str | None:
    """The bot's username for links: configured, or asked of Telegram with the token."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if not settings.telegram_bot_token:
        return None
    from telegram import Bot

    async def ask() -> str:
        bot = Bot(settings.telegram_bot_token.get_secret_value(),
                  base_url=settings.telegram_api_base_url,
                  base_file_url=settings.telegram_file_base_url)
        async with bot:
            return bot.username

    try:
        return asyncio.run(ask())
    except Exception:  # the code is still valid; only the link cannot be made offline
        return None


MESSENGER = Telegram()

"""A running Telegram bot: its client, and updates by long polling or webhook into the inbox."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, BotCommand, Update
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.chat.turn import Inbound, Replies
from bot.messengers.base import Arrival, Host, Menu
from bot.messengers.polling import Poller
from bot.messengers.telegram import adapter
from bot.messengers.telegram.intake import read_update
from bot.messengers.telegram.messenger import MESSENGER
from jobs.text.i18n import DEFAULT_LANG, LANGUAGES

log = logging.getLogger(__name__)

# Only what the conversation handles: messages (text, files, photos) and button presses.
UPDATES = ["message", "callback_query"]
POLL_SECONDS = 30
# Replies to several chats go out at once: python-telegram-bot's own default is one connection.
CONNECTIONS = 64


class TelegramConnection:
    """The client, its transport for delivery, and its poller."""

    def __init__(self, bot: Bot, host: Host, webhook_url: str | None) -> None:
        self.bot = bot
        self.host = host
        self.transport = adapter.TelegramTransport(bot, host.files)
        self.webhook_url = webhook_url
        self._poller: Poller | None = None
        self._offset: int | None = None  # the first update not stored yet

    @classmethod
    async def open(cls, host: Host) -> TelegramConnection:
        """Make the client and check the token (getMe): a refused token stops here."""
        settings = host.settings
        bot = Bot(settings.telegram_bot_token.get_secret_value(),
                  base_url=settings.telegram_api_base_url,
                  base_file_url=settings.telegram_file_base_url,
                  request=HTTPXRequest(connection_pool_size=CONNECTIONS),
                  get_updates_request=HTTPXRequest())
        try:
            await bot.initialize()
        except BaseException:
            await bot.shutdown()
            raise
        return cls(bot, host, host.webhook_url(MESSENGER.webhook_path))

    async def download(self, ref: str) -> bytes:
        """A file a person sent, by its file id."""
        return await adapter.download(self.bot, ref)

    async def publish_menu(self, menu: Menu) -> None:
        """setMyCommands in every language; the default language also for everyone else."""
        for lang in LANGUAGES:
            commands = [BotCommand(name, description) for name, description in menu(lang)]
            await self.bot.set_my_commands(
                commands, language_code=None if lang == DEFAULT_LANG else lang)

    async def listen(self) -> None:
        """Register the webhook, or drop any old one and start long polling."""
        if self.webhook_url:
            await self.bot.set_webhook(url=self.webhook_url, secret_token=self.host.webhook_secret,
                                       allowed_updates=UPDATES)
        else:
            await self.bot.delete_webhook()
            self._poller = Poller("Telegram", self._poll_once)
            self._poller.start()
        log.info("Telegram connected as @%s (%s)", self.bot.username,
                 "webhook" if self.webhook_url else "long polling")

    async def _poll_once(self) -> None:
        """One long poll into the inbox; an update is confirmed (offset) only once stored."""
        updates = await self.bot.get_updates(offset=self._offset, timeout=POLL_SECONDS,
                                             allowed_updates=UPDATES)
        if updates:
            await self.host.store(_arrivals(updates))
            self._offset = updates[-1].update_id + 1

    def connected(self) -> bool:
        """The webhook is set, or the long poll runs and its last call reached Telegram."""
        if self.webhook_url:
            return True
        return self._poller is not None and self._poller.healthy

    async def inbound(self, payload: dict[str, Any]) -> Inbound | None:
        """The conversation's view of a stored update (a file it carries is downloaded)."""
        return await adapter.to_inbound(Update.de_json(payload, self.bot), self.bot)

    async def acknowledge(self, payload: dict[str, Any], replies: Replies) -> None:
        """Answer a pressed button, so the phone stops waiting (with a short note, if any)."""
        query = payload.get("callback_query")
        if not query:
            return
        try:
            await self.bot.answer_callback_query(query["id"], text=replies.acknowledgement)
        except TelegramError as error:  # too late, or Telegram is down: the reply says it all
            log.info("could not answer a button press: %s", error)

    async def stop(self) -> None:
        """Stop polling and close the client."""
        if self._poller:
            await self._poller.stop()
        await self.bot.shutdown()


def _arrivals(updates: tuple[Update, ...]) -> list[Arrival]:
    arrivals = []
    for update in updates:
        arrival = read_update(update.to_dict())
        if arrival is None:
            log.warning("ignored a Telegram update isobot cannot use (update %s)",
                        update.update_id)
        else:
            arrivals.append(arrival)
    return arrivals

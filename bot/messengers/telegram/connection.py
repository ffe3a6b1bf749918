"""A running Telegram bot: the python-telegram-bot application, by long polling or webhook."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application

from bot.messengers.base import Host, Menu
from bot.messengers.telegram import adapter
from bot.messengers.telegram.messenger import MESSENGER
from jobs.i18n import DEFAULT_LANG, LANGUAGES

log = logging.getLogger(__name__)

# Only what the conversation handles: messages (text, files, photos) and button presses.
UPDATES = ["message", "callback_query"]


class TelegramConnection:
    """The application, its transport for delivery, and its webhook endpoint."""

    def __init__(self, application: Application, webhook_url: str | None,
                 secret: str | None) -> None:
        self.application = application
        self.transport = adapter.TelegramTransport(application.bot,
                                                   application.bot_data.get("files"))
        self.webhook_url = webhook_url
        self.secret = secret

    @classmethod
    async def open(cls, host: Host) -> TelegramConnection:
        """Build and start the application; a refused token stops here (getMe)."""
        settings = host.settings
        webhook_url = host.webhook_url(MESSENGER.webhook_path)
        application = adapter.build_application(
            settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_api_base_url, base_file_url=settings.telegram_file_base_url,
            conversation=host.conversation, now=host.now, polling=webhook_url is None,
            files=host.files)
        await application.initialize()
        await application.start()
        return cls(application, webhook_url, host.webhook_secret if webhook_url else None)

    async def publish_menu(self, menu: Menu) -> None:
        """setMyCommands in every language; the default language also for everyone else."""
        for lang in LANGUAGES:
            commands = [BotCommand(name, description) for name, description in menu(lang)]
            await self.application.bot.set_my_commands(
                commands, language_code=None if lang == DEFAULT_LANG else lang)

    async def listen(self) -> None:
        """Register the webhook, or drop any old one and start long polling."""
        bot = self.application.bot
        if self.webhook_url:
            await bot.set_webhook(url=self.webhook_url, secret_token=self.secret,
                                  allowed_updates=UPDATES)
        else:
            await bot.delete_webhook()
            await self.application.updater.start_polling(allowed_updates=UPDATES)
        log.info("Telegram connected as @%s (%s)", bot.username,
                 "webhook" if self.webhook_url else "long polling")

    def connected(self) -> bool:
        """The application runs and, in polling mode, so does its long poll."""
        updater = self.application.updater
        return self.application.running and (bool(self.webhook_url)
                                             or bool(updater and updater.running))

    async def download(self, ref: str) -> bytes:
        """A file a person sent, by its file id."""
        return await adapter.download(self.application.bot, ref)

    async def on_webhook(self, body: Any) -> int:
        """Handle one posted update; 400 when it is not one."""
        try:
            update = Update.de_json(body, self.application.bot)
        except ValueError:
            return 400
        await self.application.process_update(update)
        return 200

    async def stop(self) -> None:
        """Stop polling, then the application (an update under way finishes first)."""
        updater = self.application.updater
        if updater and updater.running:
            await updater.stop()
        await self.application.stop()
        await self.application.shutdown()

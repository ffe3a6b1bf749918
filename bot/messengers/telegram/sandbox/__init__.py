"""A Telegram Bot API server on 127.0.0.1 for tests and ``isobot demo``.

The unmodified python-telegram-bot client talks to it (``base_url``, ``base_file_url``); tests
play the people (:class:`TelegramSandbox`'s ``user_*`` methods) and read what the bot sent
(``messages_to``, ``next_message``). Split by role: ``state`` (chats, files, JSON shapes),
``api`` (the Bot API methods isobot calls), ``users`` (the people's side). Run on its own with
``python -m bot.messengers.telegram.sandbox``.
"""

from bot.messengers.telegram.sandbox.users import TelegramSandbox

__all__ = ["TelegramSandbox"]

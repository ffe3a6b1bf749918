"""Which Telegram updates isobot can use, read before they are stored in the inbox.

Telegram posts a webhook until it gets a 2xx and "gives up after a reasonable amount of
attempts" (core.telegram.org/bots/api#setwebhook), so an update isobot cannot use is answered
200 and dropped here instead of being refused over and over. What passes is exactly what
:func:`bot.messengers.telegram.adapter.to_inbound` reads without failing later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import Update

from bot.messengers.base import Arrival
from jobs.text.text_input import storable

# Update ids are positive 32-bit numbers today; anything that fits 64 bits is accepted.
_MAX_UPDATE_ID = 2**63 - 1
#: Bot API: callback data is 1–64 bytes.
_MAX_CALLBACK_BYTES = 64


def read_update(body: Any) -> Arrival | None:
    """The update in ``body`` when isobot handles its kind and its parts are well formed."""
    if not isinstance(body, dict) or not _whole(body.get("update_id"), 0, _MAX_UPDATE_ID):
        return None
    try:
        payload = storable(body)
        # python-telegram-bot builds the update as the worker will: whatever it refuses
        # (a message without a date, a date past the year 9999, ...) is not an update.
        update = Update.de_json(payload, None)
    except Exception:  # a malformed body may fail in any way inside the library
        return None
    chat = _chat_of(update)
    if chat is None:
        return None
    return Arrival(str(update.update_id), str(chat), payload)


def _chat_of(update: Update) -> int | None:
    """The chat of a message or button press whose parts have the types Telegram gives them."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or not _whole(user.id) or not _whole(chat.id):
        return None
    if not isinstance(user.first_name, str) or not _text_or_none(user.last_name):
        return None
    if update.callback_query is not None:
        data = update.callback_query.data
        ok = isinstance(data, str) and 0 < len(data.encode("utf-8", "replace")) <= \
            _MAX_CALLBACK_BYTES and isinstance(update.callback_query.id, str)
        message = update.callback_query.message
        return chat.id if ok and (message is None or _whole(message.message_id)) else None
    message = update.message
    if message is None or not _whole(message.message_id) or \
            not isinstance(message.date, dt.datetime):
        return None
    if not (_text_or_none(message.text) and _text_or_none(message.caption)):
        return None
    return chat.id if _files_ok(message) else None


def _files_ok(message: Any) -> bool:
    document, photo = message.document, message.photo
    if document is not None and not (
            isinstance(document.file_id, str) and _text_or_none(document.file_name)
            and _size_ok(document.file_size)):
        return False
    return all(isinstance(size.file_id, str) and isinstance(size.file_unique_id, str)
               and _size_ok(size.file_size) for size in photo or ())


def _whole(value: Any, low: int = -_MAX_UPDATE_ID, high: int = _MAX_UPDATE_ID) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _size_ok(value: Any) -> bool:
    return value is None or _whole(value, 0)


def _text_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)

"""The Telegram adapter: stored updates in, outbox messages out.

Thin on purpose: it only translates between Telegram's shapes and :mod:`bot.chat.conversation`.
Updates arrive stored in the inbox (:mod:`bot.runtime.intake`); replies leave through the outbox and
:class:`TelegramTransport`, the way reminders do.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

# Opt in to python-telegram-bot's coming behaviour (time periods as timedelta) rather than
# reading the deprecated integer form.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
    WebAppInfo,
)
from telegram import Message as Sent
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.chat.text_parts import split_message
from bot.chat.turn import Inbound, IncomingFile
from bot.messengers.base import FileTooLarge, patiently
from bot.messengers.telegram.messenger import (
    CAPABILITIES,
    MAX_FILE_BYTES,
    MAX_TEXT,
    MAX_UPLOAD_BYTES,
    PLATFORM,
)
from bot.runtime.outgoing import (
    FileUnavailable,
    OutgoingFiles,
    link_line,
    too_large_line,
    unavailable_line,
)
from jobs.delivery.messages import Attachment, Message
from jobs.delivery.transport import RecipientGone, RetryLater, TemporaryFailure, Undeliverable
from jobs.text.i18n import Translator, translator

log = logging.getLogger(__name__)
T = TypeVar("T")


async def to_inbound(update: Update, bot: Bot) -> Inbound | None:
    """The conversation's view of a Telegram update (None for updates it does not handle)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return None
    common = dict(platform=PLATFORM, update_id=str(update.update_id), user_id=str(user.id),
                  chat_id=str(chat.id), display_name=user.full_name or "")
    if update.callback_query:
        query = update.callback_query
        message_id = str(query.message.message_id) if query.message else None
        return Inbound(**common, choice=query.data or "", message_id=message_id)
    message = update.effective_message
    if message is None:
        return None
    if message.document or message.photo:
        return Inbound(**common, file=await _incoming_file(message, bot), text=message.caption)
    if message.text is None:  # a sticker, a voice message, a location, ...
        return Inbound(**common, unsupported=True)
    return Inbound(**common, text=message.text)


async def _incoming_file(message, bot: Bot) -> IncomingFile:
    if message.document:
        item, name = message.document, message.document.file_name or "document"
    else:
        item = message.photo[-1]  # the largest size
        name = f"photo-{item.file_unique_id}.jpg"
    size = item.file_size
    if size is not None and size > MAX_FILE_BYTES:
        return IncomingFile(name=name, size=size, content=None, ref=item.file_id)
    try:
        content = await download(bot, item.file_id)
    except FileTooLarge:  # "file is too big": Telegram will not hand it to a bot
        return IncomingFile(name=name, size=size or MAX_FILE_BYTES + 1, content=None,
                            ref=item.file_id)
    except NetworkError:  # a timeout or a server error: the bot fetches it again later
        return IncomingFile(name=name, size=size, content=None, ref=item.file_id,
                            fetch_failed=True)
    return IncomingFile(name=name, size=len(content), content=content, ref=item.file_id)


async def download(bot: Bot, file_id: str) -> bytes:
    """The bytes of a file by its id (getFile, then the file URL); FileTooLarge over 20 MB."""
    try:
        telegram_file = await bot.get_file(file_id)
    except BadRequest as error:
        raise FileTooLarge(str(error)) from None
    if (telegram_file.file_size or 0) > MAX_FILE_BYTES:
        raise FileTooLarge(f"{telegram_file.file_size} bytes")
    return bytes(await telegram_file.download_as_bytearray())


def keyboard(message: Message) -> InlineKeyboardMarkup | None:
    """Choices as inline buttons, one per row so long labels stay readable on a phone; a
    message about several duties has one row per duty; a page to open as a Mini App last."""
    rows = [[InlineKeyboardButton(c.label, callback_data=c.id) for c in row]
            for row in message.choice_rows()]
    if message.page_button:
        label, url = message.page_button
        rows.append([InlineKeyboardButton(label, web_app=WebAppInfo(url))])
    return InlineKeyboardMarkup(rows) if rows else None


async def send_message(bot: Bot, chat_id: str, message: Message,
                       files: OutgoingFiles | None = None) -> str:
    """Send ``message`` (split when long, buttons on the last part, then attachments).

    A rate limit on the first call is raised for delivery to retry the whole message later;
    on a later one it is waited out, since what went before is there already and a retry would
    send it twice. Replies come one call each (:func:`bot.chat.replies.one_call_each`).
    """
    calls: list[Callable[[], Awaitable[Sent]]] = []
    parts = split_message(message.text, MAX_TEXT)
    if not parts and not message.attachments:
        parts = [" "]
    for i, part in enumerate(parts):
        markup = keyboard(message) if i == len(parts) - 1 else None
        calls.append(functools.partial(bot.send_message, chat_id=chat_id, text=part,
                                       reply_markup=markup))
    tr = translator(message.lang)
    calls += [functools.partial(_send_attachment, bot, chat_id, attachment, files, tr)
              for attachment in message.attachments]
    first_id = None
    for i, call in enumerate(calls):
        sent = await (call() if i == 0 else patiently(call, _rate_limit_wait, attempts=5))
        first_id = first_id or str(sent.message_id)
    return first_id


async def _send_attachment(bot: Bot, chat_id: str, attachment: Attachment,
                           files: OutgoingFiles | None, tr: Translator) -> Sent:
    """Upload the file; past the upload limit, a link to it, or a line that says why not."""
    try:
        content = await files.content(attachment) if files else attachment.content
        url = await files.url(attachment) if files and len(content) > MAX_UPLOAD_BYTES else None
    except FileUnavailable as error:
        log.warning("a file could not be sent: %s", error)
        return await bot.send_message(chat_id=chat_id,
                                      text=unavailable_line(attachment, tr, error))
    if len(content) > MAX_UPLOAD_BYTES:
        text = link_line(attachment, url, tr, files.link_days) if url \
            else too_large_line(attachment, tr)
        return await bot.send_message(chat_id=chat_id, text=text)
    upload = InputFile(content, filename=attachment.filename)
    if attachment.kind == "photo":
        return await bot.send_photo(chat_id=chat_id, photo=upload)
    return await bot.send_document(chat_id=chat_id, document=upload)


def _rate_limit_wait(error: Exception) -> float | None:
    return _seconds(error) if isinstance(error, RetryAfter) else None


class TelegramTransport:
    """Delivery's way to Telegram, with Telegram's errors mapped to delivery's."""

    platform = PLATFORM
    capabilities = CAPABILITIES

    def __init__(self, bot: Bot, files: OutgoingFiles | None = None) -> None:
        self.bot = bot
        self.files = files

    async def prepare(self, message: Message) -> Message:
        """``message`` with the files it builds made, before it takes a slot of the limits."""
        return await self.files.made(message) if self.files else message

    async def send(self, chat_id: str, message: Message) -> str:
        """Send one outbox message."""
        return await self._mapping_errors(send_message(self.bot, chat_id, message, self.files))

    async def edit(self, chat_id: str, message_id: str, message: Message) -> None:
        """Change a message sent earlier: its text, without its buttons (a reminder done)."""
        try:
            await self._mapping_errors(self.bot.edit_message_text(
                chat_id=chat_id, message_id=int(message_id), text=message.text[:MAX_TEXT],
                reply_markup=None))
        except Undeliverable as error:  # too old to edit, or unchanged: the receipt says it
            log.info("could not edit message %s: %s", message_id, error)

    @staticmethod
    async def _mapping_errors(call: Awaitable[T]) -> T:
        try:
            return await call
        except RetryAfter as error:
            raise RetryLater(_seconds(error)) from None
        except Forbidden as error:
            raise RecipientGone(str(error)) from None
        except BadRequest as error:
            if "chat not found" in str(error).lower() or "user not found" in str(error).lower():
                raise RecipientGone(str(error)) from None
            raise Undeliverable(str(error)) from None
        except (TimedOut, NetworkError) as error:
            raise TemporaryFailure(str(error)) from None
        except TelegramError as error:
            raise TemporaryFailure(str(error)) from None


def _seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)

"""The Telegram adapter: python-telegram-bot updates in, the conversation's replies out.

Thin on purpose: it only translates between Telegram's shapes and :mod:`bot.conversation`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable

# Opt in to python-telegram-bot's coming behaviour (time periods as timedelta) rather than
# reading the deprecated integer form.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.conversation import Conversation, Inbound, IncomingFile, Replies
from bot.messengers.base import FileTooLarge, patiently
from bot.messengers.telegram.messenger import (
    CAPABILITIES,
    MAX_FILE_BYTES,
    MAX_TEXT,
    MAX_UPLOAD_BYTES,
    PLATFORM,
)
from bot.outgoing import (
    FileUnavailable,
    OutgoingFiles,
    link_line,
    too_large_line,
    unavailable_line,
)
from bot.text_parts import split_message
from jobs.delivery import RecipientGone, RetryLater, TemporaryFailure, Undeliverable
from jobs.i18n import Translator, translator
from jobs.messages import Attachment, Message

log = logging.getLogger(__name__)


def build_application(token: str, *, base_url: str, base_file_url: str,
                      conversation: Conversation, now: Callable[[], dt.datetime],
                      polling: bool = True, files: OutgoingFiles | None = None) -> Application:
    """A python-telegram-bot application whose every update goes to ``conversation``."""
    builder = ApplicationBuilder().token(token).base_url(base_url).base_file_url(base_file_url)
    if not polling:
        builder = builder.updater(None)  # updates arrive on our webhook server instead
    application = builder.build()
    application.bot_data["conversation"] = conversation
    application.bot_data["now"] = now
    application.bot_data["files"] = files
    application.add_handler(CallbackQueryHandler(on_update))
    application.add_handler(MessageHandler(filters.ALL, on_update))
    application.add_error_handler(on_error)
    return application


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hand any message or button press to the conversation and send its replies."""
    inbound = await to_inbound(update, context.bot)
    if inbound is None:
        return
    conversation: Conversation = context.bot_data["conversation"]
    replies = conversation.handle(inbound, context.bot_data["now"]())
    if update.callback_query:
        await update.callback_query.answer(replies.acknowledgement)
    await send_replies(context.bot, inbound.chat_id, replies, context.bot_data.get("files"))


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
    return Inbound(**common, text=message.text or "")


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
    """Choices as inline buttons, one per row so long labels stay readable on a phone."""
    if not message.choices:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=c.id)] for c in message.choices])


async def send_message(bot: Bot, chat_id: str, message: Message,
                       files: OutgoingFiles | None = None) -> str:
    """Send ``message`` (split when long, buttons on the last part, then attachments)."""
    parts = split_message(message.text, MAX_TEXT) or [" "]
    first_id = None
    for i, part in enumerate(parts):
        markup = keyboard(message) if i == len(parts) - 1 else None
        sent = await bot.send_message(chat_id=chat_id, text=part, reply_markup=markup)
        first_id = first_id or str(sent.message_id)
    for attachment in message.attachments:
        await _send_attachment(bot, chat_id, attachment, files, translator(message.lang))
    return first_id


async def _send_attachment(bot: Bot, chat_id: str, attachment: Attachment,
                           files: OutgoingFiles | None, tr: Translator) -> None:
    """Upload the file; past the upload limit, a link to it, or a line that says why not."""
    try:
        content = await files.content(attachment) if files else attachment.content
        url = await files.url(attachment) if files and len(content) > MAX_UPLOAD_BYTES else None
    except FileUnavailable as error:
        log.warning("a file could not be sent: %s", error)
        await bot.send_message(chat_id=chat_id, text=unavailable_line(attachment, tr))
        return
    if len(content) > MAX_UPLOAD_BYTES:
        text = link_line(attachment, url, tr, files.link_days) if url \
            else too_large_line(attachment, tr)
        await bot.send_message(chat_id=chat_id, text=text)
    elif attachment.kind == "photo":
        await bot.send_photo(chat_id=chat_id, photo=InputFile(content,
                                                              filename=attachment.filename))
    else:
        await bot.send_document(chat_id=chat_id, document=InputFile(
            content, filename=attachment.filename))


async def send_replies(bot: Bot, chat_id: str, replies: Replies,
                       files: OutgoingFiles | None = None) -> None:
    """Send the conversation's replies into the chat the update came from."""
    for edit in replies.edits:
        try:
            await patiently(lambda edit=edit: bot.edit_message_text(
                chat_id=chat_id, message_id=int(edit.message_id),
                text=edit.message.text[:MAX_TEXT], reply_markup=None), _rate_limit_wait)
        except BadRequest as error:  # too old to edit, or unchanged: the receipt says it all
            log.info("could not edit message %s: %s", edit.message_id, error)
    for message in replies.messages:
        await patiently(lambda message=message: send_message(bot, chat_id, message, files),
                        _rate_limit_wait)


def _rate_limit_wait(error: Exception) -> float | None:
    return _seconds(error) if isinstance(error, RetryAfter) else None


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an update that could not be handled (the conversation's transaction rolled back)."""
    update_id = getattr(update, "update_id", None)
    log.error("update %s could not be handled: %s", update_id, context.error,
              exc_info=context.error, extra={"messenger": PLATFORM, "update_id": update_id})


class TelegramTransport:
    """Delivery's way to Telegram, with Telegram's errors mapped to delivery's."""

    platform = PLATFORM
    capabilities = CAPABILITIES

    def __init__(self, bot: Bot, files: OutgoingFiles | None = None) -> None:
        self.bot = bot
        self.files = files

    async def send(self, chat_id: str, message: Message) -> str:
        """Send one outbox message."""
        try:
            return await send_message(self.bot, chat_id, message, self.files)
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

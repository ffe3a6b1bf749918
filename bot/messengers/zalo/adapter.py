"""The Zalo adapter: Zalo Bot Platform updates in, the conversation's replies out.

Thin on purpose, like every adapter: it only translates between Zalo's shapes and
:mod:`bot.chat.conversation`. What Zalo lacks is made up for in rendering, never in the
conversation:

- no buttons: a message's choices become a last line "Reply 1 – Submitted, 2 – …" in the
  message's own language (:attr:`jobs.delivery.messages.Message.lang`), and the conversation, which
  remembers the choices it offered, takes a typed "1" or the label as the pick;
- no message edits: a reminder cannot be marked done afterwards, the receipt says it instead;
- 2,000 characters per message: longer text is split on line or word boundaries;
- ``sendPhoto`` takes a public URL, not bytes: with isobot's web address (``ISOBOT_PUBLIC_URL``,
  in long polling as in webhook mode) a chart goes as a photo and any other file as a link, both
  to its own signed, expiring ``/files/<token>`` (:mod:`bot.runtime.outgoing`); without one, an
  attachment is named in a note saying the operator has not set that address up.
"""

from __future__ import annotations

import hashlib
import html
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from bot.chat.text_parts import split_message
from bot.chat.turn import Inbound, IncomingFile
from bot.messengers.base import Arrival, FileTooLarge, patiently
from bot.messengers.zalo.client import (
    MAX_TEXT_LENGTH,
    ZaloBadRequest,
    ZaloClient,
    ZaloDownloadTooLarge,
    ZaloError,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloRecipientGone,
    ZaloServerError,
    ZaloUnauthorized,
    zalo_text_length,
)
from bot.messengers.zalo.messenger import CAPABILITIES, MAX_FILE_BYTES, PLATFORM
from bot.runtime.outgoing import FileUnavailable, OutgoingFiles, link_line, unavailable_line
from jobs.delivery.messages import Attachment, Message
from jobs.delivery.transport import (
    RecipientUnreachable,
    RetryLater,
    TemporaryFailure,
    Undeliverable,
)
from jobs.text.i18n import translator
from jobs.text.text_input import storable

log = logging.getLogger(__name__)

TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
# The platform puts an image's URL in ``photo_url``; the published reference says ``photo``.
_PHOTO_KEYS = ("photo_url", "photo")
# Choices fit on one "Reply 1 – …, 2 – …" line when they are few and short; otherwise one a line.
_INLINE_CHOICES, _INLINE_LABEL = 4, 24
_MAX_REF = 255  # Event.file_ref
_MAX_ID = 64  # Member.platform_user_id, ChatState.chat_id, ProcessedUpdate.update_id
_MAX_MESSAGE_ID = 256  # only kept inside the update's id, hashed when long


# -- updates in -------------------------------------------------------------------------------


def unwrap(body: Any) -> dict[str, Any] | None:
    """The update in a webhook body: the update itself, or ``{"ok": true, "result": update}``."""
    if not isinstance(body, dict):
        return None
    if "message" not in body and isinstance(body.get("result"), dict):
        body = body["result"]
    return body if isinstance(body.get("message"), dict) else None


def read_update(body: Any) -> Arrival | None:
    """The update in ``body`` when it names its sender and message with ids isobot can keep,
    and a text message carries text; anything else is not an update isobot can use."""
    update = unwrap(body)
    if update is None:
        return None
    try:
        update = storable(update)
    except RecursionError:
        return None
    message, event = update["message"], update.get("event_name")
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    user_id = _id(sender.get("id"))
    message_id = _id(message.get("message_id"), _MAX_MESSAGE_ID)
    chat_id = _id(chat.get("id")) if chat.get("id") is not None else user_id
    if None in (user_id, message_id, chat_id) or not isinstance(event, str):
        return None
    if event == TEXT_EVENT and not isinstance(message.get("text"), str):
        return None
    return Arrival(update_key(event, message_id), chat_id, update)


def update_key(event: str, message_id: str) -> str:
    """The update's id: Zalo numbers none, so its event and message id (hashed when long)."""
    key = f"{event}:{message_id}"
    if len(key) <= _MAX_ID:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()[:_MAX_ID - len("sha256:")]


def _id(value: Any, longest: int = _MAX_ID) -> str | None:
    """A Zalo id (documented as a string; a number is taken too), or None if unusable."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and 0 < len(value) <= longest else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


async def to_inbound(update: dict[str, Any], client: ZaloClient) -> Inbound | None:
    """The conversation's view of an update :func:`read_update` accepted."""
    message = update["message"]
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    user_id = _id(sender.get("id"))
    message_id = _id(message.get("message_id"), _MAX_MESSAGE_ID)
    if user_id is None or message_id is None:
        return None
    event = str(update.get("event_name") or "")
    common = dict(platform=PLATFORM, update_id=update_key(event, message_id), user_id=user_id,
                  chat_id=_id(chat.get("id")) or user_id,
                  display_name=_text(sender.get("display_name"))
                  or _text(sender.get("first_name")) or "")
    if event == TEXT_EVENT:
        return Inbound(**common, text=message["text"])
    if event == IMAGE_EVENT:
        url = next((message[k] for k in _PHOTO_KEYS if isinstance(message.get(k), str)
                    and message[k]), None)
        if url is not None:
            return Inbound(**common, file=await _fetch_photo(client, url, message_id),
                           text=_text(message.get("caption")) or None)
    # Stickers, voice, files, ...: the conversation says what it can read.
    return Inbound(**common, unsupported=True)


async def _fetch_photo(client: ZaloClient, url: str, message_id: str) -> IncomingFile:
    name = f"photo-{message_id}.jpg"
    ref = url if len(url) <= _MAX_REF else None
    try:
        content = await download(client, url)
    except FileTooLarge as error:
        return IncomingFile(name=name, size=error.args[0], content=None, ref=ref)
    except (ZaloNetworkError, ZaloServerError):
        if ref is None:  # no way to fetch it later: the whole update is tried again
            raise
        return IncomingFile(name=name, size=None, content=None, ref=ref,  # fetched later
                            fetch_failed=True)
    return IncomingFile(name=name, size=len(content), content=content, ref=ref)


async def download(client: ZaloClient, url: str) -> bytes:
    """The bytes of a photo a person sent, by its URL; FileTooLarge over 20 MB."""
    try:
        return await client.download(url, max_bytes=MAX_FILE_BYTES)
    except ZaloDownloadTooLarge as error:
        raise FileTooLarge(error.size or MAX_FILE_BYTES + 1) from None


# -- messages out -----------------------------------------------------------------------------


def choices_text(message: Message) -> str:
    """The choices as words to type: "Reply 1 – Submitted, 2 – Remind me later"; a message
    about several duties has one line of numbers per duty."""
    tr = translator(message.lang)
    if message.rows:
        lines, first = [tr._("Reply with the number of your choice:")], 1
        for row in message.choice_rows():
            lines.append(", ".join(f"{n} – {c.label}" for n, c in enumerate(row, start=first)))
            first += len(row)
        return "\n".join(lines)
    labels = [c.label for c in message.choices]
    if len(labels) <= _INLINE_CHOICES and all(len(label) <= _INLINE_LABEL for label in labels):
        options = ", ".join(f"{i} – {label}" for i, label in enumerate(labels, start=1))
        return tr._("Reply {options}").format(options=options)
    lines = [tr._("Reply with the number of your choice:")]
    lines += [f"{i}. {label}" for i, label in enumerate(labels, start=1)]
    return "\n".join(lines)


def attachments_text(attachments: Sequence[Attachment], lang: str | None) -> str:
    """Files that cannot be sent (isobot has no public address for links): say where to get
    them."""
    tr = translator(lang)
    names = ", ".join(a.filename for a in attachments)
    return tr._("📎 {names}: isobot cannot send files on Zalo yet, because the system operator "
                "has not set up its web address. Please ask the ISO standing office for "
                "them.").format(names=names)


def render(message: Message, links: Mapping[int, str | None] | None = None,
           link_days: int = 1) -> list[str]:
    """The texts that carry ``message`` on Zalo, each within the platform's limit.

    ``links`` gives the URL of each attachment by position: a document's link is written in
    the text, a photo's is sent as a photo afterwards (:func:`send_message`); an attachment
    without one is named in a note that says where to get it.
    """
    links = links or {}
    tr = translator(message.lang)
    text = message.text
    lines = [link_line(a, links[i], tr, link_days) for i, a in enumerate(message.attachments)
             if links.get(i) and a.kind != "photo"]
    missing = [a for i, a in enumerate(message.attachments) if i not in links]
    failed = [a for i, a in enumerate(message.attachments) if i in links and not links[i]]
    lines += [unavailable_line(a, tr) for a in failed]
    if missing:
        lines.append(attachments_text(missing, message.lang))
    if lines:
        text = "\n\n".join([text, *lines])
    if message.choices:
        text = f"{text}\n\n{choices_text(message)}"
    return split_for_zalo(text) or ["…"]


async def file_links(message: Message, files: OutgoingFiles | None) -> dict[int, str | None]:
    """Each attachment's link by position (None: it could not be prepared); empty when isobot
    has no public address, so the files are only named."""
    if not message.attachments or files is None or not files.links \
            or not CAPABILITIES.files_by_url:
        return {}
    links: dict[int, str | None] = {}
    for i, attachment in enumerate(message.attachments):
        try:
            links[i] = await files.url(attachment)
        except FileUnavailable as error:
            log.warning("a file link could not be made: %s", error)
            links[i] = None
    return links


def split_for_zalo(text: str) -> list[str]:
    """``text`` in parts of at most 2,000 characters as Zalo counts them.

    :func:`bot.chat.text_parts.split_message` counts code points and cuts on paragraph, line or word
    boundaries, never inside a letter; Zalo counts UTF-16 units, where an emoji outside the
    basic plane weighs two. The limit shrinks until every part fits that measure too.
    """
    limit = MAX_TEXT_LENGTH
    while True:
        parts = split_message(text, limit)
        heaviest = max((zalo_text_length(p) for p in parts), default=0)
        if heaviest <= MAX_TEXT_LENGTH or limit == 1:
            return parts
        limit = max(1, limit - (heaviest - MAX_TEXT_LENGTH))


async def send_message(client: ZaloClient, chat_id: str, message: Message, *,
                       patient_first: bool = True, files: OutgoingFiles | None = None) -> str:
    """Send ``message`` as one or more texts, then its photos by link; return the first id.

    A rate limit on a later part is waited out (the earlier parts are already there); on the
    first part it is waited out only when ``patient_first``, else raised for the caller.
    """
    links = await file_links(message, files)
    first_id = None
    for i, part in enumerate(render(message, links, files.link_days if files else 1)):
        bold = i == 0 and "\n" in message.text  # a message's title: its first line
        if i == 0 and not patient_first:
            sent = await send_text(client, chat_id, part, bold)
        else:
            sent = await patiently(
                lambda part=part, bold=bold: send_text(client, chat_id, part, bold),
                _rate_limit_wait)
        first_id = first_id or str((sent or {}).get("message_id") or "")
    for i, attachment in enumerate(message.attachments):
        if attachment.kind == "photo" and links.get(i):
            # sendPhoto takes the image's public URL, not its bytes (Zalo Bot API reference).
            await patiently(lambda url=links[i]: client.send_photo(chat_id, url),
                            _rate_limit_wait)
    return first_id or ""


async def send_text(client: ZaloClient, chat_id: str, text: str, bold_title: bool) -> Any:
    """Send ``text``, its first line in bold where the platform takes ``parse_mode`` (docs
    v2.5.0, 2026); once it refuses, plain text for the rest of the process."""
    formatted = as_html(text, bold_title) if client.formats else None
    if formatted is None or zalo_text_length(formatted) > MAX_TEXT_LENGTH:
        return await client.send_message(chat_id, text)
    try:
        return await client.send_message(chat_id, formatted, parse_mode="html")
    except ZaloBadRequest as error:
        sent = await client.send_message(chat_id, text)  # refused too: not the formatting
        client.formats = False
        log.warning("Zalo refused parse_mode (%s): sending plain text from now on", error)
        return sent


def as_html(text: str, bold_title: bool) -> str:
    """``text`` as Zalo's HTML parse mode reads it: escaped, the first line bold if asked."""
    if not bold_title:
        return html.escape(text, quote=False)
    title, _, rest = text.partition("\n")
    return f"<b>{html.escape(title, quote=False)}</b>\n{html.escape(rest, quote=False)}"


def _rate_limit_wait(error: Exception) -> float | None:
    return (error.retry_after or 1.0) if isinstance(error, ZaloRateLimited) else None


class ZaloTransport:
    """Delivery's way to Zalo, with the client's errors mapped to delivery's."""

    platform = PLATFORM
    capabilities = CAPABILITIES

    def __init__(self, client: ZaloClient, files: OutgoingFiles | None = None) -> None:
        self.client = client
        self.files = files

    async def prepare(self, message: Message) -> Message:
        """``message`` with the files it builds made, before it takes a slot of the limits
        (only with links: without them Zalo gets no file)."""
        return await self.files.made(message) if self.files and self.files.links else message

    async def send(self, chat_id: str, message: Message) -> str:
        """Send one outbox message."""
        try:
            return await send_message(self.client, chat_id, message, patient_first=False,
                                      files=self.files)
        except ZaloRateLimited as error:
            raise RetryLater(error.retry_after or 1.0) from None
        except ZaloRecipientGone as error:
            # Not proof the person is gone: Zalo documents 403 as an internal error and no code
            # for a blocked user. Delivery retries, and judges only a lasting failure.
            raise RecipientUnreachable(str(error)) from None
        # A refused token is the operator's to fix (a new token, a restart), not a reason to
        # drop every message for good: retried with backoff like a server error.
        except (ZaloServerError, ZaloNetworkError, ZaloUnauthorized) as error:
            raise TemporaryFailure(str(error)) from None
        except (ZaloError, ValueError) as error:
            raise Undeliverable(str(error)) from None

"""The conversation's replies, queued in the outbox in the transaction that handled the update.

They then go out like reminders (:mod:`jobs.delivery.deliverer`, the reply lane): within the
messenger's
limits, retried after a 429 or a 5xx, never sent twice. Each outbox row is one call to the
messenger's API, so a limit reached half-way through a reply (a text, then its file) delays the
rest instead of repeating what already arrived.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session

from bot.chat.text_parts import split_message
from bot.chat.turn import Inbound, Replies
from jobs.delivery.messages import Message
from jobs.delivery.transport import Capabilities
from storage.outbox import enqueue_reply


def queue_replies(session: Session, *, inbound: Inbound, replies: Replies,
                  capabilities: Capabilities, now: dt.datetime) -> int:
    """Queue ``replies`` to the chat ``inbound`` came from; returns how many rows."""
    where = dict(platform=inbound.platform, chat_id=inbound.chat_id, now=now)
    prefix = f"{inbound.platform}:{inbound.update_id}"
    rows = 0
    if capabilities.edits:  # where a message cannot change, the receipt says the same
        for i, edit in enumerate(replies.edits):
            enqueue_reply(session, key=f"edit:{prefix}:{i}", kind="edit",
                          payload={**edit.message.to_payload(), "message_id": edit.message_id},
                          **where)
            rows += 1
    for message in replies.messages:
        for part in one_call_each(message, capabilities):
            enqueue_reply(session, key=f"reply:{prefix}:{rows}", kind="reply",
                          payload=part.to_payload(), **where)
            rows += 1
    return rows


def queue_apology(session: Session, *, platform: str, chat_id: str, update_id: str,
                  text: str, now: dt.datetime, why: str = "sorry") -> None:
    """Tell the chat that its update could not be handled (given up on, or ``why`` else: a
    word of the outbox key, once per update and reason)."""
    enqueue_reply(session, key=f"{why}:{platform}:{update_id}", kind="reply",
                  payload=Message(text).to_payload(), platform=platform, chat_id=chat_id,
                  now=now)


def one_call_each(message: Message, capabilities: Capabilities) -> list[Message]:
    """``message`` as messages the messenger takes in one call each: the text in parts of at
    most ``max_text`` characters (choices on the last), then each file on its own.

    A messenger that cannot send files keeps them on the text, for its adapter to name.
    """
    files = message.attachments if capabilities.sends_files else ()
    kept = tuple(a for a in message.attachments if a not in files)
    texts = split_message(message.text, capabilities.max_text) if message.text.strip() else []
    parts = [dataclasses.replace(message, text=text, choices=(), attachments=())
             for text in texts[:-1]]
    if texts or message.choices or kept or not files:
        parts.append(dataclasses.replace(message, text=texts[-1] if texts else message.text,
                                         attachments=kept))
    parts += [Message("", attachments=(file,), lang=message.lang,
                      erase_after_sending=message.erase_after_sending) for file in files]
    return parts

"""One turn of the conversation: what came in, what goes back, and what a handler works with.

Adapters build an :class:`Inbound` from a platform update and render the :class:`Replies`;
features' handlers get a :class:`Turn`, which lives for the one transaction of the update.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from bot.chat.installation import Installation
from jobs.delivery.messages import Choice, Message
from jobs.delivery.offers import Offers
from jobs.delivery.transport import Capabilities
from jobs.evidence.upload_links import UploadGrant
from jobs.text.i18n import Translator
from jobs.text.text_input import clean_text
from storage.models import Member, Unit

# What the tables keep of a person's name and of a file's name and id (Member.display_name,
# Event.file_name, Event.file_ref): longer ones are cut, keeping a file name's extension.
MAX_NAME, MAX_FILE_NAME, MAX_FILE_REF = 255, 255, 255


@dataclass(frozen=True)
class IncomingFile:
    """A file or photo a person sent; ``content`` is None when it was too big to fetch, or when
    fetching it failed for now (``fetch_failed``: the bot tries again with ``ref``)."""

    name: str
    size: int | None
    content: bytes | None
    ref: str | None = None
    fetch_failed: bool = False
    upload: str | None = None  # sent through an upload link: the link's nonce


@dataclass(frozen=True)
class Inbound:
    """One thing a person did in the chat: typed text, picked a choice, or sent a file."""

    platform: str
    update_id: str
    user_id: str
    chat_id: str
    display_name: str = ""
    text: str | None = None
    choice: str | None = None
    file: IncomingFile | None = None
    message_id: str | None = None  # the bot's message whose choice was picked
    unsupported: bool = False  # something the bot cannot read: a sticker, a voice message, ...

    def cleaned(self) -> Inbound:
        """This update as it may be stored: no NUL or other control characters in what the
        person typed or named (PostgreSQL refuses U+0000), names and file ids that fit."""
        text = clean_text(self.text, multiline=True) if self.text is not None else None
        choice = clean_text(self.choice) if self.choice is not None else None
        file = self.file
        if file is not None:
            file = dataclasses.replace(file, name=_file_name(file.name),
                                       ref=file.ref if len(file.ref or "") <= MAX_FILE_REF
                                       else None)
        return dataclasses.replace(self, text=text, choice=choice, file=file,
                                   display_name=clean_text(self.display_name)[:MAX_NAME])


def _file_name(name: str) -> str:
    name = clean_text(name) or "file"
    if len(name) <= MAX_FILE_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 16:
        return name[:MAX_FILE_NAME]
    return stem[:MAX_FILE_NAME - len(extension) - 1] + dot + extension


@dataclass(frozen=True)
class Edit:
    """Change an earlier bot message in this chat (e.g. mark a reminder done)."""

    message_id: str
    message: Message


@dataclass
class Replies:
    """What the adapter sends back into the chat, in order."""

    messages: list[Message] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    acknowledgement: str | None = None  # a short toast for a pressed button


@dataclass
class Turn:
    """Everything handling one update needs; lives for one transaction.

    ``state`` is the person's conversation state in this chat: ``state["flow"]`` is the
    multi-step task under way (its ``"kind"`` names the feature that owns it). ``offers`` are
    the choices of the last few messages (:mod:`jobs.delivery.offers`), so that a typed answer can
    pick one; the conversation stores them back into ``state`` when the turn ends.
    """

    session: Session
    inbound: Inbound
    now: dt.datetime
    tr: Translator
    members: list[tuple[Member, Unit]]
    state: dict[str, Any]
    replies: Replies = field(default_factory=Replies)
    # The messengers, the operator and the web server's links (bot.chat.installation).
    installation: Installation = field(default_factory=Installation)
    offers: Offers = field(default_factory=Offers)
    # Set when a picked choice no longer applied: the conversation then shows the current ones.
    stale_choice: bool = False
    # What the person typed last turn that the answer to this one may still need (a document
    # line typed for a duty reported already, kept for "Correct this record").
    carried: dict[str, Any] = field(default_factory=dict)
    # Set when the person left isobot: no state of this chat is kept, and this turn's replies
    # are emptied once they went.
    forgotten: bool = False

    def say(self, text: str, choices: tuple[Choice, ...] = ()) -> None:
        """Reply with ``text`` and, optionally, choices to pick from."""
        self.reply(Message(text, choices))

    def reply(self, message: Message) -> None:
        """Reply with a whole message (e.g. one with an attached file)."""
        if message.lang is None:  # adapters word choices in the message's language (Zalo)
            message = dataclasses.replace(message, lang=self.tr.lang)
        self.replies.messages.append(message)
        # Whether the newest message offered choices, so a typed "2" answers them rather than
        # the question a task under way asked before (see Conversation._dispatch).
        self.state["offered_last"] = bool(message.choices)
        if message.choices:
            self.remember(message.choices)

    def remember(self, choices: tuple[Choice, ...]) -> None:
        """Keep ``choices`` answerable by a typed number or word; a numbered list in the text
        (``/viec``) is remembered this way without showing buttons."""
        self.offers.add([(c.id, c.label) for c in choices], self.now)
        self.state["offered_last"] = True

    def upload_link(self) -> str | None:
        """A link for this person to send a file to the task under way, once, for a while;
        None when isobot has no public address. A newer link replaces the last."""
        links = self.installation.uploads
        if links is None:
            return None
        nonce = secrets.token_urlsafe(12)
        self.state["upload"] = nonce
        inbound = self.inbound
        return links.url(UploadGrant(inbound.platform, inbound.user_id, inbound.chat_id,
                                     nonce, self.tr.lang, self.now + links.validity))

    def carry(self, **details: Any) -> None:
        """Keep ``details`` for the next turn only (:attr:`carried` there)."""
        self.state["carried"] = details

    def end_flow(self) -> dict[str, Any] | None:
        """Drop the multi-step task under way, and its link to send a file; returns it (None
        when there was none)."""
        self.state.pop("upload", None)
        return self.state.pop("flow", None)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def messenger(self) -> Capabilities:
        """What the messenger this update came through can do."""
        platform = self.inbound.platform
        known = self.installation.messengers.get(platform)
        return known or Capabilities(brand=platform.capitalize())

    def brand(self, platform: str) -> str:
        """A messenger's name as people know it (not translated), from its plug-in."""
        known = self.installation.messengers.get(platform)
        return known.brand if known else platform.capitalize()

    def file_limit_mb(self) -> str:
        """The largest file this messenger lets a person send the bot, in MB, as text."""
        return self.tr.number(self.messenger.max_file_bytes // (1024 * 1024))

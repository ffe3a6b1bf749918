"""What delivery needs from a messenger, and what a messenger may answer it.

Each messenger package declares its :class:`Capabilities` and a :class:`Transport`; its adapter
turns the messenger's errors into the exceptions below, which delivery acts on
(:mod:`jobs.delivery.deliverer`, :mod:`jobs.delivery.outcomes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from jobs.delivery.messages import Message


class RetryLater(Exception):
    """The messenger asked us to wait (HTTP 429) ``retry_after`` seconds before this chat."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class TemporaryFailure(Exception):
    """A server error or a timeout: worth trying again later."""


class RecipientGone(Exception):
    """The person blocked the bot, deleted the account, or the chat does not exist."""


class RecipientUnreachable(TemporaryFailure):
    """A refusal that may mean the person is gone but does not prove it (Zalo's 403, which
    its docs call an internal error): retried, and judged only once it lasts
    (:mod:`jobs.delivery.reachability`)."""


class Undeliverable(Exception):
    """The messenger refused this message for good (e.g. malformed)."""


def _private_only(chat_id: str) -> bool:
    return False


@dataclass(frozen=True)
class Capabilities:
    """What one messenger can do, and the facts about it the shared core needs.

    Each messenger package declares its own; nothing outside it spells them out.
    """

    brand: str  # the name people know the messenger by; never translated
    buttons: bool = False  # choices as buttons, else the adapter writes them as numbered lines
    edits: bool = False  # a sent message can be changed afterwards (a reminder marked done)
    sends_files: bool = False  # the bot can send files (charts, exports)
    files_by_url: bool = False  # it cannot upload, but sends a photo or a link by its URL
    deep_links: bool = False  # a link can open the chat with "/start CODE" (invites)
    max_text: int = 4096  # characters in one message
    max_file_bytes: int = 20 * 1024 * 1024  # the largest file a person may send the bot
    # A person can send the bot documents (PDF, Word), not only photos; else they send them
    # through an upload link on isobot's web server.
    receives_documents: bool = True
    is_group: Callable[[str], bool] = _private_only  # whether a chat id names a group chat


class Transport(Protocol):
    """What delivery needs from a messenger adapter.

    A messenger whose capabilities say ``edits`` also has ``async edit(chat_id, message_id,
    message)``, which changes a message sent earlier (a reminder marked done). One that builds
    files when it sends them may have ``async prepare(message)``, the message with those files
    built, which delivery calls before the message takes a slot of the limits
    (:mod:`jobs.delivery.preparing`).
    """

    platform: str
    capabilities: Capabilities

    async def send(self, chat_id: str, message: Message) -> str:
        """Send ``message``; return the messenger's id of the (first) message sent."""
        ...

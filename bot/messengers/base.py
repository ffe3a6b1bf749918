"""What a messenger plug-in is: the :class:`Messenger` the runtime loops over, and its parts.

A messenger is one package under ``bot/messengers/`` exporting one object, ``MESSENGER``, that
says whether the settings enable it, reads the updates its platform hands over
(:meth:`Messenger.read_update`), connects it (long polling or a webhook), and lends delivery
its :class:`~jobs.delivery.transport.Transport` and limits. Everything it knows about its platform
stays in its package; the core sees only :class:`~jobs.delivery.transport.Capabilities`.

Updates go through the inbox (:mod:`bot.runtime.intake`): the webhook or the poller stores each one
the messenger can read, and workers later ask the connection for its :class:`Inbound`. Replies
go out through the outbox like reminders.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from jobs.delivery.deliverer import RateLimits
from jobs.delivery.transport import Capabilities, Transport

if TYPE_CHECKING:  # the settings are composed from the messengers' own models
    from pydantic_settings import BaseSettings

    from bot.chat.conversation import Conversation
    from bot.chat.turn import Inbound, Replies
    from bot.runtime.outgoing import OutgoingFiles
    from bot.settings import Settings
    from jobs.text.i18n import Translator

T = TypeVar("T")
#: ``menu(lang)``: the commands to show, as (name, one-line description) in that language.
Menu = Callable[[str], list[tuple[str, str]]]


@dataclass(frozen=True)
class Arrival:
    """An update a messenger can use, as it is stored in the inbox."""

    update_id: str  # unique per platform: a redelivered update is recognised by it
    chat_key: str  # the chat it belongs to: a chat's updates are handled in order
    payload: dict[str, Any]  # JSON-safe, what the connection turns into an Inbound later


Store = Callable[[list[Arrival]], Awaitable[None]]


@dataclass(frozen=True)
class Host:
    """What the runtime lends a messenger it connects: settings, conversation, clock, and
    ``store``, which keeps updates in the inbox (a long poll confirms them only after it)."""

    settings: Settings
    conversation: Conversation
    now: Callable[[], dt.datetime]
    files: OutgoingFiles | None = None  # bytes or links for the files in messages
    store: Store | None = None

    def webhook_url(self, path: str) -> str | None:
        """Where the platform posts updates (None: long polling)."""
        base = self.settings.webhook_base_url
        return f"{base.rstrip('/')}{path}" if base else None

    @property
    def webhook_secret(self) -> str:
        """The secret every webhook request must carry."""
        return self.settings.webhook_secret.get_secret_value()


class FileTooLarge(Exception):
    """The messenger will not hand the bot a file this big."""


class Connection(Protocol):
    """A connected messenger: updates flow in once it listens; delivery sends through it."""

    transport: Transport

    async def download(self, ref: str) -> bytes:
        """The bytes of a file a person sent, by the reference its update carried (a retry of
        a download that failed); FileTooLarge past the messenger's limit."""

    async def publish_menu(self, menu: Menu) -> None:
        """Show the command menu, where the messenger has one (else nothing)."""

    async def listen(self) -> None:
        """Start receiving updates: register the webhook, or long-poll into ``Host.store``."""

    async def inbound(self, payload: dict[str, Any]) -> Inbound | None:
        """The conversation's view of a stored update (fetching a file it carries); raises
        when that fails for now, so the update is tried again."""

    async def acknowledge(self, payload: dict[str, Any], replies: Replies) -> None:
        """Whatever the platform wants once an update is handled (a pressed button's answer);
        best effort, never raises."""

    def connected(self) -> bool:
        """Whether updates can come in now (``/readyz``): the webhook is set, or the long poll
        runs and its last call reached the messenger. Optional: without it, an open
        connection counts as connected."""

    async def stop(self) -> None:
        """Stop receiving and close the client."""


@dataclass(frozen=True)
class Shown:
    """A bot message as the person's phone shows it in ``isobot demo``."""

    text: str
    buttons: list[str]
    file: tuple[str, bytes] | None = None  # a file the bot sent: its name and its bytes


class Phone(Protocol):
    """The person's side of the messenger in ``isobot demo``: its sandbox, from a terminal."""

    token: str

    async def start(self) -> dict[str, object]:
        """Start the sandbox; return the settings that point the bot at it."""

    async def stop(self) -> None: ...

    def user_says(self, user_id: int, text: str, name: str | None = None) -> None:
        """The user types ``text``."""

    async def next_message(self, user_id: int) -> Shown:
        """Wait for the bot's next message to the user: its text, buttons and file."""

    def press(self, user_id: int, number: int) -> bool:
        """Press the numbered button of the last message; False when there is none."""

    def send_file(self, user_id: int, path: Path) -> None:
        """The user sends the file at ``path``."""

    def how_to_answer(self, tr: Translator) -> str:
        """One line telling the person how to type, choose and send a file."""


class Messenger(Protocol):
    """One messenger plug-in, as the runtime, the CLI and the demo see it."""

    name: str  # the platform key stored with every account and outbox row
    capabilities: Capabilities
    webhook_path: str  # where its webhook posts, e.g. "/name"
    secret_header: str  # the request header that carries WEBHOOK_SECRET
    token_variable: str  # the setting that enables it, named in the operator's hint
    settings_model: type[BaseSettings]  # its part of the one Settings object

    def enabled(self, settings: Settings) -> bool:
        """Whether the settings turn this messenger on."""

    def read_update(self, body: Any) -> Arrival | None:
        """The update in a body its platform posted or a poll returned; None when isobot
        cannot use it (not an update, an update kind it does not handle, malformed). Never
        raises, however the body is built."""

    def secrets(self, settings: Settings) -> list[str]:
        """Values that must never reach a log line."""

    def rate_limits(self, settings: Settings) -> RateLimits:
        """How fast delivery may send."""

    async def connect(self, host: Host) -> Connection:
        """Connect (a refused token stops here); updates flow only after ``listen``."""

    def invite_link(self, settings: Settings, code: str) -> str | None:
        """A link that opens the chat with the invite code, when one can be made."""

    def phone(self) -> Phone:
        """The sandbox and the person's side of it, for ``isobot demo``."""


async def patiently(call: Callable[[], Awaitable[T]],
                    wait_of: Callable[[Exception], float | None], attempts: int = 3) -> T:
    """Make a call, waiting as the messenger asks when a chat's rate limit is reached.

    A person who answers quickly can outpace the limit of about one message per second per
    chat; waiting a second beats losing the reply. ``wait_of`` gives the seconds to wait for a
    rate-limit error, None for any other.
    """
    for attempt in range(attempts):
        try:
            return await call()
        except Exception as error:
            wait = wait_of(error)
            if wait is None or attempt == attempts - 1:
                raise
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")

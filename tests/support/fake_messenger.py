"""A messenger plug-in in memory: the least a new messenger's package has to provide.

It has no client and no server: what the bot sends lands in :attr:`FakeTransport.sent`, and a
test plays the person with :meth:`FakeConnection.user_says`. Everything the runtime needs from
a messenger is here, and nothing outside this file names it.
"""

from __future__ import annotations

import itertools
from typing import Any

from pydantic_settings import BaseSettings

from bot.chat.conversation import Inbound, Replies
from bot.messengers.base import Arrival, FileTooLarge, Host, Menu
from jobs.delivery.deliverer import RateLimits
from jobs.delivery.messages import Message
from jobs.delivery.transport import Capabilities

PLATFORM = "fakechat"
CAPABILITIES = Capabilities(brand="Fakechat", max_text=1000, max_file_bytes=1024 * 1024)


class FakeTransport:
    """Delivery's way to the fake: keeps (chat id, message) in order."""

    platform = PLATFORM
    capabilities = CAPABILITIES

    def __init__(self) -> None:
        self.sent: list[tuple[str, Message]] = []

    async def send(self, chat_id: str, message: Message) -> str:
        self.sent.append((chat_id, message))
        return str(len(self.sent))

    def texts_to(self, chat_id: str) -> list[str]:
        return [message.text for chat, message in self.sent if chat == chat_id]


class FakeConnection:
    """A connected fake: the person's side, the menu it was given, its webhook."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.transport = FakeTransport()
        self.menu: dict[str, list[tuple[str, str]]] = {}
        self.listening = False
        self._updates = itertools.count(1)

    async def publish_menu(self, menu: Menu) -> None:
        self.menu = {lang: menu(lang) for lang in ("vi", "en")}

    async def listen(self) -> None:
        self.listening = True

    async def inbound(self, payload: dict[str, Any]) -> Inbound | None:
        return Inbound(platform=PLATFORM, update_id=payload["id"], user_id=payload["user"],
                       chat_id=payload["user"], text=payload.get("text", ""))

    async def acknowledge(self, payload: dict[str, Any], replies: Replies) -> None:
        pass

    async def download(self, ref: str) -> bytes:
        raise FileTooLarge(ref)  # the fake's people send no files

    async def stop(self) -> None:
        self.listening = False

    def user_says(self, user_id: str, text: str, name: str = "") -> str:
        """The person writes ``text``; returns the bot's replies, as one text."""
        inbound = Inbound(platform=PLATFORM, update_id=str(next(self._updates)),
                          user_id=user_id, chat_id=user_id, display_name=name, text=text)
        replies = self.host.conversation.handle(inbound, self.host.now())
        return "\n".join(message.text for message in replies.messages)


class FakeSettings(BaseSettings):
    """The fake needs no token; a real messenger declares its variables here."""


class FakeMessenger:
    """The plug-in object the runtime loops over."""

    name = PLATFORM
    capabilities = CAPABILITIES
    webhook_path = "/fakechat"
    secret_header = "X-Fakechat-Secret"
    token_variable = "FAKECHAT_TOKEN"
    settings_model = FakeSettings

    def __init__(self) -> None:
        self.connection: FakeConnection | None = None

    def enabled(self, settings: object) -> bool:
        return True

    def read_update(self, body: Any) -> Arrival | None:
        """``{"id": "1", "user": "f9", "text": "/help"}``: the fake platform's update."""
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str)
                                                  for k in ("id", "user", "text")):
            return None
        return Arrival(body["id"], body["user"], body)

    def secrets(self, settings: object) -> list[str]:
        return []

    def rate_limits(self, settings: object) -> RateLimits:
        return RateLimits(per_second=10, per_chat_second=1, per_group_minute=20)

    async def connect(self, host: Host) -> FakeConnection:
        self.connection = FakeConnection(host)
        return self.connection

    def invite_link(self, settings: object, code: str) -> str | None:
        return None

    def phone(self) -> Any:
        raise NotImplementedError("the fake has no sandbox to chat through")

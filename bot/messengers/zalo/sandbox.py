"""A Zalo Bot Platform server on 127.0.0.1 for tests and ``isobot demo``.

It speaks the API of ``bot-api.zaloplatforms.com`` (``POST /bot{token}/{method}``) as the
reference documents it, so the real client and the bot run against it unchanged: getUpdates
hands over one update per call and answers 408 when none came; updates are string ids and
millisecond dates; a webhook request carries ``X-Bot-Api-Secret-Token``. Tests play the users::

    sandbox = ZaloSandbox(token="111:secret")
    await sandbox.start()
    sandbox.user_sends_text("u1", "xin chao", display_name="Lan")
    reply = await sandbox.next_message("u1")

Run on its own with ``python -m bot.messengers.zalo.sandbox``.
"""

from __future__ import annotations

import copy
import html
import itertools
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from aiohttp import web

from bot.messengers.sandbox import ApiError, Handler, SandboxServer, Upload, main

MAX_TEXT_LENGTH = 2000  # sendMessage text and sendPhoto caption: 1–2000 characters
SECRET_TOKEN_LENGTHS = (8, 256)
#: Keys that carry an image URL in message.image.received. The reference gives ``photo``;
#: the official python-zalo-bot SDK and payloads seen live use ``photo_url``: send both by
#: default so a bot that reads either works, and narrow it in a test to pin one down.
DEFAULT_PHOTO_KEYS = ("photo", "photo_url")


@dataclass(frozen=True)
class ZaloQuirks:
    """How the platform behaves where its reference is silent or differs from what is seen
    live: the sandbox plays one way, and a test may pin down another."""

    #: Whether an error's code is in the HTTP status or only in the body is undocumented: the
    #: client must cope with both.
    errors_as_http_200: bool = False
    photo_keys: tuple[str, ...] = DEFAULT_PHOTO_KEYS
    #: The reference shows webhook bodies as {"ok": true, "result": update}; seen bare too.
    wrap_webhook_payload: bool = False
    #: sendMessage's ``parse_mode`` is reported in docs of 2026 (v2.5.0), not in the reference
    #: isobot was built on: a platform that refuses it answers 400.
    parse_modes: tuple[str, ...] = ("html", "markdown")


def _bad(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


class ZaloSandbox(SandboxServer):
    """A fake Zalo Bot Platform for one bot, with a driver API for the users' side."""

    secret_header = "X-Bot-Api-Secret-Token"
    user_id_type = str  # Zalo ids are strings
    rate_options: ClassVar[tuple[str, ...]] = (
        "messages_per_second", "messages_per_second_per_chat")

    def __init__(self, token: str = "111:secret", bot_name: str = "isobot", *,
                 messages_per_second: int | None = None,
                 messages_per_second_per_chat: int | None = None,
                 quirks: ZaloQuirks = ZaloQuirks(), max_poll_timeout: float = 60.0,
                 webhook_retry_delay: float = 0.2, **options: Any) -> None:
        """Rate limits of None are off (Zalo publishes no figures)."""
        super().__init__(token, webhook_retry_delay=webhook_retry_delay, **options)
        self.bot_name = bot_name
        self.messages_per_second = messages_per_second
        self.messages_per_second_per_chat = messages_per_second_per_chat
        self.quirks = quirks
        self.formats_refused = 0  # sendMessage calls refused for their parse_mode
        self.errors_as_http_200 = quirks.errors_as_http_200  # read by SandboxServer
        self.max_poll_timeout = max_poll_timeout
        self.polls_waiting = 0  # getUpdates calls being held open, for tests to wait on
        self.users: dict[str, str] = {}  # user id (== private chat id) -> display name
        self.blocked: set[str] = set()
        self.files: dict[str, tuple[bytes, str]] = {}
        self._ids = itertools.count(1)

    def api(self) -> dict[str, Handler]:
        return {
            "getMe": lambda params, uploads: {
                "id": self.token.partition(":")[0] or "1", "account_name": self.bot_name,
                "account_type": "BASIC", "can_join_groups": False},
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
        }

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/files/{file_id}", self._download)

    def webhook_body(self, update: dict[str, Any]) -> Any:
        return {"ok": True, "result": update} if self.quirks.wrap_webhook_payload else update

    # -- the users' side ---------------------------------------------------------------------

    def add_user(self, user_id: str, display_name: str = "User") -> None:
        """A known chat, without a message: the bot may write first."""
        self.users[user_id] = display_name

    def block_bot(self, user_id: str) -> None:
        """The user blocks the bot: sends to them fail with 403."""
        self.blocked.add(user_id)

    def user_sends_text(self, user_id: str, text: str,
                        display_name: str | None = None) -> dict[str, Any]:
        """A user writes ``text`` to the bot in a private chat; returns the update."""
        return self._user_event("message.text.received", user_id, display_name, text=text)

    def user_sends_photo(self, user_id: str, content: bytes, caption: str = "",
                         display_name: str | None = None) -> dict[str, Any]:
        """A user sends an image; its bytes are served at the URL the update carries."""
        file_id = f"{self._new_id()}.jpg"
        self.files[file_id] = (content, "image/jpeg")
        url = f"{self.url}/files/{file_id}"
        return self._user_event("message.image.received", user_id, display_name,
                                caption=caption, **dict.fromkeys(self.quirks.photo_keys, url))

    def user_sends_sticker(self, user_id: str, display_name: str | None = None) -> dict[str, Any]:
        """A user sends a sticker (the bot is expected to cope, not to understand it)."""
        return self._user_event("message.sticker.received", user_id, display_name,
                                sticker="sticker-1")

    def user_sends_unsupported(self, user_id: str,
                               display_name: str | None = None) -> dict[str, Any]:
        """Something the platform does not pass on (voice, a file, a protected user's text)."""
        return self._user_event("message.unsupported.received", user_id, display_name)

    def queue_update(self, raw_update: dict[str, Any]) -> dict[str, Any]:
        """Hand over a raw update as is, e.g. the same one twice to test idempotency."""
        chat = (raw_update.get("message") or {}).get("chat") or {}
        if isinstance(chat.get("id"), str):
            self.users.setdefault(chat["id"], "User")
        return self.enqueue(copy.deepcopy(raw_update))

    def _new_id(self) -> str:
        return f"{next(self._ids):020x}"  # 20 hex characters like the platform's

    def _user_event(self, event: str, user_id: str, display_name: str | None,
                    **content: Any) -> dict[str, Any]:
        name = display_name or self.users.get(user_id) or "User"
        self.users[user_id] = name
        message = {"message_id": self._new_id(), "date": int(self.wall_clock() * 1000),
                   "chat": {"id": user_id, "chat_type": "PRIVATE"},
                   "from": {"id": user_id, "display_name": name}, **content}
        return self.enqueue({"event_name": event, "message": message})

    # -- the bot's side ----------------------------------------------------------------------

    async def _get_updates(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if self.webhook:
            raise ApiError(409, "Conflict: getUpdates is disabled while a webhook is set")
        try:
            timeout = min(float(params.get("timeout", "30")), self.max_poll_timeout)
        except (TypeError, ValueError):
            raise _bad("timeout must be a number of seconds") from None
        self.polls_waiting += 1
        self._notify()  # a test may wait for the bot to be back polling
        try:
            came = await self.wait_until(lambda: self.pending and not self.webhook, timeout)
        finally:
            self.polls_waiting -= 1
        if not came:
            raise ApiError(408, "Request timeout")  # an empty poll, as the platform answers
        return self.pending.pop(0)

    def _set_webhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise _bad("url must be an http(s) URL")
        low, high = SECRET_TOKEN_LENGTHS
        if not isinstance(secret, str) or not low <= len(secret) <= high:
            raise _bad(f"secret_token must be {low}-{high} characters")
        self.set_webhook(url, secret)
        return {"url": url}

    def _delete_webhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        self.set_webhook(None)
        return {"url": ""}

    def _recipient(self, params: dict[str, Any]) -> str:
        """Unknown chats get 400 "chat not found", blocked users 403; past the rates 429."""
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or chat_id not in self.users:
            raise _bad("chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: the user has blocked the bot")
        return chat_id

    def _send(self, params: dict[str, Any], kind: str, **content: Any) -> dict[str, Any]:
        chat_id = self._recipient(params)
        self.take_rate(("bot", self.messages_per_second, 1.0),
                       (chat_id, self.messages_per_second_per_chat, 1.0))
        record = self.record({"message_id": self._new_id(), "date": int(self.wall_clock() * 1000),
                              "chat_id": chat_id, "type": kind, "text": None, "photo": None,
                              "caption": None, **content})
        return {"message_id": record["message_id"], "date": record["date"]}

    def _send_message(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        mode = params.get("parse_mode")
        if mode is not None and mode not in self.quirks.parse_modes:
            self.formats_refused += 1
            raise _bad(f"unsupported parse_mode {mode!r}")
        text = _text(params, "text")
        # What the phone shows ("text"), and what the bot sent ("sent_text") when formatted.
        shown = _shown_html(text) if mode == "html" else text
        return self._send(params, "text", text=shown, sent_text=text, parse_mode=mode)

    def _send_photo(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            raise _bad("photo must be an http(s) URL")
        caption = _text(params, "caption") if "caption" in params else None
        return self._send(params, "photo", photo=photo, caption=caption)

    async def _download(self, request: web.Request) -> web.Response:
        """The bytes of a photo a user sent (public, like a CDN URL)."""
        found = self.files.get(request.match_info["file_id"])
        if found is None:
            raise web.HTTPNotFound()
        return web.Response(body=found[0], content_type=found[1])


def _shown_html(text: str) -> str:
    """An HTML-formatted text as a person reads it: tags gone, entities read."""
    return html.unescape(re.sub(r"</?(?:b|i|u|s|strong|em)>", "", text))


def _text(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_TEXT_LENGTH:
        raise _bad(f"{name} must be 1-{MAX_TEXT_LENGTH} characters")
    return value


if __name__ == "__main__":
    main(ZaloSandbox, port=8082)

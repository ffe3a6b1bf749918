"""An in-memory sandbox of the Telegram Bot API for tests and local demos.

The server speaks the subset of https://core.telegram.org/bots/api that isobot uses, so the
unmodified python-telegram-bot client can talk to it::

    server = TelegramSandbox(token="123:ABC")
    await server.start()
    bot = telegram.Bot("123:ABC", base_url=server.base_url, base_file_url=server.base_file_url)

Tests (or a terminal demo) play the *user* side through methods such as
:meth:`TelegramSandbox.user_sends_text` and inspect what the bot sent with
:meth:`TelegramSandbox.messages_to` / :meth:`TelegramSandbox.next_message`.

A standalone server also exposes small JSON driver endpoints under ``/sandbox/`` so that a
bot running in another process can be exercised with ``curl``.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import copy
import functools
import hashlib
import inspect
import json
import math
import mimetypes
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Final, ParamSpec, TypeVar

import aiohttp
from aiohttp import web

__all__ = ["SandboxAPIError", "TelegramSandbox", "main"]

P = ParamSpec("P")
R = TypeVar("R")

MAX_MESSAGE_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_DOWNLOAD_SIZE: Final = 20 * 1024 * 1024
MAX_UPLOAD_SIZE: Final = 50 * 1024 * 1024
MAX_LONG_POLL_TIMEOUT: Final = 50.0

_INLINE_BUTTON_ACTIONS: Final = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
# Update types Telegram sends when allowed_updates is empty.
_DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_HTML_TAGS: Final = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_HTML_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MDV2_ALWAYS_RESERVED: Final = frozenset(".!-#+={}()")
_COMMAND_RE: Final = re.compile(r"^[a-z0-9_]{1,32}$")
_BOT_COMMAND_ENTITY_RE: Final = re.compile(
    r"(?:(?<=\s)|^)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?"
)
_SECRET_TOKEN_RE: Final = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SCOPE_TYPES: Final = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


class SandboxAPIError(Exception):
    """A Bot API error answered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram would answer with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad_request(detail: str) -> SandboxAPIError:
    return SandboxAPIError(400, f"Bad Request: {detail}")


@dataclass
class _Chat:
    id: int
    type: str
    title: str | None = None
    user: dict[str, Any] | None = None
    blocked: bool = False
    next_message_id: int = 1

    def to_api(self) -> dict[str, Any]:
        if self.user is not None:
            chat = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
            for key in ("last_name", "username"):
                if self.user.get(key):
                    chat[key] = self.user[key]
            return chat
        return {"id": self.id, "type": self.type, "title": self.title}

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    content: bytes
    size: int
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    file_path: str | None = None

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name is not None:
            doc["file_name"] = self.file_name
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        return doc

    def photo_sizes(self) -> list[dict[str, Any]]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.size,
                "width": self.width or 0,
                "height": self.height or 0,
            }
        ]


@dataclass
class _Upload:
    filename: str | None
    content: bytes
    mime_type: str | None


@dataclass
class _PendingUpdate:
    update: dict[str, Any]
    # A replayed update (old update_id re-queued by a test) must survive offset confirmation
    # until it has actually been handed out once, otherwise it could never be redelivered.
    replay: bool = False
    delivered: bool = False


@dataclass
class _SlidingWindow:
    window: float
    stamps: deque[float] = field(default_factory=deque)

    def retry_after(self, now: float, limit: int) -> int | None:
        while self.stamps and self.stamps[0] <= now - self.window:
            self.stamps.popleft()
        if len(self.stamps) < limit:
            return None
        return max(1, math.ceil(self.stamps[0] + self.window - now))


def _threadsafe(method: Callable[P, R]) -> Callable[P, R]:
    """Run a driver method on the server's event loop when called from another thread.

    An interactive demo may read stdin in a worker thread; all state is only ever touched
    from the loop thread so that no locks are needed.
    """

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self = args[0]
        loop: asyncio.AbstractEventLoop | None = self._loop  # type: ignore[attr-defined]
        if loop is None or not loop.is_running() or _running_loop() is loop:
            return method(*args, **kwargs)
        future: concurrent.futures.Future[R] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(method(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result(timeout=30)

    return wrapper


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _parse_html(text: str) -> str:
    """Validate Telegram-flavoured HTML and return the visible text."""
    visible: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            offset = len(text[:i].encode())
            end = text.find(">", i)
            if end < 0:
                raise _bad_request(
                    f"can't parse entities: Unclosed start tag at byte offset {offset}"
                )
            body = text[i + 1 : end].strip()
            if body.startswith("/"):
                name = body[1:].strip().lower()
                if not stack:
                    raise _bad_request(
                        f"can't parse entities: Unexpected end tag at byte offset {offset}"
                    )
                if name and name != stack[-1]:
                    raise _bad_request(
                        f"can't parse entities: Unmatched end tag at byte offset {offset}, "
                        f'expected "</{stack[-1]}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                match = re.match(r"[A-Za-z][A-Za-z0-9-]*", body)
                name = match.group(0).lower() if match else body
                if name not in _HTML_TAGS:
                    raise _bad_request(
                        f'can\'t parse entities: Unsupported start tag "{name}" '
                        f"at byte offset {offset}"
                    )
                stack.append(name)
            i = end + 1
        elif char == "&":
            match = re.match(r"&(#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z]+);", text[i:])
            if match is None:
                visible.append("&")
                i += 1
                continue
            ref = match.group(1)
            if ref.startswith("#x"):
                visible.append(chr(int(ref[2:], 16)))
            elif ref.startswith("#"):
                visible.append(chr(int(ref[1:])))
            else:
                # Unknown named entities are kept literally rather than guessed at.
                visible.append(_HTML_ENTITIES.get(ref, match.group(0)))
            i += match.end()
        else:
            visible.append(char)
            i += 1
    if stack:
        raise _bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(visible)


def _check_markdown_v2(text: str) -> None:
    """Reject MarkdownV2 text with unescaped reserved characters (the usual bot bug).

    This is deliberately conservative: only characters that can never start markup are checked,
    so valid text is never rejected.
    """
    i, in_code, in_pre, in_url = 0, False, False, False
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if in_pre:
            if text.startswith("```", i):
                in_pre = False
                i += 3
                continue
        elif in_code:
            in_code = char != "`"
        elif in_url:
            in_url = char != ")"
        elif text.startswith("```", i):
            in_pre = True
            i += 3
            continue
        elif char == "`":
            in_code = True
        elif char == "]" and text.startswith("(", i + 1):
            in_url = True
            i += 1
        elif char in _MDV2_ALWAYS_RESERVED or (char == ">" and i > 0 and text[i - 1] != "\n"):
            raise _bad_request(
                f"can't parse entities: Character '{char}' is reserved and must be escaped "
                "with the preceding '\\'"
            )
        i += 1


def _render(text: str, parse_mode: str | None) -> str:
    """Return the visible text after validating markup for ``parse_mode``."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        _check_markdown_v2(text)
    elif mode not in ("", "markdown"):
        raise _bad_request(f"unsupported parse_mode {parse_mode!r}")
    return text


def _command_entities(text: str) -> list[dict[str, Any]]:
    entities = []
    for match in _BOT_COMMAND_ENTITY_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": _utf16_len(text[: match.start()]),
                "length": _utf16_len(match.group(0)),
            }
        )
    return entities


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise _bad_request(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise _bad_request(f"invalid {name} specified") from None


def _as_float(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _bad_request(f"invalid {name} specified") from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _as_json(value: Any, name: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise _bad_request(f"can't parse {name} JSON object") from None


def _opt(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    return None if value == "" else value


class TelegramSandbox:
    """In-memory Telegram Bot API server with a driver API for the user side."""

    def __init__(
        self,
        token: str = "123:ABC",
        bot_username: str = "isobot_sandbox_bot",
        bot_first_name: str = "ISO Bot (sandbox)",
        *,
        global_per_second: int | None = 30,
        private_chat_per_second: int | None = 1,
        group_chat_per_minute: int | None = 20,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        max_download_size: int = MAX_DOWNLOAD_SIZE,
        webhook_max_attempts: int = 3,
        webhook_retry_delay: float = 0.1,
        webhook_timeout: float = 10.0,
        validate_markup: bool = True,
    ) -> None:
        """Configure the sandbox; rate limits set to ``None`` are disabled.

        ``clock`` drives rate limiting (monotonic seconds) and ``wall_clock`` gives the unix
        time used for message ``date`` fields; both can be faked for deterministic tests.
        """
        self.token = token
        bot_id_part = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id_part) if bot_id_part.isdigit() else 1,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.global_per_second = global_per_second
        self._failures: dict[str, list[int]] = {}
        self.private_chat_per_second = private_chat_per_second
        self.group_chat_per_minute = group_chat_per_minute
        self.clock = clock
        self.wall_clock = wall_clock
        self.max_download_size = max_download_size
        self.webhook_max_attempts = max(1, webhook_max_attempts)
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        self.validate_markup = validate_markup

        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, _Chat] = {}
        self._user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._bot_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._sent: list[dict[str, Any]] = []
        self._read_cursor: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, _StoredFile] = {}
        self._file_counter = 0
        self._pending: list[_PendingUpdate] = []
        self._last_update_id = 0
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._callback_queries: dict[str, dict[str, Any]] = {}
        self._callback_answers: list[dict[str, Any]] = []
        self._callback_counter = 0
        self._chat_actions: list[dict[str, Any]] = []
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._api_calls: list[dict[str, Any]] = []
        self._global_window = _SlidingWindow(1.0)
        self._chat_windows: dict[int, _SlidingWindow] = {}

        self._webhook_url: str | None = None
        self._webhook_secret: str | None = None
        self._webhook_max_connections = 40
        self._webhook_last_error: tuple[int, str] | None = None
        self._webhook_log: list[dict[str, Any]] = []
        self._webhook_inflight = False
        self._webhook_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

        self._changed = asyncio.Event()
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None

        self._methods: dict[str, Callable[[dict[str, Any], dict[str, _Upload]], Any]] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._api_get_me,
                "getUpdates": self._api_get_updates,
                "sendMessage": self._api_send_message,
                "editMessageText": self._api_edit_message_text,
                "editMessageReplyMarkup": self._api_edit_message_reply_markup,
                "answerCallbackQuery": self._api_answer_callback_query,
                "sendDocument": self._api_send_document,
                "sendPhoto": self._api_send_photo,
                "getFile": self._api_get_file,
                "setMyCommands": self._api_set_my_commands,
                "getMyCommands": self._api_get_my_commands,
                "deleteMyCommands": self._api_delete_my_commands,
                "setWebhook": self._api_set_webhook,
                "deleteWebhook": self._api_delete_webhook,
                "getWebhookInfo": self._api_get_webhook_info,
                "sendChatAction": self._api_send_chat_action,
                "deleteMessage": self._api_delete_message,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on ``host:port``; port 0 picks a free port (see :attr:`port`)."""
        if self._runner is not None:
            raise RuntimeError("sandbox already started")
        self._loop = asyncio.get_running_loop()
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        app.router.add_post("/sandbox/{action}", self._handle_driver)
        app.router.add_get("/sandbox/{action}", self._handle_driver)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        # A wildcard bind address is not something a client can connect to.
        self._host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self._port = self._runner.addresses[0][1]
        if self._webhook_url:
            self._start_webhook_worker()

    async def stop(self) -> None:
        """Stop the server, wake long polls and cancel webhook delivery."""
        self._closing = True
        self._notify()
        await self._stop_webhook_worker()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._port = None

    async def __aenter__(self) -> TelegramSandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on (only after :meth:`start`)."""
        if self._port is None:
            raise RuntimeError("sandbox is not running")
        return self._port

    @property
    def url(self) -> str:
        """Root URL of the server, e.g. ``http://127.0.0.1:8081``."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``telegram.Bot(base_url=...)``; PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``telegram.Bot(base_file_url=...)``; PTB appends the token."""
        return f"{self.url}/file/bot"

    # ------------------------------------------------------------------ user side (driver)

    @_threadsafe
    def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        private_chat: bool = True,
    ) -> dict[str, Any]:
        """Create or update a user; with ``private_chat`` the user has started the bot."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )
        if first_name is not None:
            user["first_name"] = first_name
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        if private_chat and user_id not in self._chats:
            self._chats[user_id] = _Chat(id=user_id, type="private", user=user)
        return copy.deepcopy(user)

    @_threadsafe
    def add_group(self, chat_id: int, title: str | None = None) -> dict[str, Any]:
        """Make a group known (bot is a member); ids below -10^12 are supergroups."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = self._chats.get(chat_id)
        if chat is None:
            kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
            chat = _Chat(id=chat_id, type=kind, title=title or f"Group {chat_id}")
            self._chats[chat_id] = chat
        elif title is not None:
            chat.title = title
        return chat.to_api()

    @_threadsafe
    def user_sends_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """The user writes ``text`` (private chat unless ``chat_id`` names a group)."""
        extra: dict[str, Any] = {"text": text}
        entities = _command_entities(text)
        if entities:
            extra["entities"] = entities
        return self._user_message(user_id, chat_id, first_name, reply_to_message_id, extra)

    @_threadsafe
    def user_sends_document(
        self,
        user_id: int,
        filename: str,
        content: bytes = b"",
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        size_override: int | None = None,
        first_name: str | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """The user uploads a document; ``size_override`` fakes a big file without the bytes."""
        if mime_type is None:
            mime_type = _guess_mime(filename)
        stored = self._store_file("document", content, filename, mime_type, size_override)
        extra: dict[str, Any] = {"document": stored.document()}
        if caption is not None:
            extra["caption"] = caption
        return self._user_message(user_id, chat_id, first_name, None, extra)

    @_threadsafe
    def user_sends_photo(
        self,
        user_id: int,
        content: bytes = b"",
        *,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
        size_override: int | None = None,
        first_name: str | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo (dimensions are not decoded from ``content``)."""
        stored = self._store_file("photo", content, None, None, size_override)
        stored.width, stored.height = width, height
        extra: dict[str, Any] = {"photo": stored.photo_sizes()}
        if caption is not None:
            extra["caption"] = caption
        return self._user_message(user_id, chat_id, first_name, None, extra)

    @_threadsafe
    def user_presses_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        *,
        chat_id: int | None = None,
        strict: bool = True,
    ) -> dict[str, Any]:
        """The user taps an inline button of the bot's message; returns the update.

        With ``strict`` the message must currently carry a button with that callback_data.
        """
        chat_id = user_id if chat_id is None else chat_id
        record = self._bot_messages.get((chat_id, message_id))
        if record is None or record["deleted"]:
            raise ValueError(f"bot message {message_id} not found in chat {chat_id}")
        if strict:
            markup = record["reply_markup"] or {}
            data = [
                button.get("callback_data")
                for row in markup.get("inline_keyboard", [])
                for button in row
            ]
            if callback_data not in data:
                raise ValueError(
                    f"message {message_id} has no button with callback_data {callback_data!r}; "
                    f"available: {data}"
                )
        user = self._ensure_user(user_id, None)
        self._callback_counter += 1
        query_id = str(4_000_000_000_000_000 + self._callback_counter)
        self._callback_queries[query_id] = {"answered": False, "message_id": message_id}
        query = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "message": self._api_message(record),
            "chat_instance": str(abs(hash((self.bot_user["id"], chat_id))) % 10**18),
            "data": callback_data,
        }
        return self._enqueue({"callback_query": query})

    @_threadsafe
    def block_bot(self, user_id: int) -> None:
        """The user blocks the bot (or, for a negative id, the bot is removed from the group)."""
        chat = self._chats.get(user_id)
        if chat is None:
            if user_id < 0:
                raise ValueError(f"unknown group {user_id}")
            self.add_user(user_id)
            chat = self._chats[user_id]
        chat.blocked = True

    @_threadsafe
    def unblock_bot(self, user_id: int) -> None:
        """Undo :meth:`block_bot`."""
        chat = self._chats.get(user_id)
        if chat is not None:
            chat.blocked = False

    @_threadsafe
    def queue_update(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Queue a raw update; an existing ``update_id`` is kept (to replay duplicates)."""
        raw = copy.deepcopy(dict(update))
        if "update_id" in raw:
            update_id = int(raw["update_id"])
            replay = update_id <= self._last_update_id
            self._last_update_id = max(self._last_update_id, update_id)
            return self._enqueue(raw, replay=replay)
        return self._enqueue(raw)

    # ------------------------------------------------------------------ inspection (driver)

    @_threadsafe
    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Everything the bot sent to ``chat_id``, oldest first (copies of the records)."""
        return [copy.deepcopy(r) for r in self._sent if r["chat_id"] == chat_id]

    @property
    def all_sent(self) -> list[dict[str, Any]]:
        """Everything the bot sent to any chat, in order."""
        return self._snapshot(self._sent)

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """Parameters of every answerCallbackQuery call, in order."""
        return self._snapshot(self._callback_answers)

    @property
    def chat_actions(self) -> list[dict[str, Any]]:
        """Every sendChatAction call, in order."""
        return self._snapshot(self._chat_actions)

    @property
    def api_calls(self) -> list[dict[str, Any]]:
        """Every authorised API call as ``{"method", "params"}`` (file bytes omitted)."""
        return self._snapshot(self._api_calls)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by getUpdates / not yet delivered to the webhook."""
        return self._snapshot([entry.update for entry in self._pending])

    @property
    def webhook_url(self) -> str | None:
        """The URL set with setWebhook, if any."""
        return self._webhook_url

    @property
    def webhook_secret(self) -> str | None:
        """The secret_token set with setWebhook, if any."""
        return self._webhook_secret

    @property
    def webhook_log(self) -> list[dict[str, Any]]:
        """One entry per webhook POST attempt: update_id, attempt, status, error."""
        return self._snapshot(self._webhook_log)

    @_threadsafe
    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """Commands stored by setMyCommands for exactly this scope and language."""
        key = (_scope_key(dict(scope or {"type": "default"})), language_code)
        return copy.deepcopy(self._commands.get(key, []))

    @_threadsafe
    def file_content(self, file_id: str) -> bytes:
        """The bytes stored for ``file_id`` (uploaded by the bot or a user)."""
        return self._files[file_id].content

    @_threadsafe
    def fail_next(self, method: str, status: int = 500, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP ``status`` (a server fault)."""
        self._failures.setdefault(method.lower(), []).extend([status] * times)

    def reset_rate_limits(self) -> None:
        """Forget all counted messages."""
        self._global_window = _SlidingWindow(1.0)
        self._chat_windows.clear()

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the bot's next not-yet-seen message to ``chat_id`` and return it.

        Each call consumes one message, so a message sent before the call is not missed.
        """
        cursor = self._read_cursor.get(chat_id, 0)

        def find() -> dict[str, Any] | None:
            for index, record in enumerate(self._sent):
                if index >= cursor and record["chat_id"] == chat_id:
                    self._read_cursor[chat_id] = index + 1
                    return copy.deepcopy(record)
            return None

        try:
            return await self.wait_until(find, timeout)
        except TimeoutError:
            texts = [r["text"] or r["caption"] for r in self._sent if r["chat_id"] == chat_id]
            raise TimeoutError(
                f"bot sent no new message to chat {chat_id} within {timeout}s "
                f"(all messages so far: {texts!r})"
            ) from None

    async def wait_until(self, predicate: Callable[[], R | None], timeout: float = 5.0) -> R:
        """Wait until ``predicate()`` is truthy (re-checked on every state change)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            await self._wait_change(remaining)

    async def wait_webhook_idle(self, timeout: float = 5.0) -> None:
        """Wait until every queued update was delivered (or given up on) by the webhook."""
        await self.wait_until(lambda: not self._pending and not self._webhook_inflight, timeout)

    # ------------------------------------------------------------------ internals: state

    def _snapshot(self, items: list[Any]) -> list[Any]:
        loop = self._loop
        if loop is not None and loop.is_running() and _running_loop() is not loop:
            return asyncio.run_coroutine_threadsafe(_deepcopy(items), loop).result(timeout=30)
        return copy.deepcopy(items)

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_change(self, timeout: float | None = None) -> None:
        event = self._changed
        if timeout is None:
            await event.wait()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    def _now(self) -> int:
        return int(self.wall_clock())

    def _ensure_user(self, user_id: int, first_name: str | None) -> dict[str, Any]:
        if user_id not in self._users:
            self._users[user_id] = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name or f"User {user_id}",
                "language_code": "vi",
            }
        elif first_name is not None:
            self._users[user_id]["first_name"] = first_name
        return self._users[user_id]

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        first_name: str | None,
        reply_to_message_id: int | None,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = self._ensure_user(user_id, first_name)
        if chat_id is None or chat_id == user_id:
            chat = self._chats.get(user_id)
            if chat is None:
                chat = self._chats[user_id] = _Chat(id=user_id, type="private", user=user)
            # Writing to the bot again means the user pressed "Restart" after blocking it.
            chat.blocked = False
        else:
            self.add_group(chat_id)
            chat = self._chats[chat_id]
        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "from": copy.deepcopy(user),
            "chat": chat.to_api(),
            "date": self._now(),
            **extra,
        }
        if reply_to_message_id is not None:
            replied = self._any_message(chat.id, reply_to_message_id)
            if replied is None:
                raise ValueError(f"message {reply_to_message_id} not found in chat {chat.id}")
            message["reply_to_message"] = replied
        self._user_messages[(chat.id, message["message_id"])] = message
        return self._enqueue({"message": message})

    def _any_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        if (chat_id, message_id) in self._user_messages:
            message = copy.deepcopy(self._user_messages[(chat_id, message_id)])
            message.pop("reply_to_message", None)
            return message
        record = self._bot_messages.get((chat_id, message_id))
        if record is None or record["deleted"]:
            return None
        return self._api_message(record, nested=False)

    def _enqueue(self, update: dict[str, Any], *, replay: bool = False) -> dict[str, Any]:
        if "update_id" not in update:
            self._last_update_id += 1
            update = {"update_id": self._last_update_id, **update}
        kind = _update_type(update)
        allowed = set(self._allowed_updates)
        if (allowed and kind not in allowed) or (not allowed and kind in _DEFAULT_EXCLUDED_UPDATES):
            return copy.deepcopy(update)
        self._pending.append(_PendingUpdate(update=update, replay=replay))
        self._notify()
        return copy.deepcopy(update)

    def _store_file(
        self,
        kind: str,
        content: bytes,
        file_name: str | None,
        mime_type: str | None,
        size_override: int | None = None,
    ) -> _StoredFile:
        self._file_counter += 1
        number = self._file_counter
        digest = hashlib.sha256(content).hexdigest()
        prefix = "BQACAgIAAxkBAAI" if kind == "document" else "AgACAgIAAxkBAAI"
        stored = _StoredFile(
            file_id=f"{prefix}{number:06d}{digest[:24]}",
            file_unique_id=f"AgAD{number:06d}{digest[:8]}",
            kind=kind,
            content=content,
            size=len(content) if size_override is None else size_override,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        return stored

    def _api_message(self, record: dict[str, Any], *, nested: bool = True) -> dict[str, Any]:
        chat = self._chats[record["chat_id"]]
        message: dict[str, Any] = {
            "message_id": record["message_id"],
            "from": {key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")},
            "chat": chat.to_api(),
            "date": record["date"],
        }
        if record["edit_date"] is not None:
            message["edit_date"] = record["edit_date"]
        if record["text"] is not None:
            message["text"] = record["plain_text"]
        if record["document"] is not None:
            message["document"] = copy.deepcopy(record["document"])
        if record["photo"] is not None:
            message["photo"] = copy.deepcopy(record["photo"])
        if record["caption"] is not None:
            message["caption"] = record["plain_caption"]
        markup = record["reply_markup"]
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = copy.deepcopy(markup)
        reply_to = record["reply_to_message_id"]
        if nested and reply_to is not None:
            replied = self._any_message(record["chat_id"], reply_to)
            if replied is not None:
                message["reply_to_message"] = replied
        return message

    # ------------------------------------------------------------------ internals: checks

    def _target_chat(self, params: Mapping[str, Any]) -> _Chat:
        raw = _opt(params, "chat_id")
        if raw is None:
            raise _bad_request("chat_id is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            raise _bad_request("chat not found")
        try:
            chat_id = _as_int(raw, "chat_id")
        except SandboxAPIError:
            raise _bad_request("chat not found") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id in self._users:
                raise SandboxAPIError(403, "Forbidden: bot can't initiate conversation with a user")
            raise _bad_request("chat not found")
        if chat.blocked:
            if chat.type == "private":
                raise SandboxAPIError(403, "Forbidden: bot was blocked by the user")
            raise SandboxAPIError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        return chat

    def _check_rate_limit(self, chat: _Chat) -> None:
        now = self.clock()
        waits = []
        if self.global_per_second is not None:
            waits.append(self._global_window.retry_after(now, self.global_per_second))
        if chat.type == "private":
            limit, window = self.private_chat_per_second, 1.0
        else:
            limit, window = self.group_chat_per_minute, 60.0
        chat_window = self._chat_windows.setdefault(chat.id, _SlidingWindow(window))
        if limit is not None:
            waits.append(chat_window.retry_after(now, limit))
        retry = max((w for w in waits if w is not None), default=None)
        if retry is not None:
            raise SandboxAPIError(429, f"Too Many Requests: retry after {retry}", retry)
        self._global_window.stamps.append(now)
        chat_window.stamps.append(now)

    def _render_text(self, text: str, parse_mode: str | None, limit: int, what: str) -> str:
        plain = _render(text, parse_mode) if self.validate_markup else text
        if _utf16_len(plain) > limit:
            raise _bad_request(f"{what} is too long")
        return plain

    def _reply_markup(self, params: Mapping[str, Any]) -> dict[str, Any] | None:
        raw = _opt(params, "reply_markup")
        if raw is None:
            return None
        markup = _as_json(raw, "reply keyboard markup")
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request(
                    'can\'t parse inline keyboard button: Field "inline_keyboard" of the '
                    "InlineKeyboardMarkup should be an Array of Arrays"
                )
            for button in (b for row in rows for b in row):
                _check_inline_button(button)
        elif not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
            raise _bad_request("can't parse reply keyboard markup JSON object")
        return markup

    def _record_message(
        self,
        method: str,
        chat: _Chat,
        params: Mapping[str, Any],
        *,
        text: str | None = None,
        plain_text: str | None = None,
        caption: str | None = None,
        plain_caption: str | None = None,
        stored: _StoredFile | None = None,
        reply_markup: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        reply_to = _opt(params, "reply_to_message_id")
        reply_parameters = _opt(params, "reply_parameters")
        if reply_parameters is not None:
            reply_to = _as_json(reply_parameters, "reply parameters").get("message_id")
        reply_to_id = None if reply_to is None else _as_int(reply_to, "reply_to_message_id")
        record: dict[str, Any] = {
            "method": method,
            "chat_id": chat.id,
            "message_id": chat.take_message_id(),
            "date": self._now(),
            "text": text,
            "plain_text": plain_text,
            "caption": caption,
            "plain_caption": plain_caption,
            "parse_mode": _opt(params, "parse_mode"),
            "reply_markup": reply_markup,
            "document": stored.document() if stored and stored.kind == "document" else None,
            "photo": stored.photo_sizes() if stored and stored.kind == "photo" else None,
            "reply_to_message_id": reply_to_id,
            "disable_notification": _as_bool(params.get("disable_notification", False)),
            "edited": False,
            "edit_date": None,
            "history": [],
            "deleted": False,
            "params": _loggable(params),
        }
        self._sent.append(record)
        self._bot_messages[(chat.id, record["message_id"])] = record
        self._notify()
        return record

    def _editable(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if _opt(params, "inline_message_id") is not None:
            raise _bad_request("inline messages are not supported by the sandbox")
        chat = self._target_chat(params)
        raw_id = _opt(params, "message_id")
        if raw_id is None:
            raise _bad_request("message identifier is not specified")
        message_id = _as_int(raw_id, "message_id")
        record = self._bot_messages.get((chat.id, message_id))
        if record is None or record["deleted"]:
            if (chat.id, message_id) in self._user_messages:
                raise _bad_request("message can't be edited")
            raise _bad_request("message to edit not found")
        return record

    def _apply_edit(self, record: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        if all(record[key] == value for key, value in changes.items()):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        snapshot = {
            key: copy.deepcopy(record[key])
            for key in ("text", "caption", "parse_mode", "reply_markup", "edit_date")
        }
        record["history"].append(snapshot)
        record.update(changes)
        record["edited"] = True
        record["edit_date"] = self._now()
        self._notify()
        return self._api_message(record)

    def _input_file(
        self, params: Mapping[str, Any], uploads: Mapping[str, _Upload], field_name: str, kind: str
    ) -> _StoredFile:
        value = _opt(params, field_name)
        upload = uploads.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
        if upload is not None:
            if not upload.content:
                raise _bad_request("file must be non-empty")
            if kind == "document":
                name = upload.filename or "document"
                mime = upload.mime_type or _guess_mime(name)
                return self._store_file(kind, upload.content, name, mime)
            return self._store_file(kind, upload.content, None, None)
        if not isinstance(value, str) or not value:
            raise _bad_request(f"there is no {field_name} in the request")
        stored = self._files.get(value)
        if stored is None:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        return stored

    # ------------------------------------------------------------------ Bot API methods

    def _api_get_me(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        return copy.deepcopy(self.bot_user)

    async def _api_get_updates(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        if self._webhook_url:
            raise SandboxAPIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = _opt(params, "allowed_updates")
        if allowed is not None:
            self._allowed_updates = list(_as_json(allowed, "allowed updates"))
        offset = _opt(params, "offset")
        if offset is not None:
            offset = _as_int(offset, "offset")
            if offset < 0:
                del self._pending[: max(0, len(self._pending) + offset)]
            else:
                self._pending = [
                    entry
                    for entry in self._pending
                    if entry.update["update_id"] >= offset or (entry.replay and not entry.delivered)
                ]
        limit = _opt(params, "limit")
        limit = 100 if limit is None else min(100, max(1, _as_int(limit, "limit")))
        timeout = _opt(params, "timeout")
        timeout = 0.0 if timeout is None else _as_float(timeout, "timeout")
        timeout = min(MAX_LONG_POLL_TIMEOUT, max(0.0, timeout))

        self._poll_generation += 1
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise SandboxAPIError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            if self._pending or self._closing or self._webhook_url:
                batch = [] if self._webhook_url else self._pending[:limit]
                for entry in batch:
                    entry.delivered = True
                return [copy.deepcopy(entry.update) for entry in batch]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._wait_change(remaining)

    def _api_send_message(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        text = _opt(params, "text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        plain = self._render_text(text, _opt(params, "parse_mode"), MAX_MESSAGE_LENGTH, "message")
        markup = self._reply_markup(params)
        chat = self._target_chat(params)
        self._check_rate_limit(chat)
        record = self._record_message(
            "sendMessage", chat, params, text=text, plain_text=plain, reply_markup=markup
        )
        return self._api_message(record)

    def _send_media(
        self,
        method: str,
        field_name: str,
        kind: str,
        params: dict[str, Any],
        uploads: dict[str, _Upload],
    ) -> Any:
        caption = _opt(params, "caption")
        plain_caption = None
        if caption is not None:
            plain_caption = self._render_text(
                str(caption), _opt(params, "parse_mode"), MAX_CAPTION_LENGTH, "message caption"
            )
        markup = self._reply_markup(params)
        chat = self._target_chat(params)
        stored = self._input_file(params, uploads, field_name, kind)
        self._check_rate_limit(chat)
        record = self._record_message(
            method,
            chat,
            params,
            caption=caption,
            plain_caption=plain_caption,
            stored=stored,
            reply_markup=markup,
        )
        return self._api_message(record)

    def _api_send_document(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        return self._send_media("sendDocument", "document", "document", params, uploads)

    def _api_send_photo(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        return self._send_media("sendPhoto", "photo", "photo", params, uploads)

    def _api_edit_message_text(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        text = _opt(params, "text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        record = self._editable(params)
        if record["text"] is None:
            raise _bad_request("there is no text in the message to edit")
        parse_mode = _opt(params, "parse_mode")
        plain = self._render_text(text, parse_mode, MAX_MESSAGE_LENGTH, "message")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        changes = {
            "text": text,
            "plain_text": plain,
            "parse_mode": parse_mode,
            "reply_markup": self._reply_markup(params),
        }
        return self._apply_edit(record, changes)

    def _api_edit_message_reply_markup(
        self, params: dict[str, Any], uploads: dict[str, _Upload]
    ) -> Any:
        record = self._editable(params)
        return self._apply_edit(record, {"reply_markup": self._reply_markup(params)})

    def _api_answer_callback_query(
        self, params: dict[str, Any], uploads: dict[str, _Upload]
    ) -> Any:
        query_id = str(_opt(params, "callback_query_id") or "")
        query = self._callback_queries.get(query_id)
        if query is None or query["answered"]:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query["answered"] = True
        text = _opt(params, "text")
        if text is not None and len(str(text)) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._callback_answers.append(
            {
                "callback_query_id": query_id,
                "message_id": query["message_id"],
                "text": text,
                "show_alert": _as_bool(params.get("show_alert", False)),
                "url": _opt(params, "url"),
                "cache_time": _as_int(params.get("cache_time", 0), "cache_time"),
            }
        )
        self._notify()
        return True

    def _api_get_file(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        file_id = _opt(params, "file_id")
        stored = self._files.get(str(file_id)) if file_id is not None else None
        if stored is None:
            raise _bad_request("invalid file_id")
        if stored.size > self.max_download_size:
            raise _bad_request("file is too big")
        if stored.file_path is None:
            folder = "documents" if stored.kind == "document" else "photos"
            suffix = PurePosixPath(stored.file_name or "").suffix or (
                ".jpg" if stored.kind == "photo" else ""
            )
            stored.file_path = f"{folder}/file_{len(self._file_paths)}{suffix}"
            self._file_paths[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    def _api_set_my_commands(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        commands = _as_json(params.get("commands", "[]"), "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("can't parse commands JSON object")
        cleaned = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name, description = item.get("command"), item.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.match(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self._commands[self._commands_key(params)] = cleaned
        return True

    def _api_get_my_commands(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _api_delete_my_commands(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: Mapping[str, Any]) -> tuple[str, str]:
        scope = _as_json(_opt(params, "scope") or {"type": "default"}, "bot command scope")
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise _bad_request("can't parse BotCommandScope JSON object")
        language = str(_opt(params, "language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad_request("invalid language code specified")
        return _scope_key(scope), language

    def _api_set_webhook(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        url = str(_opt(params, "url") or "")
        if not url:
            return self._api_delete_webhook(params, uploads)
        if not re.match(r"^https?://[^/\s]+", url):
            raise _bad_request("bad webhook: invalid webhook URL specified")
        secret = _opt(params, "secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        allowed = _opt(params, "allowed_updates")
        if allowed is not None:
            self._allowed_updates = list(_as_json(allowed, "allowed updates"))
        max_connections = _opt(params, "max_connections")
        if max_connections is not None:
            self._webhook_max_connections = _as_int(max_connections, "max_connections")
        if _as_bool(params.get("drop_pending_updates", False)):
            self._pending.clear()
        changed = (url, secret) != (self._webhook_url, self._webhook_secret)
        self._webhook_url, self._webhook_secret = url, None if secret is None else str(secret)
        if changed or self._webhook_task is None:
            self._restart_webhook_worker()
        self._notify()
        return True

    def _api_delete_webhook(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        if _as_bool(params.get("drop_pending_updates", False)):
            self._pending.clear()
        self._webhook_url = self._webhook_secret = None
        self._webhook_last_error = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
            self._webhook_inflight = False
        self._notify()
        return True

    def _api_get_webhook_info(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        info: dict[str, Any] = {
            "url": self._webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook_url:
            info["max_connections"] = self._webhook_max_connections
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_last_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    def _api_send_chat_action(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        chat = self._target_chat(params)
        action = _opt(params, "action")
        if not action:
            raise _bad_request("action is empty")
        self._chat_actions.append({"chat_id": chat.id, "action": action})
        return True

    def _api_delete_message(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        chat = self._target_chat(params)
        message_id = _as_int(_opt(params, "message_id") or 0, "message_id")
        record = self._bot_messages.get((chat.id, message_id))
        if record is not None and not record["deleted"]:
            record["deleted"] = True
        elif self._user_messages.pop((chat.id, message_id), None) is None:
            raise _bad_request("message to delete not found")
        self._notify()
        return True

    # ------------------------------------------------------------------ webhook delivery

    def _restart_webhook_worker(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        self._webhook_inflight = False
        if self._loop is not None and self._runner is not None:
            self._start_webhook_worker()

    def _start_webhook_worker(self) -> None:
        self._webhook_task = asyncio.get_running_loop().create_task(
            self._webhook_worker(), name="telegram-sandbox-webhook"
        )

    async def _stop_webhook_worker(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._webhook_inflight = False

    async def _webhook_worker(self) -> None:
        # Deliveries are sequential so that updates reach the bot in order.
        while True:
            if not self._pending or self._webhook_url is None:
                await self._wait_change()
                continue
            entry = self._pending[0]
            self._webhook_inflight = True
            for attempt in range(1, self.webhook_max_attempts + 1):
                status, error = await self._post_update(entry.update)
                self._webhook_log.append(
                    {
                        "update_id": entry.update["update_id"],
                        "attempt": attempt,
                        "status": status,
                        "error": error,
                    }
                )
                if error is None:
                    break
                self._webhook_last_error = (self._now(), error)
                if attempt < self.webhook_max_attempts and self.webhook_retry_delay > 0:
                    await asyncio.sleep(self.webhook_retry_delay)
            if entry in self._pending:
                self._pending.remove(entry)
            self._webhook_inflight = False
            self._notify()

    async def _post_update(self, update: dict[str, Any]) -> tuple[int | None, str | None]:
        url = self._webhook_url
        if url is None:
            return None, "webhook was removed"
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {}
        if self._webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self._webhook_secret
        try:
            async with self._session.post(
                url,
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return response.status, None
                return response.status, f"Wrong response from the webhook: {response.status}"
        except TimeoutError:
            return None, "Read timeout expired"
        except aiohttp.ClientError as exc:
            return None, f"Connection failed: {exc.__class__.__name__}"

    # ------------------------------------------------------------------ HTTP layer

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json_error(SandboxAPIError(401, "Unauthorized"))
        method = request.match_info["method"]
        handler = self._methods.get(method.lower())
        if handler is None:
            return _json_error(SandboxAPIError(404, "Not Found"))
        failures = self._failures.get(method.lower())
        if failures:
            status = failures.pop(0)
            return web.json_response(
                {"ok": False, "error_code": status, "description": "Internal Server Error"},
                status=status)
        try:
            params, uploads = await _read_params(request)
            self._api_calls.append({"method": method, "params": _loggable(params)})
            result = handler(params, uploads)
            if inspect.isawaitable(result):
                result = await result
        except SandboxAPIError as exc:
            return _json_error(exc)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_error(SandboxAPIError(401, "Unauthorized"))
        stored = self._file_paths.get(request.match_info["file_path"])
        if stored is None:
            return _json_error(SandboxAPIError(404, "Not Found"))
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _handle_driver(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        data: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return web.json_response({"ok": False, "error": "body must be JSON"}, status=400)
            data.update(body if isinstance(body, dict) else {})
        drivers: dict[str, Callable[[], Any]] = {
            "send": lambda: self.user_sends_text(
                int(data["user_id"]),
                str(data["text"]),
                first_name=data.get("first_name"),
                chat_id=None if data.get("chat_id") is None else int(data["chat_id"]),
            ),
            "press": lambda: self.user_presses_button(
                int(data["user_id"]),
                int(data["message_id"]),
                str(data["callback_data"]),
                chat_id=None if data.get("chat_id") is None else int(data["chat_id"]),
            ),
            "block": lambda: self.block_bot(int(data["user_id"])),
            "unblock": lambda: self.unblock_bot(int(data["user_id"])),
            "messages": lambda: self.messages_to(int(data["chat_id"])),
            "sent": lambda: self.all_sent,
        }
        if action not in drivers:
            return web.json_response({"ok": False, "error": f"unknown action {action}"}, status=404)
        try:
            result = drivers[action]()
        except (KeyError, ValueError) as exc:
            return web.json_response({"ok": False, "error": repr(exc)}, status=400)
        return web.json_response({"ok": True, "result": result})


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not _INLINE_BUTTON_ACTIONS & button.keys():
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise _bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
        raise _bad_request(f"inline keyboard button URL '{button['url']}' is invalid")


def _scope_key(scope: dict[str, Any]) -> str:
    return json.dumps(scope, sort_keys=True, separators=(",", ":"))


def _update_type(update: Mapping[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _guess_mime(filename: str) -> str:
    return mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream"


def _loggable(params: Mapping[str, Any]) -> dict[str, Any]:
    plain = str | int | float | bool | list | dict | None
    return {key: value for key, value in params.items() if isinstance(value, plain)}


async def _deepcopy(value: R) -> R:
    return copy.deepcopy(value)


def _json_error(error: SandboxAPIError) -> web.Response:
    return web.json_response(error.payload(), status=error.code)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, _Upload]]:
    """Collect parameters from the query string and a JSON, urlencoded or multipart body.

    PTB posts ``application/x-www-form-urlencoded`` (or multipart when uploading) with every
    non-string value JSON-encoded, so callers coerce values per parameter.
    """
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, _Upload] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, uploads
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _bad_request("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise _bad_request("JSON body must be an object")
        params.update(body)
        return params, uploads
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise SandboxAPIError(413, "Request Entity Too Large") from None
    for key, value in form.items():
        if isinstance(value, web.FileField):
            uploads[key] = _Upload(value.filename, value.file.read(), value.content_type)
        else:
            params[key] = value
    return params, uploads


def main(argv: list[str] | None = None) -> None:
    """Run the sandbox standalone until interrupted."""
    parser = argparse.ArgumentParser(description="In-memory Telegram Bot API sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--bot-username", default="isobot_sandbox_bot")
    parser.add_argument("--no-rate-limits", action="store_true", help="disable 429 answers")
    args = parser.parse_args(argv)

    async def serve() -> None:
        limits: dict[str, Any] = {}
        if args.no_rate_limits:
            limits = {
                "global_per_second": None,
                "private_chat_per_second": None,
                "group_chat_per_minute": None,
            }
        server = TelegramSandbox(token=args.token, bot_username=args.bot_username, **limits)
        await server.start(host=args.host, port=args.port)
        print(f"Telegram sandbox for token {args.token}", flush=True)
        print(f"  base_url      = {server.base_url}", flush=True)
        print(f"  base_file_url = {server.base_file_url}", flush=True)
        print(
            f'  user side     : curl -d \'{{"user_id": 1001, "text": "/start"}}\' '
            f"{server.url}/sandbox/send",
            flush=True,
        )
        try:
            await asyncio.Event().wait()
        finally:
            await server.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()

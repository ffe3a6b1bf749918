"""In-memory Zalo Bot Platform sandbox, served by aiohttp on 127.0.0.1.

It speaks the same HTTP API as ``bot-api.zaloplatforms.com`` (``POST /bot{token}/{method}``),
so the real client and the bot run against it unchanged, and gives tests a driver API to play
the users' side::

    server = ZaloSandbox(token="111:secret", bot_name="isobot")
    await server.start(host="127.0.0.1", port=0)
    server.user_sends_text(user_id="u1", text="xin chao", display_name="Lan")
    reply = await server.next_message("u1")
    await server.stop()

Run standalone with ``python -m bot.sandbox.zalo_server --port 8082 --token 111:secret``;
the ``/sandbox/...`` control routes then play the users' side over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import hmac
import json
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

__all__ = ["ZaloSandbox", "main"]

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 2000
SECRET_TOKEN_LENGTHS = (8, 256)
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})
WEBHOOK_SECRET_HEADER = "X-Bot-Api-Secret-Token"
#: Keys that carry an image URL in message.image.received. The reference gives ``photo``;
#: the official python-zalo-bot SDK and payloads seen live use ``photo_url``: send both by
#: default so a bot that reads either works, and narrow it in a test to pin one down.
DEFAULT_PHOTO_KEYS = ("photo", "photo_url")


class _ApiError(Exception):
    """An error answer of the API, turned into the ``{"ok": false, ...}`` shape."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(code, description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class ZaloSandbox:
    """A fake Zalo Bot Platform for one bot, with a driver API for the users' side."""

    def __init__(
        self,
        token: str = "111:secret",
        bot_name: str = "isobot",
        *,
        messages_per_second: int | None = None,
        messages_per_second_per_chat: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        webhook_max_attempts: int = 3,
        webhook_retry_delay: float = 0.2,
        errors_as_http_200: bool = False,
        photo_keys: tuple[str, ...] = DEFAULT_PHOTO_KEYS,
        wrap_webhook_payload: bool = False,
        max_poll_timeout: float = 60.0,
    ) -> None:
        """Configure the sandbox; rate limits of None are off, ``clock`` drives them."""
        self.token = token
        self.bot_name = bot_name
        self.bot_id = token.partition(":")[0] or "1"
        self.messages_per_second = messages_per_second
        self.messages_per_second_per_chat = messages_per_second_per_chat
        self.clock = clock
        self.wall_clock = wall_clock
        self.webhook_max_attempts = max(1, webhook_max_attempts)
        self.webhook_retry_delay = webhook_retry_delay
        # Whether the real platform puts the error code in the HTTP status or only in the
        # body is undocumented: the client must cope with both, so both can be simulated.
        self.errors_as_http_200 = errors_as_http_200
        self.photo_keys = photo_keys
        # Some integrations report webhook bodies wrapped as {"ok": true, "result": update}.
        self.wrap_webhook_payload = wrap_webhook_payload
        self.max_poll_timeout = max_poll_timeout
        self.polls_waiting = 0  # getUpdates calls being held open, for tests to wait on

        self.host: str | None = None
        self.port: int | None = None
        #: Every webhook delivery attempt: {"update", "attempt", "status", "error"}.
        self.webhook_attempts: list[dict[str, Any]] = []

        self._updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._users: dict[str, str] = {}  # user id (== private chat id) -> display name
        self._blocked: set[str] = set()
        self._sent: dict[str, list[dict[str, Any]]] = {}
        self._read_upto: dict[str, int] = {}
        self._sent_changed = asyncio.Condition()
        self._chat_actions: dict[str, list[str]] = {}
        self._files: dict[str, tuple[bytes, str]] = {}
        self._webhook: dict[str, Any] | None = None
        self._webhook_updated_at = 0
        self._webhook_queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._bot_sends: deque[float] = deque()
        self._chat_sends: dict[str, deque[float]] = {}
        self._counter = 0
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_worker: asyncio.Task[None] | None = None
        self._methods: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Root URL of the running server, e.g. ``http://127.0.0.1:8082``."""
        if self.port is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What the client takes as base_url: everything before the token."""
        return f"{self.url}/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving; port 0 picks a free port, readable from ``self.port`` afterwards."""
        app = web.Application()
        app.router.add_post(r"/{bot_token:bot[^/]*}/{method}", self._handle_api)
        app.router.add_get("/files/{file_id}", self._handle_file)
        app.router.add_post("/sandbox/users/{user_id}/messages", self._ctl_text)
        app.router.add_post("/sandbox/users/{user_id}/photos", self._ctl_photo)
        app.router.add_post("/sandbox/users/{user_id}/block", self._ctl_block)
        app.router.add_post("/sandbox/users/{user_id}/unblock", self._ctl_unblock)
        app.router.add_get("/sandbox/chats/{chat_id}/messages", self._ctl_messages)
        # No access log: request paths carry the bot token.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        # With port 0 the OS picked one; the runner knows which.
        self.port = int(self._runner.addresses[0][1])
        self._closing.clear()
        self._session = aiohttp.ClientSession()
        self._webhook_worker = asyncio.create_task(self._deliver_webhooks())

    async def stop(self) -> None:
        """Stop serving; pending long polls end at once."""
        self._closing.set()
        if self._webhook_worker is not None:
            self._webhook_worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_worker
            self._webhook_worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ZaloSandbox:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- driver API: the users' side --------------------------------------------------------

    def add_user(self, user_id: str, display_name: str = "User") -> None:
        """Make ``user_id`` a known chat without sending anything (the bot may write first)."""
        self._users[user_id] = display_name

    def user_sends_text(
        self, user_id: str, text: str, display_name: str | None = None
    ) -> dict[str, Any]:
        """A user writes ``text`` to the bot in a private chat; returns the update."""
        message = self._new_message(user_id, display_name)
        message["text"] = text
        return self._dispatch({"event_name": "message.text.received", "message": message})

    def user_sends_photo(
        self,
        user_id: str,
        content: bytes,
        caption: str = "",
        display_name: str | None = None,
        content_type: str = "image/jpeg",
    ) -> dict[str, Any]:
        """A user sends an image; its bytes are served at the URL the update carries."""
        self._counter += 1
        file_id = f"{self._counter:020x}.jpg"
        self._files[file_id] = (content, content_type)
        photo_url = f"{self.url}/files/{file_id}"
        message = self._new_message(user_id, display_name)
        for key in self.photo_keys:
            message[key] = photo_url
        message["caption"] = caption
        return self._dispatch({"event_name": "message.image.received", "message": message})

    def user_sends_sticker(
        self, user_id: str, sticker: str = "sticker-1", display_name: str | None = None
    ) -> dict[str, Any]:
        """A user sends a sticker (the bot is expected to cope, not to understand it)."""
        message = self._new_message(user_id, display_name)
        message["sticker"] = sticker
        return self._dispatch({"event_name": "message.sticker.received", "message": message})

    def user_sends_unsupported(
        self, user_id: str, display_name: str | None = None
    ) -> dict[str, Any]:
        """A user sends something the platform does not pass on (voice, file, ...)."""
        message = self._new_message(user_id, display_name)
        return self._dispatch({"event_name": "message.unsupported.received", "message": message})

    def queue_update(self, raw_update: dict[str, Any]) -> dict[str, Any]:
        """Hand over a raw update as is, e.g. the same one twice to test idempotency."""
        update = copy.deepcopy(raw_update)
        message = update.get("message")
        if isinstance(message, dict):
            chat = message.get("chat")
            sender = message.get("from")
            if isinstance(chat, dict) and isinstance(chat.get("id"), str):
                name = sender.get("display_name") if isinstance(sender, dict) else None
                self._users.setdefault(chat["id"], name or "User")
        return self._dispatch(update)

    def block_bot(self, user_id: str) -> None:
        """The user blocks the bot: sends to them now fail with 403."""
        self._blocked.add(user_id)

    def unblock_bot(self, user_id: str) -> None:
        """The user unblocks the bot."""
        self._blocked.discard(user_id)

    # -- driver API: what the bot did -------------------------------------------------------

    def messages_to(self, chat_id: str) -> list[dict[str, Any]]:
        """Every message the bot sent to ``chat_id``, oldest first (copies)."""
        return [dict(m) for m in self._sent.get(chat_id, [])]

    def chat_actions_to(self, chat_id: str) -> list[str]:
        """The chat actions ("typing", ...) the bot sent to ``chat_id``."""
        return list(self._chat_actions.get(chat_id, []))

    async def next_message(self, chat_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the next message to ``chat_id`` not yet returned by this method."""

        def has_unread() -> bool:
            return len(self._sent.get(chat_id, [])) > self._read_upto.get(chat_id, 0)

        try:
            async with asyncio.timeout(timeout), self._sent_changed:
                await self._sent_changed.wait_for(has_unread)
        except TimeoutError:
            raise TimeoutError(
                f"the bot sent nothing new to chat {chat_id!r} within {timeout} s"
            ) from None
        index = self._read_upto.get(chat_id, 0)
        self._read_upto[chat_id] = index + 1
        return dict(self._sent[chat_id][index])

    def pending_updates(self) -> int:
        """How many updates wait for a getUpdates call."""
        return self._updates.qsize()

    @property
    def webhook(self) -> dict[str, Any] | None:
        """The webhook set by the bot ({"url", "secret_token"}) or None."""
        return dict(self._webhook) if self._webhook else None

    # -- internals: updates -----------------------------------------------------------------

    def _new_id(self) -> str:
        """Ids are 20 hex characters like the platform's; a counter keeps tests deterministic."""
        self._counter += 1
        return f"{self._counter:020x}"

    def _now_ms(self) -> int:
        return int(self.wall_clock() * 1000)

    def _new_message(self, user_id: str, display_name: str | None) -> dict[str, Any]:
        """Common fields of a private-chat message from ``user_id``; registers the user."""
        name = display_name or self._users.get(user_id) or "User"
        self._users[user_id] = name
        return {
            "message_id": self._new_id(),
            "date": self._now_ms(),
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "from": {"id": user_id, "display_name": name},
        }

    def _dispatch(self, update: dict[str, Any]) -> dict[str, Any]:
        """Route an update to the webhook when one is set, else to getUpdates."""
        if self._webhook is not None:
            self._webhook_queue.put_nowait(copy.deepcopy(update))
        else:
            self._updates.put_nowait(copy.deepcopy(update))
        return update

    async def _deliver_webhooks(self) -> None:
        """Push updates to the webhook one at a time, in order, retrying non-2xx answers."""
        while True:
            update = await self._webhook_queue.get()
            hook = self._webhook
            if hook is None:  # deleted meanwhile: back to long polling
                self._updates.put_nowait(update)
                continue
            body = {"ok": True, "result": update} if self.wrap_webhook_payload else update
            for attempt in range(1, self.webhook_max_attempts + 1):
                status: int | None = None
                error: str | None = None
                session = self._session
                if session is None:  # stopped meanwhile
                    return
                try:
                    async with session.post(
                        hook["url"],
                        json=body,
                        headers={WEBHOOK_SECRET_HEADER: hook["secret_token"]},
                        timeout=aiohttp.ClientTimeout(total=10),
                    ) as response:
                        status = response.status
                        await response.read()
                except (aiohttp.ClientError, TimeoutError) as exc:
                    error = f"{type(exc).__name__}: {exc}"
                self.webhook_attempts.append(
                    {"update": update, "attempt": attempt, "status": status, "error": error}
                )
                if status is not None and 200 <= status < 300:
                    break
                # Like the real platform: a failed delivery is sent again, so a bot that did
                # the work but answered 500 sees the same update twice.
                if attempt < self.webhook_max_attempts:
                    await asyncio.sleep(self.webhook_retry_delay)
            else:
                logger.warning("webhook gave up on an update after %d attempts", attempt)

    # -- internals: HTTP API ----------------------------------------------------------------

    def _error_response(self, error: _ApiError) -> web.Response:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.code,
            "description": error.description,
        }
        headers = {}
        if error.retry_after is not None:
            body["parameters"] = {"retry_after": error.retry_after}
            headers["Retry-After"] = str(error.retry_after)
        status = 200 if self.errors_as_http_200 else error.code
        return web.json_response(body, status=status, headers=headers)

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Entry point of ``POST /bot{token}/{method}``."""
        token = request.match_info["bot_token"][len("bot") :]
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return self._error_response(_ApiError(401, "Unauthorized"))
        handler = self._methods.get(request.match_info["method"])
        if handler is None:
            return self._error_response(_ApiError(404, "Not Found: method not found"))
        try:
            raw = await request.read()
            params = json.loads(raw) if raw.strip() else {}
            if not isinstance(params, dict):
                raise _ApiError(400, "Bad Request: body must be a JSON object")
            result = await handler(params)
        except json.JSONDecodeError:
            return self._error_response(_ApiError(400, "Bad Request: body is not valid JSON"))
        except _ApiError as error:
            return self._error_response(error)
        if result is _NO_RESULT:
            return web.json_response({"ok": True})
        return web.json_response({"ok": True, "result": result})

    async def _get_me(self, params: dict[str, Any]) -> Any:
        return {
            "id": self.bot_id,
            "account_name": self.bot_name,
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> Any:
        if self._webhook is not None:
            raise _ApiError(
                409, "Conflict: getUpdates is disabled while a webhook is set; deleteWebhook first"
            )
        raw_timeout = params.get("timeout", "30")
        try:
            timeout = float(raw_timeout)
        except (TypeError, ValueError):
            raise _ApiError(400, "Bad Request: timeout must be a number of seconds") from None
        if not math.isfinite(timeout) or timeout < 0:
            raise _ApiError(400, "Bad Request: timeout must be a number of seconds")
        timeout = min(timeout, self.max_poll_timeout)

        getter = asyncio.ensure_future(self._updates.get())
        closing = asyncio.ensure_future(self._closing.wait())
        self.polls_waiting += 1
        try:
            await asyncio.wait(
                {getter, closing}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            self.polls_waiting -= 1
            closing.cancel()
            if not getter.done():
                # Queue.get leaves the item in the queue when cancelled before taking it.
                getter.cancel()
        if getter.done() and not getter.cancelled():
            return getter.result()
        raise _ApiError(408, "Request timeout")

    async def _set_webhook(self, params: dict[str, Any]) -> Any:
        url = params.get("url")
        secret = params.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise _ApiError(400, "Bad Request: url must be an http(s) URL")
        low, high = SECRET_TOKEN_LENGTHS
        if not isinstance(secret, str) or not low <= len(secret) <= high:
            raise _ApiError(400, f"Bad Request: secret_token must be {low}-{high} characters")
        self._webhook = {"url": url, "secret_token": secret}
        self._webhook_updated_at = self._now_ms()
        # Updates that waited for a poll now go to the webhook, as they would on the platform.
        while not self._updates.empty():
            self._webhook_queue.put_nowait(self._updates.get_nowait())
        return {"url": url, "updated_at": self._webhook_updated_at}

    async def _delete_webhook(self, params: dict[str, Any]) -> Any:
        self._webhook = None
        self._webhook_updated_at = self._now_ms()
        return {"url": "", "updated_at": self._webhook_updated_at}

    async def _get_webhook_info(self, params: dict[str, Any]) -> Any:
        url = self._webhook["url"] if self._webhook else ""
        return {"url": url, "updated_at": self._webhook_updated_at}

    def _recipient(self, params: dict[str, Any]) -> str:
        """Validate chat_id: unknown chats get 400 "chat not found", blocked users 403."""
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            raise _ApiError(400, "Bad Request: chat_id is required")
        if chat_id not in self._users:
            raise _ApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise _ApiError(403, "Forbidden: the user has blocked the bot")
        return chat_id

    @staticmethod
    def _text_param(params: dict[str, Any], field: str, *, required: bool) -> str | None:
        value = params.get(field)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_TEXT_LENGTH:
            raise _ApiError(400, f"Bad Request: {field} must be 1-{MAX_TEXT_LENGTH} characters")
        return value

    def _check_rate(self, chat_id: str) -> None:
        """Sliding one-second windows, per bot and per chat; 429 with retry_after past them."""
        now = self.clock()
        windows: list[tuple[deque[float], int]] = []
        if self.messages_per_second is not None:
            windows.append((self._bot_sends, self.messages_per_second))
        if self.messages_per_second_per_chat is not None:
            windows.append(
                (self._chat_sends.setdefault(chat_id, deque()), self.messages_per_second_per_chat)
            )
        wait = 0.0
        for window, limit in windows:
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                wait = max(wait, window[0] + 1.0 - now)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise _ApiError(429, "Too Many Requests: retry later", retry_after=retry_after)
        for window, _ in windows:
            window.append(now)

    async def _record(self, chat_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        message_id = self._new_id()
        date = self._now_ms()
        full = {
            "message_id": message_id,
            "date": date,
            "chat_id": chat_id,
            "type": "text",
            "text": None,
            "photo": None,
            "caption": None,
            "sticker": None,
        }
        full.update(entry)
        async with self._sent_changed:
            self._sent.setdefault(chat_id, []).append(full)
            self._sent_changed.notify_all()
        return {"message_id": message_id, "date": date}

    async def _send_message(self, params: dict[str, Any]) -> Any:
        text = self._text_param(params, "text", required=True)
        chat_id = self._recipient(params)
        self._check_rate(chat_id)
        return await self._record(chat_id, {"type": "text", "text": text})

    async def _send_photo(self, params: dict[str, Any]) -> Any:
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            raise _ApiError(400, "Bad Request: photo must be an http(s) URL")
        caption = self._text_param(params, "caption", required=False)
        chat_id = self._recipient(params)
        self._check_rate(chat_id)
        return await self._record(chat_id, {"type": "photo", "photo": photo, "caption": caption})

    async def _send_sticker(self, params: dict[str, Any]) -> Any:
        sticker = params.get("sticker")
        if not isinstance(sticker, str) or not sticker:
            raise _ApiError(400, "Bad Request: sticker is required")
        chat_id = self._recipient(params)
        self._check_rate(chat_id)
        return await self._record(chat_id, {"type": "sticker", "sticker": sticker})

    async def _send_chat_action(self, params: dict[str, Any]) -> Any:
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _ApiError(400, f"Bad Request: action must be one of {sorted(CHAT_ACTIONS)}")
        chat_id = self._recipient(params)
        self._chat_actions.setdefault(chat_id, []).append(action)
        return _NO_RESULT

    # -- internals: files and control routes ------------------------------------------------

    async def _handle_file(self, request: web.Request) -> web.Response:
        """Serve the bytes of a photo a user sent (public, like a CDN URL)."""
        found = self._files.get(request.match_info["file_id"])
        if found is None:
            raise web.HTTPNotFound()
        content, content_type = found
        return web.Response(body=content, content_type=content_type)

    async def _ctl_text(self, request: web.Request) -> web.Response:
        try:
            params = await request.json()
        except json.JSONDecodeError:
            raise web.HTTPBadRequest(text="body must be JSON") from None
        if not isinstance(params, dict) or not isinstance(params.get("text"), str):
            raise web.HTTPBadRequest(text='expected {"text": "...", "display_name": "..."}')
        update = self.user_sends_text(
            request.match_info["user_id"], params["text"], params.get("display_name")
        )
        return web.json_response(update)

    async def _ctl_photo(self, request: web.Request) -> web.Response:
        update = self.user_sends_photo(
            request.match_info["user_id"],
            await request.read(),
            caption=request.query.get("caption", ""),
            display_name=request.query.get("display_name"),
            content_type=request.content_type or "image/jpeg",
        )
        return web.json_response(update)

    async def _ctl_block(self, request: web.Request) -> web.Response:
        self.block_bot(request.match_info["user_id"])
        return web.json_response({"ok": True})

    async def _ctl_unblock(self, request: web.Request) -> web.Response:
        self.unblock_bot(request.match_info["user_id"])
        return web.json_response({"ok": True})

    async def _ctl_messages(self, request: web.Request) -> web.Response:
        return web.json_response(self.messages_to(request.match_info["chat_id"]))


#: Marks an answer of plain ``{"ok": true}`` (sendChatAction has no result).
_NO_RESULT: Any = object()


def main(argv: list[str] | None = None) -> None:
    """Run the sandbox standalone until interrupted."""
    parser = argparse.ArgumentParser(description="In-memory Zalo Bot Platform sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--token", default="111:secret")
    parser.add_argument("--bot-name", default="isobot")
    parser.add_argument("--rate", type=int, default=None, help="messages per second per bot")
    parser.add_argument("--chat-rate", type=int, default=None, help="messages per second per chat")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    async def serve() -> None:
        sandbox = ZaloSandbox(
            token=args.token,
            bot_name=args.bot_name,
            messages_per_second=args.rate,
            messages_per_second_per_chat=args.chat_rate,
        )
        await sandbox.start(host=args.host, port=args.port)
        print(f"Zalo sandbox for {args.bot_name!r}: base_url {sandbox.base_url}", flush=True)
        print(f"users' side: POST {sandbox.url}/sandbox/users/<id>/messages", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await sandbox.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()

"""What every messenger sandbox shares: a bot API of the same shape, on 127.0.0.1, in memory.

Both platforms isobot speaks answer ``POST {base_url}{token}/{method}`` with ``{"ok": true,
"result": ...}`` or ``{"ok": false, "error_code", "description"}``, hand users' updates to long
polls or push them to a webhook with a secret header, and answer 429 past their rate limits.
:class:`SandboxServer` does all of that once; a messenger's sandbox adds its methods (``api``)
and the users' side (``user_sends_text`` and the like) that tests and ``isobot demo`` drive::

    sandbox = SomeSandbox(token="1:abc")
    await sandbox.start()            # any free port; sandbox.base_url is for the real client
    sandbox.user_sends_text(1001, "/start CODE")
    reply = await sandbox.next_message(1001)
    await sandbox.stop()
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import hmac
import inspect
import time
from collections.abc import Callable, Hashable
from typing import Any, ClassVar, NamedTuple, TypeVar

import aiohttp
from aiohttp import web

from bot.messengers.sandbox_faults import ApiError, FaultInjection, RateWindows

__all__ = ["ApiError", "Handler", "SandboxServer", "Upload", "main"]

R = TypeVar("R")
Handler = Callable[[dict[str, Any], dict[str, "Upload"]], Any]


class Upload(NamedTuple):
    """A file the bot uploaded with a multipart request."""

    filename: str | None
    content: bytes
    mime_type: str | None


class SandboxServer(FaultInjection):
    """A bot API server for one bot: lifecycle, API dispatch, updates, webhook, sent messages."""

    secret_header: ClassVar[str]  # the header a webhook request carries the secret in
    user_id_type: ClassVar[type] = int  # how the standalone driver reads a user id
    rate_options: ClassVar[tuple[str, ...]] = ()  # constructor limits --no-rate-limits lifts
    errors_as_http_200 = False  # answer errors with HTTP 200, the code only in the body

    def __init__(self, token: str, *, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time, webhook_max_attempts: int = 3,
                 webhook_retry_delay: float = 0.1) -> None:
        """``clock`` drives the rate limits (monotonic seconds), ``wall_clock`` message dates."""
        self.token = token
        self.clock, self.wall_clock = clock, wall_clock
        self.webhook_max_attempts = max(1, webhook_max_attempts)
        self.webhook_retry_delay = webhook_retry_delay
        self.rates = RateWindows()
        self.rate_refusals = 0  # 429s the rate limits answered: each one a limit the bot broke
        self.sent: list[dict[str, Any]] = []  # what the bot sent, in order
        self.pending: list[dict[str, Any]] = []  # users' updates not yet handed over
        self.webhook_attempts: list[dict[str, Any]] = []
        self._webhook: dict[str, str] | None = None
        FaultInjection.__init__(self)
        self._read: dict[Hashable, int] = {}
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._pusher: asyncio.Task[None] | None = None
        self._methods: dict[str, Handler] = {}
        self.host, self.port = "127.0.0.1", None

    def api(self) -> dict[str, Handler]:
        """The messenger's methods by name; a handler may be a coroutine function."""
        raise NotImplementedError

    def add_routes(self, app: web.Application) -> None:
        """More routes, e.g. where the files users sent are downloaded."""

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host:port``; port 0 picks a free one (see :attr:`url`)."""
        self._methods = {name.lower(): handler for name, handler in self.api().items()}
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_post("/sandbox/send", self._drive_send)
        app.router.add_get("/sandbox/messages", self._drive_messages)
        self.add_routes(app)
        # No access log: request paths carry the bot token.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self.port = self._runner.addresses[0][1]
        self._closing = False
        self._session = aiohttp.ClientSession()
        self._pusher = asyncio.create_task(self._push_updates(), name="sandbox-webhook")

    async def stop(self) -> None:
        """Stop serving; long polls under way end at once."""
        self._closing = True
        self._notify()
        if self._pusher is not None:
            self._pusher.cancel()
            await asyncio.gather(self._pusher, return_exceptions=True)
            self._pusher = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Root URL of the running server, e.g. ``http://127.0.0.1:8081``."""
        if self.port is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What the client takes as base_url: everything before the token."""
        return f"{self.url}/bot"

    # -- the API -----------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.match_info["token"].encode(), self.token.encode()):
            return self._error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"].lower()
        handler = self._methods.get(method)
        if handler is None:
            return self._error(ApiError(404, "Not Found: method not found"))
        if injected := self.injected_error(method):
            return self._error(injected)
        try:
            result = handler(*await _read_params(request))
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            return self._error(error)
        return web.json_response({"ok": True, "result": result})

    def _error(self, error: ApiError) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": error.code,
                                "description": error.description}
        headers = {}
        if error.retry_after is not None:
            body["parameters"] = {"retry_after": error.retry_after}
            headers["Retry-After"] = str(error.retry_after)
        status = 200 if self.errors_as_http_200 else error.code
        return web.json_response(body, status=status, headers=headers)

    def take_rate(self, *limits: tuple[Hashable, int | None, float]) -> None:
        """Count one message against the limits, or refuse it with a 429."""
        try:
            self.rates.take(self.clock(), *limits)
        except ApiError:
            self.rate_refusals += 1
            raise

    # -- updates and what the bot sent -----------------------------------------------------

    def enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a user's update for the next poll, or the webhook; returns a copy."""
        self.pending.append(update)
        self._notify()
        return copy.deepcopy(update)

    def record(self, message: dict[str, Any]) -> dict[str, Any]:
        """Keep a message the bot sent (it must carry ``chat_id``)."""
        self.sent.append(message)
        self._notify()
        return message

    def messages_to(self, chat_id: Hashable) -> list[dict[str, Any]]:
        """Everything the bot sent to ``chat_id``, oldest first (copies)."""
        return [copy.deepcopy(m) for m in self.sent if m["chat_id"] == chat_id]

    @property
    def all_sent(self) -> list[dict[str, Any]]:
        """Everything the bot sent, in order (copies)."""
        return copy.deepcopy(self.sent)

    async def next_message(self, chat_id: Hashable, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the bot's next message to ``chat_id`` that this method has not returned."""

        def unread() -> int | None:
            start = self._read.get(chat_id, 0)
            return next((i + 1 for i in range(start, len(self.sent))
                         if self.sent[i]["chat_id"] == chat_id), None)

        index = await self.wait_until(unread, timeout)
        if index is None:
            texts = [m.get("text") or m.get("caption") for m in self.messages_to(chat_id)]
            raise TimeoutError(f"the bot sent no new message to chat {chat_id!r} within "
                               f"{timeout} s (so far: {texts!r})")
        self._read[chat_id] = index
        return copy.deepcopy(self.sent[index - 1])

    async def wait_until(self, predicate: Callable[[], R | None],
                         timeout: float | None) -> R | None:
        """``predicate()`` once it is truthy (checked on every change); None after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not (result := predicate()):
            remaining = None if deadline is None else deadline - loop.time()
            if self._closing or (remaining is not None and remaining <= 0):
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return result

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # -- webhook -----------------------------------------------------------------------------

    @property
    def webhook(self) -> dict[str, str] | None:
        """The webhook the bot set (``{"url", "secret_token"}``), or None."""
        return dict(self._webhook) if self._webhook else None

    @property
    def webhook_url(self) -> str | None:
        return self._webhook["url"] if self._webhook else None

    @property
    def webhook_secret(self) -> str | None:
        return self._webhook["secret_token"] if self._webhook else None

    def set_webhook(self, url: str | None, secret: str | None = None) -> None:
        """Push updates to ``url`` from now on (None: back to long polling)."""
        self._webhook = {"url": url, "secret_token": secret} if url else None
        self._notify()

    def webhook_body(self, update: dict[str, Any]) -> Any:
        """What a webhook request carries for ``update``."""
        return update

    async def _push_updates(self) -> None:
        """Post updates to the webhook in order; a non-2xx answer is retried (duplicates!)."""
        while await self.wait_until(lambda: self._webhook and self.pending, None):
            update, hook = self.pending[0], dict(self._webhook)
            for attempt in range(1, self.webhook_max_attempts + 1):
                status, error = await self._post(hook, update)
                self.webhook_attempts.append({"update": update, "attempt": attempt,
                                              "status": status, "error": error})
                if error is None:
                    break
                if attempt < self.webhook_max_attempts:
                    await asyncio.sleep(self.webhook_retry_delay)
            if self.pending and self.pending[0] is update:
                self.pending.pop(0)
            self._notify()

    async def _post(self, hook: dict[str, str], update: dict[str, Any]) -> tuple[int | None,
                                                                                  str | None]:
        headers = {self.secret_header: hook["secret_token"]} if hook["secret_token"] else {}
        try:
            async with self._session.post(hook["url"], json=self.webhook_body(update),
                                          headers=headers,
                                          timeout=aiohttp.ClientTimeout(total=10)) as response:
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            return None, f"{type(exc).__name__}: {exc}"
        ok = 200 <= response.status < 300
        return response.status, None if ok else f"webhook answered {response.status}"

    # -- the users' side over HTTP, for a sandbox run on its own ---------------------------

    def user_sends_text(self, user_id: Any, text: str) -> dict[str, Any]:
        raise NotImplementedError

    async def _drive_send(self, request: web.Request) -> web.Response:
        """``POST /sandbox/send {"user_id": ..., "text": ...}``: a user writes to the bot."""
        try:
            data = await request.json()
            update = self.user_sends_text(self.user_id_type(data["user_id"]), str(data["text"]))
        except (ValueError, KeyError, TypeError) as error:
            return web.json_response({"ok": False, "error": repr(error)}, status=400)
        return web.json_response({"ok": True, "result": update})

    async def _drive_messages(self, request: web.Request) -> web.Response:
        """``GET /sandbox/messages?chat_id=...``: what the bot sent to that chat."""
        try:
            chat_id = self.user_id_type(request.query["chat_id"])
        except (ValueError, KeyError) as error:
            return web.json_response({"ok": False, "error": repr(error)}, status=400)
        return web.json_response({"ok": True, "result": self.messages_to(chat_id)})


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body.

    python-telegram-bot posts forms (multipart when uploading) with non-string values
    JSON-encoded; the Zalo client posts JSON. Both platforms accept either.
    """
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, uploads
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: body must be a JSON object")
        return {**params, **body}, uploads
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            uploads[key] = Upload(value.filename, value.file.read(), value.content_type)
        else:
            params[key] = value
    return params, uploads


def main(sandbox_class: type[SandboxServer], port: int, argv: list[str] | None = None) -> None:
    """Run a sandbox on its own until interrupted; a user writes with ``curl``."""
    parser = argparse.ArgumentParser(description=f"{sandbox_class.__name__} on 127.0.0.1")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--no-rate-limits", action="store_true", help="never answer 429")
    args = parser.parse_args(argv)

    async def serve() -> None:
        lifted = dict.fromkeys(sandbox_class.rate_options) if args.no_rate_limits else {}
        sandbox = sandbox_class(token=args.token, **lifted)
        await sandbox.start(host=args.host, port=args.port)
        print(f"base_url: {sandbox.base_url}", flush=True)
        print(f"a user writes: curl -d '{{\"user_id\": 1001, \"text\": \"/start\"}}' "
              f"{sandbox.url}/sandbox/send", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await sandbox.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())

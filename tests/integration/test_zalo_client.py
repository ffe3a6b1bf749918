"""The real Zalo client against the in-memory sandbox on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.messengers.zalo.client import (
    ZaloBadRequest,
    ZaloChatNotFound,
    ZaloClient,
    ZaloConflict,
    ZaloDownloadTooLarge,
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloRecipientGone,
    ZaloServerError,
    ZaloUnauthorized,
    zalo_text_length,
)
from bot.messengers.zalo.sandbox import ZaloQuirks, ZaloSandbox

TOKEN = "111:sandbox-secret-abcdef"
# An hour-long poll: one that waited out its timeout would hang the test, not pass it slowly.
# A wait_for only keeps a broken build from hanging CI; it measures nothing.
HOUR = 3600
GUARD_SECONDS = 120
SECRET_PART = "sandbox-secret-abcdef"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


SandboxFactory = Callable[..., Awaitable[ZaloSandbox]]


@pytest.fixture
async def make_sandbox() -> AsyncIterator[SandboxFactory]:
    started: list[ZaloSandbox] = []

    async def factory(**options: Any) -> ZaloSandbox:
        options.setdefault("token", TOKEN)
        server = ZaloSandbox(**options)
        await server.start(host="127.0.0.1", port=0)
        started.append(server)
        return server

    yield factory
    for server in started:
        await server.stop()


# Both ways the platform may answer an error: code in the HTTP status, or HTTP 200 + body only.
@pytest.fixture(params=[False, True], ids=["http-status", "http-200"])
async def sandbox(request: pytest.FixtureRequest, make_sandbox: SandboxFactory) -> ZaloSandbox:
    return await make_sandbox(bot_name="isobot",
                              quirks=ZaloQuirks(errors_as_http_200=request.param))


@pytest.fixture
async def client(sandbox: ZaloSandbox) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(TOKEN, base_url=sandbox.base_url) as zalo:
        yield zalo


class WebhookReceiver:
    """A local aiohttp endpoint that records what the platform POSTs to it."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.requests: asyncio.Queue[tuple[dict[str, str], Any]] = asyncio.Queue()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        await self.requests.put((dict(request.headers), await request.json()))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.json_response({"ok": status == 200}, status=status)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks/zalo", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hooks/zalo"

    async def next_request(self) -> tuple[dict[str, str], Any]:
        return await asyncio.wait_for(self.requests.get(), timeout=GUARD_SECONDS)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    hook = WebhookReceiver()
    await hook.start()
    yield hook
    await hook.stop()


# ---------------------------------------------------------------------------------------------
# Basics
# ---------------------------------------------------------------------------------------------


async def test_get_me(client: ZaloClient) -> None:
    me = await client.get_me()
    assert me["id"] == "111"
    assert me["account_name"] == "isobot"


async def test_get_updates_returns_one_text_update_then_none(
    sandbox: ZaloSandbox, client: ZaloClient
) -> None:
    sent = sandbox.user_sends_text(user_id="u1", text="xin chao", display_name="Lan")

    update = await client.get_updates(timeout=5)

    assert update == sent
    assert update["event_name"] == "message.text.received"
    message = update["message"]
    assert message["text"] == "xin chao"
    assert message["chat"] == {"id": "u1", "chat_type": "PRIVATE"}
    assert message["from"] == {"id": "u1", "display_name": "Lan"}
    assert isinstance(message["message_id"], str)
    assert isinstance(message["date"], int) and message["date"] > 1_600_000_000_000  # ms

    assert await client.get_updates(timeout=0) is None  # the 408 empty poll


async def polls_waiting(sandbox: ZaloSandbox) -> None:
    """Return once the sandbox holds a getUpdates call open."""
    while sandbox.polls_waiting == 0:
        await asyncio.sleep(0.01)


async def test_long_poll_answers_as_soon_as_a_user_writes(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(max_poll_timeout=HOUR)
    async with ZaloClient(TOKEN, base_url=sandbox.base_url) as zalo:
        poll = asyncio.create_task(zalo.get_updates(timeout=HOUR))
        await polls_waiting(sandbox)  # the poll is held open before the user writes
        sandbox.user_sends_text(user_id="u2", text="alo")
        update = await asyncio.wait_for(poll, GUARD_SECONDS)

    assert update is not None and update["message"]["text"] == "alo"


async def test_get_updates_hands_over_one_update_per_call(
    sandbox: ZaloSandbox, client: ZaloClient
) -> None:
    first = sandbox.user_sends_text(user_id="u1", text="một")
    second = sandbox.user_sends_text(user_id="u1", text="hai")

    assert await client.get_updates(timeout=1) == first
    assert await client.get_updates(timeout=1) == second
    assert await client.get_updates(timeout=0) is None


async def test_replayed_update_arrives_twice(sandbox: ZaloSandbox, client: ZaloClient) -> None:
    update = sandbox.user_sends_text(user_id="u1", text="nộp báo cáo")
    sandbox.queue_update(update)

    assert await client.get_updates(timeout=1) == update
    assert await client.get_updates(timeout=1) == update


async def test_sticker_and_unsupported_events(sandbox: ZaloSandbox, client: ZaloClient) -> None:
    sandbox.user_sends_sticker(user_id="u1")
    sandbox.user_sends_unsupported(user_id="u1")

    sticker = await client.get_updates(timeout=1)
    unsupported = await client.get_updates(timeout=1)
    assert sticker is not None and sticker["event_name"] == "message.sticker.received"
    assert unsupported is not None and unsupported["event_name"] == "message.unsupported.received"


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------


async def test_send_message(sandbox: ZaloSandbox, client: ZaloClient) -> None:
    sandbox.user_sends_text(user_id="u1", text="xin chao")

    result = await client.send_message("u1", "Chào chị Lan")

    assert isinstance(result["message_id"], str) and isinstance(result["date"], int)
    received = await sandbox.next_message("u1", timeout=1)
    assert received["type"] == "text"
    assert received["text"] == "Chào chị Lan"
    assert received["message_id"] == result["message_id"]
    assert [m["text"] for m in sandbox.messages_to("u1")] == ["Chào chị Lan"]


async def test_send_photo(sandbox: ZaloSandbox, client: ZaloClient) -> None:
    sandbox.add_user("u1", "Lan")

    await client.send_photo("u1", "https://example.org/chart.png", caption="Biểu đồ tháng 5")

    photo = await sandbox.next_message("u1", timeout=1)
    assert photo["type"] == "photo"
    assert photo["photo"] == "https://example.org/chart.png"
    assert photo["caption"] == "Biểu đồ tháng 5"


async def test_text_over_2000_characters_is_refused_before_sending(
    sandbox: ZaloSandbox, client: ZaloClient
) -> None:
    sandbox.add_user("u1")

    with pytest.raises(ValueError, match="2000"):
        await client.send_message("u1", "a" * 2001)
    with pytest.raises(ValueError, match="empty"):
        await client.send_message("u1", "")
    with pytest.raises(ValueError, match="2000"):
        await client.send_photo("u1", "https://example.org/x.png", caption="b" * 2001)

    await client.send_message("u1", "a" * 2000)  # the limit itself is fine
    assert [len(m["text"]) for m in sandbox.messages_to("u1")] == [2000]


def test_text_length_counts_utf16_units() -> None:
    # Vietnamese letters are one unit each; an emoji outside the BMP is two.
    assert zalo_text_length("Chào chị") == 8
    assert zalo_text_length("ok👍") == 4


async def test_blocked_user_is_recipient_gone(sandbox: ZaloSandbox, client: ZaloClient) -> None:
    sandbox.user_sends_text(user_id="u1", text="xin chao")
    sandbox.block_bot("u1")

    with pytest.raises(ZaloForbidden) as caught:
        await client.send_message("u1", "Nhắc việc")

    assert isinstance(caught.value, ZaloRecipientGone)
    assert caught.value.code == 403
    assert sandbox.messages_to("u1") == []


async def test_unknown_chat_is_recipient_gone(client: ZaloClient) -> None:
    with pytest.raises(ZaloChatNotFound) as caught:
        await client.send_message("nobody", "Nhắc việc")

    assert isinstance(caught.value, ZaloRecipientGone)
    assert caught.value.code == 400


async def test_a_refusal_the_client_did_not_foresee_is_a_bad_request(
    sandbox: ZaloSandbox, client: ZaloClient
) -> None:
    sandbox.add_user("u1")
    sandbox.fail_next("sendMessage", status=400)
    with pytest.raises(ZaloBadRequest):
        await client.send_message("u1", "Nhắc việc")


# ---------------------------------------------------------------------------------------------
# Authentication and secrecy of the token
# ---------------------------------------------------------------------------------------------


async def test_wrong_token_is_unauthorized_and_never_shown(
    sandbox: ZaloSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "999:wrong-secret-0123456789"
    caplog.set_level(logging.DEBUG)

    async with ZaloClient(wrong, base_url=sandbox.base_url) as zalo:
        with pytest.raises(ZaloUnauthorized) as caught:
            await zalo.get_me()
        shown = f"{caught.value} {caught.value!r} {zalo!r}"

    assert caught.value.code == 401
    assert wrong not in shown and "wrong-secret-0123456789" not in shown
    # httpx logs every request URL at INFO; the token must be blanked there too.
    assert "HTTP Request" in caplog.text
    assert wrong not in caplog.text and "wrong-secret-0123456789" not in caplog.text
    assert "<redacted>" in caplog.text


async def test_network_error_does_not_leak_the_token(caplog: pytest.LogCaptureFixture) -> None:
    # A port nothing listens on: bind one, note it, close it.
    probe = ZaloSandbox(token=TOKEN)
    await probe.start()
    dead_base = probe.base_url
    await probe.stop()
    caplog.set_level(logging.DEBUG)

    async with ZaloClient(TOKEN, base_url=dead_base, timeout=2) as zalo:
        with pytest.raises(ZaloNetworkError) as caught:
            await zalo.send_message("u1", "alo")

    shown = f"{caught.value} {caught.value!r}"
    assert SECRET_PART not in shown and SECRET_PART not in caplog.text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_malformed_token_is_refused_without_echo() -> None:
    with pytest.raises(ValueError) as caught:
        ZaloClient("123:has space")
    assert "has space" not in str(caught.value)


# ---------------------------------------------------------------------------------------------
# Rate limits
# ---------------------------------------------------------------------------------------------


async def test_rate_limit_per_chat_with_fake_clock(make_sandbox: SandboxFactory) -> None:
    clock = FakeClock()
    sandbox = await make_sandbox(messages_per_second_per_chat=1, clock=clock)
    sandbox.add_user("u1")
    sandbox.add_user("u2")

    async with ZaloClient(TOKEN, base_url=sandbox.base_url) as zalo:
        await zalo.send_message("u1", "một")
        with pytest.raises(ZaloRateLimited) as caught:
            await zalo.send_message("u1", "hai")
        await zalo.send_message("u2", "another chat has its own budget")

        clock.advance(0.5)
        with pytest.raises(ZaloRateLimited):
            await zalo.send_message("u1", "hai")
        clock.advance(0.5)
        await zalo.send_message("u1", "hai")

    assert caught.value.code == 429
    assert caught.value.retry_after == 1
    assert [m["text"] for m in sandbox.messages_to("u1")] == ["một", "hai"]


async def test_rate_limit_per_bot_with_fake_clock(make_sandbox: SandboxFactory) -> None:
    clock = FakeClock()
    sandbox = await make_sandbox(messages_per_second=2, clock=clock,
                                 quirks=ZaloQuirks(errors_as_http_200=True))
    for user in ("a", "b", "c"):
        sandbox.add_user(user)

    async with ZaloClient(TOKEN, base_url=sandbox.base_url) as zalo:
        await zalo.send_message("a", "1")
        await zalo.send_message("b", "2")
        with pytest.raises(ZaloRateLimited) as caught:
            await zalo.send_message("c", "3")
        clock.advance(1.0)
        await zalo.send_message("c", "3")

    assert caught.value.retry_after == 1


# ---------------------------------------------------------------------------------------------
# Webhook
# ---------------------------------------------------------------------------------------------


async def test_webhook_delivers_with_secret_header(
    sandbox: ZaloSandbox, client: ZaloClient, receiver: WebhookReceiver
) -> None:
    result = await client.set_webhook(receiver.url, "webhook-secret-123")
    assert result["url"] == receiver.url
    assert sandbox.webhook_url == receiver.url

    update = sandbox.user_sends_text(user_id="u1", text="qua webhook")
    headers, body = await receiver.next_request()

    assert headers["X-Bot-Api-Secret-Token"] == "webhook-secret-123"
    assert body == update

    # Long polling is off while a webhook is set, and back on once it is deleted.
    with pytest.raises(ZaloConflict):
        await client.get_updates(timeout=0)
    await client.delete_webhook()
    assert sandbox.webhook_url is None
    later = sandbox.user_sends_text(user_id="u1", text="lại polling")
    assert await client.get_updates(timeout=1) == later


async def test_webhook_retries_non_2xx_so_duplicates_happen(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(webhook_retry_delay=0.01)
    hook = WebhookReceiver(statuses=[500])
    await hook.start()
    try:
        async with ZaloClient(TOKEN, base_url=sandbox.base_url) as zalo:
            await zalo.set_webhook(hook.url, "webhook-secret-123")
        update = sandbox.user_sends_text(user_id="u1", text="gửi lại")

        first = await hook.next_request()
        second = await hook.next_request()
    finally:
        await hook.stop()

    assert first[1] == update and second[1] == update
    assert [a["status"] for a in sandbox.webhook_attempts] == [500, 200]


async def test_webhook_secret_length_checked_client_side(client: ZaloClient) -> None:
    with pytest.raises(ValueError, match="8"):
        await client.set_webhook("https://example.org/hook", "short")
    with pytest.raises(ValueError):
        await client.set_webhook("https://example.org/hook", "x" * 257)


# ---------------------------------------------------------------------------------------------
# Photos and downloads
# ---------------------------------------------------------------------------------------------


async def test_photo_update_url_downloads_the_same_bytes(
    sandbox: ZaloSandbox, client: ZaloClient
) -> None:
    content = bytes(range(256)) * 40
    sandbox.user_sends_photo(user_id="u1", content=content, caption="123/BC-UBND")

    update = await client.get_updates(timeout=1)

    assert update is not None and update["event_name"] == "message.image.received"
    message = update["message"]
    assert message["caption"] == "123/BC-UBND"
    assert message["photo"] == message["photo_url"]
    assert await client.download(message["photo"]) == content


async def test_photo_keys_can_be_narrowed(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(quirks=ZaloQuirks(photo_keys=("photo_url",)))
    update = sandbox.user_sends_photo(user_id="u1", content=b"jpeg")
    assert "photo" not in update["message"] and "photo_url" in update["message"]


async def test_download_over_the_limit_raises(sandbox: ZaloSandbox, client: ZaloClient) -> None:
    sandbox.user_sends_photo(user_id="u1", content=b"x" * 4096)
    update = await client.get_updates(timeout=1)
    assert update is not None

    with pytest.raises(ZaloDownloadTooLarge) as caught:
        await client.download(update["message"]["photo"], max_bytes=1024)
    assert caught.value.max_bytes == 1024


async def test_download_stops_reading_an_endless_stream() -> None:
    sent_chunks = 0
    total_chunks = 10_000  # 640 MB if it were all read

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal sent_chunks
        response = web.StreamResponse()  # no Content-Length: chunked
        await response.prepare(request)
        try:
            for _ in range(total_chunks):
                await response.write(b"\0" * 65536)
                sent_chunks += 1
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    app = web.Application()
    app.router.add_get("/big", endless)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        async with ZaloClient(TOKEN) as zalo:
            with pytest.raises(ZaloDownloadTooLarge):
                await zalo.download(f"http://127.0.0.1:{port}/big", max_bytes=256 * 1024)
    finally:
        await runner.cleanup()
    assert sent_chunks < total_chunks


async def test_download_of_a_missing_file(sandbox: ZaloSandbox, client: ZaloClient) -> None:
    with pytest.raises(ZaloError) as caught:
        await client.download(f"{sandbox.url}/files/nope.jpg")
    assert caught.value.code == 404


# ---------------------------------------------------------------------------------------------
# Sandbox driver details
# ---------------------------------------------------------------------------------------------


async def test_next_message_times_out_cleanly(sandbox: ZaloSandbox) -> None:
    with pytest.raises(TimeoutError, match="u1"):
        await sandbox.next_message("u1", timeout=0.05)


async def test_stop_ends_a_pending_long_poll(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(max_poll_timeout=HOUR)
    async with ZaloClient(TOKEN, base_url=sandbox.base_url) as zalo:
        poll = asyncio.create_task(zalo.get_updates(timeout=HOUR))
        await polls_waiting(sandbox)
        await sandbox.stop()
        assert await asyncio.wait_for(poll, GUARD_SECONDS) is None


async def test_passed_in_http_client_stays_open(sandbox: ZaloSandbox) -> None:
    async with httpx.AsyncClient() as http:
        async with ZaloClient(TOKEN, base_url=sandbox.base_url, http_client=http) as zalo:
            await zalo.get_me()
        assert not http.is_closed


# ---------------------------------------------------------------------------------------------
# Error mapping for answers the sandbox does not produce
# ---------------------------------------------------------------------------------------------


def _client_answering(status: int, body: Any, headers: dict[str, str] | None = None) -> ZaloClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return ZaloClient(TOKEN, base_url="https://zalo.test/bot", http_client=http)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (502, b"<html>Bad Gateway</html>", ZaloServerError),
        (200, {"ok": False, "error_code": 500, "description": "Internal error"}, ZaloServerError),
        (400, {"ok": False, "error_code": 400, "description": "User not found"}, ZaloChatNotFound),
        (400, {"ok": False, "error_code": 400, "description": "Invalid user id"}, ZaloChatNotFound),
        (400, {"ok": False, "error_code": 400, "description": "text is empty"}, ZaloBadRequest),
        (403, {"ok": False, "error_code": 403, "description": "Forbidden"}, ZaloForbidden),
        (200, {"ok": False, "error_code": 401, "description": "Unauthorized"}, ZaloUnauthorized),
        (404, {"ok": False, "error_code": 404, "description": "Not Found"}, ZaloError),
    ],
)
async def test_error_mapping(status: int, body: Any, expected: type[ZaloError]) -> None:
    async with _client_answering(status, body) as zalo:
        with pytest.raises(expected) as caught:
            await zalo.send_message("u1", "alo")
    assert type(caught.value) is expected


async def test_rate_limit_without_retry_after_and_with_header() -> None:
    body = {"ok": False, "error_code": 429, "description": "Too many requests"}
    async with _client_answering(429, body) as zalo:
        with pytest.raises(ZaloRateLimited) as caught:
            await zalo.send_message("u1", "alo")
    assert caught.value.retry_after is None

    async with _client_answering(429, body, headers={"Retry-After": "7"}) as zalo:
        with pytest.raises(ZaloRateLimited) as caught:
            await zalo.send_message("u1", "alo")
    assert caught.value.retry_after == 7


async def test_server_description_echoing_the_token_is_redacted() -> None:
    body = {"ok": False, "error_code": 400, "description": f"bad path /bot{TOKEN}/sendMessage"}
    async with _client_answering(400, body) as zalo:
        with pytest.raises(ZaloBadRequest) as caught:
            await zalo.send_message("u1", "alo")
    assert SECRET_PART not in str(caught.value)

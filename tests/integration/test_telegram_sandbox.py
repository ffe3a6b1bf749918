"""The Telegram sandbox driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.sandbox.telegram_server import TelegramSandbox

TOKEN = "123456:TEST-token"
WALL_TIME = 1_767_225_600.0  # 2026-01-01T00:00:00Z


class FakeClock:
    """Monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sandbox(clock: FakeClock) -> AsyncIterator[TelegramSandbox]:
    server = TelegramSandbox(
        token=TOKEN,
        bot_username="isobot_sandbox_bot",
        clock=clock,
        wall_clock=lambda: WALL_TIME,
        webhook_retry_delay=0,
    )
    await server.start(host="127.0.0.1", port=0)
    try:
        yield server
    finally:
        await server.stop()


def make_bot(server: TelegramSandbox, token: str = TOKEN) -> Bot:
    return Bot(token, base_url=server.base_url, base_file_url=server.base_file_url)


@pytest.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[Bot]:
    async with make_bot(sandbox) as client:
        yield client


@pytest.fixture
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # Opt in to PTB's future RetryAfter.retry_after type so no deprecation warning is raised.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def test_get_me(bot: Bot, sandbox: TelegramSandbox) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "isobot_sandbox_bot"
    assert sandbox.base_url == f"http://127.0.0.1:{sandbox.port}/bot"


async def test_get_updates_returns_text_and_offset_confirms(
    bot: Bot, sandbox: TelegramSandbox
) -> None:
    sent = sandbox.user_sends_text(user_id=1001, text="/start abc", first_name="Lan")

    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [sent["update_id"]]
    message = updates[0].message
    assert message is not None
    assert message.text == "/start abc"
    assert message.chat.id == 1001
    assert message.chat.type == "private"
    assert message.from_user is not None and message.from_user.first_name == "Lan"
    assert message.date == dtm.datetime.fromtimestamp(WALL_TIME, tz=dtm.UTC)
    # CommandHandler needs the bot_command entity Telegram adds.
    assert message.parse_entities(["bot_command"]) == {message.entities[0]: "/start"}

    # Unconfirmed updates are delivered again; offset confirms them.
    assert len(await bot.get_updates(timeout=0)) == 1
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert sandbox.pending_updates == []


async def test_long_poll_returns_as_soon_as_user_writes(bot: Bot, sandbox: TelegramSandbox) -> None:
    loop = asyncio.get_running_loop()
    loop.call_later(0.05, sandbox.user_sends_text, 1001, "xin chào")
    started = loop.time()
    updates = await bot.get_updates(timeout=3)
    assert loop.time() - started < 2
    assert updates[0].message is not None and updates[0].message.text == "xin chào"


async def test_ptb_application_polls_and_replies(sandbox: TelegramSandbox) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        await update.effective_message.reply_text(
            f"Chào {update.effective_user.first_name}, mã {' '.join(context.args or [])}"
        )

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        sandbox.user_sends_text(1001, "/start abc", first_name="Lan")
        reply = await sandbox.next_message(1001, timeout=5)
        await app.updater.stop()
        await app.stop()
    assert reply["text"] == "Chào Lan, mã abc"
    assert sandbox.pending_updates == []


async def test_inline_keyboard_callback_flow(bot: Bot, sandbox: TelegramSandbox) -> None:
    sandbox.user_sends_text(1001, "/start")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Đã xong", callback_data="done:42")]])
    sent = await bot.send_message(
        1001, "<b>Nhắc việc</b> &amp; hạn", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    assert sent.text == "Nhắc việc & hạn"
    record = await sandbox.next_message(1001, timeout=1)
    assert record["text"] == "<b>Nhắc việc</b> &amp; hạn"
    assert record["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "done:42"

    sandbox.user_presses_button(1001, message_id=sent.message_id, callback_data="done:42")
    updates = await bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert query is not None
    assert query.data == "done:42"
    assert query.message is not None and query.message.message_id == sent.message_id

    assert await bot.answer_callback_query(query.id, text="Đã ghi nhận") is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    edited = await bot.edit_message_text("Đã hoàn thành", chat_id=1001, message_id=sent.message_id)
    assert edited.text == "Đã hoàn thành"
    assert edited.edit_date is not None

    [stored] = sandbox.messages_to(1001)
    assert stored["edited"] and stored["text"] == "Đã hoàn thành"
    assert stored["reply_markup"] is None  # an edit without reply_markup drops the keyboard
    assert stored["history"][0]["text"] == "<b>Nhắc việc</b> &amp; hạn"
    assert sandbox.callback_answers[0]["text"] == "Đã ghi nhận"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Đã hoàn thành", chat_id=1001, message_id=sent.message_id)


async def test_send_document_then_download_same_bytes(
    bot: Bot, sandbox: TelegramSandbox, clock: FakeClock
) -> None:
    sandbox.user_sends_text(1001, "/report")
    content = b"PK\x03\x04 fake xlsx \x00\xff" * 100
    message = await bot.send_document(
        1001, document=content, filename="bao_cao.xlsx", caption="Báo cáo tháng"
    )
    assert message.document is not None
    assert message.document.file_name == "bao_cao.xlsx"
    assert message.caption == "Báo cáo tháng"

    tg_file = await bot.get_file(message.document.file_id)
    assert tg_file.file_size == len(content)
    assert bytes(await tg_file.download_as_bytearray()) == content
    assert sandbox.file_content(message.document.file_id) == content

    # Re-sending by file_id does not upload again.
    clock.advance(1)
    resent = await bot.send_document(1001, document=message.document.file_id)
    assert resent.document is not None and resent.document.file_id == message.document.file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(1001, document="no-such-file-id")


async def test_send_photo_upload(bot: Bot, sandbox: TelegramSandbox) -> None:
    sandbox.user_sends_text(1001, "/chart")
    message = await bot.send_photo(1001, photo=b"\x89PNG fake", caption="Biểu đồ")
    assert message.photo and message.photo[-1].file_size == len(b"\x89PNG fake")
    assert sandbox.messages_to(1001)[-1]["method"] == "sendPhoto"


async def test_user_document_round_trip(bot: Bot, sandbox: TelegramSandbox) -> None:
    content = "Quy trình kiểm soát tài liệu".encode() * 50
    sandbox.user_sends_document(1001, filename="qt-01.pdf", content=content, caption="Nộp")
    sandbox.user_sends_photo(1001, content=b"jpeg-bytes")
    updates = await bot.get_updates(timeout=0)
    document = updates[0].message.document if updates[0].message else None
    assert document is not None
    assert document.file_name == "qt-01.pdf"
    assert document.mime_type == "application/pdf"
    assert updates[0].message is not None and updates[0].message.caption == "Nộp"

    downloaded = await (await bot.get_file(document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == content

    photo_message = updates[1].message
    assert photo_message is not None and photo_message.photo
    photo_file = await photo_message.photo[-1].get_file()
    assert bytes(await photo_file.download_as_bytearray()) == b"jpeg-bytes"


async def test_file_over_20_mb_cannot_be_fetched(bot: Bot, sandbox: TelegramSandbox) -> None:
    sandbox.user_sends_document(
        1001, filename="scan.pdf", content=b"%PDF", size_override=25 * 1024 * 1024
    )
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.document is not None
    assert update.message.document.file_size == 25 * 1024 * 1024
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(update.message.document.file_id)


@pytest.mark.usefixtures("ptb_timedelta")
async def test_private_chat_one_message_per_second(
    bot: Bot, sandbox: TelegramSandbox, clock: FakeClock
) -> None:
    sandbox.user_sends_text(1001, "/start")
    first = await bot.send_message(1001, "một")
    clock.advance(0.5)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1001, "hai")
    assert caught.value.retry_after >= dtm.timedelta(seconds=1)

    # Edits are not counted, other chats are not affected, and time heals.
    await bot.edit_message_text("một (sửa)", chat_id=1001, message_id=first.message_id)
    sandbox.user_sends_text(1002, "/start")
    await bot.send_message(1002, "khác")
    clock.advance(0.5)
    await bot.send_message(1001, "hai")
    assert [m["text"] for m in sandbox.messages_to(1001)] == ["một (sửa)", "hai"]


@pytest.mark.usefixtures("ptb_timedelta")
async def test_31st_message_in_one_second_across_chats(
    bot: Bot, sandbox: TelegramSandbox, clock: FakeClock
) -> None:
    for user_id in range(2000, 2031):
        sandbox.add_user(user_id)
    for user_id in range(2000, 2030):
        await bot.send_message(user_id, "thông báo")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(2030, "thông báo")
    assert caught.value.retry_after >= dtm.timedelta(seconds=1)
    clock.advance(1)
    await bot.send_message(2030, "thông báo")
    assert len(sandbox.all_sent) == 31


@pytest.mark.usefixtures("ptb_timedelta")
async def test_group_chat_twenty_messages_per_minute(
    bot: Bot, sandbox: TelegramSandbox, clock: FakeClock
) -> None:
    sandbox.user_sends_text(1001, "/start@isobot_sandbox_bot", chat_id=-100123)
    for _ in range(20):
        await bot.send_message(-100123, "nhắc")
        clock.advance(1)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(-100123, "nhắc")
    assert caught.value.retry_after == dtm.timedelta(seconds=40)
    clock.advance(40)
    await bot.send_message(-100123, "nhắc")


async def test_rate_limits_can_be_disabled(clock: FakeClock) -> None:
    server = TelegramSandbox(
        token=TOKEN, clock=clock, global_per_second=None, private_chat_per_second=None
    )
    async with server, make_bot(server) as client:
        server.add_user(1001)
        for _ in range(5):
            await client.send_message(1001, "nhanh")
    assert len(server.all_sent) == 5


async def test_blocked_user_is_forbidden(bot: Bot, sandbox: TelegramSandbox) -> None:
    sandbox.user_sends_text(1001, "/start")
    sandbox.block_bot(1001)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(1001, "nhắc việc")
    # Pressing "Restart" in the client unblocks the bot again.
    sandbox.user_sends_text(1001, "/start")
    await bot.send_message(1001, "nhắc việc")


async def test_unknown_chat_is_bad_request(bot: Bot, sandbox: TelegramSandbox) -> None:
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await bot.send_message(424242, "ai đó?")
    # A user seen only in a group never started the bot privately.
    sandbox.user_sends_text(1005, "hello", chat_id=-77)
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(1005, "riêng")


async def test_wrong_token_is_rejected(sandbox: TelegramSandbox) -> None:
    with pytest.raises(InvalidToken):
        async with make_bot(sandbox, token="999:WRONG"):
            pass


async def test_validation_errors(bot: Bot, sandbox: TelegramSandbox) -> None:
    sandbox.user_sends_text(1001, "/start")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1001, "a" * 4097)
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(1001, "chọn", reply_markup=too_long_data)
    with pytest.raises(BadRequest, match=r"(?i)Unsupported start tag"):
        await bot.send_message(1001, "dòng 1<br>dòng 2", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Can't find end tag"):
        await bot.send_message(1001, "<b>đậm", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(1001, "Hạn: 31.01.2026", parse_mode=ParseMode.MARKDOWN_V2)
    await bot.send_message(1001, r"*Hạn:* 31\.01\.2026", parse_mode=ParseMode.MARKDOWN_V2)
    # Exactly 4096 characters (after HTML entities) is fine.
    sandbox.reset_rate_limits()
    await bot.send_message(1001, "<i>" + "&amp;" * 4096 + "</i>", parse_mode=ParseMode.HTML)
    assert len(sandbox.messages_to(1001)) == 2


async def test_webhook_posts_with_secret_header(sandbox: TelegramSandbox, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    answers = [500, 200]

    async def handle(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=answers.pop(0) if answers else 200)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cr3t-_")
        info = await bot.get_webhook_info()
        assert info.url == f"http://127.0.0.1:{port}/hook"
        with pytest.raises(Conflict, match=r"(?i)webhook is active"):
            await bot.get_updates(timeout=0)

        update = sandbox.user_sends_text(1001, "/start")
        await sandbox.wait_webhook_idle(timeout=5)
        # The first answer was 500, so Telegram-style retry delivers the update twice.
        assert [secret for secret, _ in received] == ["s3cr3t-_", "s3cr3t-_"]
        assert [body["update_id"] for _, body in received] == [update["update_id"]] * 2
        assert [entry["status"] for entry in sandbox.webhook_log] == [500, 200]
        assert (await bot.get_webhook_info()).pending_update_count == 0

        assert await bot.delete_webhook()
        sandbox.user_sends_text(1001, "sau webhook")
        updates = await bot.get_updates(timeout=0)
        assert updates[0].message is not None and updates[0].message.text == "sau webhook"
    finally:
        await runner.cleanup()


async def test_replayed_update_is_delivered_twice(bot: Bot, sandbox: TelegramSandbox) -> None:
    update = sandbox.user_sends_text(1001, "/done 7")
    first = await bot.get_updates(timeout=0)
    await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    sandbox.queue_update(update)
    [again] = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert again.update_id == update["update_id"]
    assert again.message is not None and again.message.text == "/done 7"


async def test_set_my_commands_is_stored(bot: Bot, sandbox: TelegramSandbox) -> None:
    commands = [BotCommand("start", "Bắt đầu"), BotCommand("nhacviec", "Nhắc việc ISO")]
    assert await bot.set_my_commands(commands, language_code="vi")
    assert await bot.set_my_commands(
        [BotCommand("help", "Help")], scope=BotCommandScopeAllPrivateChats()
    )
    assert sandbox.commands(language_code="vi") == [
        {"command": "start", "description": "Bắt đầu"},
        {"command": "nhacviec", "description": "Nhắc việc ISO"},
    ]
    assert sandbox.commands(scope={"type": "all_private_chats"})[0]["command"] == "help"
    assert await bot.get_my_commands(language_code="vi") == tuple(commands)
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])


async def test_next_message_times_out_with_context(sandbox: TelegramSandbox) -> None:
    with pytest.raises(TimeoutError, match="no new message to chat 1001"):
        await sandbox.next_message(1001, timeout=0.05)


async def test_raw_http_json_unknown_method_and_driver(sandbox: TelegramSandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        sandbox.add_user(1001)
        ok = await client.post(
            f"/bot{TOKEN}/sendmessage", json={"chat_id": "1001", "text": "JSON body"}
        )
        assert ok.json()["result"]["text"] == "JSON body"
        missing = await client.get(f"/bot{TOKEN}/noSuchMethod")
        assert missing.status_code == 404
        assert missing.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        wrong = await client.get("/bot1:nope/getMe")
        assert wrong.status_code == 401
        assert wrong.json()["description"] == "Unauthorized"

        driven = await client.post("/sandbox/send", json={"user_id": 1001, "text": "/help"})
        assert driven.json()["result"]["message"]["text"] == "/help"
        listed = await client.get("/sandbox/messages", params={"chat_id": 1001})
        assert [m["text"] for m in listed.json()["result"]] == ["JSON body"]

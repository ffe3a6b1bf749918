"""Delivery's way to Zalo: the real client against the sandbox, errors mapped to delivery's."""

from __future__ import annotations

import socket

import pytest

from bot.messengers.zalo.adapter import ZaloTransport
from bot.messengers.zalo.client import MAX_TEXT_LENGTH, ZaloClient, zalo_text_length
from bot.messengers.zalo.sandbox import ZaloSandbox
from jobs.delivery.messages import Choice, Message
from jobs.delivery.transport import (
    RecipientUnreachable,
    RetryLater,
    TemporaryFailure,
    Undeliverable,
)

TOKEN = "333:transport-sandbox-token"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def zalo():
    clock = FakeClock()
    sandbox = ZaloSandbox(token=TOKEN, messages_per_second_per_chat=1, clock=clock)
    await sandbox.start(host="127.0.0.1", port=0)
    sandbox.add_user("u1", "Lan")
    client = ZaloClient(TOKEN, base_url=sandbox.base_url)
    yield sandbox, ZaloTransport(client), clock
    await client.aclose()
    await sandbox.stop()


async def test_a_message_with_choices_is_sent_as_text_with_a_numbered_line(zalo):
    sandbox, transport, _ = zalo
    message_id = await transport.send("u1", Message(
        "Nhắc việc", (Choice("done:1", "Submitted"), Choice("later:1", "Remind me later")),
        lang="en"))
    [sent] = sandbox.messages_to("u1")
    assert sent["message_id"] == message_id
    assert sent["text"] == "Nhắc việc\n\nReply 1 – Submitted, 2 – Remind me later"


async def test_a_3000_character_message_arrives_in_parts_within_the_limit(zalo):
    sandbox, transport, _ = zalo
    sandbox.messages_per_second_per_chat = None
    line = "Đề nghị Thường trực Ban chỉ đạo ISO tổng hợp kết quả khắc phục điểm không phù hợp."
    text = "\n".join([line] * 36)  # 3,023 characters
    await transport.send("u1", Message(text))
    parts = [m["text"] for m in sandbox.messages_to("u1")]
    assert len(parts) == 2
    assert all(zalo_text_length(p) <= MAX_TEXT_LENGTH for p in parts)
    assert "\n".join(parts) == text  # cut between lines: nothing broken, nothing lost


async def test_the_per_chat_limit_asks_to_retry_later(zalo):
    _, transport, clock = zalo
    await transport.send("u1", Message("một"))
    with pytest.raises(RetryLater) as raised:
        await transport.send("u1", Message("hai"))
    assert raised.value.retry_after >= 1
    clock.now += 1.5
    await transport.send("u1", Message("hai"))


async def test_a_blocked_or_unknown_recipient_is_only_maybe_gone(zalo):
    # Zalo documents 403 as an internal server error and no code for a blocked user: a
    # refusal is retried, never taken as proof (delivery judges a lasting one).
    sandbox, transport, _ = zalo
    sandbox.block_bot("u1")
    with pytest.raises(RecipientUnreachable):
        await transport.send("u1", Message("xin chào"))
    with pytest.raises(RecipientUnreachable):
        await transport.send("nobody", Message("xin chào"))


async def test_a_dead_server_is_a_temporary_failure():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    client = ZaloClient(TOKEN, base_url=f"http://127.0.0.1:{port}/bot")
    try:
        with pytest.raises(TemporaryFailure):
            await ZaloTransport(client).send("u1", Message("xin chào"))
    finally:
        await client.aclose()


async def test_a_refused_token_is_retried_and_a_malformed_message_refused_for_good(zalo):
    sandbox, transport, _ = zalo
    sandbox.token = "333:another-token"  # the bot's token no longer accepted
    with pytest.raises(TemporaryFailure):  # the operator's to fix: kept for a retry
        await transport.send("u1", Message("xin chào"))
    sandbox.token = TOKEN
    with pytest.raises(Undeliverable):
        await transport.send("", Message("xin chào"))  # no chat id: can never be sent

"""Webhook mode: Telegram posts updates to the bot, which checks the secret on every request."""

import socket

import aiohttp
import pytest
from sqlmodel import select

from storage.db import session_scope
from storage.models import Member, Role
from tests.conftest import at
from tests.support.telegram import invite, running_bot

SECRET = "webhook-secret-3b1f9c"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def bot(engine, catalog):
    port = free_port()
    async with running_bot(
            engine, catalog, at("2026-11-30 09:00"), webhook_base_url=f"http://127.0.0.1:{port}",
            webhook_secret=SECRET, webhook_listen="127.0.0.1", webhook_port=port) as harness:
        harness.port = port
        harness.sandbox.add_user(4242, "Mallory")  # the author of the hand-made updates below
        yield harness


def start_update(code: str, update_id: int = 777) -> dict:
    user = {"id": 4242, "is_bot": False, "first_name": "Mallory"}
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": 1795000000, "chat": {"id": 4242, "type": "private"},
        "from": user, "text": f"/start {code}",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


def members(engine) -> list[Member]:
    with session_scope(engine) as session:
        return session.exec(select(Member)).all()


async def test_updates_arrive_by_webhook_with_the_secret(bot, engine):
    assert bot.sandbox.webhook_url == f"http://127.0.0.1:{bot.port}/telegram"
    assert bot.sandbox.webhook_secret == SECRET
    code = invite(engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now())
    greeting = await bot.say(1001, f"/start {code}", first_name="Lan")
    assert "UBND xã Đức Tân" in greeting["text"]
    assert [m.platform_user_id for m in members(engine)] == ["1001"]


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret"}])
async def test_a_request_without_the_right_secret_is_refused_and_not_processed(
        bot, engine, headers):
    code = invite(engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now())
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"http://127.0.0.1:{bot.port}/telegram",
                                   json=start_update(code), headers=headers)
        assert response.status == 403
    assert members(engine) == []
    # The same update with the secret goes through: the code was not spent by the refused one.
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"http://127.0.0.1:{bot.port}/telegram",
                                   json=start_update(code),
                                   headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert response.status == 200
    await bot.settle()  # answered 200 once stored; handled just after
    assert [m.platform_user_id for m in members(engine)] == ["4242"]


async def test_the_same_update_posted_twice_is_processed_once(bot, engine):
    code = invite(engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now())
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        for _ in range(2):
            response = await http.post(f"http://127.0.0.1:{bot.port}/telegram",
                                       json=start_update(code, update_id=900), headers=headers)
            assert response.status == 200
    await bot.settle()
    replies = bot.sandbox.messages_to(4242)
    assert len(replies) == 1  # a second "/start" would have said the code was already used

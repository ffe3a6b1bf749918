"""Webhook mode on Zalo: the platform posts updates to /zalo, which checks the secret each time."""

from __future__ import annotations

import aiohttp
import pytest
from sqlmodel import select

from bot.messengers.zalo.sandbox import ZaloQuirks
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Inbox, Member, Role
from tests.acceptance.test_telegram_webhook import free_port
from tests.conftest import at
from tests.support.telegram import invite, load_sample_units
from tests.support.zalo import start_zalo_harness

SECRET = "zalo-webhook-secret-7c2e"
vi = translator("vi")


@pytest.fixture
async def bot(engine, catalog, request):
    load_sample_units(engine, at("2026-11-30 07:00"))
    port = free_port()
    harness = await start_zalo_harness(
        engine, catalog, at("2026-11-30 09:00"), sandbox_options=getattr(request, "param", {}),
        webhook_base_url=f"http://127.0.0.1:{port}", webhook_secret=SECRET,
        webhook_listen="127.0.0.1", webhook_port=port)
    harness.port = port
    harness.sandbox.add_user("m4242", "Mallory")  # the author of the hand-made updates below
    yield harness
    await harness.stop()


def start_update(code: str, message_id: str = "0000000000000000abcd") -> dict:
    return {"event_name": "message.text.received", "message": {
        "message_id": message_id, "date": 1795000000000, "text": f"/start {code}",
        "chat": {"id": "m4242", "chat_type": "PRIVATE"},
        "from": {"id": "m4242", "display_name": "Mallory"}}}


def members(engine) -> list[str]:
    with session_scope(engine) as session:
        return [m.platform_user_id for m in session.exec(select(Member))]


async def post(bot, body: dict, headers: dict) -> int:
    async with aiohttp.ClientSession() as http, http.post(
            f"http://127.0.0.1:{bot.port}/zalo", json=body, headers=headers) as response:
        return response.status


@pytest.mark.parametrize("bot", [{}, {"quirks": ZaloQuirks(wrap_webhook_payload=True)}],
                         indirect=True,
                         ids=["bare", "wrapped"])
async def test_updates_arrive_by_webhook_with_the_secret(bot, engine):
    assert bot.sandbox.webhook == {"url": f"http://127.0.0.1:{bot.port}/zalo",
                                   "secret_token": SECRET}
    code = invite(engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now())
    greeting = await bot.say("u1001", f"/start {code}", name="Lan")
    assert greeting.startswith(vi._("Welcome, {name}!").format(name="Lan"))
    assert members(engine) == ["u1001"]


@pytest.mark.parametrize("headers", [{}, {"X-Bot-Api-Secret-Token": "wrong-secret-123"},
                                     {"X-Telegram-Bot-Api-Secret-Token": SECRET}],
                         ids=["missing", "wrong", "other-header"])
async def test_a_request_without_the_right_secret_is_refused_and_not_processed(
        bot, engine, headers):
    code = invite(engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now())
    assert await post(bot, start_update(code), headers) == 403
    assert members(engine) == []
    assert bot.sandbox.messages_to("m4242") == []
    # The same update with the secret goes through: the code was not spent by the refused one.
    assert await post(bot, start_update(code), {"X-Bot-Api-Secret-Token": SECRET}) == 200
    await bot.settle()  # answered 200 once stored; handled just after
    assert members(engine) == ["m4242"]


async def test_the_same_update_posted_twice_is_processed_once(bot, engine):
    code = invite(engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now())
    headers = {"X-Bot-Api-Secret-Token": SECRET}
    for body in (start_update(code), {"ok": True, "result": start_update(code)}):
        assert await post(bot, body, headers) == 200
    await bot.settle()
    assert len(bot.sandbox.messages_to("m4242")) == 1  # a second "/start" would say "used"


async def test_a_body_that_is_not_an_update_is_answered_and_dropped(bot, engine):
    # 200, or the platform would post it again and again; nothing is stored or answered.
    headers = {"X-Bot-Api-Secret-Token": SECRET}
    assert await post(bot, {"ok": True, "result": "nothing"}, headers) == 200
    assert await post(bot, {"hello": "world"}, headers) == 200
    with session_scope(engine) as session:
        assert session.exec(select(Inbox)).all() == []
    assert bot.sandbox.all_sent == []

"""The health and metrics endpoints of a running bot (in-process, against the Telegram sandbox):
what /readyz names, and what /metrics counts."""

from __future__ import annotations

import asyncio
import datetime as dt

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram import Bot

from bot.messengers.telegram.adapter import TelegramTransport
from bot.messengers.telegram.messenger import LIMITS
from bot.messengers.telegram.sandbox import TelegramSandbox
from bot.runtime.health import HealthServer
from bot.runtime.metrics import Metrics
from jobs.delivery.deliverer import Deliverer, Pace
from jobs.delivery.messages import Message
from storage.db import session_scope
from storage.members import accounts
from storage.models import Role
from storage.outbox import enqueue
from tests.conftest import at
from tests.support.delivery import FakeTime, seed
from tests.support.telegram import TOKEN, UNLIMITED, running_bot

START = at("2026-12-01 08:00")


def samples(exposition: bytes) -> dict[tuple[str, str], float]:
    """(name, messenger label) -> value, as Prometheus parses the text; the name of a durable
    queue's counter carries its queue label: ``isobot_queue_parked_total{queue="inbox"}``."""
    return {(s.name + (f'{{queue="{s.labels["queue"]}"}}' if "queue" in s.labels else ""),
             s.labels.get("messenger", "")): s.value
            for family in text_string_to_metric_families(exposition.decode())
            for s in family.samples}


@pytest.fixture
async def health(engine, catalog):
    async with running_bot(engine, catalog, START, health_port=0,
                           ready_outbox_minutes=10) as harness:
        server = HealthServer(harness.runtime)
        await server.start()
        async with aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as http:
            yield harness, http
        await server.stop()


async def ask(http: aiohttp.ClientSession, path: str) -> tuple[int, dict]:
    async with http.get(path) as response:
        return response.status, await response.json()


async def test_readiness_names_a_message_waiting_too_long(health):
    harness, http = health
    await harness.register(1001, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await harness.drain(1001)
    with session_scope(harness.engine) as session:
        member = accounts(session, platform="telegram", user_id="1001")[0][0]
        enqueue(session, key="test:waiting", member=member, kind="notice",
                payload=Message("Kính gửi anh/chị").to_payload(), now=START)
    assert await ask(http, "/readyz") == (200, {"status": "ready"})
    harness.clock.set(START + dt.timedelta(minutes=11))  # nobody delivered for 11 minutes
    status, body = await ask(http, "/readyz")
    assert status == 503 and list(body["problems"]) == ["outbox"]
    assert "telegram" in body["problems"]["outbox"] and "660 s" in body["problems"]["outbox"]
    await harness.runtime.deliver_now()
    assert await ask(http, "/readyz") == (200, {"status": "ready"})


async def test_readiness_names_a_messenger_that_is_not_connected(health):
    harness, http = health
    harness.sandbox.fail_next("getUpdates", 502, times=1000)  # Telegram's side is down
    harness.sandbox.user_sends_text(1001, "/help")  # ends the long poll under way
    not_ready = (503, {"status": "not ready", "problems": {"telegram": "not connected"}})
    for _ in range(200):  # until the next poll has failed (a condition, not a time limit)
        if await ask(http, "/readyz") == not_ready:
            break
        await asyncio.sleep(0.05)
    assert await ask(http, "/readyz") == not_ready
    assert (await ask(http, "/healthz"))[0] == 200


async def test_metrics_count_planning_ticks_and_active_members(health):
    harness, http = health
    await harness.register(1001, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await harness.register(1002, "QNG-MD-DTAN", Role.HEAD, "Hùng")
    before = samples(harness.runtime.metrics.exposition()[0])
    await harness.runtime.plan_now()
    async with http.get("/metrics") as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        after = samples(await response.read())
    assert after[("isobot_plan_tick_seconds_count", "")] == \
        before[("isobot_plan_tick_seconds_count", "")] + 1
    assert after[("isobot_members_active", "telegram")] == 2
    assert after[("isobot_database_up", "")] == 1


@pytest.fixture
async def sandbox_and_bot(fake_time):
    server = TelegramSandbox(token=TOKEN, clock=fake_time.monotonic)
    await server.start()
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        yield server, bot
    await server.stop()


@pytest.fixture
def fake_time():
    return FakeTime()


SENT, RETRIED, PARKED = (f'isobot_queue_{fate}_total{{queue="outbox"}}'
                        for fate in ("finished", "retried", "parked"))


async def test_metrics_count_what_delivery_met(engine, sandbox_and_bot, fake_time):
    sandbox, bot = sandbox_and_bot
    metrics = Metrics(engine, fake_time.now, ["telegram"])

    def deliverer(limits=LIMITS):
        return Deliverer(engine, TelegramTransport(bot), clock=fake_time.clock(),
                         pace=Pace(limits=limits), tally=metrics)

    seed(engine, sandbox, [1, 2], messages_each=2)
    seed(engine, sandbox, [3])
    sandbox.block_bot(3)
    # The bot's own limiter off: Telegram answers the second message to each chat with 429.
    await deliverer(UNLIMITED).deliver_due()
    sandbox.fail_next("sendMessage", 502)
    fake_time.seconds += 2
    await deliverer().deliver_due()
    counted = samples(metrics.exposition()[0])
    assert {name: counted[(name, "telegram")] for name in (
        SENT, "isobot_rate_limited_total", RETRIED, PARKED, "isobot_outbox_depth")} == {
        SENT: 3,  # one to each of 1 and 2, then one more
        "isobot_rate_limited_total": 2,
        RETRIED: 3,  # the two 429s and the 502
        PARKED: 1,  # the blocked account
        "isobot_outbox_depth": 1,  # the one that met the 502 waits for its retry
    }


async def test_metrics_count_updates_answered_and_the_inbox_left_waiting(health):
    harness, http = health
    before = samples(harness.runtime.metrics.exposition()[0])
    await harness.register(1001, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await harness.say(1001, "/viec")
    async with http.get("/metrics") as response:
        after = samples(await response.read())
    handled = ("isobot_update_handling_seconds_count", "telegram")
    assert after[handled] - before.get(handled, 0) == 2  # the /start and the /viec
    finished = ('isobot_queue_finished_total{queue="inbox"}', "telegram")
    assert after[finished] - before[finished] == 2
    inbox = {s.labels["state"]: s.value for family in text_string_to_metric_families(
        harness.runtime.metrics.exposition()[0].decode()) if family.name == "isobot_inbox_depth"
        for s in family.samples}
    assert inbox == {"pending": 0, "parked": 0}

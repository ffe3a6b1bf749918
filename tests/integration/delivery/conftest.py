"""The fake clock, and the Telegram sandbox and client on it, for the delivery tests."""

import pytest
from telegram import Bot

from bot.messengers.telegram.sandbox import TelegramSandbox
from tests.support.delivery import FakeTime
from tests.support.telegram import TOKEN


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
async def sandbox(fake_time):
    server = TelegramSandbox(token=TOKEN, clock=fake_time.monotonic,
                             wall_clock=fake_time.monotonic)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(sandbox):
    async with Bot(TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url) as b:
        yield b

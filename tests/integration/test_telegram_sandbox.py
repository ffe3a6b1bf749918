"""What other tests rely on the Telegram sandbox for, checked through the real client.

The acceptance tests replay updates and the delivery tests count on the sandbox refusing what
Telegram refuses: if the sandbox did not, those tests would pass without proving anything.
"""

from __future__ import annotations

import datetime as dt

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.messengers.telegram.sandbox import TelegramSandbox

TOKEN = "123456:TEST-token"


class FakeClock:
    """Monotonic seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sandbox(clock):
    server = TelegramSandbox(token=TOKEN, clock=clock)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(sandbox):
    async with Bot(TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url) as b:
        yield b


async def test_an_update_is_confirmed_by_the_offset_and_a_replayed_one_comes_again(bot, sandbox):
    update = sandbox.user_sends_text(1001, "/viec")
    [first] = await bot.get_updates(timeout=0)
    assert first.message.text == "/viec"
    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet: handed out again
    assert await bot.get_updates(offset=first.update_id + 1, timeout=0) == ()
    sandbox.queue_update(update)  # as Telegram does when its answer was lost
    [again] = await bot.get_updates(offset=first.update_id + 1, timeout=0)
    assert (again.update_id, again.message.text) == (first.update_id, "/viec")


async def test_past_telegrams_limits_the_answer_is_429_with_retry_after(
        bot, sandbox, clock, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    for user_id in range(2000, 2031):
        sandbox.add_user(user_id)
    for user_id in range(2000, 2030):
        await bot.send_message(user_id, "thông báo")
    with pytest.raises(RetryAfter):  # the 31st message within a second
        await bot.send_message(2030, "thông báo")
    clock.now += 1
    sandbox.add_group(-100123)
    for _ in range(20):
        await bot.send_message(-100123, "nhắc")
        clock.now += 1
    with pytest.raises(RetryAfter) as caught:  # the 21st to one group within a minute
        await bot.send_message(-100123, "nhắc")
    assert caught.value.retry_after == dt.timedelta(seconds=40)

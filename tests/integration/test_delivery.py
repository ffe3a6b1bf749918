"""Delivery from the outbox to Telegram, through the real client and the sandbox server."""

import asyncio
import datetime as dt

import pytest
from sqlmodel import select
from telegram import Bot

from bot.messengers.telegram.adapter import TelegramTransport
from bot.messengers.telegram.messenger import LIMITS
from bot.messengers.telegram.sandbox import TelegramSandbox
from jobs.delivery import LEASE, Deliverer
from jobs.messages import Message
from storage.db import session_scope
from storage.models import Member, Outbox, Role
from storage.outbox import count_by_state, enqueue
from storage.units import unit_by_code, upsert_units
from tests.conftest import at
from tests.support.telegram import TOKEN, UNLIMITED

START = at("2026-12-01 08:00")


class FakeTime:
    """Monotonic seconds and the bot's clock, moved only by the code under test's sleeps."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def monotonic(self) -> float:
        return self.seconds

    def now(self) -> dt.datetime:
        return START + dt.timedelta(seconds=self.seconds - 1000.0)

    async def sleep(self, seconds: float) -> None:
        self.seconds += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
async def sandbox(fake_time):
    server = TelegramSandbox(token=TOKEN, clock=fake_time.monotonic)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(sandbox):
    async with Bot(TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url) as b:
        yield b


def seed(engine, sandbox, chat_ids, *, messages_each=1, role=Role.OFFICER):
    """One unit, a member per chat, and ``messages_each`` outbox rows per member."""
    with session_scope(engine) as session:
        upsert_units(session, rows=[("U", "UBND xã Thử", "commune", None)], now=START)
        unit_id = unit_by_code(session, code="U").id
        for chat_id in chat_ids:
            sandbox.add_user(chat_id) if chat_id > 0 else sandbox.add_group(chat_id)
            member = Member(unit_id=unit_id, role=role, platform="telegram",
                            platform_user_id=str(chat_id), chat_id=str(chat_id), joined_at=START)
            session.add(member)
            session.flush()
            for i in range(messages_each):
                enqueue(session, key=f"test:{chat_id}:{i}", member=member, kind="reminder",
                        payload=Message(f"Nhắc việc số {i}").to_payload(), now=START)


def deliverer(engine, bot, fake_time, limits=None):
    return Deliverer(engine, TelegramTransport(bot), now=fake_time.now,
                     limits=limits or LIMITS, monotonic=fake_time.monotonic,
                     sleep=fake_time.sleep)


async def test_delivery_keeps_within_telegrams_limits(engine, sandbox, bot, fake_time):
    seed(engine, sandbox, range(1, 81), messages_each=2)  # 160 messages to 80 chats
    seed_group = [-100]
    seed(engine, sandbox, seed_group, messages_each=25)  # 25 to one group
    sent = await deliverer(engine, bot, fake_time).deliver_due()
    assert sent == 185
    assert len(sandbox.all_sent) == 185
    assert len(sandbox.messages_to(-100)) == 25
    # The sandbox enforces the documented limits on the same clock: it never had to refuse
    # (a 429 would have left its "retry after" on the row).
    with session_scope(engine) as session:
        rows = session.exec(select(Outbox)).all()
        assert {(r.state, r.attempts, r.last_error) for r in rows} == {("sent", 1, None)}
    # 25 messages to one group at 20 per minute take more than a minute of the fake clock.
    assert fake_time.seconds - 1000.0 >= 60


async def test_retry_after_delays_only_that_chat(engine, sandbox, bot, fake_time):
    seed(engine, sandbox, [1, 2], messages_each=2)
    # The bot's own limiter is off: the sandbox's 1-per-second-per-chat answers 429.
    sent = await deliverer(engine, bot, fake_time, limits=UNLIMITED).deliver_due()
    assert sent == 2  # one to each chat; the second message to each must wait
    with session_scope(engine) as session:
        waiting = session.exec(select(Outbox).where(Outbox.state == "pending")).all()
        assert len(waiting) == 2
        assert all(row.attempts == 0 for row in waiting)  # a rate limit is not a failure
        assert all(row.next_attempt_at > fake_time.now() for row in waiting)
    fake_time.seconds += 2
    assert await deliverer(engine, bot, fake_time, limits=UNLIMITED).deliver_due() == 2
    assert [len(sandbox.messages_to(c)) for c in (1, 2)] == [2, 2]


async def test_server_errors_are_retried_with_backoff(engine, sandbox, bot, fake_time):
    seed(engine, sandbox, [1])
    sandbox.fail_next("sendMessage", 502, times=2)
    worker = deliverer(engine, bot, fake_time)
    assert await worker.deliver_due() == 0
    with session_scope(engine) as session:
        row = session.exec(select(Outbox)).one()
        assert (row.state, row.attempts) == ("pending", 1)
        first_retry = row.next_attempt_at
    assert first_retry - fake_time.now() >= dt.timedelta(seconds=30)
    fake_time.seconds += 31
    assert await worker.deliver_due() == 0  # the second 502
    fake_time.seconds += 3600
    assert await worker.deliver_due() == 1
    assert len(sandbox.messages_to(1)) == 1


async def test_a_blocked_recipient_is_deactivated_and_the_supervisor_told(
        engine, sandbox, bot, fake_time):
    seed(engine, sandbox, [1])
    seed(engine, sandbox, [9], role=Role.SUPERVISOR, messages_each=0)
    sandbox.block_bot(1)
    worker = deliverer(engine, bot, fake_time)
    await worker.deliver_due()
    with session_scope(engine) as session:
        officer = session.exec(select(Member).where(Member.chat_id == "1")).one()
        assert not officer.active
        assert session.exec(select(Outbox.state).where(Outbox.member_id == officer.id)).one() \
            == "failed"
    assert "1" in (await sandbox.next_message(9))["text"]  # the notice names the account


async def test_restart_in_the_middle_of_1000_reminders_sends_each_once(
        engine, sandbox, bot, fake_time):
    chats = range(1, 1001)
    seed(engine, sandbox, chats)
    sends = 0
    transport = TelegramTransport(bot)
    real_send = transport.send

    async def counting_send(chat_id, message):
        nonlocal sends
        sends += 1
        if sends == 400:
            task.cancel()  # the process is told to stop while a message is in flight
        return await real_send(chat_id, message)

    transport.send = counting_send
    first = Deliverer(engine, transport, now=fake_time.now, monotonic=fake_time.monotonic,
                      sleep=fake_time.sleep)
    task = asyncio.create_task(first.deliver_due())
    with pytest.raises(asyncio.CancelledError):
        await task
    assert 0 < len(sandbox.all_sent) < 1000

    # A crash right after leasing a batch: nothing of it was sent, and nothing released.
    crashed = Deliverer(engine, TelegramTransport(bot), now=fake_time.now)
    crashed._lease()

    second = deliverer(engine, bot, fake_time)
    await second.deliver_due()
    fake_time.seconds += LEASE.total_seconds() + 1  # the crashed worker's lease runs out
    await second.deliver_due()

    per_chat = [len(sandbox.messages_to(c)) for c in chats]
    assert per_chat == [1] * 1000
    with session_scope(engine) as session:
        assert count_by_state(session) == {"sent": 1000}

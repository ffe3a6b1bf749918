"""Delivery from the outbox to Telegram, through the real client and the sandbox server."""

import asyncio
import datetime as dt
import random

import pytest
from sqlmodel import select

from bot.messengers.telegram.adapter import TelegramTransport
from jobs.delivery.deliverer import Deliverer, Lane
from jobs.delivery.messages import Attachment, Message
from jobs.queues import OUTBOX
from storage.db import session_scope
from storage.models import Member, Outbox, Role
from storage.outbox import enqueue_reply, take
from tests.support.delivery import arrivals, deliver_all, deliverer, outbox_states, seed
from tests.support.telegram import UNLIMITED


async def test_delivery_keeps_within_telegrams_limits(engine, sandbox, bot, fake_time):
    seed(engine, sandbox, range(1, 81), messages_each=2)  # 160 messages to 80 chats
    seed_group = [-100]
    seed(engine, sandbox, seed_group, messages_each=25)  # 25 to one group
    sent = await deliver_all(deliverer(engine, bot, fake_time), engine, fake_time)
    assert sent == 185
    assert len(sandbox.all_sent) == 185
    assert [m["text"] for m in sandbox.messages_to(-100)] == [f"Nhắc việc số {i}"
                                                               for i in range(25)]
    # The sandbox enforces the documented limits on the same clock: it never had to refuse.
    assert sandbox.rate_refusals == 0
    with session_scope(engine) as session:
        rows = session.exec(select(Outbox)).all()
        assert {(r.state, r.attempts, r.last_error) for r in rows} == {("sent", 1, None)}
    # 25 messages to one group at 20 per minute take more than a minute of the fake clock.
    assert fake_time.seconds - 1000.0 >= 60


async def test_a_chat_told_to_wait_is_held_while_the_others_go_on(
        engine, sandbox, bot, fake_time):
    seed(engine, sandbox, range(1, 21), messages_each=2)
    sandbox.fail_next("sendMessage", 429, retry_after=5)  # Telegram's own reasons
    await deliver_all(deliverer(engine, bot, fake_time), engine, fake_time)
    with session_scope(engine) as session:
        told = session.exec(select(Outbox).where(Outbox.last_error == "retry after 5.0s")).one()
        held = int(told.chat_id)
    others = [c for c in range(1, 21) if c != held]
    # Every other chat got both its messages, a second apart, before the held chat got any;
    # the held chat got its two, in order, once the five seconds had passed.
    assert all(arrivals(sandbox, c)[1] - arrivals(sandbox, c)[0] >= 1 for c in others)
    last_other = max(arrivals(sandbox, c)[1] for c in others)
    assert min(arrivals(sandbox, held)) >= 1000 + 5 > last_other
    assert [m["text"] for m in sandbox.messages_to(held)] == ["Nhắc việc số 0",
                                                             "Nhắc việc số 1"]
    assert sandbox.rate_refusals == 0


async def test_slow_and_uneven_answers_never_push_the_bot_past_a_limit(
        engine, sandbox, bot, fake_time):
    seed(engine, sandbox, range(1, 151), messages_each=2)
    transport = TelegramTransport(bot)
    send, network = transport.send, random.Random(7)

    async def over_a_jittery_network(chat_id, message):
        await fake_time.sleep(network.uniform(0, 0.3))  # the request on its way
        message_id = await send(chat_id, message)  # the sandbox counts it here
        await fake_time.sleep(network.uniform(0, 0.3))  # the answer on its way back
        return message_id

    transport.send = over_a_jittery_network
    worker = deliverer(engine, bot, fake_time, transport=transport)
    assert await deliver_all(worker, engine, fake_time) == 300
    # However late each message arrived after it left, the sandbox never counted more than 30
    # in a second, or two in a second in one chat.
    assert sandbox.rate_refusals == 0


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


def next_attempt_in(engine, fake_time) -> dt.timedelta:
    with session_scope(engine) as session:
        row = session.exec(select(Outbox)).one()
        assert row.state == "pending"
        return row.next_attempt_at - fake_time.now()


async def test_server_errors_are_retried_within_seconds_then_less_often(
        engine, sandbox, bot, fake_time):
    seed(engine, sandbox, [1])
    sandbox.fail_next("sendMessage", 502, times=3)
    worker = deliverer(engine, bot, fake_time)
    waits = []
    for _ in range(3):
        assert await worker.deliver_due() == 0
        waits.append(next_attempt_in(engine, fake_time))
        fake_time.seconds += waits[-1].total_seconds()
    # A few seconds after the first failure (not half a minute), then twice as long each time,
    # give or take a random half so that retries after an outage do not all come at once.
    seconds = [w.total_seconds() for w in waits]
    assert 2 <= seconds[0] <= 4 and 4 <= seconds[1] <= 8 and 8 <= seconds[2] <= 16
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
    first = Deliverer(engine, transport, clock=fake_time.clock())
    task = asyncio.create_task(first.deliver_due())
    with pytest.raises(asyncio.CancelledError):
        await task
    assert 0 < len(sandbox.all_sent) < 1000

    # A crash right after taking a batch: nothing of it was sent, and nothing released.
    with session_scope(engine) as session:
        crashed = take(session, now=fake_time.now(), platform="telegram", limit=60,
                       until=fake_time.now() + OUTBOX.lease)
    assert crashed

    second = deliverer(engine, bot, fake_time)
    await second.deliver_due()
    fake_time.seconds += OUTBOX.lease.total_seconds() + 1  # the crashed worker's lease runs out
    await second.deliver_due()

    per_chat = [len(sandbox.messages_to(c)) for c in chats]
    assert per_chat == [1] * 1000
    with session_scope(engine) as session:
        assert outbox_states(session) == {"sent": 1000}


async def test_a_lane_leaves_the_next_slot_to_replies_that_may_go(
        engine, sandbox, bot, fake_time):
    seed(engine, sandbox, [1001, 1002])

    class Replies:  # the reply lane, as the bulk lane sees it
        ready = True

        def has_ready(self) -> bool:
            return self.ready

    async def sleep(seconds: float) -> None:  # the fake clock, letting the test look in
        await fake_time.sleep(seconds)
        await asyncio.sleep(0)

    replies = Replies()
    bulk = Deliverer(engine, TelegramTransport(bot), clock=fake_time.clock(sleep),
                     lane=Lane(replies=False, defer_to=replies))
    sending = asyncio.create_task(bulk.deliver_due())
    for _ in range(200):  # a second of the fake clock, and more
        await asyncio.sleep(0)
    assert sandbox.all_sent == []  # a reply could go: the reminders wait
    replies.ready = False
    assert await sending == 2


async def test_replies_that_are_a_file_alone_leave_at_the_bot_wide_limit(
        engine, sandbox, bot, fake_time):
    # After a morning reminder 90 officers ask for their report's draft at once: each reply's
    # file goes on its own (bot.chat.replies.one_call_each), one message of Telegram's 30/s.
    draft = Attachment("document", "du-thao-bao-cao.docx", b"PK draft")
    with session_scope(engine) as session:
        for chat_id in range(1, 91):
            sandbox.add_user(chat_id)
            enqueue_reply(session, key=f"reply:{chat_id}", platform="telegram",
                          chat_id=str(chat_id), kind="reply",
                          payload=Message("", attachments=(draft,)).to_payload(),
                          now=fake_time.now())
    started = fake_time.seconds
    assert await deliver_all(deliverer(engine, bot, fake_time), engine, fake_time) == 90
    assert all(len(sandbox.messages_to(c)) == 1 for c in range(1, 91))
    # 90 messages at 30 a second: about three seconds (the upkeep's pauses besides), not
    # the six or more of two slots a file.
    assert fake_time.seconds - started <= 90 / 30 + 1
    assert sandbox.rate_refusals == 0

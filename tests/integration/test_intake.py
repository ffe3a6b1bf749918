"""The inbox and the reply lane, through the Telegram sandbox and the real client.

An update is stored, then handled off the event loop; a failure is tried again after a pause
and parked after a few; a chat's updates are answered in the order they came; replies go out
through the outbox, so a 502 or a 429 delays a reply but never loses or repeats it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from sqlmodel import select

from bot.messengers.telegram.messenger import LIMITS
from jobs.delivery.deliverer import RateLimits
from jobs.delivery.messages import Message
from jobs.queues import INBOX
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Inbox, InboxState, Member, Outbox, Role
from storage.outbox import enqueue
from storage.units import unit_by_code
from tests.conftest import at
from tests.support.telegram import running_bot


@pytest.fixture
async def bot(engine, catalog):
    async with running_bot(engine, catalog, START) as harness:
        yield harness

vi = translator("vi")
OFFICER, OTHER = 1001, 3001
START = at("2026-11-30 16:00")


def inbox_rows(engine) -> list[Inbox]:
    with session_scope(engine) as session:
        return list(session.exec(select(Inbox)))


def texts_to(bot, chat: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in bot.sandbox.messages_to(chat)]


async def later(bot, seconds: float) -> None:
    """Move the bot's clock on, and let it do what has come due."""
    bot.clock.set(bot.clock.now() + dt.timedelta(seconds=seconds))
    await bot.settle()


async def test_a_failed_update_is_tried_again_and_answered_once(bot, engine):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    bot.sandbox.fail_next("getFile", 429, retry_after=1)  # flood control: not now
    bot.sandbox.user_sends_document(OFFICER, "bien-ban.pdf", b"%PDF minutes")
    await bot.settle()
    [waiting] = inbox_rows(engine)
    assert (waiting.state, waiting.attempts) == (InboxState.ASIDE, 1)
    assert not bot.sandbox.all_sent[-1].get("text", "").startswith(
        vi._("To attach a file, first type /nop and choose the duty."))

    await later(bot, 2)  # the first pause is 2 seconds
    assert inbox_rows(engine) == []
    assert texts_to(bot, OFFICER).count(
        vi._("To attach a file, first type /nop and choose the duty.")) == 1


async def test_an_update_that_keeps_failing_is_parked_logged_and_the_person_told(
        bot, engine, caplog):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    bot.sandbox.fail_next("getFile", 429, times=INBOX.max_tries + 5, retry_after=1)
    bot.sandbox.user_sends_document(OFFICER, "bien-ban.pdf", b"%PDF minutes")
    with caplog.at_level(logging.WARNING, logger="bot.runtime.intake"):
        await bot.settle()
        for _ in range(INBOX.max_tries + 3):  # more than enough hours: it is not tried again
            await later(bot, 3600)
    [parked] = inbox_rows(engine)
    assert (parked.state, parked.attempts) == (InboxState.PARKED, INBOX.max_tries)
    assert "RetryAfter" in parked.last_error
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "parked" in errors[0].getMessage()
    assert texts_to(bot, OFFICER)[-1] == vi._(
        "Sorry, isobot could not handle your last message. The system operator has been told; "
        "please try again later.")


async def test_a_failed_update_is_retried_after_the_chats_next_while_other_chats_go_on(
        bot, engine):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await bot.register(OTHER, "QNG-MD-DPHONG", Role.OFFICER, "Minh")
    await bot.drain(OFFICER)
    bot.sandbox.fail_next("getFile", 429, retry_after=1)
    bot.sandbox.user_sends_document(OFFICER, "bien-ban.pdf", b"%PDF minutes")
    bot.sandbox.user_sends_text(OFFICER, "/help")
    bot.sandbox.user_sends_text(OTHER, "/help")
    assert (await bot.sandbox.next_message(OTHER, timeout=10))["text"].startswith(
        vi._("isobot commands:"))
    await bot.settle()
    answers = [m["text"] for m in await bot.drain(OFFICER)]
    assert answers[0] == vi._("Sorry, isobot could not handle your last message just now. It "
                              "will try again by itself; meanwhile you can go on.")
    assert answers[1].startswith(vi._("isobot commands:"))  # not held by the document

    await later(bot, 2)
    answers = [m["text"] for m in await bot.drain(OFFICER)]
    assert answers == [vi._("To attach a file, first type /nop and choose the duty.")]


async def test_an_update_posted_again_while_it_waits_is_stored_once(bot, engine):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    bot.sandbox.fail_next("getFile", 429, retry_after=1)
    update = bot.sandbox.user_sends_document(OFFICER, "bien-ban.pdf", b"%PDF minutes")
    await bot.settle()
    bot.sandbox.queue_update(update)  # Telegram hands it over again
    await bot.settle()
    assert len(inbox_rows(engine)) == 1
    await later(bot, 2)
    answer = vi._("To attach a file, first type /nop and choose the duty.")
    # The reply may still be on its way when the inbox is settled: wait for it, then see that
    # it came once.
    await bot.sandbox.wait_until(lambda: answer in texts_to(bot, OFFICER), 10)
    await bot.settle()
    assert texts_to(bot, OFFICER).count(answer) == 1


async def test_a_reply_lost_to_a_502_goes_out_later_exactly_once(bot):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await bot.drain(OFFICER)
    bot.sandbox.fail_next("sendMessage", 502)
    bot.sandbox.user_sends_text(OFFICER, "/help")
    await bot.settle()
    assert await bot.drain(OFFICER) == []
    await later(bot, 60)
    [answer] = await bot.drain(OFFICER)
    assert answer["text"].startswith(vi._("isobot commands:"))


@pytest.fixture
async def limited_bot(engine, catalog):
    """Telegram's per-chat limit enforced by the sandbox; the bot keeps to no limit itself
    (as if another process had used the chat's second)."""
    async with running_bot(engine, catalog, START, sandbox_limits={"private_chat_per_second": 1},
                           limits=RateLimits(per_second=0, per_chat_second=0,
                                             per_group_minute=0)) as harness:
        yield harness


async def answered(bot) -> None:
    """Let replies held back by a 429 go out: the clock moves a second at a time."""
    for _ in range(30):
        await bot.settle()
        with session_scope(bot.engine) as session:
            if not session.exec(select(Outbox.id).where(Outbox.state == "pending",
                                                        Outbox.kind == "reply")).first():
                return
        await later(bot, 1.5)


async def test_a_file_reply_that_meets_a_429_waits_and_is_never_sent_twice(limited_bot):
    bot = limited_bot
    bot.sandbox.user_sends_text(OFFICER, "/start x")  # any text: the chat exists
    await answered(bot)
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await answered(bot)
    await bot.drain(OFFICER)
    bot.sandbox.user_sends_text(OFFICER, "/lich_ics")
    await answered(bot)
    sent = await bot.drain(OFFICER)
    assert [bool(m.get("document")) for m in sent] == [False, True]  # the text once, the file
    assert sent[1]["document"]["file_name"] == "isobot-QNG-MD-DTAN.ics"


async def test_with_telegram_s_limits_the_calendar_file_arrives_at_the_first_try(
        engine, catalog):
    async with running_bot(engine, catalog, START, sandbox_limits={"private_chat_per_second": 1},
                           limits=LIMITS) as bot:
        await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
        await bot.drain(OFFICER)
        text = await bot.say(OFFICER, "/lich_ics")
        assert "UBND xã Đức Tân" in text["text"]
        sent = await bot.sandbox.next_message(OFFICER, timeout=10)  # a second later
        assert sent["document"]["file_name"] == "isobot-QNG-MD-DTAN.ics"
        await bot.settle()
        with session_scope(engine) as session:
            replies = session.exec(select(Outbox).where(Outbox.kind == "reply")).all()
        assert {(r.state, r.attempts) for r in replies} == {("sent", 1)}  # no 429 ever


async def test_a_reply_goes_ahead_of_a_bulk_of_reminders(engine, catalog):
    slow = RateLimits(per_second=1, per_chat_second=1, per_group_minute=20)
    async with running_bot(engine, catalog, START, limits=slow) as bot:
        await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
        await bot.drain(OFFICER)
        with session_scope(engine) as session:
            unit = unit_by_code(session, code="QNG-MD-DPHONG")
            for n in range(30):  # half a minute of sending at one a second
                bot.sandbox.add_user(5000 + n)
                member = Member(unit_id=unit.id, role="officer", platform="telegram",
                                platform_user_id=str(5000 + n), chat_id=str(5000 + n),
                                joined_at=START)
                session.add(member)
                session.flush()
                enqueue(session, key=f"bulk:{n}", member=member, kind="reminder", now=START,
                        payload=Message("🔔 Nhắc việc").to_payload())
        bulk = asyncio.create_task(bot.runtime.deliver_now())
        await bot.sandbox.next_message(5000, timeout=10)  # the reminders are going out
        before = len([m for m in bot.sandbox.all_sent if m.get("text") == "🔔 Nhắc việc"])
        answer = await bot.say(OFFICER, "/help")
        meanwhile = len([m for m in bot.sandbox.all_sent
                         if m.get("text") == "🔔 Nhắc việc"]) - before
        # The reply takes the next of the bot's one-a-second slots: a reminder in flight when
        # it was asked, and one leaving while the reply was being written, at most.
        assert meanwhile <= 2
        with session_scope(engine) as session:
            waiting = session.exec(select(Outbox.id).where(Outbox.kind == "reminder",
                                                          Outbox.state == "pending")).all()
        assert answer["text"].startswith(vi._("isobot commands:"))
        assert waiting  # the reminders are still going out
        bot.runtime.deliverers[0].stop()
        await bulk

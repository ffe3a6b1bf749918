"""One bad update never holds a person's chat: a Zalo image whose file cannot be fetched is set
aside, the person told once, and their next message answered at once (the clock stands still)."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs.queues import INBOX
from jobs.text.i18n import translator
from storage.models import Role
from tests.conftest import at
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
OFFICER = "a1b2c3d4e5f60001"
SET_ASIDE = vi._("Sorry, isobot could not handle your last message just now. It will try again "
                 "by itself; meanwhile you can go on.")
GIVEN_UP = vi._("Sorry, isobot could not handle your last message. The system operator has been "
                "told; please try again later.")


@pytest.fixture
async def bot(engine, catalog):
    load_sample_units(engine, at("2026-11-30 07:00"))
    harness = await start_zalo_harness(engine, catalog, at("2026-12-01 09:00"))
    await harness.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await harness.drain(OFFICER)
    yield harness
    await harness.stop()


def photo_whose_link_answers_404(bot) -> None:
    update = bot.sandbox.user_sends_photo(OFFICER, b"\xff\xd8\xff\xe0 page one")
    url = update["message"].get("photo_url") or update["message"]["photo"]
    del bot.sandbox.files[url.rsplit("/", 1)[1]]  # before the bot could fetch it


async def test_a_photo_that_cannot_be_fetched_holds_no_later_message(bot):
    started = bot.clock.now()
    photo_whose_link_answers_404(bot)
    assert (await bot.sandbox.next_message(OFFICER, timeout=10))["text"] == SET_ASIDE

    duties = await bot.say(OFFICER, "viec")
    assert duties.startswith(vi._("Open duties (overdue first):"))
    assert bot.clock.now() == started  # answered without the bot's clock moving on


async def test_the_photo_is_retried_aside_and_the_person_told_once_more_when_given_up(bot):
    photo_whose_link_answers_404(bot)
    await bot.settle()
    for _ in range(INBOX.max_tries + 2):  # each retry after its pause, none before the next
        await bot.say(OFFICER, "viec")
        bot.clock.set(bot.clock.now() + dt.timedelta(minutes=5))
        await bot.settle()
    texts = [m["text"] for m in bot.sandbox.messages_to(OFFICER)]
    assert texts.count(SET_ASIDE) == 1 and texts.count(GIVEN_UP) == 1
    assert sum(t.startswith(vi._("Open duties (overdue first):")) for t in texts) == (
        INBOX.max_tries + 2)

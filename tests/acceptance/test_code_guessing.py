"""Invite and link codes cannot be guessed: five wrong ones in an hour close the door an hour."""

import datetime as dt
import logging

from jobs.text.i18n import translator
from storage.models import Role
from tests.conftest import at
from tests.support.telegram import invite

vi = translator("vi")
GUESSER = 6001
NOT_VALID = vi._("This invite code is not valid. Please check it, or ask the ISO standing "
                 "office for a new one.")


async def test_five_wrong_codes_in_an_hour_refuse_even_a_right_one_for_an_hour(bot, caplog):
    right = invite(bot.engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now())
    for guess in ["AAAA2222BBBB", "AAAA2222BBBC", "AAAA2222BBBD", "AAAA2222BBBE"]:
        reply = await bot.say(GUESSER, f"/start {guess}")
        assert reply["text"] == NOT_VALID
    with caplog.at_level(logging.WARNING):
        await bot.say(GUESSER, "/start AAAA2222BBBF")  # the fifth
    assert any("5 wrong codes" in r.getMessage() for r in caplog.records)

    refused = await bot.say(GUESSER, f"/start {right}")
    # The fifth wrong code came at 16:00 on Monday 30 November.
    assert refused["text"] == vi._(
        "Too many wrong codes were sent from this account. For your security, codes are not "
        "accepted until {time}. If you need help, ask the ISO standing office.").format(
        time=vi.datetime(at("2026-11-30 17:00")))

    bot.clock.set(bot.clock.now() + dt.timedelta(hours=1, minutes=1))
    welcome = await bot.say(GUESSER, f"/start {right}", first_name="Lan")
    assert welcome["text"].startswith(vi._("Welcome, {name}!").format(name="Lan"))


async def test_another_account_is_not_held_back_by_a_guesser(bot):
    for i in range(5):
        await bot.say(GUESSER, f"/start AAAA2222BBB{'CDEFG'[i]}")
    greeting = await bot.register(6002, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    assert greeting["text"].startswith(vi._("Welcome, {name}!").format(name="Lan"))

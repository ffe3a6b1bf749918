"""Zalo formatting: a message's title in bold where the platform takes ``parse_mode``, plain
text (remembered for the process) once it refuses it; the person reads the same words."""

from __future__ import annotations

from bot.messengers.zalo.sandbox import ZaloQuirks
from jobs.text.i18n import translator
from storage.models import Role
from tests.conftest import at
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
OFFICER = "a1b2c3d4e5f60001"


async def officer(engine, catalog, **sandbox):
    load_sample_units(engine, at("2026-11-30 07:00"))
    bot = await start_zalo_harness(engine, catalog, at("2026-12-02 10:00"),
                                   sandbox_options=sandbox)
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    return bot


async def test_a_title_goes_in_bold_and_reads_as_written(engine, catalog):
    bot = await officer(engine, catalog)
    try:
        shown = await bot.say(OFFICER, "/help")
        [sent] = bot.sandbox.messages_to(OFFICER)[-1:]
        assert sent["parse_mode"] == "html"
        title = vi._("isobot commands:")
        assert sent["sent_text"].startswith(f"<b>{title}</b>\n")
        assert shown.startswith(f"{title}\n") and "<b>" not in shown
    finally:
        await bot.stop()


async def test_once_refused_formatting_is_dropped_and_nothing_is_lost(engine, catalog):
    bot = await officer(engine, catalog, quirks=ZaloQuirks(parse_modes=()))
    try:
        greeting = bot.sandbox.messages_to(OFFICER)[-1]
        assert greeting["parse_mode"] is None  # refused, then sent plain: one message
        assert greeting["text"].startswith(vi._("Welcome, {name}!").format(name="Lan"))
        before = len(bot.sandbox.messages_to(OFFICER))
        await bot.say(OFFICER, "/help")
        after = bot.sandbox.messages_to(OFFICER)
        assert len(after) == before + 1 and after[-1]["parse_mode"] is None
        assert bot.sandbox.formats_refused == 1  # remembered: never tried again
    finally:
        await bot.stop()

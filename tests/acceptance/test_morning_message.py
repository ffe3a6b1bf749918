"""One message a morning: a person's reminders due together arrive as one message on Zalo,
each duty in brief with its numbered choices, and answering one duty of it logs that duty."""

from __future__ import annotations

import re

from sqlmodel import select

from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Event, Obligation, Role
from tests.conftest import at
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
OFFICER = "a1b2c3d4e5f60001"


async def morning(engine, catalog):
    """An officer of Đức Tân on Zalo, and 1 December's 08:00 reminders (three duties)."""
    load_sample_units(engine, at("2026-11-30 07:00"))
    bot = await start_zalo_harness(engine, catalog, at("2026-11-30 16:00"))
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    bot.clock.set(at("2026-12-01 08:00"))
    return bot, await bot.tick_and_collect(OFFICER)


async def test_the_mornings_reminders_come_as_one_message_naming_each_duty(engine, catalog):
    bot, delivered = await morning(engine, catalog)
    try:
        [message] = delivered
        text = message["text"]
        assert text.startswith(vi.ngettext("🔔 ISO duties for you: {n} item",
                                           "🔔 ISO duties for you: {n} items", 3).format(n=3))
        titles = re.findall(r"^\d\. (?:⚠️ Quá hạn: )?(.+)$", text, re.M)
        assert len(titles) == 3 and "Báo cáo quý cho Thường trực BCĐ ISO" in titles
        assert "15/12/2026" in text  # each duty's deadline
        # Each duty's choices on a line of their own, numbered on: 1-3, 4-6, 7-9.
        assert f"4 – {vi._('Submitted')} 2" in text or f"4 – {vi._('Done')} 2" in text
        assert "7 – " in text and "10 – " not in text
    finally:
        await bot.stop()


async def test_answering_the_second_duty_by_its_number_logs_that_duty(engine, catalog):
    bot, [message] = await morning(engine, catalog)
    try:
        second = re.search(r"^2\. (?:⚠️ Quá hạn: )?(.+)$", message["text"], re.M)[1]
        guidance = await bot.say(OFFICER, f"{vi._('Guidance')} 2")
        assert second in guidance and vi._("Checklist:") in guidance
        ask = await bot.say(OFFICER, "4")  # the second duty's "done"
        assert second in ask
        await bot.say(OFFICER, "45/BC-UBND ngày 28/11/2026")
        await bot.say(OFFICER, "1")  # no file
        receipt = await bot.say(OFFICER, "1")  # confirm
        assert "ISO-2026-000001" in receipt
        with session_scope(engine) as session:
            [event] = session.exec(select(Event)).all()
            logged = session.get(Obligation, event.obligation_id)
            title = bot.runtime.catalog.duty(logged.duty_key).title.get("vi")
        assert title == second
    finally:
        await bot.stop()

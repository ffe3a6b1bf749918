"""One person on Telegram and Zalo: link the accounts, then choose where reminders go."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Event, Member, Role
from tests.conftest import at
from tests.support.telegram import button_data, buttons, invite, load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
TG_USER, ZALO_USER, ZALO_OTHER = 1001, "z5001", "z5002"
# 1 December's reminders to Lan: three duties, in one message.
THREE_DUTIES = vi.ngettext("🔔 ISO duties for you: {n} item", "🔔 ISO duties for you: {n} items",
                           3).format(n=3)


@pytest.fixture
async def bot(engine, catalog):
    load_sample_units(engine, at("2026-11-30 07:00"))
    harness = await start_zalo_harness(engine, catalog, at("2026-11-30 16:00"), telegram=True)
    yield harness
    await harness.stop()


async def telegram_says(bot, text: str, **kwargs) -> dict:
    bot.telegram.user_sends_text(TG_USER, text, **kwargs)
    return await bot.telegram.next_message(TG_USER, timeout=10)


async def link_telegram_to_zalo(bot, engine, how: str = "{line}") -> str:
    """Register Lan on Telegram, ask for a link code there, send it from Zalo."""
    code = invite(engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now())
    await telegram_says(bot, f"/start {code}", first_name="Lan")
    explained = await telegram_says(bot, "/lienket")
    assert "Zalo" in explained["text"] and "30" in explained["text"]
    line = (await bot.telegram.next_message(TG_USER, timeout=10))["text"]
    assert line.startswith("/start ")
    return await bot.say(ZALO_USER, how.format(line=line, code=line.split()[1]), name="Lan Z")


async def reminders_round(bot) -> tuple[list[dict], list[dict]]:
    """Run the scheduler once; what it delivered to Lan on Telegram and on Zalo."""
    before = len(bot.telegram.messages_to(TG_USER))
    zalo = await bot.tick_and_collect(ZALO_USER)
    count = len(bot.telegram.messages_to(TG_USER)) - before
    return [await bot.telegram.next_message(TG_USER, timeout=10) for _ in range(count)], zalo


def memberships(engine) -> list[tuple[str, str, int | None, bool]]:
    with session_scope(engine) as session:
        return [(m.platform, m.role, m.person_id, m.receives_reminders)
                for m in session.exec(select(Member).order_by(Member.id))]


@pytest.mark.parametrize("how", ["{line}", "{code}", "lienket {code}"])
async def test_a_link_code_gives_the_zalo_account_the_same_membership(bot, engine, how):
    if how.startswith("lienket"):  # an account already registered links with /lienket CODE
        await bot.register(ZALO_USER, "QNA-NS-QLOC", Role.OFFICER, "Lan Z")
    linked = await link_telegram_to_zalo(bot, engine, how)
    assert "UBND xã Đức Tân" in linked and "Telegram" in linked
    assert vi._("Reminders will come on both. Type /kenh to choose where they go.") in linked
    rows = memberships(engine)
    telegram_row = next(r for r in rows if r[0] == "telegram")
    assert ("zalo", "officer", telegram_row[2], True) in rows
    assert telegram_row[2] is not None
    duties = await bot.say(ZALO_USER, "viec")
    assert "15/12/2026" in duties  # the Zalo account now acts for Đức Tân


async def test_choosing_zalo_sends_the_next_reminders_only_to_zalo(bot, engine):
    await link_telegram_to_zalo(bot, engine)
    offer = await bot.say(ZALO_USER, "kenh")
    assert offer.endswith(vi._("Reply {options}").format(
        options=f"1 – Telegram, 2 – Zalo, 3 – {vi._('Both')}"))
    done = await bot.say(ZALO_USER, "2")
    assert done == vi._("Done: reminders will go to {where}.").format(where="Zalo")

    bot.clock.set(at("2026-12-01 08:00"))
    on_telegram, on_zalo = await reminders_round(bot)
    assert on_telegram == [] and [m["text"][:len(THREE_DUTIES)] for m in on_zalo] == [
        THREE_DUTIES]

    # The reminder is answered on Zalo, by the Zalo account acting for the unit: the quarterly
    # report, the third duty of the message.
    assert "Báo cáo quý" in await bot.say(ZALO_USER, "đã nộp 3")
    await bot.say(ZALO_USER, "45/BC-UBND ngày 28/11/2026")
    await bot.say(ZALO_USER, "bỏ qua")
    assert "ISO-2026-000001" in await bot.say(ZALO_USER, "1")
    with session_scope(engine) as session:
        assert session.exec(select(Event.actor)).one() == f"zalo:{ZALO_USER}"


async def test_until_a_choice_is_made_both_get_reminders_and_telegram_can_choose(bot, engine):
    await link_telegram_to_zalo(bot, engine)
    bot.clock.set(at("2026-12-01 08:00"))
    on_telegram, on_zalo = await reminders_round(bot)
    assert [m["text"][:len(THREE_DUTIES)] for m in [*on_telegram, *on_zalo]] == [
        THREE_DUTIES, THREE_DUTIES]
    assert {m["text"] for m in on_telegram} == {m["text"].rsplit("\n\n", 1)[0] for m in on_zalo}

    offer = await telegram_says(bot, "/kenh")
    assert buttons(offer) == ["Telegram", "Zalo", vi._("Both")]
    bot.telegram.user_presses_button(TG_USER, offer["message_id"],
                                     button_data(offer, "Telegram"))
    await bot.telegram.next_message(TG_USER, timeout=10)
    assert [(p, r) for p, _, _, r in memberships(engine)] == [("telegram", True),
                                                              ("zalo", False)]


async def test_a_code_sent_from_the_same_messenger_or_twice_links_nothing(bot, engine):
    await bot.register(ZALO_USER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await bot.say(ZALO_USER, "/lienket")
    line = (await bot.sandbox.next_message(ZALO_USER, timeout=10))["text"]
    refused = await bot.say(ZALO_OTHER, line)
    assert refused == vi._("This code links your account on another messenger: please send it "
                           "to isobot from there, not from {platform}.").format(platform="Zalo")
    await telegram_says(bot, line, first_name="Lan")  # from Telegram: linked
    again = await telegram_says(bot, line.replace("/start", "/lienket"))
    assert again["text"] == vi._("This link code has already been used. Type /lienket on your "
                                 "other messenger for a new one.")
    assert [p for p, *_ in memberships(engine)] == ["zalo", "telegram"]


async def test_kenh_without_a_linked_account_explains_how_to_link(bot):
    await bot.register(ZALO_USER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    answer = await bot.say(ZALO_USER, "/kenh")
    assert "/lienket" in answer and "Telegram" in answer

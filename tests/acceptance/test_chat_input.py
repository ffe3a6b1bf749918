"""What people type is stored cleanly or refused in words, on SQLite and on PostgreSQL.

PostgreSQL refuses U+0000 in text (``DataError``): a name or a directive with a NUL in it left
the person without a reply and the flow stuck. Lengths past what a table keeps failed there
too (and were silently cut elsewhere). Forged button data ("done:²", "done:" and 21 nines)
crashed the update.
"""

from __future__ import annotations

import pytest
from sqlmodel import create_engine, select

from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Directive, LegalDocument, Member, Role
from tests.conftest import at
from tests.support import cli
from tests.support.telegram import buttons, invite, load_sample_units, running_bot
from tests.support.zalo import start_zalo_harness

pytestmark = pytest.mark.before_reform  # written on the districts of before 1 July 2025

vi = translator("vi")
OFFICER, SUPERVISOR = 1001, 6000
TOO_LONG = vi._("That is too long: {length} characters, at most {limit}. Please shorten it and "
                "send it again.")


async def test_a_nul_in_a_name_or_a_message_is_dropped_and_the_person_registered(bot, engine):
    code = invite(engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now())
    greeting = await bot.say(OFFICER, f"/start {code}\x00", first_name="Lan\x00\x1b")
    assert greeting["text"].startswith(vi._("Welcome, {name}!").format(name="Lan"))
    with session_scope(engine) as session:
        assert session.exec(select(Member.display_name)).all() == ["Lan"]


async def test_a_nul_on_zalo_is_dropped_too(engine, catalog):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    bot = await start_zalo_harness(engine, catalog, at("2026-11-30 16:00"))
    try:
        greeting = await bot.register("z1", "QNG-MD-DTAN", Role.OFFICER, "Minh\x00",
                                      how="\x07{code}\x00")
        assert greeting.startswith(vi._("Welcome, {name}!").format(name="Minh"))
    finally:
        await bot.stop()


async def supervisor_composing(bot) -> None:
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Thường trực huyện")
    await bot.say(SUPERVISOR, "/chidao")


async def test_a_directive_with_a_nul_is_sent_without_it(engine, catalog):
    async with running_bot(engine, catalog, at("2026-12-01 09:00"), before_reform=True) as bot:
        await supervisor_composing(bot)
        ask_number = await bot.say(SUPERVISOR, "Rà soát\x00 hồ sơ lưu trữ")
        scope = await bot.press(SUPERVISOR, ask_number, vi._("No number"))
        ask_due = await bot.press(SUPERVISOR, scope, vi._("All units under my unit"))
        confirm = await bot.press(SUPERVISOR, ask_due, vi._("No deadline"))
        done = await bot.press(SUPERVISOR, confirm, vi._("Send"))
        assert done["text"].startswith("Văn bản chỉ đạo ngày 01/12/2026 đang được gửi tới")
        with session_scope(engine) as session:
            assert session.exec(select(Directive.text)).all() == ["Rà soát hồ sơ lưu trữ"]


async def test_a_directive_too_long_to_keep_is_refused_in_words(engine, catalog):
    async with running_bot(engine, catalog, at("2026-12-01 09:00"), before_reform=True) as bot:
        await supervisor_composing(bot)
        refused = await bot.say(SUPERVISOR, "Đề nghị " * 501)  # 4,007 characters, trimmed
        assert refused["text"] == TOO_LONG.format(length="4.007", limit="4.000")
        ask_number = await bot.say(SUPERVISOR, "Đề nghị " * 375)  # 3,000: kept whole
        assert buttons(ask_number) == [vi._("No number")]


async def test_a_legal_document_title_too_long_is_refused_in_words(engine, catalog):
    async with running_bot(engine, catalog, at("2026-12-01 09:00"), before_reform=True) as bot:
        await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Thường trực huyện")
        await bot.say(SUPERVISOR, "/vanban")
        await bot.say(SUPERVISOR, "15/2026/NĐ-CP")
        await bot.say(SUPERVISOR, "01/08/2026")
        refused = await bot.say(SUPERVISOR, "x" * 1001)
        assert refused["text"] == TOO_LONG.format(length="1.001", limit="1.000")
        with session_scope(engine) as session:
            assert session.exec(select(LegalDocument)).all() == []


async def test_a_document_number_too_long_to_keep_is_refused_in_words(bot):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    ask = await bot.say(OFFICER, "/nop")
    document_step = await bot.press(OFFICER, ask, buttons(ask)[0])
    assert "/huy" in document_step["text"]
    refused = await bot.say(OFFICER, f"45/BC-{'A' * 200} ngày 28/11/2026")
    assert refused["text"].startswith(vi._("The document number is too long: it can have at "
                                           "most 128 characters."))


async def test_forged_button_data_is_answered_and_changes_nothing(bot):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    greeting = bot.sandbox.messages_to(OFFICER)[-1]
    not_yours = vi._("This duty does not belong to your unit, so you cannot report on it. "
                     "Nothing was recorded.")
    for data in ("done:²", "done:999999999999999999999", "pick:-1"):
        bot.sandbox.user_presses_button(OFFICER, greeting["message_id"], data, strict=False)
        assert (await bot.sandbox.next_message(OFFICER, timeout=10))["text"] == not_yours


def test_a_directive_of_3000_characters_is_kept_whole_from_the_command_line(database_url):
    # The obligation carries the directive's text as its note: it keeps as much as the CLI
    # accepts (4,000), where PostgreSQL refused more than 2,000.
    now = at("2026-12-01 09:00")
    cli.isobot(database_url, "units", "import", "--sample", "--before-reform", now=now)
    text = "Đề nghị rà soát. " * 176  # 2,992 characters
    result = cli.isobot(database_url, "directive", "send", "--all", "--under", "QNG-MD",
                        "--text", text, "--due", "2026-12-18", now=now)
    assert result.exit_code == 0, result.output
    with session_scope(create_engine(database_url)) as session:
        assert [len(t) for t in session.exec(select(Directive.text))] == [len(text.strip())]

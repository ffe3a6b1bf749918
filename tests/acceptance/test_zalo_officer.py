"""An officer and a supervisor on Zalo, end to end through the real client and the sandbox."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re

import pytest
from sqlmodel import select

from bot.messengers.zalo.sandbox import ZaloQuirks
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Event, Member, Role
from tests.conftest import at
from tests.support import cli
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
OFFICER, SUPERVISOR, OTHER = "a1b2c3d4e5f60001", "a1b2c3d4e5f60002", "a1b2c3d4e5f60003"
PHOTO = b"\xff\xd8\xff\xe0 a photo of the first page of 45/BC-UBND"
# 1 December's three reminders to Đức Tân's officer come as one message: the quarterly report
# is its third duty, whose choices are numbered 7 ("Đã nộp 3"), 8 and 9.
QUARTERLY, QUARTERLY_DONE = 3, "7"


def reply_line(*labels: str) -> str:
    """The numbered choices as a Vietnamese-speaking officer reads them on Zalo."""
    options = ", ".join(f"{i} – {label}" for i, label in enumerate(labels, start=1))
    return vi._("Reply {options}").format(options=options)


@pytest.fixture
async def bot(engine, catalog, request):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    options = getattr(request, "param", {})
    harness = await start_zalo_harness(engine, catalog, at("2026-11-30 16:00"),
                                       sandbox_options=options)
    yield harness
    await harness.stop()


def duty_line(duty: int, *labels: str) -> str:
    """Duty ``duty``'s numbered choices on Zalo, a line of their own ("7 – Đã nộp 3, …")."""
    first = (duty - 1) * len(labels) + 1
    return ", ".join(f"{n} – {label} {duty}" for n, label in enumerate(labels, start=first))


async def officer_with_reminder(bot) -> dict:
    """Register an officer of Đức Tân and a supervisor of Mộ Đức on Zalo; deliver 1 December's
    reminders, one message of three duties, and return it: the last, the quarterly report."""
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    bot.clock.set(at("2026-12-01 08:00"))
    [delivered] = await bot.tick_and_collect(OFFICER)
    assert re.search(rf"^{QUARTERLY}\. Báo cáo quý cho Thường trực BCĐ ISO$", delivered["text"],
                     re.M)
    assert "15/12/2026" in delivered["text"]
    return delivered


def events(engine) -> list[Event]:
    with session_scope(engine) as session:
        return list(session.exec(select(Event)))


@pytest.mark.parametrize("how", ["{code}", "start {code}", "/start {code}"])
async def test_an_invite_code_binds_the_account_and_is_answered_in_vietnamese(bot, engine, how):
    greeting = await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan", how=how)
    assert greeting.startswith(vi._("Welcome, {name}!").format(name="Lan"))
    assert vi._("Your account is now registered with {unit} as {role}.").format(
        unit="UBND xã Đức Tân", role=vi._("ISO officer")) in greeting
    with session_scope(engine) as session:
        member = session.exec(select(Member)).one()
        assert (member.platform, member.platform_user_id, member.chat_id, member.display_name) \
            == ("zalo", OFFICER, OFFICER, "Lan")


async def test_a_stranger_is_asked_for_a_code(bot, engine):
    answer = await bot.say(OTHER, "xin chào")
    assert answer == vi._("Your account is not registered yet. Please send the invite code you "
                          "received from the ISO standing office, e.g. /start ABCD2345EFGH.")


async def test_a_due_reminder_arrives_with_numbered_choices(bot):
    reminder = await officer_with_reminder(bot)
    text = reminder["text"]
    assert "UBND xã Đức Tân" in text
    assert f"{vi._('Reply with the number of your choice:')}\n1 – " in text
    assert text.endswith("\n" + duty_line(QUARTERLY, vi._("Submitted"), vi._("Remind me later"),
                                          vi._("Guidance")))
    assert reminder["type"] == "text"
    # The checklist comes on request.
    guidance = await bot.say(OFFICER, f"{vi._('Guidance')} {QUARTERLY}")
    assert "Báo cáo quý" in guidance and "☐" in guidance


async def test_reply_by_numbers_logs_an_event_the_export_lists(bot, engine):
    await officer_with_reminder(bot)
    ask = await bot.say(OFFICER, QUARTERLY_DONE)
    assert "Báo cáo quý" in ask and "123/BC-UBND" in ask  # the example of the expected line
    file_step = await bot.say(OFFICER, "45/BC-UBND ngày 28/11/2026")
    assert file_step.endswith(reply_line(vi._("Skip")))
    confirm = await bot.say(OFFICER, "1")
    assert "45/BC-UBND" in confirm
    assert confirm.endswith(reply_line(vi._("Confirm"), vi._("Cancel")))
    receipt = await bot.say(OFFICER, "1")
    assert "ISO-2026-000001" in receipt

    await bot.tick()
    notice = await bot.sandbox.next_message(SUPERVISOR, timeout=10)
    assert "UBND xã Đức Tân" in notice["text"] and "45/BC-UBND" in notice["text"]

    exported = cli.isobot(bot.runtime.settings.database_url, "export", "--what", "events",
                          "--format", "csv", now=bot.clock.now())
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["reference"], r["document"], r["actor"]) for r in rows] == [
        ("ISO-2026-000001", "45/BC-UBND", f"zalo:{OFFICER}")]


@pytest.mark.parametrize("answer", ["da nop 3", "đã nộp 3", "Đã nộp 3.", "ĐÃ NỘP 3"])
async def test_the_choice_can_be_typed_as_words(bot, answer):
    await officer_with_reminder(bot)
    ask = await bot.say(OFFICER, answer)
    assert ask.startswith(vi._("Reporting “{title}” ({period}).").split("“")[0])
    assert "Báo cáo quý" in ask  # the duty answered: the third, the quarterly report


async def test_done_without_a_number_asks_which_duty_and_logs_nothing(bot, engine):
    # Three duties offered "Đã nộp": a bare "đã nộp" could be any of them, so the bot asks.
    await officer_with_reminder(bot)
    ask = await bot.say(OFFICER, "đã nộp")
    assert ask.startswith(vi._("Which duty are you reporting as done?"))
    assert all(title in ask for title in ("Họp xem xét của lãnh đạo", "Báo cáo năm",
                                          "Báo cáo quý cho Thường trực BCĐ ISO"))
    assert events(engine) == []


@pytest.mark.parametrize("bot", [{"quirks": ZaloQuirks(photo_keys=("photo_url",))},
                                 {"quirks": ZaloQuirks(photo_keys=("photo",))}],
                         indirect=True, ids=["photo_url", "photo"])
async def test_a_photo_sent_as_evidence_is_fetched_hashed_and_logged(bot, engine):
    await officer_with_reminder(bot)
    await bot.say(OFFICER, QUARTERLY_DONE)
    await bot.say(OFFICER, "45/BC-UBND ngày 28/11/2026")
    bot.sandbox.user_sends_photo(OFFICER, PHOTO, caption="trang 1")
    confirm = (await bot.sandbox.next_message(OFFICER, timeout=10))["text"]
    assert ".jpg" in confirm
    receipt = await bot.say(OFFICER, "xác nhận")
    assert "ISO-2026-000001" in receipt
    [event] = events(engine)
    assert event.file_hash == hashlib.sha256(PHOTO).hexdigest()
    assert event.file_name.endswith(".jpg") and event.file_ref.startswith("http://127.0.0.1")


async def test_a_sticker_gets_a_clear_answer_and_the_choices_stay_open(bot):
    await officer_with_reminder(bot)
    bot.sandbox.user_sends_sticker(OFFICER)
    answer = (await bot.sandbox.next_message(OFFICER, timeout=10))["text"]
    assert answer == vi._("Sorry, I can only read text and photos. To attach a document, send a "
                          "photo of it.")
    bot.sandbox.user_sends_unsupported(OFFICER)
    await bot.sandbox.next_message(OFFICER, timeout=10)
    ask = await bot.say(OFFICER, QUARTERLY_DONE)
    assert "Báo cáo quý" in ask


@pytest.mark.parametrize("command", ["viec", "/viec", "Việc", "/VIEC"])
async def test_commands_work_with_or_without_the_slash(bot, command):
    await officer_with_reminder(bot)
    duties = await bot.say(OFFICER, command)
    assert duties.startswith(vi._("Open duties (overdue first):")) and "15/12/2026" in duties


async def test_the_same_update_delivered_twice_is_processed_once(bot, engine):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    update = bot.sandbox.user_sends_text(OFFICER, "/viec")
    await bot.sandbox.next_message(OFFICER, timeout=10)
    bot.sandbox.queue_update(update)
    bot.sandbox.user_sends_text(OFFICER, "/help")
    after = (await bot.sandbox.next_message(OFFICER, timeout=10))["text"]
    assert after.startswith(vi._("isobot commands:"))  # /help's answer, not /viec's again


def officer_active(engine) -> bool:
    with session_scope(engine) as session:
        return session.exec(select(Member.active)
                            .where(Member.platform_user_id == OFFICER)).one()


async def test_a_zalo_user_unreachable_for_a_day_is_deactivated_and_the_supervisor_told(
        bot, engine):
    # Zalo's 403 is documented as an internal error: one refusal, or a morning of them, is
    # retried; only a day of nothing but refusals counts as the officer being gone.
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    bot.sandbox.block_bot(OFFICER)
    for hour in range(24):  # 08:00 on 1 December to 07:00 the next day, every hour
        bot.clock.set(at("2026-12-01 08:00") + dt.timedelta(hours=hour))
        await bot.tick()
        assert officer_active(engine)
    bot.clock.set(at("2026-12-02 08:00"))
    await bot.tick()
    assert not officer_active(engine)
    await bot.tick()  # the notice to the supervisor goes out on the next round
    notices = [m["text"] for m in bot.sandbox.messages_to(SUPERVISOR)]
    assert any("Lan" in n and "UBND xã Đức Tân" in n and "Zalo" in n for n in notices)


async def test_language_can_be_switched_to_english_and_choices_follow(bot):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    choose = await bot.say(OFFICER, "ngonngu")
    assert choose.endswith(reply_line("Tiếng Việt", "English"))
    assert await bot.say(OFFICER, "2") == "Language set to English."
    ask = await bot.say(OFFICER, "/nop")
    assert ask.startswith("Which duty are you reporting as done?")
    assert "Reply with the number of your choice:\n1. " in ask  # long labels: one per line


async def test_an_impossible_date_in_free_text_is_named_in_the_answer(bot, engine):
    await officer_with_reminder(bot)
    answer = await bot.say(OFFICER, "đã nộp báo cáo quý 4 số 77/BB-UBND ngày 31/02/2026")
    assert answer == vi._("The document's date is not a real date.")
    asked_again = (await bot.sandbox.next_message(OFFICER, timeout=10))["text"]
    assert "Báo cáo quý" in asked_again and "123/BC-UBND" in asked_again  # the line, again
    assert events(engine) == []

"""An officer and a supervisor on Telegram, end to end through the real client and the sandbox."""

import csv
import io

import pytest
from sqlmodel import select

from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Event, Obligation, Role
from storage.units import unit_by_code
from tests.conftest import at
from tests.support import cli
from tests.support.telegram import buttons

pytestmark = pytest.mark.before_reform  # written on the districts of before 1 July 2025

vi = translator("vi")
OFFICER, SUPERVISOR, OTHER = 1001, 2001, 3001
# The quarterly report is the third duty of the officer's 1 December message.
SUBMITTED_QUARTERLY = f"{vi._('Submitted')} 3"


async def register_both(bot) -> None:
    """Register an officer of Đức Tân and a supervisor of Mộ Đức."""
    greeting = await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    assert "UBND xã Đức Tân" in greeting["text"]
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")


async def officer_with_reminder(bot):
    """Register the officer and the supervisor; deliver the 1 Dec reminders, one message."""
    await register_both(bot)
    bot.clock.set(at("2026-12-01 08:00"))
    [delivered] = await bot.tick_and_collect(OFFICER)
    # Due now: the management review (due 30 November), the annual report (7 December) and
    # the quarterly report (15 December), its third duty.
    assert "3. Báo cáo quý cho Thường trực BCĐ ISO\n" in delivered["text"]
    assert "15/12/2026" in delivered["text"]
    return delivered


async def quarterly_reminder_alone(bot):
    """As :func:`officer_with_reminder`, but 30 November's reminders went out at 16:00 (the
    management review, the annual report), so at 08:00 the quarterly report's comes alone."""
    await register_both(bot)
    await bot.tick_and_collect(OFFICER)
    bot.clock.set(at("2026-12-01 08:00"))
    [delivered] = await bot.tick_and_collect(OFFICER)
    return delivered


async def test_register_receive_reminder_and_log_a_submission_with_a_file(bot, engine):
    reminder = await quarterly_reminder_alone(bot)
    text = reminder["text"]
    assert "UBND xã Đức Tân" in text
    assert "15/12/2026" in text  # the quarterly report's deadline
    assert "☐" in text  # the checklist
    assert buttons(reminder) == [vi._("Submitted"), vi._("Remind me later"), vi._("Guidance")]

    ask = await bot.press(OFFICER, reminder, vi._("Submitted"))
    assert "123/BC-UBND" in ask["text"]  # the example of the expected line

    wrong = await bot.say(OFFICER, "bao cao xong roi")
    assert vi._("I could not read a document number.") in wrong["text"]

    file_step = await bot.say(OFFICER, "45/BC-UBND ngày 28/11/2026")
    assert buttons(file_step) == [vi._("Skip")]
    bot.sandbox.user_sends_document(OFFICER, "bao-cao-quy-4.pdf", b"%PDF-1.4 report")
    confirm = await bot.sandbox.next_message(OFFICER, timeout=10)
    assert "45/BC-UBND" in confirm["text"] and "bao-cao-quy-4.pdf" in confirm["text"]
    receipt = await bot.press(OFFICER, confirm, vi._("Confirm"))
    assert "ISO-2026-000001" in receipt["text"]

    # The reminder now says it is done, and has no buttons left.
    edited = next(m for m in bot.sandbox.messages_to(OFFICER)
                  if m["message_id"] == reminder["message_id"])
    assert "ISO-2026-000001" in edited["text"] and not buttons(edited)

    await bot.tick()
    notice = await bot.sandbox.next_message(SUPERVISOR, timeout=10)
    assert "UBND xã Đức Tân" in notice["text"] and "45/BC-UBND" in notice["text"]

    with session_scope(engine) as session:
        event = session.exec(select(Event)).one()
        assert event.file_name == "bao-cao-quy-4.pdf"
        assert len(event.file_hash) == 64
        assert session.get(Obligation, event.obligation_id).status == "done"

    exported = cli.isobot(bot.runtime.settings.database_url, "export", "--what", "events",
                          "--format", "csv", now=bot.clock.now())
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["reference"], r["document"]) for r in rows] == [("ISO-2026-000001", "45/BC-UBND")]


async def test_free_text_without_diacritics_logs_the_quarterly_report(bot, engine):
    await officer_with_reminder(bot)
    step = await bot.say(OFFICER, "da nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026")
    assert buttons(step) == [vi._("Skip")]
    confirm = await bot.say(OFFICER, "bo qua")
    receipt = await bot.press(OFFICER, confirm, vi._("Confirm"))
    assert "ISO-2026-" in receipt["text"]
    with session_scope(engine) as session:
        event = session.exec(select(Event)).one()
        assert (event.document_number, str(event.document_date)) == ("45/BC-UBND", "2026-11-28")


async def test_a_replayed_button_changes_nothing(bot, engine):
    reminder = await officer_with_reminder(bot)
    await bot.press(OFFICER, reminder, SUBMITTED_QUARTERLY)
    await bot.say(OFFICER, "45/BC-UBND 28/11/2026")
    confirm = await bot.say(OFFICER, "bỏ qua")
    await bot.press(OFFICER, confirm, vi._("Confirm"))
    data = f"done:{reminder_obligation(engine)}"
    bot.sandbox.user_presses_button(OFFICER, reminder["message_id"], data, strict=False)
    again = await bot.sandbox.next_message(OFFICER, timeout=10)
    assert "ISO-2026-000001" in again["text"]
    with session_scope(engine) as session:
        assert len(session.exec(select(Event)).all()) == 1


def reminder_obligation(engine) -> int:
    """The id of Đức Tân's quarterly report for Q4 2026."""
    with session_scope(engine) as session:
        unit = unit_by_code(session, code="QNG-MD-DTAN")
        return session.exec(select(Obligation.id).where(
            Obligation.unit_id == unit.id, Obligation.duty_key == "quarterly_report",
            Obligation.period == "2026-Q4")).one()


async def test_another_units_duty_is_refused(bot, engine):
    await officer_with_reminder(bot)
    greeting = await bot.register(OTHER, "QNA-NS-QLOC", Role.OFFICER, "Minh")
    forged = f"done:{reminder_obligation(engine)}"  # Đức Tân's duty, pressed by Quế Lộc's officer
    bot.sandbox.user_presses_button(OTHER, greeting["message_id"], forged, strict=False)
    refusal = await bot.sandbox.next_message(OTHER, timeout=10)
    assert refusal["text"] == vi._("This duty does not belong to your unit, so you cannot report "
                                   "on it. Nothing was recorded.")


async def test_a_file_over_20_mb_is_refused_and_the_step_stays(bot):
    reminder = await officer_with_reminder(bot)
    await bot.press(OFFICER, reminder, SUBMITTED_QUARTERLY)
    await bot.say(OFFICER, "45/BC-UBND ngày 28/11/2026")
    bot.sandbox.user_sends_document(OFFICER, "scan.pdf", b"x", size_override=25 * 1024 * 1024)
    too_big = await bot.sandbox.next_message(OFFICER, timeout=10)
    assert "20 MB" in too_big["text"]
    bot.sandbox.user_sends_document(OFFICER, "scan-small.pdf", b"small")
    confirm = await bot.sandbox.next_message(OFFICER, timeout=10)
    assert "scan-small.pdf" in confirm["text"]


async def test_unknown_command_and_stray_text_get_help(bot):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    unknown = await bot.say(OFFICER, "/abcxyz")
    assert unknown["text"] == vi._("Unknown command. Type /help to see what I can do.")
    stray = await bot.say(OFFICER, "xin chào")
    assert "/viec" in stray["text"]


async def test_invalid_used_and_expired_codes_bind_nothing(bot, engine):
    from tests.support.telegram import invite

    bad = await bot.say(OFFICER, "/start NOTACODE2345")
    assert bad["text"] == vi._("This invite code is not valid. Please check it, or ask the ISO "
                               "standing office for a new one.")
    code = invite(engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now(), days=1)
    await bot.say(OFFICER, f"/start {code}")
    used = await bot.say(OTHER, f"/start {code}")
    assert used["text"] == vi._("This invite code has already been used. Please ask the ISO "
                                "standing office for a new one.")
    old = invite(engine, "QNG-MD-DTAN", Role.OFFICER, at("2026-11-01 08:00"), days=1)
    expired = await bot.say(OTHER, f"/start {old}")
    assert expired["text"] == vi._("This invite code has expired. Please ask the ISO standing "
                                   "office for a new one.")
    duties = await bot.say(OTHER, "/viec")
    assert "/start" in duties["text"]  # still not registered


async def test_a_duplicate_update_is_processed_once(bot):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    update = bot.sandbox.user_sends_text(OFFICER, "/viec")
    await bot.sandbox.next_message(OFFICER, timeout=10)
    bot.sandbox.queue_update(update)
    bot.sandbox.user_sends_text(OFFICER, "/help")
    after = await bot.sandbox.next_message(OFFICER, timeout=10)
    assert "/nop" in after["text"]  # the answer to /help, not a second answer to /viec


async def test_duties_and_calendar_commands(bot):
    await officer_with_reminder(bot)
    duties = await bot.say(OFFICER, "/viec")
    assert "15/12/2026" in duties["text"]
    agenda = await bot.say(OFFICER, "/lich")
    assert "15/12/2026" in agenda["text"] and "05/12/2026" not in agenda["text"]


async def test_an_internal_audit_creates_a_corrective_action_per_nonconformity(bot, engine):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    with session_scope(engine) as session:
        unit = unit_by_code(session, code="QNG-MD-DTAN")
        from storage.obligations import ensure_obligation

        audit, _ = ensure_obligation(session, unit_id=unit.id, duty_key="internal_audit",
                                     period="2026", due=at("2026-12-04 00:00").date(),
                                     now=bot.clock.now())
        audit_id = audit.id
    bot.sandbox.user_sends_text(OFFICER, "/nop")
    pick = await bot.sandbox.next_message(OFFICER, timeout=10)
    label = next(b for b in buttons(pick) if "Đánh giá nội bộ" in b)
    ask = await bot.press(OFFICER, pick, label)
    assert "12/BC-ĐGNB" in ask["text"]  # the audit report is asked for
    how_many = await bot.say(OFFICER, "12/BC-ĐGNB ngày 27/11/2026")
    assert vi._("How many nonconformities did the internal audit find? Reply with a number (0 "
                "if none).") in how_many["text"]
    assert "Đánh giá nội bộ HTQLCL" in how_many["text"]  # every step names the duty
    assert vi._("Please reply with a whole number from 0 to 200.") == \
        (await bot.say(OFFICER, "ba"))["text"]
    await bot.say(OFFICER, "2")
    confirm = await bot.say(OFFICER, "bỏ qua")
    receipt = await bot.press(OFFICER, confirm, vi._("Confirm"))
    assert "2" in receipt["text"]
    with session_scope(engine) as session:
        actions = session.exec(select(Obligation).where(
            Obligation.duty_key == "corrective_action")).all()
        assert sorted(a.period for a in actions) == ["2026-NC1", "2026-NC2"]
        # 30 days after the audit report of 27 November: Sunday 27 December → Monday 28th.
        assert {str(a.due) for a in actions} == {"2026-12-28"}
        assert {a.source for a in actions} == {"audit"}
        event = session.exec(select(Event).where(Event.obligation_id == audit_id)).one()
        assert (event.kind, event.nonconformities) == ("audit_done", 2)


async def test_language_can_be_switched_to_english(bot):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    choose = await bot.say(OFFICER, "/ngonngu")
    assert buttons(choose) == ["Tiếng Việt", "English"]
    done = await bot.press(OFFICER, choose, "English")
    assert done["text"] == "Language set to English."
    help_text = await bot.say(OFFICER, "/help")
    assert help_text["text"].startswith("isobot commands:")

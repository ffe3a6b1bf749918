"""The officer's chat, complete (issue 10), on Telegram and on Zalo through the sandbox servers,
typed as officers type on a phone: without diacritics.

Lan is the ISO officer of UBND xã Đức Tân, Minh its head, Hùng the ISO standing office of the
district (UBND huyện Mộ Đức); Tuấn is the officer of a commune in another province.
"""

from __future__ import annotations

import csv
import io

import pytest

from jobs.text.i18n import translator
from storage.models import Role
from tests.conftest import at
from tests.support import cli
from tests.support.phone import phones

vi = translator("vi")
DUC_TAN, MO_DUC, QUE_LOC = "QNG-MD-DTAN", "QNG-MD", "QNA-NS-QLOC"


@pytest.fixture(params=["telegram", "zalo"])
async def phone(request, engine, catalog):
    """Monday 30 November 2026, 16:00: Lan, Minh and Hùng registered."""
    async with phones(request.param, engine, catalog, at("2026-11-30 16:00"),
                      before_reform=True) as p:
        await p.register("Lan", DUC_TAN, Role.OFFICER)
        await p.register("Minh", DUC_TAN, Role.HEAD)
        await p.register("Hung", MO_DUC, Role.SUPERVISOR)
        yield p


def heading(template: str) -> str:
    """The fixed start of a translated message, before its first placeholder."""
    return vi._(template).split("{")[0]


async def report_quarter(phone) -> str:
    """Lan reports the Q4 report in one line and confirms; the receipt's text."""
    step = await phone.send("Lan", "da nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026")
    confirm = await phone.send("Lan", "bo qua")
    assert "45/BC-UBND" in step["text"] + confirm["text"]
    return await phone.choose("Lan", confirm, vi._("Confirm"))


async def test_a_correction_gets_its_own_receipt_and_the_supervisor_is_told(phone, engine):
    assert "ISO-2026-000001" in await report_quarter(phone)
    ask = await phone.say("Lan", "toi nhap nham so van ban, sua lai giup")
    assert "ISO-2026-000001" in ask and "45/BC-UBND" in ask
    confirm = await phone.send("Lan", "46/BC-UBND ngay 28/11/2026")
    assert "45/BC-UBND" in confirm["text"] and "46/BC-UBND" in confirm["text"]  # before, after
    receipt = await phone.choose("Lan", confirm, vi._("Confirm"))
    assert receipt.startswith(vi._("✅ Correction recorded. Receipt number: {reference}").format(
        reference="ISO-2026-000002"))
    assert vi._("It replaces {reference}, which stays on file.").format(
        reference="ISO-2026-000001") in receipt

    await phone.tick(at("2026-11-30 16:05"))
    notices = [m["text"] for m in await phone.inbox("Hung")]
    notice = next(n for n in notices if n.startswith(heading(
        "✏️ {unit} corrected its record of “{title}” ({period}).")))
    assert vi._("New receipt {new}, replacing {old}.").format(
        new="ISO-2026-000002", old="ISO-2026-000001") in notice
    assert "45/BC-UBND" in notice and "46/BC-UBND" in notice

    exported = cli.isobot(str(engine.url), "export", "--what", "events", "--format", "csv",
                          now=phone.clock.now())
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["reference"], r["document"], r["correction_of"], r["corrected_by"])
            for r in rows] == [("ISO-2026-000001", "45/BC-UBND", "", "ISO-2026-000002"),
                               ("ISO-2026-000002", "46/BC-UBND", "ISO-2026-000001", "")]


async def test_an_officer_of_another_unit_cannot_correct_the_record(phone):
    await report_quarter(phone)
    await phone.register("Tuan", QUE_LOC, Role.OFFICER)
    refusal = await phone.say("Tuan", "sua bien nhan ISO-2026-000001")
    assert refusal == vi._("You have no record {reference} to correct: a record can be "
                           "corrected by the person who sent it, or by the ISO standing office "
                           "of its unit. Nothing was changed.").format(reference="ISO-2026-000001")


async def test_an_absent_officers_reminders_go_to_the_substitute_and_a_summary_on_return(phone):
    recorded = await phone.say("Lan", "vang 1/12 - 4/12 Minh")
    assert recorded.startswith(heading("Recorded: you are away from {start} to {end}."))
    await phone.tick(at("2026-11-30 16:05"))
    await phone.inbox("Lan")  # 30 November's reminders: she is not away yet
    told = [m["text"] for m in await phone.inbox("Minh")]
    assert any(t.startswith(heading("{name} ({unit}) is away from {start} to {end}."))
               for t in told)

    await phone.tick(at("2026-12-01 08:00"))  # the reminders of 1 December
    to_minh = [m["text"] for m in await phone.inbox("Minh")]
    assert await phone.inbox("Lan") == []  # away: nothing for her
    assert any("15/12/2026" in t and "Báo cáo quý" in t for t in to_minh)

    await phone.tick(at("2026-12-07 08:00"))  # Monday: she is back
    summary = next(m["text"] for m in await phone.inbox("Lan") if m["text"].startswith(
        heading("Welcome back. While you were away ({start} – {end}), for {unit}:")))
    assert "01/12/2026 – 04/12/2026" in summary
    assert "Báo cáo quý cho Thường trực BCĐ ISO (quý 4/2026) → Minh" in summary
    still_open = summary.split(heading("Still open ({n}):"))[1]
    assert "Báo cáo quý cho Thường trực BCĐ ISO (quý 4/2026): 15/12/2026" in still_open


async def test_a_head_hands_the_officer_role_to_another_member(phone):
    await phone.register("Hoa", DUC_TAN, Role.OFFICER)
    which = await phone.send("Minh", "ban giao")
    receiver = await phone.choose_message("Minh", which, "Lan")
    confirm = await phone.choose_message("Minh", receiver, "Hoa")
    done = await phone.choose("Minh", confirm, vi._("Hand over"))
    assert done == vi._("Done: {new} is now the ISO officer of {unit} and receives its "
                        "reminders; {old} no longer does. Both have been told.").format(
        new="Hoa", unit="UBND xã Đức Tân", old="Lan")

    await phone.tick(at("2026-12-01 08:00"))
    to_lan = [m["text"] for m in await phone.inbox("Lan")]
    assert to_lan == [vi._("Your role as ISO officer of {unit} has been handed over to {new}. "
                           "You will no longer receive the unit's reminders.").format(
        unit="UBND xã Đức Tân", new="Hoa")]
    assert any("Báo cáo quý" in m["text"] for m in await phone.inbox("Hoa"))
    assert any(m["text"] == vi._("{unit}: the ISO officer role passed from {old} to {new} "
                                 "({by}).").format(unit="UBND xã Đức Tân", old="Lan", new="Hoa",
                                                   by="Minh")
               for m in await phone.inbox("Hung"))
    assert await phone.say("Lan", "viec") == vi._(  # she acts for no unit any more
        "Your account is not registered yet. Please send the invite code you received from the "
        "ISO standing office, e.g. /start ABCD2345EFGH.")


async def delivered_reminders(phone) -> dict:
    """1 December, 08:00: Lan's three reminders in one message, the quarterly report's last."""
    await phone.tick(at("2026-12-01 08:00"))
    [reminders] = await phone.inbox("Lan")
    assert "\n3. Báo cáo quý cho Thường trực BCĐ ISO\n" in reminders["text"]
    return reminders


async def test_the_second_to_last_messages_choice_can_still_be_answered(phone):
    await delivered_reminders(phone)
    languages = await phone.say("Lan", "ngon ngu")
    assert languages.startswith(vi._("Choose a language:"))
    # The reminders are the second-to-last message: the quarterly report's "Đã nộp 3" still
    # counts.
    ask = await phone.say("Lan", "da nop 3")
    assert ask.startswith(vi._("Reporting “{title}” ({period}).").format(
        title="Báo cáo quý cho Thường trực BCĐ ISO", period="quý 4/2026"))


async def test_a_duty_named_alone_offers_its_choices_and_a_number_answers_them(phone):
    await delivered_reminders(phone)
    offered = await phone.send("Lan", "Bao cao nam")
    assert "Báo cáo năm" in offered["text"]
    snoozed = await phone.say("Lan", "2")
    assert snoozed.startswith(heading("Understood. I will remind you again at {moment}."))
    duties = await phone.say("Lan", "viec")
    assert duties.startswith(vi._("Open duties (overdue first):"))
    picked = await phone.send("Lan", "2")  # the second line of the list
    assert vi._("{duty}: what would you like to do?").split(":")[-1] in picked["text"]


async def test_guidance_then_a_document_line_logs_the_event(phone):
    reminders = await delivered_reminders(phone)
    guidance = await phone.choose("Lan", reminders, f"{vi._('Guidance')} 3")
    assert "Báo cáo quý" in guidance and "01/12/2026" in guidance  # the example is dated today
    file_step = await phone.send("Lan", "45/BC-UBND ngay 30/11/2026")
    assert vi._("Skip") in str(file_step)
    confirm = await phone.send("Lan", "bo qua")
    receipt = await phone.choose("Lan", confirm, vi._("Confirm"))
    assert receipt.startswith(vi._("✅ Recorded. Receipt number: {reference}").format(
        reference="ISO-2026-000001"))

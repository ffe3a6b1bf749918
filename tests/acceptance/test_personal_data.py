"""A person's data, on Telegram and on Zalo: the notice at registration, /dulieu, /roi, and the
operator's `isobot person show|forget`.

Lan is the ISO officer of UBND xã Đức Tân, Minh its head; Hùng supervises the district.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from jobs.delivery.messages import Message
from jobs.people.absence import declare_absence
from jobs.people.linking import create_link_code
from jobs.text.i18n import translator
from storage.chats import load_state
from storage.db import session_scope
from storage.members import account_rows
from storage.models import Event, LinkCode, Member, Outbox, Role
from storage.outbox import enqueue
from tests.conftest import at
from tests.support import cli
from tests.support.phone import phones

vi = translator("vi")
DUC_TAN, MO_DUC = "QNG-MD-DTAN", "QNG-MD"
START = at("2026-11-30 16:00")
OPERATOR = {"operator_name": "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
            "operator_contact": "isobot@skhcn.quangngai.gov.vn"}
LEAVE_QUESTION = vi._("Do you want to leave isobot?")


@pytest.fixture(params=["telegram", "zalo"])
async def phone(request, engine, catalog):
    async with phones(request.param, engine, catalog, START, **OPERATOR, before_reform=True) as p:
        yield p


def brand(phone) -> str:
    return phone.platform.capitalize()


def rows_of(phone, who: str) -> list[Member]:
    with session_scope(phone.engine) as session:
        return account_rows(session, platform=phone.platform, user_id=str(phone.id(who)))


async def test_registration_tells_who_runs_the_automated_system_and_what_it_keeps(phone):
    greeting = await phone.register("Lan", DUC_TAN, Role.OFFICER)
    assert greeting.startswith(vi._("Welcome, {name}!").format(name="Lan"))
    for line in (
        vi._("ℹ️ isobot is an automated system (a chatbot), not a person; it is run by "
             "{operator}.").format(operator=OPERATOR["operator_name"]),
        vi._("Contact: {contact}.").format(contact=OPERATOR["operator_contact"]),
        vi._("To do its work it keeps your name, your {brand} account and chat id, your unit "
             "and role, your language, and what you report (documents, files, notes) as your "
             "unit's ISO 9001 quality-management records; your unit's head and the ISO "
             "standing office see your reports.").format(brand=brand(phone)),
        vi._("Type /dulieu to see what isobot holds about you, /roi to leave isobot."),
    ):
        assert line in greeting.splitlines()


async def report_quarter(phone) -> None:
    """Lan reports the Q4 report in one line and confirms."""
    await phone.send("Lan", "da nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026")
    confirm = await phone.send("Lan", "bo qua")
    assert "ISO-2026-000001" in await phone.choose("Lan", confirm, vi._("Confirm"))


async def test_dulieu_shows_what_isobot_holds_about_me_and_nobody_else(phone, calendar):
    await phone.register("Lan", DUC_TAN, Role.OFFICER)
    await phone.register("Minh", DUC_TAN, Role.HEAD)
    await report_quarter(phone)
    with session_scope(phone.engine) as session:
        lan, minh = rows_of(phone, "Lan")[0], session.merge(rows_of(phone, "Minh")[0])
        declare_absence(session, member=session.merge(lan), starts=dt.date(2026, 12, 10),
                        ends=dt.date(2026, 12, 18), substitute=minh, created_by="cli:operator",
                        now=START, calendar=calendar)

    shown = await phone.say("Lan", "du lieu")  # Zalo: no slash, no diacritics
    assert shown.startswith(vi._("What isobot holds about you:"))
    assert "• " + vi._("{brand}: account {account}, chat {chat}, name “{name}”, language "
                       "{language}").format(brand=brand(phone), account=phone.id("Lan"),
                                            chat=phone.id("Lan"), name="Lan",
                                            language="Tiếng Việt") in shown
    assert f"• UBND xã Đức Tân — {vi._('ISO officer')} ({brand(phone)}, " \
           f"{vi._('since {date}').format(date=vi.date(dt.date(2026, 11, 30)))})" in shown
    assert f"• {vi.date(dt.date(2026, 12, 10))} – {vi.date(dt.date(2026, 12, 18))}" in shown
    assert vi.ngettext("You logged {n} report or record; it is kept as your unit's QMS records.",
                       "You logged {n} reports or records; they are kept as your unit's QMS "
                       "records.", 1).format(n=1) in shown
    # Minh stands in for Lan, but his name and account are his own data.
    assert "Minh" not in shown and str(phone.id("Minh")) not in shown


async def test_roi_asks_first_and_stay_changes_nothing(phone):
    await phone.register("Lan", DUC_TAN, Role.OFFICER)
    assert not (await phone.say("Lan", "rồi")).startswith(LEAVE_QUESTION)  # "done", not /roi
    question = await phone.send("Lan", "/roi")
    assert question["text"].startswith(LEAVE_QUESTION)
    assert await phone.choose("Lan", question, vi._("Stay")) == vi._(
        "You stay registered; nothing was changed.")
    assert [m.active for m in rows_of(phone, "Lan")] == [True]
    # Another command closes the question: its "Leave isobot" no longer leaves.
    question_again = await phone.send("Lan", "/roi")
    await phone.say("Lan", "/dulieu")
    await phone.choose("Lan", question_again, vi._("Leave isobot"))
    assert [m.active for m in rows_of(phone, "Lan")] == [True]


async def test_roi_erases_what_is_not_evidence_and_keeps_the_reports(phone):
    await phone.register("Lan", DUC_TAN, Role.OFFICER)
    await phone.register("Minh", DUC_TAN, Role.HEAD)
    await phone.register("Hung", MO_DUC, Role.SUPERVISOR)
    await report_quarter(phone)
    await phone.inbox("Hung")
    with session_scope(phone.engine) as session:
        lan = session.merge(rows_of(phone, "Lan")[0])
        create_link_code(session, member=lan, now=START)
        enqueue(session, key="test:later", member=lan, kind="notice",
                payload=Message("Kính gửi anh/chị").to_payload(),
                now=START, not_before=START + dt.timedelta(days=1))

    (lan,) = rows_of(phone, "Lan")
    question = await phone.send("Lan", "/roi")
    assert await phone.choose("Lan", question, vi._("Leave isobot")) == vi._(
        "You have left isobot. Your reports stay in your unit's records; the rest was erased. "
        "Thank you for your work.")

    assert rows_of(phone, "Lan") == []  # the account is no longer on any row
    with session_scope(phone.engine) as session:
        lan = session.get(Member, lan.id)
        assert (lan.active, lan.display_name) == (False, f"#{lan.id}")
        assert session.exec(select(Event.member_id)).all() == [lan.id]  # the report stays
        assert session.exec(select(LinkCode)).all() == []
        assert session.exec(select(Outbox.state).where(Outbox.member_id == lan.id,
                                                       Outbox.kind == "notice")).all() == [
            "cancelled"]
        state = load_state(session, platform=phone.platform, chat_id=str(phone.id("Lan")),
                           user_id=str(phone.id("Lan")))
        assert not state.get("offers") and "flow" not in state
    # The unit has no officer now: its head hears, and so does the district (not who left).
    await phone.tick(START + dt.timedelta(minutes=5))
    vacancy = vi._("⚠️ {unit} has no ISO officer now: {name} no longer acts for it.").format(
        unit="UBND xã Đức Tân", name=vi._("a member of {unit}").format(unit="UBND xã Đức Tân"))
    assert any(m["text"].startswith(vacancy) for m in await phone.inbox("Minh"))
    assert any(m["text"].startswith(vacancy) for m in await phone.inbox("Hung"))
    assert await phone.say("Lan", "/viec") == vi._(
        "Your account is not registered yet. Please send the invite code you received from the "
        "ISO standing office, e.g. /start ABCD2345EFGH.")


async def test_the_operator_shows_and_forgets_a_person_from_the_command_line(phone):
    await phone.register("Lan", DUC_TAN, Role.OFFICER)
    await report_quarter(phone)
    account = ["--messenger", phone.platform, "--user", str(phone.id("Lan"))]
    url = str(phone.engine.url)
    shown = cli.isobot(url, "person", "show", *account, now=START)
    assert shown.exit_code == 0, shown.output
    # The operator reads about the person, not a text addressed to them.
    assert shown.output.startswith(vi._("What isobot holds about this person:"))
    assert "anh/chị" not in shown.output.lower()
    assert vi.ngettext("This person logged {n} report or record; it is kept as their unit's QMS "
                       "records.", "This person logged {n} reports or records; they are kept "
                       "as their unit's QMS records.", 1).format(n=1) in shown.output
    assert "UBND xã Đức Tân" in shown.output

    (lan,) = rows_of(phone, "Lan")
    forgotten = cli.isobot(url, "person", "forget", *account, "--yes", now=START)
    assert forgotten.exit_code == 0, forgotten.output
    assert forgotten.output.strip() == vi._(
        "Done: {memberships} memberships ended, {messages} messages not yet sent cancelled, the "
        "name and conversation erased; the events logged stay as the units' records.").format(
        memberships=1, messages=0)
    with session_scope(phone.engine) as session:
        lan = session.get(Member, lan.id)
    assert (lan.active, lan.display_name, lan.platform_user_id) == (False, f"#{lan.id}",
                                                                    f"#{lan.id}")
    assert cli.isobot(url, "person", "show", *account, now=START).output.strip() == vi._(
        "isobot holds no membership for this account: it keeps only the conversation under "
        "way, if any.")

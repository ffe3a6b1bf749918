"""Dialogs with the conversation, as tables: (who, what they type) -> what they read.

The style of Zulip's bot tests (zulip_bots.test_lib.BotTestCase.verify_dialog takes a list of
(request, expected response)). The conversation is the same on every messenger, so these drive
:meth:`bot.chat.conversation.Conversation.handle` directly, against a real database; the messenger
adapters have their own tests against the sandboxes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.chat.commands import Command
from bot.chat.turn import IncomingFile
from bot.features.supervisor.addressing import SUPERVISORS_ONLY
from bot.parsing import fold
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.obligations import ensure_obligation
from storage.units import unit_by_code
from tests.support.dialogs import (
    HEAD,
    NOW,
    OFFICER,
    STRANGER,
    SUPERVISOR,
    Chat,
    registered_chat,
)

vi = translator("vi")


@pytest.fixture
def chat(engine, catalog, calendar) -> Chat:
    """An officer and a head of a commune, a supervisor of its district, and a stranger."""
    return registered_chat(engine, catalog, calendar)


# -- /help ------------------------------------------------------------------------------------

HELP = [  # who, command, listed in their /help
    (OFFICER, "/viec", True), (OFFICER, "/nop", True), (OFFICER, "/lich_ics", True),
    (OFFICER, "/chidao", False), (OFFICER, "/xuat", False), (OFFICER, "/start", False),
    (HEAD, "/lich_ics", True), (HEAD, "/vanban", False),
    (SUPERVISOR, "/chidao", True), (SUPERVISOR, "/chidao_tinhhinh", True),
    (SUPERVISOR, "/vanban", True), (SUPERVISOR, "/xuat", True), (SUPERVISOR, "/nop", True),
    (SUPERVISOR, "/lich_ics", False),
    (STRANGER, "/start", True), (STRANGER, "/ngonngu", True), (STRANGER, "/viec", False),
    (STRANGER, "/lienket", False), (STRANGER, "/chidao", False),
]


@pytest.mark.parametrize("how", ["/help", "help", "trợ giúp", "tro giup", "HELP"])
def test_help_lists_only_the_commands_a_person_may_use(chat, how):
    helps = {who: chat.say(who, how) for who in (OFFICER, HEAD, SUPERVISOR, STRANGER)}
    for who, command, listed in HELP:
        lines = helps[who].splitlines()
        assert any(line.startswith(f"{command} — ") for line in lines) is listed, (who, command)
    assert helps[OFFICER] != helps[SUPERVISOR] != helps[STRANGER]
    assert helps[STRANGER].endswith(vi._(
        "Your account is not registered yet. Please send the invite code you received from the "
        "ISO standing office, e.g. /start ABCD2345EFGH."))


def test_help_words_each_command_by_its_declaration(chat):
    officer = chat.say(OFFICER, "/help").splitlines()
    assert f"/viec — {vi._('my open duties, overdue first')}" in officer
    assert f"/lienket — {vi._('use isobot on your other messenger too (Telegram / Zalo)')}" \
        in officer


# -- every command, however it is typed ------------------------------------------------------


def typings(command: Command) -> list[str]:
    """The ways people type ``command``: with and without the slash, diacritics or capitals."""
    names = {command.name, command.name.upper()}
    words = {*command.aliases, *(fold(alias) for alias in command.aliases)}
    bare = words if command.needs_slash else names | words
    return sorted({*bare, *(f"/{word}" for word in names | words)})


def test_the_typings_cover_the_vietnamese_spellings(chat):
    lich_ics = next(c for c in chat.conversation.commands if c.name == "lich_ics")
    assert {"lich_ics", "/lich_ics", "lịch ics", "lich ics", "/lịch ics"} <= set(typings(lich_ics))


def test_every_command_is_reachable_however_it_is_typed(chat):
    for command in chat.conversation.commands:
        who = next(p for p in (OFFICER, SUPERVISOR, STRANGER)
                   if command.allows(chat.audiences(p)))
        chat.send(who, "/huy")  # each typing starts from no task under way
        expected = chat.say(who, f"/{command.name}")
        assert expected != vi._("Unknown command. Type /help to see what I can do.")
        for typed in typings(command):
            chat.send(who, "/huy")
            assert chat.say(who, typed) == expected, (command.name, typed)


# -- what is not a command, or not one's own ---------------------------------------------------

UNKNOWN = vi._("Unknown command. Type /help to see what I can do.")
NOT_UNDERSTOOD = vi._("I did not understand. Type /viec to see your open duties, /nop to report "
                      "one as done, or /help for all commands.")
NOT_REGISTERED = vi._("Your account is not registered yet. Please send the invite code you "
                      "received from the ISO standing office, e.g. /start ABCD2345EFGH.")

DIALOG = [
    (OFFICER, "/abcxyz", UNKNOWN),
    (STRANGER, "/abcxyz", UNKNOWN),
    (OFFICER, "/ngôn", UNKNOWN),  # half of "ngôn ngữ" is nothing
    (OFFICER, "abcxyz", NOT_UNDERSTOOD),  # a word without slash is a reply, not a command
    (OFFICER, "/chidao", vi._(SUPERVISORS_ONLY)),
    (HEAD, "chỉđạo", vi._(SUPERVISORS_ONLY)),  # the name, spelt in Vietnamese
    (OFFICER, "xuat", vi._("Only the ISO standing office (supervisors) can export the "
                           "compliance table. Nothing was sent.")),
    (SUPERVISOR, "/lich_ics", vi._("The calendar file lists the deadlines of the units you "
                                   "work for as ISO officer or head of unit, and your account "
                                   "has none.")),
    (STRANGER, "/viec", NOT_REGISTERED),
    (STRANGER, "việc", NOT_REGISTERED),
    (STRANGER, "/huy", NOT_REGISTERED),
    (STRANGER, "xin chào", NOT_REGISTERED),
    (OFFICER, "/huy", vi._("There is nothing to cancel.")),
    (OFFICER, "/ngonngu", vi._("Choose a language:")),
]


@pytest.mark.parametrize(("who", "typed", "reply"), DIALOG,
                         ids=[f"{who}:{typed}" for who, typed, _ in DIALOG])
def test_dialog(chat, who, typed, reply):
    assert chat.say(who, typed) == reply


def test_a_refused_command_leaves_the_task_under_way(chat):
    chat.say(OFFICER, "/nop")
    assert chat.say(OFFICER, "/chidao") == vi._(SUPERVISORS_ONLY)
    assert chat.say(OFFICER, "/huy") == vi._("Cancelled. Nothing was recorded.")


# -- the menu ----------------------------------------------------------------------------------


def test_the_menu_is_the_officers_and_newcomers_commands(chat):
    menu = chat.conversation.command_menu("vi")
    names = [name for name, _ in menu]
    officer_or_new = chat.audiences(OFFICER) | chat.audiences(STRANGER)
    assert names == [c.name for c in chat.conversation.commands if c.allows(officer_or_new)]
    assert {"viec", "nop", "lich_ics", "start", "help"} <= set(names)
    assert not {"chidao", "vanban", "xuat"} & set(names)
    assert dict(menu)["viec"] == vi._("my open duties, overdue first")
    assert dict(chat.conversation.command_menu("en"))["viec"] == "my open duties, overdue first"


# -- reporting in one line ---------------------------------------------------------------------


@pytest.fixture
def quarterly_report(chat):
    with session_scope(chat.engine) as session:
        unit = unit_by_code(session, code="QNG-MD-DTAN")
        ensure_obligation(session, unit_id=unit.id, duty_key="quarterly_report",
                          period="2026-Q4", due=dt.date(2026, 12, 15), now=NOW)


@pytest.mark.parametrize("typed", [
    "/nop báo cáo quý 4 số 45/BC-UBND ngày 28/11/2026",
    "nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026",  # Zalo: no slash, no diacritics
    "đã nộp báo cáo quý 4 số 45/BC-UBND ngày 28/11/2026",
])
def test_a_report_in_one_line_skips_to_the_file(chat, quarterly_report, typed):
    step = chat.say(OFFICER, typed)
    assert step.endswith(vi._("You may now send the file or a photo of the document (up to "
                              "{limit} MB), or skip this step.").format(limit=20))
    assert "Báo cáo quý cho Thường trực BCĐ ISO" in step  # the duty is named at every step


def test_yes_confirms_even_when_the_buttons_were_not_just_shown(chat, quarterly_report):
    chat.say(OFFICER, "/nop quý 4 số 45/BC-UBND ngày 28/11/2026")
    assert chat.say(OFFICER, "không").startswith(vi._("Please confirm:"))
    too_big = IncomingFile(name="scan.pdf", size=30 * 1024 * 1024, content=None)
    assert "20 MB" in chat.send(OFFICER, file=too_big)[0]  # no buttons with this answer
    assert chat.say(OFFICER, "có").startswith(
        vi._("✅ Recorded. Receipt number: {reference}").split("{")[0])

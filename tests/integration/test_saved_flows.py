"""Tasks a person left under way when isobot was upgraded, and buttons still sitting in chats.

The previous version kept a task as a dict with string steps (a report without its "kind", the
supervisors' two tasks under one kind). What maps cleanly onto today's flows is carried on;
anything else is dropped quietly and the person's next message is read as usual. An old or
forged button is answered, never a crash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.chat.conversation import Inbound
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import ChatState
from storage.obligations import ensure_obligation
from storage.units import unit_by_code
from tests.support.dialogs import NOW, OFFICER, SUPERVISOR, Chat, registered_chat

vi = translator("vi")
STALE = vi._("This choice is no longer valid. Type /viec to see your open duties.")


@pytest.fixture
def chat(engine, catalog, calendar) -> Chat:
    return registered_chat(engine, catalog, calendar)


def left_under_way(chat: Chat, who: str, flow: Any) -> None:
    """What the previous version kept in ``who``'s chat state: ``flow`` in its shape."""
    with session_scope(chat.engine) as session:
        row = session.get(ChatState, ("test", who, who)) or ChatState(
            platform="test", chat_id=who, user_id=who, state={}, updated_at=NOW)  # none yet
        row.state = {**row.state, "flow": flow}
        session.add(row)


def unit_id(chat: Chat, code: str) -> int:
    with session_scope(chat.engine) as session:
        return unit_by_code(session, code=code).id


def test_a_report_saved_without_its_kind_is_confirmed(chat):
    with session_scope(chat.engine) as session:
        obligation, _ = ensure_obligation(
            session, unit_id=unit_by_code(session, code="QNG-MD-DTAN").id,
            duty_key="quarterly_report", period="2026-Q4", due=dt.date(2026, 12, 15), now=NOW)
        obligation_id = obligation.id
    left_under_way(chat, OFFICER, {"step": "confirm", "obligation_id": obligation_id,
                                   "number": "45/BC-UBND", "date": "2026-11-28"})
    receipt = chat.say(OFFICER, "xác nhận")
    assert receipt.startswith(vi._("✅ Recorded. Receipt number: {reference}").split("{")[0])
    assert "45/BC-UBND" in receipt


def test_a_directive_saved_under_the_desks_old_kind_is_sent(chat):
    left_under_way(chat, SUPERVISOR, {
        "kind": "supervisor", "what": "chidao", "step": "due", "issuer": unit_id(chat, "QNG-MD"),
        "text": "Rà soát quy trình tiếp công dân", "scope": {"all": True, "kinds": [],
                                                             "codes": []}})
    confirm = chat.send(SUPERVISOR, choice="cd-due:none")[0]
    assert confirm.startswith(vi._("Please confirm the directive:"))
    assert "Rà soát quy trình tiếp công dân" in confirm
    sent = chat.send(SUPERVISOR, choice="cd-confirm:yes")[0]
    assert sent.startswith(vi._("Directive {number} is being sent to {units} units ({people} "
                                "people), due {date}. Type /chidao_tinhhinh to follow it.")
                           .split("{")[0])


def test_a_legal_document_saved_with_its_old_step_names_goes_on(chat):
    left_under_way(chat, SUPERVISOR, {
        "kind": "supervisor", "what": "vanban", "step": "legal-title",
        "issuer": unit_id(chat, "QNG-MD"), "number": "15/2026/NĐ-CP", "effective": "2026-12-01"})
    assert chat.say(SUPERVISOR, "Quy định về ISO điện tử") == vi._("Which units does it affect?")


def test_a_question_to_leave_saved_without_a_step_is_answered(chat):
    left_under_way(chat, OFFICER, {"kind": "leave"})
    assert chat.send(OFFICER, choice="stay:yes") == [
        vi._("You stay registered; nothing was changed.")]


@pytest.mark.parametrize("flow", [
    {"kind": "submission", "step": "bogus", "obligation_id": 1},  # a step no longer asked
    {"kind": "correction", "step": "confirm", "event_id": 1, "field": "document",
     "change": {"number": "45/BC-UBND", "date": "2026-11-28"}},  # a change in its old shape
    {"kind": "handover", "step": "to", "unit_id": "one"},  # a value of the wrong type
    {"kind": "retired", "step": "ask"},  # a feature no longer running
    {"step": ["pick"]},
    "pick",
], ids=["step", "shape", "type", "kind", "list", "text"])
def test_a_flow_that_does_not_map_is_dropped_and_the_reply_read_as_usual(chat, flow):
    left_under_way(chat, OFFICER, flow)
    assert chat.say(OFFICER, "xin chào").startswith(vi._(
        "Hello, {name}! Type /viec to see your open duties, or /nop to report one as done.")
        .split("{")[0])
    assert chat.say(OFFICER, "/huy") == vi._("There is nothing to cancel.")


@pytest.mark.parametrize("choice", [
    "fix:²", "fixwhat:zzz", "fixok:yes", "bg-from:abc", "bg-to:7", "bg-ok:yes", "cd-kind:",
    "done:", "pick:999999999999999999999", "skip:now", "leave:", "lang:xx", "nothing:1", "",
])
def test_an_old_or_forged_button_is_answered(chat, choice):
    inbound = Inbound(platform="test", update_id=f"old-{choice}", user_id=OFFICER,
                      chat_id=OFFICER, choice=choice)
    replies = chat.conversation.handle(inbound, NOW).messages
    assert replies and all(m.text for m in replies)


def test_a_forged_field_during_a_correction_asks_for_a_choice(chat):
    with session_scope(chat.engine) as session:
        ensure_obligation(
            session, unit_id=unit_by_code(session, code="QNG-MD-DTAN").id,
            duty_key="quarterly_report", period="2026-Q4", due=dt.date(2026, 12, 15), now=NOW)
    chat.say(OFFICER, "nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026")
    chat.say(OFFICER, "bo qua")
    chat.say(OFFICER, "xac nhan")
    assert chat.say(OFFICER, "/sua").endswith(vi._("What was wrong?"))
    choose = vi._("Please choose one of the options, or type /huy to cancel.")
    assert chat.send(OFFICER, choice="fixwhat:zzz") == [choose]
    assert chat.send(OFFICER, choice="fixwhat:count") == [choose]  # not a field of this duty
    assert chat.say(OFFICER, "/huy") == vi._("Cancelled. Nothing was recorded.")

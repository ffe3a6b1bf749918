"""The rough edges a newcomer met in the chat (issue 27, item 13), as dialogs: a wrong date
named, a step that cannot be skipped saying why, a question answered, courtesy answered, a
pasted text left alone, and a number that answers the newest of two lists saying so."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs.delivery.offers import remember_offer
from jobs.text.i18n import translator
from storage.chats import load_state, save_state
from storage.db import session_scope
from tests.integration.test_officer_dialogs import logged, owe
from tests.support.dialogs import NOW, OFFICER, Chat, registered_chat

vi, en = translator("vi"), translator("en")
NOT_UNDERSTOOD = vi._("I did not understand. Type /viec to see your open duties, /nop to report "
                      "one as done, or /help for all commands.")
COURTESY = vi._("You are welcome. Type /viec whenever you need your duties.")
NOT_SKIPPED = vi._("This step cannot be skipped: the duty is recorded only with its evidence.")
NO_DOCUMENT_SKIPPED = vi._("This step cannot be skipped: the duty is recorded with the number "
                           "and date of its document.")
NOTICE = ("Kính gửi các đồng chí, UBND xã Đức Tân thông báo lịch họp giao ban tuần tới vào sáng "
          "thứ Hai tại hội trường. Đề nghị các bộ phận chuẩn bị báo cáo tình hình thực hiện "
          "nhiệm vụ, gửi về văn phòng trước ngày 5/12/2026. Trân trọng.")


@pytest.fixture
def chat(engine, catalog, calendar) -> Chat:
    """Đức Tân's officer owes its quarterly reports of Q3 (late) and Q4 2026."""
    talk = registered_chat(engine, catalog, calendar)
    owe(talk, "quarterly_report", "2026-Q3", dt.date(2026, 9, 15))
    owe(talk, "quarterly_report", "2026-Q4", dt.date(2026, 12, 15))
    return talk


DIALOG = [  # what the officer types -> the start of the first reply
    ("đã nộp báo cáo quý 3 số 77/BB-UBND ngày 31/02/2026",
     vi._("The document's date is not a real date.")),
    ("/nop quý 3 số 77/BB-UBND ngày 31/02/2026", vi._("The document's date is not a real date.")),
    ("đã nộp báo cáo quý 3 ngày 31/02/2026", vi._("The document's date is not a real date.")),
    ("hạn nộp báo cáo quý là khi nào?", vi._("Deadlines:")),
    ("cảm ơn", COURTESY),
    ("Cám ơn anh nhiều!", COURTESY),
    ("👍", COURTESY),
    ("🙏🙏", COURTESY),
    ("/ngonngu en", en._("Language set to English.")),
    ("ngôn ngữ tiếng việt", vi._("Language set to Vietnamese.")),
    (NOTICE, NOT_UNDERSTOOD),
]


@pytest.mark.parametrize(("typed", "reply"), DIALOG, ids=[typed[:30] for typed, _ in DIALOG])
def test_dialog(chat, typed, reply):
    assert chat.say(OFFICER, typed).startswith(reply)


def test_a_question_about_a_deadline_is_answered_with_it(chat):
    answer = chat.say(OFFICER, "hạn nộp báo cáo quý 4 là khi nào?")
    assert "15/12/2026" in answer and "15/09/2026" not in answer
    assert chat.say(OFFICER, "/huy") == vi._("There is nothing to cancel.")  # no report began


def test_english_is_spoken_from_the_reply_to_ngonngu_en_on(chat):
    chat.say(OFFICER, "/ngonngu en")
    assert chat.say(OFFICER, "/huy") == en._("There is nothing to cancel.")


def test_a_pasted_notice_starts_no_report(chat):
    chat.say(OFFICER, NOTICE)
    assert chat.say(OFFICER, "/huy") == vi._("There is nothing to cancel.")


def test_the_document_step_says_why_it_cannot_be_skipped(chat):
    chat.say(OFFICER, "đã nộp báo cáo quý 4")
    assert chat.say(OFFICER, "bỏ qua").startswith(NO_DOCUMENT_SKIPPED)


def test_the_file_step_of_a_duty_that_needs_evidence_says_why_it_cannot_be_skipped(chat):
    owe(chat, "self_check", "2026-Q4", dt.date(2026, 12, 10))
    chat.say(OFFICER, "da tu kiem tra")
    again = chat.say(OFFICER, "bỏ qua")
    assert NOT_SKIPPED in again and "Tự kiểm tra hồ sơ HTQLCL" in again


def test_the_right_line_typed_at_what_was_wrong_is_taken(chat):
    logged(chat)
    assert chat.say(OFFICER, "/sua").endswith(vi._("What was wrong?"))
    before_after = chat.say(OFFICER, "45/BC-UBND ngày 27/11/2026")
    assert vi._("After:") in before_after and "27/11/2026" in before_after


def test_help_offers_start_to_newcomers_only(chat):
    assert "/start" not in chat.say(OFFICER, "/help")
    assert "/start" in chat.say("newcomer", "/help")


def test_a_number_typed_while_two_lists_are_open_answers_the_newest_and_says_so(chat):
    chat.say(OFFICER, "/viec")  # a numbered list, then a reminder's choices arrive (as
    # delivery remembers them, in a transaction of its own)
    with session_scope(chat.engine) as session:
        key = dict(platform="test", chat_id=OFFICER, user_id=OFFICER)
        state = load_state(session, **key)
        remember_offer(state, [("later:99", "Nhắc lại sau"), ("guide:99", "Hướng dẫn")],
                       NOW + dt.timedelta(minutes=5))
        save_state(session, **key, state=state, now=NOW)
    said = chat.send(OFFICER, "2")
    assert said[0] == vi._("“{number}” answers the latest message: {choice}.").format(
        number=2, choice="Hướng dẫn")


def test_a_number_answering_the_list_just_asked_for_says_nothing_more(chat):
    chat.say(OFFICER, "/viec")
    offered = chat.say(OFFICER, "1")
    assert offered.endswith(vi._("{duty}: what would you like to do?").split("}")[-1])

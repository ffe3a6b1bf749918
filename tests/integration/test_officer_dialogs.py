"""The officer's chat in detail, as dialogs against a real database (SQLite and PostgreSQL):
corrections, choices that stay alive, nothing typed twice, evidence rules, absence and handover
as the planner, directives, the digest and the command line see them.

The acceptance tests (tests/acceptance/test_officer_chat.py) show the same on both messengers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlmodel import select

from jobs.planning.planner import plan
from jobs.supervision.digest_job import build_weekly_digest
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Event, Member, Obligation, ObligationStatus, Outbox
from storage.obligations import ensure_obligation
from storage.units import unit_by_code
from tests.conftest import at
from tests.support import cli
from tests.support.dialogs import HEAD, NOW, OFFICER, SUPERVISOR, Chat, registered_chat

vi = translator("vi")
DUC_TAN = "QNG-MD-DTAN"
FILE_STEP = vi._("You may now send the file or a photo of the document (up to {limit} MB), or "
                 "skip this step.").format(limit=20)


@pytest.fixture
def chat(engine, catalog, calendar) -> Chat:
    """Đức Tân's officer and head, and Mộ Đức's supervisor (tests.support.dialogs)."""
    return registered_chat(engine, catalog, calendar)


def owe(chat: Chat, duty: str, period: str, due: dt.date) -> int:
    with session_scope(chat.engine) as session:
        unit = unit_by_code(session, code=DUC_TAN)
        return ensure_obligation(session, unit_id=unit.id, duty_key=duty, period=period,
                                 due=due, now=NOW)[0].id


@pytest.fixture
def quarter(chat) -> int:
    """Đức Tân owes its quarterly report for Q4 2026, due 15 December."""
    return owe(chat, "quarterly_report", "2026-Q4", dt.date(2026, 12, 15))


def logged(chat: Chat, text: str = "nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026") -> str:
    """The officer reports in one line, skips the file, confirms: the receipt."""
    chat.say(OFFICER, text)
    chat.say(OFFICER, "bo qua")
    return chat.say(OFFICER, "xac nhan")


def events(chat: Chat) -> list[Event]:
    with session_scope(chat.engine) as session:
        return list(session.exec(select(Event).order_by(Event.id)))


# -- corrections -------------------------------------------------------------------------------


def test_a_supervisor_corrects_a_record_and_the_compliance_table_shows_the_latest(chat, quarter):
    logged(chat)
    with session_scope(chat.engine) as session:
        done_at = session.get(Obligation, quarter).done_at
    ask = chat.say(SUPERVISOR, "/sua ISO-2026-000001")
    assert vi._("What was wrong?") in ask
    chat.say(SUPERVISOR, "1")  # the document's number and date
    chat.say(SUPERVISOR, "45/BC-UBND ngay 27/11/2026")
    receipt = chat.say(SUPERVISOR, "1")
    assert "ISO-2026-000002" in receipt
    first, second = events(chat)
    assert (first.document_date, second.document_date) == (dt.date(2026, 11, 28),
                                                           dt.date(2026, 11, 27))
    assert second.correction_of_id == first.id and second.actor == "test:supervisor"
    with session_scope(chat.engine) as session:
        obligation = session.get(Obligation, quarter)
        assert (obligation.done_event_id, obligation.done_at) == (second.id, done_at)
        told = session.exec(select(Outbox).where(Outbox.unique_key.like("correction:%"))).all()
        assert {session.get(Member, r.member_id).platform_user_id for r in told} == {OFFICER}
    rows = list(csv.DictReader(io.StringIO(cli.isobot(
        str(chat.engine.url), "export", "--what", "compliance", "--year", "2026",
        now=NOW).stdout)))
    quarter_row = next(r for r in rows if r["unit"] == DUC_TAN and r["period"] == "2026-Q4")
    assert (quarter_row["evidence"], quarter_row["status"]) == ("ISO-2026-000002", "on_time")


def test_a_correction_that_changes_nothing_records_nothing(chat, quarter):
    logged(chat)
    chat.say(OFFICER, "sai so van ban")
    chat.say(OFFICER, "45/BC-UBND ngay 28/11/2026")
    assert chat.say(OFFICER, "1") == vi._("That is what the record already says. Nothing was "
                                          "changed.")
    assert len(events(chat)) == 1


def test_an_audits_count_corrected_adds_or_cancels_its_corrective_actions(chat):
    owe(chat, "internal_audit", "2026", dt.date(2026, 12, 4))
    chat.say(OFFICER, "da danh gia noi bo so 12/BC-ĐGNB ngay 27/11/2026, 2 diem khong phu hop")
    chat.say(OFFICER, "bo qua")
    chat.say(OFFICER, "xac nhan")
    for count, expected in (("3", {"2026-NC1", "2026-NC2", "2026-NC3"}), ("1", {"2026-NC1"})):
        chat.say(OFFICER, "/sua sai so diem khong phu hop")
        chat.say(OFFICER, count)
        assert chat.say(OFFICER, "1").startswith(heading(
            "✅ Correction recorded. Receipt number: {reference}"))
        with session_scope(chat.engine) as session:
            actions = session.exec(select(Obligation).where(
                Obligation.duty_key == "corrective_action",
                Obligation.status == ObligationStatus.OPEN)).all()
            assert {a.period for a in actions} == expected


def heading(template: str) -> str:
    return vi._(template).split("{")[0]


def test_a_duty_already_reported_answers_with_its_receipt_and_offers_a_correction(chat, quarter):
    logged(chat)
    again = chat.say(OFFICER, "da nop bao cao quy 4 so 46/BC-UBND ngay 30/11/2026")
    assert "ISO-2026-000001" in again and "/sua ISO-2026-000001" in again
    ask = chat.say(OFFICER, "1")  # "Correct this record"
    assert "ISO-2026-000001" in ask and "46/BC-UBND" in ask  # the typed line is carried over


# -- nothing typed twice -----------------------------------------------------------------------


def test_a_period_not_open_is_named_and_the_document_is_not_asked_again(chat, quarter):
    owe(chat, "annual_report", "2026", dt.date(2026, 12, 7))
    listed = chat.send(OFFICER, "da nop bao cao quy 3 so 45/BC-UBND ngay 5/10/2026")
    assert listed[0] == vi._("{what} is not among your open duties.").format(
        what="“Báo cáo quý cho Thường trực BCĐ ISO” (quý 3/2026)")
    assert listed[1].startswith(vi._("Which duty are you reporting as done?"))
    step = chat.say(OFFICER, "1")
    assert step.endswith(FILE_STEP)  # the number and date were kept


def test_a_document_dated_before_its_period_asks_for_confirmation(chat, quarter):
    ask = chat.say(OFFICER, "nop bao cao quy 4 so 45/BC-UBND ngay 01/01/1990")
    assert vi._("The document {number} is dated {date}, before {period}, the period it reports "
                "on. Is the date right?").format(number="45/BC-UBND", date="01/01/1990",
                                                 period="quý 4/2026") in ask
    assert heading("Reporting “{title}” ({period}).") in chat.say(OFFICER, "2")  # enter again
    chat.say(OFFICER, "45/BC-UBND ngay 01/01/1990")
    chat.say(OFFICER, "1")  # the date is right
    assert "45/BC-UBND ngày 01/01/1990" in chat.say(OFFICER, "bo qua")


def test_the_examples_given_are_valid_on_the_day(chat):
    owe(chat, "management_review", "2026", dt.date(2026, 11, 30))
    chat.say(OFFICER, "/nop")
    example = "05/BB-UBND ngày 30/11/2026"  # NOW is 30 November 2026
    assert example in chat.say(OFFICER, "1")
    assert chat.say(OFFICER, example).endswith(FILE_STEP)
    assert "123/BC-UBND ngày 30/11/2026" in chat.say(OFFICER, "/help")


# -- evidence rules ----------------------------------------------------------------------------


def test_a_self_check_is_not_recorded_without_a_note_or_a_file(chat):
    owe(chat, "self_check", "2026-Q4", dt.date(2026, 12, 10))
    ask = chat.send(OFFICER, "da tu kiem tra")
    assert "Tự kiểm tra hồ sơ HTQLCL" in ask[0]  # the duty is named
    assert vi._("This duty needs evidence: send a photo or file of the filled-in checklist (up "
                "to {limit} MB), or type a short note of what you checked and found.").format(
        limit=20) in ask[0]
    assert "Tự kiểm tra" in chat.say(OFFICER, "bo qua")  # no skipping: asked again
    confirm = chat.say(OFFICER, "Đủ phiếu kiểm soát cho 120 hồ sơ quý 4")
    assert vi._("Note: {note}").format(note="Đủ phiếu kiểm soát cho 120 hồ sơ quý 4") in confirm
    chat.say(OFFICER, "xac nhan")
    [event] = events(chat)
    assert event.note == "Đủ phiếu kiểm soát cho 120 hồ sơ quý 4"


# -- choices that stay alive -------------------------------------------------------------------


def test_a_stale_answer_gets_a_clear_word_and_the_current_choices(chat, quarter):
    chat.say(OFFICER, "nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026")
    chat.say(OFFICER, "bo qua")
    chat.say(OFFICER, "/huy")
    owe(chat, "annual_report", "2026", dt.date(2026, 12, 7))
    chat.say(OFFICER, "viec")
    chat.say(OFFICER, "ngon ngu")
    stale, current = chat.send(OFFICER, "xac nhan")  # the cancelled report's "Confirm"
    assert stale == vi._("This choice is no longer valid. Type /viec to see your open duties.")
    assert current.startswith(vi._("The choices still open:"))


def test_a_message_that_is_not_an_answer_leaves_the_question_open(chat, quarter):
    owe(chat, "annual_report", "2026", dt.date(2026, 12, 7))
    assert chat.say(OFFICER, "/nop").startswith(vi._("Which duty are you reporting as done?"))
    chat.say(OFFICER, "abcxyz")
    assert heading("Reporting “{title}” ({period}).") in chat.say(OFFICER, "2")


def test_a_numbered_list_shown_after_a_question_is_what_a_number_answers(chat, quarter):
    owe(chat, "annual_report", "2026", dt.date(2026, 12, 7))
    chat.say(OFFICER, "/nop")
    assert heading("Reporting “{title}” ({period}).") in chat.say(OFFICER, "2")
    assert "123/BC-UBND" in chat.say(OFFICER, "12")  # the document step: "12" is no line
    chat.say(OFFICER, "viec")
    offered = chat.say(OFFICER, "1")  # the first line of /viec, not an answer to the question
    assert offered.endswith(vi._("{duty}: what would you like to do?").split("}")[-1])


def test_a_number_beyond_the_choices_says_which_numbers_there_are(chat, quarter):
    chat.say(OFFICER, "ngon ngu")
    assert chat.say(OFFICER, "7") == vi._("There is no choice {n}. Please reply with a number "
                                          "from 1 to {count}.").format(n=7, count=2)


# -- absence, handover, a unit without officer -------------------------------------------------


def recipients_of(chat: Chat, moment: dt.datetime, catalog, calendar) -> set[str]:
    """Who the planner sends Đức Tân's reminders to at ``moment``."""
    with session_scope(chat.engine) as session:
        plan(session, now=moment, catalog=catalog, calendar=calendar)
        rows = session.exec(select(Outbox).where(Outbox.kind == "reminder",
                                                 Outbox.created_at == moment)).all()
        return {session.get(Member, r.member_id).platform_user_id for r in rows}


def test_an_absence_without_substitute_sends_the_reminders_to_the_head(chat, quarter, catalog,
                                                                      calendar):
    recorded = chat.say(OFFICER, "/vang 1/12 - 4/12")
    assert vi._("Meanwhile the ISO reminders of {unit} go to the head of the unit ({who}), who "
                "has been told.").format(unit="UBND xã Đức Tân", who="Head") in recorded
    assert recipients_of(chat, at("2026-12-01 08:00"), catalog, calendar) == {HEAD}
    assert recipients_of(chat, at("2026-12-08 08:00"), catalog, calendar) == {OFFICER}


def test_an_unknown_substitute_is_refused_with_the_colleagues_names(chat):
    refusal = chat.say(OFFICER, "/vang 1/12 - 4/12 Thảo")
    assert refusal == vi._("I found no single colleague of {unit} called “{name}”. Colleagues "
                           "who use isobot: {names}. Nothing was recorded.").format(
        unit="UBND xã Đức Tân", name="thao", names="Head")


def test_a_unit_without_officer_is_escalated_to_its_head_and_named_in_the_digest(
        chat, quarter, catalog, calendar):
    result = cli.isobot(str(chat.engine.url), "members", "remove", "--member", f"test:{OFFICER}",
                        now=NOW)
    assert result.exit_code == 0, result.output
    with session_scope(chat.engine) as session:
        vacancy = session.exec(select(Outbox).where(Outbox.unique_key.like("vacant:%"))).all()
        assert {session.get(Member, r.member_id).platform_user_id for r in vacancy} == \
            {HEAD, SUPERVISOR}
    assert recipients_of(chat, at("2026-12-01 08:00"), catalog, calendar) == {HEAD}
    with session_scope(chat.engine) as session:
        digests = build_weekly_digest(session, now=at("2026-12-07 07:30"), catalog=catalog)
        to_supervisor = next(d.message.text for d in digests if d.member.role == "supervisor")
    assert vi._("👤 Units without an ISO officer ({n}); their reminders go to the head:").format(
        n=2) in to_supervisor
    assert "• UBND xã Đức Tân" in to_supervisor


def test_the_command_line_records_an_absence_and_a_handover(chat, quarter, catalog, calendar):
    db = str(chat.engine.url)
    added = cli.isobot(db, "absence", "add", "--member", f"test:{OFFICER}", "--from",
                       "2026-12-01", "--to", "2026-12-04", "--substitute", f"test:{HEAD}",
                       now=NOW)
    assert added.exit_code == 0, added.output
    assert "Head" in cli.isobot(db, "absence", "list", "--unit", DUC_TAN, now=NOW).stdout
    assert cli.isobot(db, "absence", "add", "--member", f"test:{OFFICER}", "--from",
                      "2026-12-03", "--to", "2026-12-02", now=NOW).exit_code == 2
    handed = cli.isobot(db, "members", "handover", "--from", f"test:{OFFICER}", "--to",
                        f"test:{HEAD}", now=NOW)
    assert handed.exit_code == 0, handed.output
    listed = cli.isobot(db, "members", "list", "--unit", DUC_TAN, now=NOW).stdout
    assert f"test:{OFFICER}" not in listed and listed.count(f"test:{HEAD}") == 2
    assert recipients_of(chat, at("2026-12-08 08:00"), catalog, calendar) == {HEAD}


def test_a_directive_for_an_absent_officer_goes_to_the_substitute(chat):
    chat.say(OFFICER, "/vang 30/11 - 4/12")
    result = cli.isobot(str(chat.engine.url), "directive", "send", "--text", "Gửi hồ sơ",
                        "--unit", DUC_TAN, "--due", "2026-12-11", now=NOW)
    assert result.exit_code == 0, result.output
    with session_scope(chat.engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "directive")).all()
        assert [session.get(Member, r.member_id).platform_user_id for r in rows] == [HEAD]


def test_a_greeting_is_answered_with_the_two_most_useful_commands(chat):
    assert chat.say(OFFICER, "xin chao") == vi._(
        "Hello, {name}! Type /viec to see your open duties, or /nop to report one as done."
    ).format(name="Officer")

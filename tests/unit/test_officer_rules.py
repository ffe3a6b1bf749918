"""The pure rules behind the officer's chat: corrections and ranges as typed, the choices kept,
who covers an absent officer, and what evidence a duty requires."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from bot.parsing import (
    Action,
    DutyWords,
    choice_number,
    parse_date_range,
    parse_intent,
    receipt_reference,
)
from jobs.catalog import load_catalog
from jobs.delivery.offers import KEPT, LIFETIME, Offers, remember_offer
from jobs.evidence.submissions import FileEvidence, Submission, earliest_plausible, missing_evidence
from jobs.people.absence import Away, cover
from storage.models import Obligation

CATALOG = load_catalog()
WORDS = DutyWords.of(CATALOG.duties)
TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


# -- corrections as officers type them ---------------------------------------------------------


@pytest.mark.parametrize(("text", "receipt", "fix"), [
    ("sửa biên nhận ISO-2026-000002", "ISO-2026-000002", None),
    ("sua bien nhan iso-2026-2", "ISO-2026-000002", None),
    ("nhap nham so van ban", None, "document"),
    ("tôi nhập nhầm số văn bản, sửa lại giúp", None, "document"),
    ("đã nộp nhầm, số đúng là 45/BC-UBND", None, "document"),
    ("gui nham file", None, "file"),
    ("sai so diem khong phu hop", None, "count"),
    ("/sua", None, None),
])
def test_a_correction_is_understood_with_or_without_diacritics(text, receipt, fix):
    intent = parse_intent(text.lstrip("/"), today=TODAY, duties=WORDS)
    assert (intent.action, intent.receipt, intent.fix) == (Action.CORRECT, receipt, fix)


@pytest.mark.parametrize("text", ["đã sửa đổi quy trình", "da cap nhat sua doi van ban",
                                  "đã nộp báo cáo quý 4 số 45/BC-UBND ngày 28/11/2026"])
def test_amending_a_procedure_is_not_a_correction(text):
    intent = parse_intent(text, today=TODAY, duties=WORDS)
    assert intent is None or intent.action is not Action.CORRECT


def test_a_receipt_reference_is_written_as_the_bot_writes_it():
    assert receipt_reference("xem ISO - 2026 - 17 giúp") == "ISO-2026-000017"
    assert receipt_reference("123/BC-UBND ngày 1/12/2026") is None


# -- date ranges (/vang) -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "start", "end", "rest"), [
    ("10/12 - 20/12 Minh", "2026-12-10", "2026-12-20", "minh"),
    ("từ 10/12 đến 20/12", "2026-12-10", "2026-12-20", ""),
    ("10/12-20/12 Trần Thị Hoa", "2026-12-10", "2026-12-20", "tran thi hoa"),
    ("15/12", "2026-12-15", "2026-12-15", ""),
    ("28/12 - 05/01", "2026-12-28", "2027-01-05", ""),  # across the new year
    ("05/01 - 10/01", "2027-01-05", "2027-01-10", ""),  # typed in December: next January
    ("10/12/2026-20/12/2026", "2026-12-10", "2026-12-20", ""),
])
def test_a_range_of_days_as_typed(text, start, end, rest):
    found = parse_date_range(text, today=TODAY)
    assert (str(found.start), str(found.end), found.rest) == (start, end, rest)


def test_a_range_with_a_date_that_does_not_exist_is_bad():
    assert parse_date_range("31/2 - 4/3", today=TODAY).bad


def test_a_bare_number_is_a_choice_number():
    assert [choice_number(t) for t in ("2", "số 2", "#3", "2 cái", "45/BC-UBND")] == \
        [2, 2, 3, None, None]


# -- choices kept ------------------------------------------------------------------------------


def test_the_last_few_offers_are_kept_and_old_ones_forgotten():
    state: dict = {}
    for i in range(KEPT + 2):
        remember_offer(state, [(f"done:{i}", "Đã nộp")], NOW + dt.timedelta(minutes=i))
    offers = Offers.load(state, NOW + dt.timedelta(hours=1))
    assert [o.about() for o in offers.newest_first()] == list(range(KEPT + 1, 1, -1))
    assert Offers.load(state, NOW + LIFETIME + dt.timedelta(hours=1)).newest() is None


def test_offers_saved_before_they_were_kept_still_answer():
    offers = Offers.load({"choices": [["done:7", "Đã nộp"], ["later:7", "Nhắc lại sau"]]}, NOW)
    assert offers.newest().about() == 7


def test_the_same_choices_offered_again_move_to_the_front():
    offers = Offers()
    offers.add([("done:1", "Đã nộp")], NOW)
    offers.add([("lang:vi", "Tiếng Việt"), ("lang:en", "English")], NOW)
    offers.add([("done:1", "Đã nộp")], NOW)
    assert [o.about() for o in offers.newest_first()] == [1, None]


# -- who covers an absent officer --------------------------------------------------------------


@dataclass(frozen=True)
class P:
    id: int
    role: str
    person_id: int | None = None


LAN, HOA, MINH = P(1, "officer"), P(2, "officer"), P(3, "head")


@pytest.mark.parametrize(("members", "away", "expected"), [
    ([LAN, MINH], [], [LAN]),  # nobody away: the officers
    ([LAN, HOA, MINH], [Away(1, 2)], [HOA]),  # Lan away, Hoa stands in
    ([LAN, MINH], [Away(1, 3)], [MINH]),  # the head named as substitute
    ([LAN, MINH], [Away(1, None)], [MINH]),  # no one named: the head
    ([LAN, HOA, MINH], [Away(1, None)], [HOA, MINH]),  # the other officer, and the head
    ([MINH], [], [MINH]),  # no officer at all: escalated to the head
    ([LAN], [Away(1, None)], [LAN]),  # nobody else at all: still her, never nobody
    ([LAN, MINH], [Away(9, 3)], [LAN]),  # someone who is no longer an officer here
])
def test_the_officer_reminders_go_to_whoever_covers(members, away, expected):
    assert cover(members, away) == expected


def test_a_substitute_on_two_messengers_gets_it_on_both_accounts():
    hoa_on_zalo = P(4, "officer", person_id=2)
    assert cover([LAN, HOA, hoa_on_zalo], [Away(1, 4)]) == [HOA, hoa_on_zalo]


# -- evidence rules ----------------------------------------------------------------------------


def test_a_self_check_needs_a_note_or_a_file():
    duty = CATALOG.duty("self_check")
    bare = Submission(obligation_id=1)
    assert missing_evidence(duty, bare) == (("note", "file"),)
    assert missing_evidence(duty, Submission(obligation_id=1, note="Đủ phiếu kiểm soát")) == ()
    assert missing_evidence(duty, Submission(obligation_id=1,
                                             file=FileEvidence("a.jpg", "00"))) == ()


def test_an_audit_needs_its_report_and_the_count():
    duty = CATALOG.duty("internal_audit")
    report = Submission(obligation_id=1, document_number="12/BC-ĐGNB",
                        document_date=dt.date(2026, 11, 27))
    assert missing_evidence(duty, report) == ("count",)


@pytest.mark.parametrize(("period", "earliest"), [
    ("2026-Q4", "2026-10-01"), ("2026", "2026-01-01"), ("2026-03", "2026-03-01")])
def test_a_document_is_expected_from_the_start_of_its_period(period, earliest):
    obligation = Obligation(unit_id=1, duty_key="x", period=period, due=TODAY)
    assert str(earliest_plausible(obligation)) == earliest


def test_a_duty_without_a_period_expects_a_document_from_a_year_before_it_arose():
    obligation = Obligation(unit_id=1, duty_key="training", period="T-5", due=TODAY,
                            created_at=NOW)
    assert earliest_plausible(obligation) == dt.date(2025, 11, 30)

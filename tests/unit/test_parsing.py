"""Tests for bot.parsing: what officers type on a phone, with and without diacritics."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing import (
    DocumentReference,
    DutyWords,
    ParseIssue,
    fold,
    parse_date,
    parse_document_reference,
)
from jobs.catalog import load_catalog

TODAY = dt.date(2026, 11, 24)  # a Tuesday; every "past" date below is before it
WORDS = DutyWords.of(load_catalog().duties)  # how officers name the packaged duties
D = dt.date


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


# ------------------------------------------------------------------------------------------
# fold
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đã NỘP  báo cáo", "da nop bao cao"),
        ("da nop bao cao", "da nop bao cao"),
        ("  Đánh giá   nội bộ \n", "danh gia noi bo"),
        ("ĐÃ HỌP XEM XÉT CỦA LÃNH ĐẠO", "da hop xem xet cua lanh dao"),
        ("Quý III", "quy iii"),
        ("Ðã nộp", "da nop"),  # Icelandic eth from a bad legacy-font conversion
        (unicodedata.normalize("NFD", "Tự kiểm tra hồ sơ"), "tu kiem tra ho so"),
        ("đã\u200bnộp", "danop"),  # a zero-width space is not a space
        ("1️⃣", "1"),  # keycap: digit + VS16 + enclosing mark
        ("", ""),
        ("   \t\n ", ""),
        ("👍 ok", "👍 ok"),
        ("Số 123/QĐ-UBND", "so 123/qd-ubnd"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@given(st.text())
def test_fold_leaves_no_marks_and_no_edge_spaces(text: str) -> None:
    folded = fold(text)
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert folded == folded.strip()
    assert "  " not in folded


# ------------------------------------------------------------------------------------------
# parse_date
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/9/2026", D(2026, 9, 10)),
        ("10/09/2026", D(2026, 9, 10)),
        ("10-9-2026", D(2026, 9, 10)),
        ("10.9.2026", D(2026, 9, 10)),
        ("10/9/26", D(2026, 9, 10)),
        ("10/9", D(2026, 9, 10)),  # no year: the year of today
        ("ngày 10/9", D(2026, 9, 10)),
        ("ngay 10-9", D(2026, 9, 10)),  # "ngày" makes a yearless dash date unambiguous
        ("ngày 10 tháng 9 năm 2026", D(2026, 9, 10)),
        ("ngay 10 thang 9 nam 2026", D(2026, 9, 10)),
        ("NGÀY 10 THÁNG 9, NĂM 2026", D(2026, 9, 10)),
        ("mùng 5 tháng 10", D(2026, 10, 5)),
        ("2026-09-10", D(2026, 9, 10)),
        ("hạn chót 13/12/2026", D(2026, 12, 13)),  # future is fine for a plain date
        ("29/2/2028", D(2028, 2, 29)),
        ("hôm nay", TODAY),
        ("hom qua", D(2026, 11, 23)),
        # not dates, or not real ones
        ("31/2/2026", None),
        ("29/2/2026", None),
        ("10/13/2026", None),  # day first, always: no US reading
        ("0/9/2026", None),
        ("10/9/202", None),
        ("10/9/1026", None),
        ("10.9", None),  # a decimal
        ("3-5", None),  # a range
        ("19/2014/QĐ-TTg", None),  # a document number
        ("123/BC-UBND", None),
        ("quý 3/2026", None),
        ("", None),
        ("   ", None),
        ("🙂", None),
        ("đã nộp", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text, today=TODAY) == expected


def test_yearless_date_stays_in_todays_year_even_when_later() -> None:
    # In January, "28/12" is still read as this year's 28 December (documented choice).
    assert parse_date("28/12", today=D(2027, 1, 5)) == D(2027, 12, 28)


# ------------------------------------------------------------------------------------------
# parse_document_reference
# ------------------------------------------------------------------------------------------

OK: tuple[ParseIssue, ...] = ()
NO_NUMBER = (ParseIssue.MISSING_NUMBER,)
NO_DATE = (ParseIssue.MISSING_DATE,)
NOTHING = (ParseIssue.MISSING_NUMBER, ParseIssue.MISSING_DATE)
BAD = (ParseIssue.BAD_DATE,)
FUTURE = (ParseIssue.FUTURE_DATE,)


@pytest.mark.parametrize(
    ("text", "number", "date", "issues"),
    [
        ("123/BC-UBND ngày 10/9/2026", "123/BC-UBND", D(2026, 9, 10), OK),
        ("123/BC-UBND 10/9/2026", "123/BC-UBND", D(2026, 9, 10), OK),
        ("số 123/BC-UBND ngày 10/09/2026", "123/BC-UBND", D(2026, 9, 10), OK),
        ("Số: 123/BC-UBND ngày 10/9/2026", "123/BC-UBND", D(2026, 9, 10), OK),
        ("SỐ 123/BC-UBND", "123/BC-UBND", None, NO_DATE),
        ("so 123/bc-ubnd ngay 10-9-2026", "123/BC-UBND", D(2026, 9, 10), OK),
        ("123/BC-UBND ngày 10 tháng 9 năm 2026", "123/BC-UBND", D(2026, 9, 10), OK),
        ("123/BC-UBND ngày 10/9", "123/BC-UBND", D(2026, 9, 10), OK),
        ("907/UBND-KT", "907/UBND-KT", None, NO_DATE),
        ("1699/UBND-TH ngày 2.10.2026", "1699/UBND-TH", D(2026, 10, 2), OK),
        ("19/2014/QĐ-TTg", "19/2014/QĐ-TTg", None, NO_DATE),
        ("19/2014/qđ-ttg ngày 5/3/2014", "19/2014/QĐ-TTg", D(2014, 3, 5), OK),
        ("19/2014/QD-TTG", "19/2014/QD-TTg", None, NO_DATE),  # letters kept as typed: no "Đ" added
        ("45/KH-UBND.", "45/KH-UBND", None, NO_DATE),
        ("12/QĐ-SKHCN ngày 1/2/2026", "12/QĐ-SKHCN", D(2026, 2, 1), OK),
        ("01/2026/TT-BKHCN", "01/2026/TT-BKHCN", None, NO_DATE),
        (_nfc("số 12/qđ-ubnd"), "12/QĐ-UBND", None, NO_DATE),
        (unicodedata.normalize("NFD", "số 12/QĐ-UBND"), "12/QĐ-UBND", None, NO_DATE),
        # the number introduced by "số" wins over a cited legal basis
        ("căn cứ 19/2014/QĐ-TTg, đã gửi số 12/BC-UBND ngày 2/3", "12/BC-UBND", D(2026, 3, 2), OK),
        # a date before the number is still its date
        ("ngày 10/9/2026 đã gửi 123/BC-UBND", "123/BC-UBND", D(2026, 9, 10), OK),
        # problems
        ("123/BC-UBND ngày 31/2/2026", "123/BC-UBND", None, BAD),
        ("123/BC-UBND ngày 10/13/2026", "123/BC-UBND", None, BAD),
        ("123/BC-UBND ngày 10/12/2026", "123/BC-UBND", None, FUTURE),
        ("10/9/2026", None, D(2026, 9, 10), NO_NUMBER),  # a date without a number
        ("31/2/2026", None, None, NO_NUMBER + BAD),
        ("ngày 10 tháng 9", None, D(2026, 9, 10), NO_NUMBER),
        ("", None, None, NOTHING),
        ("     ", None, None, NOTHING),
        ("📄👍", None, None, NOTHING),
        ("đã nộp rồi", None, None, NOTHING),
    ],
)
def test_parse_document_reference(
    text: str, number: str | None, date: dt.date | None, issues: tuple[ParseIssue, ...]
) -> None:
    result = parse_document_reference(text, today=TODAY)
    assert result == DocumentReference(number=number, date=date, issues=issues)
    assert result.ok is (not issues)
    assert result.error == (issues[0] if issues else None)


def test_issue_codes_are_plain_strings_for_the_caller() -> None:
    result = parse_document_reference("123/BC-UBND ngày 31/2/2026", today=TODAY)
    assert result.error == "bad_date"


def test_date_of_today_is_not_in_the_future() -> None:
    result = parse_document_reference(f"1/BC-UBND ngày {TODAY:%d/%m/%Y}", today=TODAY)
    assert result.ok and result.date == TODAY

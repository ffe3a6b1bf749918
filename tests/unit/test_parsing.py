"""Tests for bot.parsing: what officers type on a phone, with and without diacritics."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing import (
    Action,
    Choice,
    DocumentReference,
    DutyWords,
    Intent,
    ParseIssue,
    fold,
    match_choice,
    parse_command,
    parse_date,
    parse_document_reference,
    parse_intent,
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


# ------------------------------------------------------------------------------------------
# parse_intent
# ------------------------------------------------------------------------------------------

SUB, SNOOZE, HELP = Action.SUBMITTED, Action.SNOOZE, Action.HELP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "đã nộp báo cáo quý 3 số 123/BC-UBND",
            Intent(
                SUB, "quarterly_report", 3, document=DocumentReference("123/BC-UBND", None, NO_DATE)
            ),
        ),
        (
            "da nop bao cao quy 3 so 123/BC-UBND ngay 5/10/2026",
            Intent(
                SUB,
                "quarterly_report",
                3,
                document=DocumentReference("123/BC-UBND", D(2026, 10, 5)),
                date=D(2026, 10, 5),
            ),
        ),
        (
            "đã hoàn thành đánh giá nội bộ, 3 điểm không phù hợp",
            Intent(SUB, "internal_audit", nonconformities=3),
        ),
        (
            "da hoan thanh danh gia noi bo, 3 diem khong phu hop",
            Intent(SUB, "internal_audit", nonconformities=3),
        ),
        ("ĐGNB xong, 2 NC", Intent(SUB, "internal_audit", nonconformities=2)),
        ("Đánh giá nội bộ: KPH: 4", Intent(None, "internal_audit", nonconformities=4)),
        (
            "đã đánh giá nội bộ, hai điểm không phù hợp",
            Intent(SUB, "internal_audit", nonconformities=2),
        ),
        (
            "không có điểm không phù hợp, đã đánh giá nội bộ",
            Intent(SUB, "internal_audit", nonconformities=0),
        ),
        ("khong phat hien nc", Intent(nonconformities=0)),
        ("3 NC", Intent(nonconformities=3)),
        (
            "da hop xem xet lanh dao ngay 20/10/2026",
            Intent(SUB, "management_review", date=D(2026, 10, 20)),
        ),
        (
            "Đã họp xem xét của lãnh đạo hôm qua",
            Intent(SUB, "management_review", date=D(2026, 11, 23)),
        ),
        ("đã thực hiện", Intent(SUB)),
        ("xong", Intent(SUB)),
        ("XONG!", Intent(SUB)),
        ("dạ em nộp rồi ạ", Intent(SUB)),
        ("✅", Intent(SUB)),
        ("nhắc lại sau", Intent(SNOOZE)),
        ("nhac lai sau", Intent(SNOOZE)),
        ("Dạ nhắc em sau nhé", Intent(SNOOZE)),
        ("nhắc lại sau 3 ngày", Intent(SNOOZE, snooze_days=3)),
        ("nhac lai sau 1 tuan", Intent(SNOOZE, snooze_days=7)),
        ("mai nhắc lại", Intent(SNOOZE, snooze_days=1)),
        ("chưa nộp, nhắc lại sau", Intent(SNOOZE)),  # "chưa nộp" is not "nộp"
        # a future date is what a snooze asks for, not an error
        ("nhắc lại ngày 1/12/2026", Intent(SNOOZE, date=D(2026, 12, 1))),
        ("hướng dẫn", Intent(HELP)),
        ("huong dan nop bao cao quy", Intent(HELP, "quarterly_report")),
        ("?", Intent(HELP)),
        ("đã nộp theo hướng dẫn", Intent(SUB)),  # named first wins
        # duties
        ("bc quy 3", Intent(None, "quarterly_report", 3)),
        ("Đã nộp BC Q4", Intent(SUB, "quarterly_report", 4)),
        ("quý III/2026 đã nộp", Intent(SUB, "quarterly_report", 3, 2026)),
        ("Q3-2026 da nop", Intent(SUB, "quarterly_report", 3, 2026)),
        ("da nop bao cao quy 2 nam 2026", Intent(SUB, "quarterly_report", 2, 2026)),
        ("đã nộp báo cáo quý này", Intent(SUB, "quarterly_report", 4, 2026)),
        ("đã gửi báo cáo năm 2026", Intent(SUB, "annual_report", year=2026)),
        ("da gui bao cao nam nay", Intent(SUB, "annual_report", year=2026)),
        ("đã khắc phục 3 điểm không phù hợp", Intent(SUB, "corrective_action", nonconformities=3)),
        (
            "đã cập nhật văn bản 01/2026/TT-BKHCN",
            Intent(
                SUB, "legal_update", document=DocumentReference("01/2026/TT-BKHCN", None, NO_DATE)
            ),
        ),
        ("đã tự kiểm tra hồ sơ", Intent(SUB, "self_check")),
        ("đã ban hành mục tiêu chất lượng năm 2026", Intent(SUB, "quality_objectives", year=2026)),
        ("đã tập huấn cho cán bộ mới", Intent(SUB, "training")),
        ("da dao tao", Intent(SUB, "training")),
        ("đã công bố HTQLCL phù hợp TCVN ISO 9001:2015", Intent(SUB, "announcement")),
        ("đã thực hiện văn bản chỉ đạo", Intent(SUB, "directive")),
        ("đã gửi Ban chỉ đạo báo cáo quý 3", Intent(SUB, "quarterly_report", 3)),
        ("đã đưa HTQLCL vào họp giao ban", Intent(None, "giao_ban")),
        # problems surface as issues, not as a silent guess
        (
            "da hop xem xet lanh dao ngay 20/12/2026",
            Intent(SUB, "management_review", issues=FUTURE),
        ),
        (
            "đã nộp 123/BC-UBND ngày 31/2/2026",
            Intent(SUB, document=DocumentReference("123/BC-UBND", None, BAD), issues=BAD),
        ),
        ("31/2/2026", Intent(issues=BAD)),
        # a snooze may name a future day, but a document cannot be dated then
        (
            "nhắc lại ngày 1/12/2026, 12/BC-UBND ngày 1/12/2026",
            Intent(
                SNOOZE, document=DocumentReference("12/BC-UBND", None, FUTURE), date=D(2026, 12, 1)
            ),
        ),
    ],
)
def test_parse_intent(text: str, expected: Intent) -> None:
    assert parse_intent(text, today=TODAY, duties=WORDS) == expected


def test_a_duty_a_province_adds_is_understood_by_its_aliases(tmp_path) -> None:
    province = tmp_path / "province.yaml"
    province.write_text("""\
duties:
  - key: fire_drill
    title: {vi: "Diễn tập phòng cháy"}
    legal_basis: {vi: "Kế hoạch của UBND tỉnh"}
    cadence: yearly
    due: {month: 6, day: 30}
    recipient: officer
    checklist: {vi: ["Tổ chức diễn tập", "Lập biên bản", "Báo cáo kết quả"]}
    evidence: document
    aliases: ["diễn tập phòng cháy", "PCCC"]
""", encoding="utf-8")
    words = DutyWords.of(load_catalog(override=province).duties)
    for text in ("Đã diễn tập phòng cháy xong", "da dien tap phong chay xong", "xong PCCC"):
        assert parse_intent(text, today=TODAY, duties=words) == Intent(SUB, "fire_drill")
    # The packaged catalog has no such words: the same text names no duty there.
    assert parse_intent("xong PCCC", today=TODAY, duties=WORDS) == Intent(SUB)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\t", "🙂", "👍👍", "cảm ơn", "ok", "báo cáo quy trình", "dạ vâng"],
)
def test_parse_intent_without_anything_recognised(text: str) -> None:
    assert parse_intent(text, today=TODAY, duties=WORDS) is None


@pytest.mark.parametrize("text", ["chưa nộp", "chua xong", "sẽ gửi sau", "không thực hiện"])
def test_negated_or_future_work_is_not_submitted(text: str) -> None:
    intent = parse_intent(text, today=TODAY, duties=WORDS)
    assert intent is None or intent.action is not Action.SUBMITTED


@pytest.mark.parametrize(
    ("today", "quarter", "year"),
    [(D(2026, 1, 20), 4, 2025), (D(2026, 8, 1), 2, 2026)],
)
def test_previous_quarter_rolls_over_the_year(today: dt.date, quarter: int, year: int) -> None:
    intent = parse_intent("đã nộp báo cáo quý trước", today=today, duties=WORDS)
    assert intent is not None
    assert (intent.duty, intent.quarter, intent.year) == ("quarterly_report", quarter, year)


@pytest.mark.parametrize(
    ("quarter", "year", "hint"),
    [(3, None, "Q3"), (None, 2026, "2026"), (3, 2026, "Q3-2026"), (None, None, None)],
)
def test_period_hint(quarter: int | None, year: int | None, hint: str | None) -> None:
    assert Intent(quarter=quarter, year=year).period_hint == hint


def test_action_compares_as_string() -> None:
    intent = parse_intent("xong", today=TODAY, duties=WORDS)
    assert intent is not None and intent.action == "submitted"


# ------------------------------------------------------------------------------------------
# match_choice
# ------------------------------------------------------------------------------------------

CHOICES = (
    Choice("done", "Đã nộp", ("xong", "rồi")),
    Choice("later", "Nhắc lại sau"),
    Choice("help", "Hướng dẫn", ("?",)),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "done"),
        ("1.", "done"),
        (" 2 ", "later"),
        ("(3)", "help"),
        ("#2", "later"),
        ("số 1", "done"),
        ("1️⃣", "done"),
        ("đã nộp", "done"),
        ("da nop", "done"),
        ("Đã nộp", "done"),
        ("ĐÃ NỘP!", "done"),
        ("  đã   nộp  ", "done"),
        (unicodedata.normalize("NFD", "Đã nộp"), "done"),
        ("xong", "done"),
        ("Rồi", "done"),
        ("nhac lai sau", "later"),
        ("?", "help"),
        # no match
        ("0", None),
        ("4", None),
        ("12", None),
        ("đã", None),  # a prefix is not a label
        ("đã nộp báo cáo", None),
        ("", None),
        ("   ", None),
        ("🙂", None),
    ],
)
def test_match_choice(text: str, expected: str | None) -> None:
    assert match_choice(text, CHOICES) == expected


def test_match_choice_accepts_plain_tuples() -> None:
    assert match_choice("da nop", [("done", "Đã nộp", ()), ("no", "Chưa", ["chua nop"])]) == "done"
    assert match_choice("chua nop", [("done", "Đã nộp", ()), ("no", "Chưa", ["chua nop"])]) == "no"


def test_match_choice_diacritics_disambiguate_before_folding() -> None:
    # Two labels that fold to the same text: typed in full they are told apart,
    # typed without diacritics the answer is ambiguous and nothing is picked.
    choices = [("a", "Nợ", ()), ("b", "Nộ", ())]
    assert match_choice("nợ", choices) == "a"
    assert match_choice("Nộ", choices) == "b"
    assert match_choice("no", choices) is None


def test_match_choice_number_out_of_range_falls_back_to_labels() -> None:
    assert match_choice("2026", [("y25", "2025", ()), ("y26", "2026", ())]) == "y26"
    assert match_choice("2", [("y25", "2025", ()), ("y26", "2026", ())]) == "y26"


# ------------------------------------------------------------------------------------------
# parse_command
# ------------------------------------------------------------------------------------------

KNOWN = frozenset({"viec", "start", "nop", "huongdan"})


@pytest.mark.parametrize(
    ("text", "known", "bot", "expected"),
    [
        ("/viec", KNOWN, None, ("viec", "")),
        ("/viec@isobot_bot", KNOWN, "isobot_bot", ("viec", "")),
        ("/viec@IsoBot_Bot", KNOWN, "@isobot_bot", ("viec", "")),
        ("/viec@otherbot", KNOWN, "isobot_bot", None),  # meant for another bot in the group
        ("/viec@otherbot", KNOWN, None, ("viec", "")),
        ("viec", KNOWN, None, ("viec", "")),
        ("Việc", KNOWN, None, ("viec", "")),
        ("/Việc", (), None, ("viec", "")),
        ("/start CODE", KNOWN, None, ("start", "CODE")),
        ("/start@isobot_bot Ab12Cd", KNOWN, "isobot_bot", ("start", "Ab12Cd")),
        ("start CODE", KNOWN, None, ("start", "CODE")),
        ("  start   CODE  ", KNOWN, None, ("start", "CODE")),
        ("/start\nCODE", KNOWN, None, ("start", "CODE")),
        ("/nop", KNOWN, None, ("nop", "")),
        ("/nop 123/BC-UBND ngày 10/9", KNOWN, None, ("nop", "123/BC-UBND ngày 10/9")),
        ("/unknown", KNOWN, None, ("unknown", "")),  # slash commands always count
        ("xong", KNOWN, None, None),  # a plain reply is not a command...
        ("xong", {"xong"}, None, ("xong", "")),  # ...unless the caller says so
        ("start", (), None, None),
        ("", KNOWN, None, None),
        ("   ", KNOWN, None, None),
        ("/", KNOWN, None, None),
        ("/ viec", KNOWN, None, None),
        ("/home/user", KNOWN, None, None),
        ("/!!!", KNOWN, None, None),
        ("🙂", KNOWN, None, None),
    ],
)
def test_parse_command(
    text: str, known: frozenset[str], bot: str | None, expected: tuple[str, str] | None
) -> None:
    assert parse_command(text, known, bot_username=bot) == expected

"""Tests for bot.parsing's intents: what a free-text reply means, with and without diacritics."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from bot.parsing import Action, DocumentReference, DutyWords, Intent, ParseIssue, parse_intent
from jobs.catalog import load_catalog

TODAY = dt.date(2026, 11, 24)  # a Tuesday; every "past" date below is before it
WORDS = DutyWords.of(load_catalog().duties)  # how officers name the packaged duties
D = dt.date
NO_DATE = (ParseIssue.MISSING_DATE,)
BAD = (ParseIssue.BAD_DATE,)
FUTURE = (ParseIssue.FUTURE_DATE,)


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
    drill = {"key": "fire_drill", "title": {"vi": "Diễn tập phòng cháy"},
             "legal_basis": {"vi": "Kế hoạch của UBND tỉnh"}, "cadence": "yearly",
             "due": {"month": 6, "day": 30}, "recipient": "officer", "evidence": "document",
             "checklist": {"vi": ["Tổ chức diễn tập", "Lập biên bản"]},
             "aliases": ["diễn tập phòng cháy", "PCCC"]}
    province = tmp_path / "province.yaml"
    province.write_text(yaml.safe_dump({"duties": [drill]}, allow_unicode=True), encoding="utf-8")
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

"""The operator's calendar file: what it adds, and how it says what is wrong with it."""

import datetime as dt
from pathlib import Path

import pytest

from jobs.calendar.operator_file import CalendarFileError, load_calendar_file
from jobs.calendar.workdays import Amendment, WorkCalendar
from jobs.text.i18n import set_default_language

EXAMPLE = Path(__file__).resolve().parents[2] / "calendars" / "example.yaml"
NOTICE = "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"


@pytest.fixture(autouse=True)
def operator_language():
    """Messages are in the deployment's language; these tests read them in Vietnamese."""
    set_default_language("vi")
    yield
    set_default_language("vi")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lich.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(CalendarFileError) as caught:
        load_calendar_file(path)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return list(caught.value.problems)


def test_the_shipped_example_records_the_2026_notice():
    amendments = load_calendar_file(EXAMPLE)
    assert amendments.file == "calendars/example.yaml"
    assert amendments.notice(2026) == NOTICE
    assert [(a.day, a.working, a.source) for a in amendments.days] == [
        (dt.date(2026, 8, 22), True, NOTICE), (dt.date(2026, 8, 31), False, NOTICE)]
    cal = WorkCalendar(amendments=amendments)
    assert cal.is_working_day(dt.date(2026, 8, 22)) and not cal.is_working_day(
        dt.date(2026, 8, 31))
    assert cal.notice_recorded(2026) == "file"


def test_a_day_of_its_own_source_written_the_vietnamese_way(tmp_path):
    path = write(tmp_path, """
2027:
  days_off:
    - date: 15/03/2027
      name: "Nghỉ kỷ niệm ngày thành lập tỉnh"
      source: "Quyết định 1/QĐ-UBND ngày 01/02/2027 (thử)"
""")
    assert load_calendar_file(path).days == (Amendment(
        dt.date(2027, 3, 15), False, "Nghỉ kỷ niệm ngày thành lập tỉnh",
        "Quyết định 1/QĐ-UBND ngày 01/02/2027 (thử)"),)


def test_an_empty_file_adds_nothing(tmp_path):
    amendments = load_calendar_file(write(tmp_path, "# nothing yet\n"))
    assert amendments.days == () and amendments.notices == ()


def test_each_problem_names_the_file_the_year_the_day_the_field_and_the_line(tmp_path):
    path = write(tmp_path, """\
2027:
  notice: "Thông báo thử"
  days_off:
    - date: 2027-02-30
      name: "Tết"
    - date: 2028-01-03
      name: "Nghỉ"
    - dat: 2027-02-08
      name: "Nghỉ"
  working_day:
    - date: 2027-02-13
""")
    assert problems(path) == [
        f"{path}: năm 2027: days_off #1: trường 'date': phải là một ngày, viết dạng "
        "2026-08-31 hoặc 31/08/2026 (dòng 4)",
        f"{path}: năm 2027: days_off #2: trường 'date': ngày 03/01/2028 không thuộc năm 2027: "
        "ghi ngày này vào đúng năm của nó (dòng 6)",
        f"{path}: năm 2027: days_off #3: trường 'dat': trường không xác định; có phải là 'date'? "
        "(dòng 8)",
        f"{path}: năm 2027: days_off #3: trường 'date': thiếu trường bắt buộc (dòng 8)",
        f"{path}: năm 2027: trường 'working_day': trường không xác định; có phải là "
        "'working_days'? (dòng 10)",
    ]


def test_a_day_without_a_notice_is_refused(tmp_path):
    path = write(tmp_path, "2027:\n  working_days:\n    - {date: 2027-02-13, name: Làm bù}\n")
    [problem] = problems(path)
    assert problem.startswith(f"{path}: năm 2027: working_days #1: trường 'source': ")
    assert "9441/TB-BNV" in problem and problem.endswith("(dòng 3)")


def test_a_day_listed_twice_or_both_off_and_worked_is_refused(tmp_path):
    path = write(tmp_path, """\
2026:
  notice: "Thông báo thử"
  days_off:
    - {date: 2026-08-31, name: Nghỉ}
  working_days:
    - {date: 31/08/2026, name: Làm việc}
""")
    assert problems(path) == [
        f"{path}: năm 2026: ngày 31/08/2026 đã được liệt kê ở dòng 4 (dòng 6)"]


@pytest.mark.parametrize(("text", "expected"), [
    ("- 2026\n", "tệp lịch phải liệt kê từng năm"),
    ("next:\n  notice: x\n", "“next” không phải là một năm"),
    ("2026: [a]\n", "năm 2026: phải là một tập hợp các trường (mapping) (dòng 1)"),
    ("2026:\n  days_off: {date: 2026-01-02}\n", "trường 'days_off': phải là một danh sách"),
    ("2026:\n  notice: a\n  notice: b\n", "khóa 'notice' được khai báo hai lần"),
    ("2026:\n  notice: ''\n", "trường 'notice': không được để trống"),
    ("2026:\n  notice: [a]\n", "trường 'notice': phải là chuỗi văn bản"),
    ("2026:\n  notice: 'a\n", "dòng 3, cột 1: YAML không hợp lệ"),
])
def test_shapes_that_cannot_be_used(tmp_path, text, expected):
    [problem] = problems(write(tmp_path, text))
    assert expected in problem


def test_a_file_that_cannot_be_read(tmp_path):
    [problem] = problems(tmp_path / "missing.yaml")
    assert problem.startswith(f"{tmp_path / 'missing.yaml'}: không đọc được tệp lịch: ")


def test_messages_follow_the_deployment_language(tmp_path):
    set_default_language("en")
    [problem] = problems(write(tmp_path, "2026:\n  notice: ''\n"))
    assert problem.endswith("year 2026: field 'notice': must not be empty (line 2)")

"""The official calendar as an operator meets it: the 2026 notice, the calendar file, the command.

Notice 9441/TB-BNV of 16/10/2025 makes Monday 31/08/2026 a day off in exchange for Saturday
22/08/2026, a working day. The ``holidays`` package carries it; the operator's file
(``ISOBOT_CALENDAR``) adds what the package does not know yet.
"""

import csv
import datetime as dt
import io

import pytest
from icalendar import Calendar

from jobs.calendar.workdays import PACKAGE_VERSION
from tests.conftest import at
from tests.support import cli

NOW = at("2026-08-03 09:00")
WINDOW = ("--from", "2026-08-17", "--to", "2026-09-07")
SAT_22_AUG, MON_31_AUG = dt.date(2026, 8, 22), dt.date(2026, 8, 31)


@pytest.fixture
def url(tmp_path):
    """An empty database: the simulation then plans for the sample units."""
    return f"sqlite:///{tmp_path}/empty.sqlite3"


def isobot(url, *args):
    return cli.isobot(url, *args, now=NOW)


def simulated(url):
    result = isobot(url, "simulate", *WINDOW, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def sent_on(rows):
    return {dt.datetime.fromisoformat(r["send_at"]).date() for r in rows}


def fourteen_days_before_the_q3_report(rows):
    """When the quarterly report due 15/09/2026 is first announced (its 14-day reminder)."""
    return {dt.datetime.fromisoformat(r["send_at"]) for r in rows
            if r["duty"] == "quarterly_report" and r["stage"] == "before-14d"}


def write_calendar(tmp_path, monkeypatch, text):
    path = tmp_path / "lich.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("ISOBOT_CALENDAR", str(path))
    return path


def test_nothing_goes_out_on_the_monday_given_off_and_the_saturday_is_worked(url):
    rows = simulated(url)
    days = sent_on(rows)
    assert MON_31_AUG not in days
    # 01/09 and 02/09 are National Day, 31/08 is off, 29-30/08 the weekend: Friday 28/08.
    assert fourteen_days_before_the_q3_report(rows) == {at("2026-08-28 08:00")}
    saturday = [r for r in rows if dt.datetime.fromisoformat(r["send_at"]).date() == SAT_22_AUG]
    assert {r["unit"] for r in saturday} >= {"QNG-MD-DTAN"}
    assert {r["send_at"] for r in saturday} == {"2026-08-22T08:00:00+07:00"}


def test_a_deadline_on_the_worked_saturday_stays_there(url, tmp_path, monkeypatch):
    # A province moves the staff-meeting nudge to the 22nd: in August 2026 that is the Saturday.
    province = tmp_path / "province.yaml"
    province.write_text("duties:\n  - key: giao_ban\n    due: {day: 22}\n", encoding="utf-8")
    monkeypatch.setenv("ISOBOT_CATALOG", str(province))
    rows = [r for r in simulated(url)
            if r["duty"] == "giao_ban" and r["period"] == "2026-08" and r["unit"] == "QNG-MD-DTAN"]
    assert {r["due"] for r in rows} == {"2026-08-22"}
    on_the_day = [r for r in rows if r["stage"] == "due"]
    assert [r["send_at"] for r in on_the_day] == ["2026-08-22T08:00:00+07:00"]
    assert "Thứ Bảy, 22/08/2026" in on_the_day[0]["text"]


def test_a_day_added_to_the_calendar_file_changes_the_simulation_at_once(
        url, tmp_path, monkeypatch):
    before = simulated(url)
    assert dt.date(2026, 8, 28) in sent_on(before)
    write_calendar(tmp_path, monkeypatch, """\
2026:
  days_off:
    - date: 28/08/2026
      name: "Nghỉ (ngày nghỉ riêng của tỉnh, dữ liệu thử)"
      source: "Quyết định 1/QĐ-UBND ngày 01/08/2026 (dữ liệu thử)"
""")
    after = simulated(url)
    assert dt.date(2026, 8, 28) not in sent_on(after)
    assert fourteen_days_before_the_q3_report(after) == {at("2026-08-27 08:00")}
    # Undo the 2026 swap in the file, and the Monday is an ordinary working day again.
    write_calendar(tmp_path, monkeypatch, """\
2026:
  notice: "Thông báo thử hủy hoán đổi (dữ liệu thử)"
  days_off:
    - {date: 2026-08-22, name: "Nghỉ"}
  working_days:
    - {date: 2026-08-31, name: "Làm việc"}
""")
    undone = simulated(url)
    assert SAT_22_AUG not in sent_on(undone)
    assert fourteen_days_before_the_q3_report(undone) == {at("2026-08-31 08:00")}


def test_calendar_show_lists_the_swap_with_its_source(url):
    result = isobot(url, "calendar", "show", "2026")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    package = f"thư viện holidays {PACKAGE_VERSION}"
    saturday = next(line for line in lines if line.startswith("Thứ Bảy, 22/08/2026"))
    assert "Làm việc" in saturday and saturday.endswith(package)
    monday = next(line for line in lines if line.startswith("Thứ Hai, 31/08/2026"))
    assert "Nghỉ" in monday and "22/08/2026" in monday and monday.endswith(package)
    assert any(line.startswith("Thứ Ba, 24/11/2026") and "Ngày Văn hóa Việt Nam" in line
               for line in lines)
    assert "Bộ Nội vụ" not in result.stdout  # the package records the notice: no warning


def test_calendar_show_cites_the_notice_the_file_records(url, monkeypatch):
    monkeypatch.setenv("ISOBOT_CALENDAR", "calendars/example.yaml")
    lines = isobot(url, "calendar", "show", "2026").stdout.splitlines()
    cited = "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ (tệp lịch calendars/example.yaml)"
    for day in ("Thứ Bảy, 22/08/2026", "Thứ Hai, 31/08/2026"):
        assert next(line for line in lines if line.startswith(day)).endswith(cited)


def test_a_year_whose_notice_is_not_recorded_is_flagged(url):
    text = isobot(url, "calendar", "show", "2040").stdout
    assert text.splitlines()[-1].startswith("Chưa ghi nhận thông báo của Bộ Nội vụ về lịch "
                                            "nghỉ năm 2040")
    result = isobot(url, "calendar", "show", "2040", "--format", "csv")
    assert "2040" in result.stderr and "Bộ Nội vụ" not in result.stdout


def test_calendar_show_for_software_and_for_phones(url):
    result = isobot(url, "calendar", "show", "2026", "--format", "csv", "--lang", "en")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["date", "kind", "name", "origin", "source"]
    by_date = {r["date"]: r for r in rows}
    assert by_date["2026-08-22"]["kind"] == "working_day"
    assert by_date["2026-08-31"] == {
        "date": "2026-08-31", "kind": "day_off", "name": "Day off (substituted from 08/22/2026)",
        "origin": "package", "source": f"holidays {PACKAGE_VERSION}"}
    assert result.stderr == ""
    ics = isobot(url, "calendar", "show", "2026", "--format", "ics").stdout
    events = {e.decoded("dtstart"): str(e.get("summary"))
              for e in Calendar.from_ical(ics).walk("VEVENT")}
    assert events[SAT_22_AUG].startswith("Làm việc: ")
    assert events[MON_31_AUG].startswith("Nghỉ: ")
    assert len(events) == len(rows)


@pytest.mark.parametrize("command", [
    ("calendar", "show", "2026"), ("simulate", *WINDOW), ("db", "upgrade"), ("run",)])
def test_a_bad_calendar_file_stops_every_command_with_one_line(
        url, tmp_path, monkeypatch, command):
    path = write_calendar(tmp_path, monkeypatch,
                          "2027:\n  notice: Thông báo thử\n  days_off:\n    - {date: 2027-02-13}\n")
    result = isobot(url, *command)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"Tệp lịch làm việc không hợp lệ: {path}: năm 2027: days_off #1: "
                             "trường 'name': thiếu trường bắt buộc (dòng 4)\n")

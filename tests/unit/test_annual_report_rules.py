"""The year's report as facts (jobs/reports/annual.py) and the decree's date line: pure rules."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs.calendar.workdays import VIETNAM
from jobs.reports.annual import (
    AUDIT,
    DIRECTIVE,
    REPORTS,
    YearStanding,
    summarise,
    unit_years,
)
from jobs.reports.annual_files import place_of
from jobs.reports.decree30 import place_and_date
from jobs.reports.summary_report import unit_cells
from jobs.text.i18n import translator
from storage.annual import ObligationRow
from storage.models import Unit

vi = translator("vi")
TODAY = dt.date(2026, 12, 7)
UNITS = [Unit(id=1, code="P", name="UBND tỉnh An Giang", kind="province"),
         Unit(id=2, code="P-A", name="Sở A", kind="department", parent_id=1),
         Unit(id=3, code="P-OLD", name="Xã Cũ", kind="commune", parent_id=1, active=False)]


def row(unit_id: int, duty: str, period: str, due: dt.date, *, done: dt.date | None = None,
        status: str | None = None, nonconformities: int | None = None) -> ObligationRow:
    done_at = dt.datetime.combine(done, dt.time(9), VIETNAM) if done else None
    return ObligationRow(unit_id, duty, period, None, None, due,
                         status or ("done" if done else "open"), done_at,
                         "ISO-2026-000001" if done else None, "12/BC" if done else None,
                         done, nonconformities)


def test_a_units_year_reads_each_obligation_of_that_year_and_no_other():
    rows = [row(2, AUDIT, "2026", dt.date(2026, 10, 31), done=dt.date(2026, 10, 20),
                nonconformities=2),
            row(2, AUDIT, "2025", dt.date(2025, 10, 31), done=dt.date(2025, 10, 1)),
            row(2, DIRECTIVE, "CD-1", dt.date(2026, 11, 1)),  # its due date's year
            row(2, DIRECTIVE, "CD-2", dt.date(2026, 3, 1), status="cancelled")]
    [head, unit] = unit_years(UNITS, rows, year=2026, today=TODAY, with_officer={2})
    assert (head.records, head.has_officer, head.standing) == ((), False, YearStanding.nothing)
    assert [r.period for r in unit.records] == ["2026", "CD-1"]
    assert unit.nonconformities == 2
    assert (unit.tally(DIRECTIVE).owed, unit.tally(DIRECTIVE).overdue) == (1, 1)
    assert unit.standing is YearStanding.overdue


@pytest.mark.parametrize(("rows", "standing"), [
    ([], YearStanding.nothing),
    ([row(2, "quarterly_report", "2026-Q4", dt.date(2026, 12, 15))], YearStanding.not_due),
    ([row(2, "quarterly_report", "2026-Q3", dt.date(2026, 10, 15), done=dt.date(2026, 10, 1)),
      row(2, "quarterly_report", "2026-Q4", dt.date(2026, 12, 15))], YearStanding.on_time),
    ([row(2, "quarterly_report", "2026-Q3", dt.date(2026, 10, 15), done=dt.date(2026, 10, 20))],
     YearStanding.late),
])
def test_the_years_standing_is_the_worst_of_its_duties(rows, standing):
    [_, unit] = unit_years(UNITS, rows, year=2026, today=TODAY)
    assert unit.standing is standing


def test_a_merged_unit_is_kept_only_when_it_owed_something_that_year():
    assert [u.code for u in unit_years(UNITS, [], year=2026, today=TODAY)] == ["P", "P-A"]
    owed = [row(3, AUDIT, "2026", dt.date(2026, 10, 31))]
    assert [u.code for u in unit_years(UNITS, owed, year=2026, today=TODAY)] == [
        "P", "P-A", "P-OLD"]


def test_the_summary_counts_and_names_the_late_units_worst_first():
    rows = [row(1, "quarterly_report", "2026-Q3", dt.date(2026, 10, 15),
                done=dt.date(2026, 10, 20)),
            row(2, "quarterly_report", "2026-Q3", dt.date(2026, 10, 15)),
            row(2, "quarterly_report", "2026-Q4", dt.date(2026, 12, 15)),
            row(2, AUDIT, "2026", dt.date(2026, 10, 31), done=dt.date(2026, 10, 1))]
    summary = summarise(unit_years(UNITS, rows, year=2026, today=TODAY, with_officer={1}),
                        head_id=1)
    assert [u.code for u in summary.behind()] == ["P-A", "P"]
    assert [u.code for u in summary.without_officer()] == ["P-A"]
    reports = summary.tally(*REPORTS)
    assert (reports.owed, reports.due, reports.late, reports.overdue) == (3, 2, 1, 1)
    assert summary.with_audit() == 1
    # On time of those due so far; nothing due yet reads as a dash.
    assert unit_cells(2, summary.units[1], vi) == (
        "2", "Sở A", "01/10/2026", "—", "0/1", "—", "Có việc quá hạn")


@pytest.mark.parametrize(("day", "line"), [
    (dt.date(2027, 2, 5), "An Giang, ngày 05 tháng 02 năm 2027"),
    (dt.date(2026, 3, 9), "An Giang, ngày 09 tháng 3 năm 2026"),
    (dt.date(2026, 12, 17), "An Giang, ngày 17 tháng 12 năm 2026"),
])
def test_the_date_line_writes_a_zero_only_where_the_decree_asks(day, line):
    assert place_and_date("An Giang", day, vi) == line


def test_the_place_is_the_province_at_the_top_of_the_tree():
    assert place_of(UNITS[1], [UNITS[0]]) == "An Giang"
    assert place_of(Unit(code="X", name="UBND thành phố Đà Nẵng", kind="city"), []) == "Đà Nẵng"
    assert place_of(Unit(code="X", name="Sở Nội vụ", kind="department"), []) is None

"""The compliance table a supervisor prints: `isobot export --what compliance` and `/xuat`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from jobs.catalog import load_catalog
from jobs.planning.standing import legend
from jobs.reports.compliance import (
    CSV_KEYS,
    STANDING_FILL,
    STANDING_TEXT,
    SUB_HEADERS,
    Standing,
    build_compliance,
)
from jobs.text.i18n import translator
from jobs.text.reminder_texts import period_text
from storage.db import make_engine, session_scope
from storage.models import Obligation, ObligationSource, ObligationStatus, Role, Unit
from storage.units import subtree_ids, unit_by_code
from tests.conftest import at
from tests.support.records import isobot, log, owe, small_tree

pytestmark = pytest.mark.before_reform  # written on the districts of before 1 July 2025

vi = translator("vi")
catalog = load_catalog()


@dataclass(frozen=True)
class Seeded:
    on_time: str  # the references of the events that closed obligations
    late: str
    corrective: str
    audit_2025: str


def done(session, obligation: Obligation, moment: dt.datetime, number: str) -> str:
    unit = session.get(Unit, obligation.unit_id).code
    return log(session, unit=unit, obligation=obligation, moment=moment,
               document_number=number, document_date=moment.date()).reference


@pytest.fixture
def seeded(database_url) -> Seeded:
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        small_tree(session)

        # Quarter 1 of 2026, due 15 April: on time, late, and still not done.
        a_q1 = owe(session, "T-A", "quarterly_report", "2026-Q1", dt.date(2026, 4, 15))
        b_q1 = owe(session, "T-B", "quarterly_report", "2026-Q1", dt.date(2026, 4, 15))
        owe(session, "T-B-S", "quarterly_report", "2026-Q1", dt.date(2026, 4, 15))
        # Not yet due, and due today: neither is late.
        owe(session, "T-A", "quarterly_report", "2026-Q2", dt.date(2026, 7, 15))
        owe(session, "T-A", "management_review", "2026", dt.date(2026, 6, 1))
        # A corrective action of the 2025 audit, due in 2026: it counts for 2026.
        nc = owe(session, "T-A", "corrective_action", "2025-NC1", dt.date(2026, 1, 10),
                 source=ObligationSource.AUDIT)
        audit = owe(session, "T-A", "internal_audit", "2025", dt.date(2025, 10, 31))
        cancelled = owe(session, "T-B", "directive", "CV-12", dt.date(2026, 3, 1),
                        source=ObligationSource.DIRECTIVE)
        cancelled.status = ObligationStatus.CANCELLED
        session.add(cancelled)
        owe(session, "T-OLD", "annual_report", "2024", dt.date(2024, 12, 5))

        seeded = Seeded(
            # Late in the evening of the due day: on time in Vietnam, though 16:30 UTC.
            on_time=done(session, a_q1, at("2026-04-15 23:30"), "123/BC-UBND"),
            late=done(session, b_q1, at("2026-04-20 09:00"), "77/BC-UBND"),
            corrective=done(session, nc, at("2026-01-08 10:00"), "3/BC-UBND"),
            audit_2025=done(session, audit, at("2025-11-05 14:20"), "45/BC-UBND"),
        )
    engine.dispose()
    return seeded


def title(duty: str, period: str) -> str:
    return f"{catalog.duty(duty).title.vi} — {period_text(period, vi)}"


GROUPS_2026 = [("corrective_action", "2025-NC1"), ("management_review", "2026"),
               ("quarterly_report", "2026-Q1"), ("quarterly_report", "2026-Q2")]


def csv_rows(result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ",".join(CSV_KEYS)
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_compliance_xlsx_is_a_printable_grid_in_vietnamese(database_url, seeded, tmp_path):
    path = tmp_path / "compliance.xlsx"
    result = isobot(database_url, "export", "--what", "compliance", "--format", "xlsx",
                    "--out", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(path)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]

    # Row 1: the title over the unit columns, then one merged header per duty and period, in
    # the catalog's order; row 2: the sub-headers.
    assert sheet["A1"].value == vi._("ISO 9001 compliance, {year}").format(year=2026)
    groups = [sheet.cell(row=1, column=3 + 5 * i).value for i in range(len(GROUPS_2026))]
    assert groups == [title(duty, period) for duty, period in GROUPS_2026]
    assert groups[2] == f"{catalog.duty('quarterly_report').title.vi} — quý 1/2026"
    assert groups[0] == (f"{catalog.duty('corrective_action').title.vi} — "
                         "điểm không phù hợp số 1, đánh giá nội bộ năm 2025")
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:B1", "C1:G1", "H1:L1", "M1:Q1", "R1:V1"} <= merged
    assert [c.value for c in sheet[2]] == (
        [vi._("Unit"), vi._("Unit name")] + [vi._(h) for h in SUB_HEADERS] * 4)
    assert [c.value for c in sheet[2]][2:7] == ["Hạn chót", "Ngày hoàn thành", "Minh chứng",
                                                "Số biên nhận", vi._("Status")]
    assert all(c.font.bold for c in sheet[2])

    # One row per active unit, in tree order; the merged unit owed nothing in 2026. Then a
    # blank row and the legend: what each status means.
    assert sheet.max_column == 22
    assert [sheet.cell(row=r, column=1).value for r in range(3, 7)] == ["T", "T-A", "T-B",
                                                                        "T-B-S"]
    assert sheet["B4"].value == "UBND xã An"
    assert sheet["A7"].value is None
    assert [sheet.cell(row=r, column=1).value for r in range(8, sheet.max_row + 1)] == \
        legend(vi)

    # Ready to filter and to print.
    assert sheet.freeze_panes == "C3"
    assert sheet.auto_filter.ref == "A2:V6"
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.print_title_cols == "$A:$B"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4  # four groups fit on A4

    def group(row: int, duty: str, period: str) -> list:
        first = 3 + 5 * GROUPS_2026.index((duty, period))
        return [sheet.cell(row=row, column=first + i) for i in range(5)]

    due, finished, evidence, receipt, status = group(4, "quarterly_report", "2026-Q1")  # T-A
    assert due.value == dt.datetime(2026, 4, 15) and due.number_format == "DD/MM/YYYY"
    assert finished.value == dt.datetime(2026, 4, 15) and finished.number_format == "DD/MM/YYYY"
    # The document the unit cites, as an inspector reads it, and isobot's receipt beside it.
    assert evidence.value == "123/BC-UBND ngày 15/04/2026"
    assert receipt.value == seeded.on_time
    assert status.value == vi._("On time") == "Đúng hạn"
    assert status.fill.fgColor.rgb.endswith(STANDING_FILL[Standing.on_time])

    _, finished, evidence, receipt, status = group(5, "quarterly_report", "2026-Q1")  # late
    assert (finished.value, evidence.value, receipt.value) == (
        dt.datetime(2026, 4, 20), "77/BC-UBND ngày 20/04/2026", seeded.late)
    assert status.value == vi._("Done late") == "Trễ hạn"
    assert status.fill.fgColor.rgb.endswith(STANDING_FILL[Standing.late])

    _, finished, evidence, receipt, status = group(6, "quarterly_report", "2026-Q1")  # not done
    assert (finished.value, evidence.value, receipt.value) == (None, None, None)
    assert status.value == vi._("Overdue") == "Quá hạn"
    assert status.fill.fgColor.rgb.endswith(STANDING_FILL[Standing.overdue])

    assert group(4, "quarterly_report", "2026-Q2")[4].value == vi._("Not yet due")
    assert group(4, "management_review", "2026")[4].value == "Chưa đến hạn"  # due today
    assert group(4, "corrective_action", "2025-NC1")[3].value == seeded.corrective
    # T owes none of these, and T-B has no second quarter yet: empty cells.
    assert all(c.value is None for c in sheet[3][2:])
    assert all(c.value is None for c in group(5, "quarterly_report", "2026-Q2"))

    summary = workbook.worksheets[1]
    assert summary.title == vi._("Summary")
    assert [c.value for c in summary[1]] == (
        [vi._("Duty")] + [vi._(STANDING_TEXT[s]) for s in Standing] + [vi._("Total")])
    by_duty = {row[0].value: [c.value for c in row[1:]]
               for row in summary.iter_rows(min_row=2, max_row=5)}
    assert by_duty[catalog.duty("quarterly_report").title.vi] == [1, 1, 1, 1, 4]
    assert by_duty[catalog.duty("management_review").title.vi] == [0, 0, 0, 1, 1]
    assert by_duty[vi._("Total")] == [2, 1, 1, 2, 6]
    assert list(by_duty) == [catalog.duty(d).title.vi for d in
                             ("corrective_action", "management_review", "quarterly_report")
                             ] + [vi._("Total")]
    assert [summary.cell(row=r, column=1).value for r in range(7, summary.max_row + 1)] == \
        legend(vi)


def test_compliance_csv_has_one_row_per_unit_duty_and_period(database_url, seeded):
    rows = csv_rows(isobot(database_url, "export", "--what", "compliance"))
    assert [(r["unit"], r["duty"], r["period"], r["status"]) for r in rows] == [
        ("T-A", "corrective_action", "2025-NC1", "on_time"),
        ("T-A", "management_review", "2026", "not_due"),
        ("T-A", "quarterly_report", "2026-Q1", "on_time"),
        ("T-A", "quarterly_report", "2026-Q2", "not_due"),
        ("T-B", "quarterly_report", "2026-Q1", "late"),
        ("T-B-S", "quarterly_report", "2026-Q1", "overdue"),
    ]
    assert rows[2] == {"unit": "T-A", "duty": "quarterly_report", "period": "2026-Q1",
                       "due": "2026-04-15", "done": "2026-04-15", "evidence": seeded.on_time,
                       "status": "on_time", "document_number": "123/BC-UBND",
                       "document_date": "2026-04-15"}
    assert (rows[5]["done"], rows[5]["evidence"], rows[5]["document_number"]) == ("", "", "")


def test_unit_limits_the_table_to_its_subtree(database_url, seeded, tmp_path):
    rows = csv_rows(isobot(database_url, "export", "--what", "compliance", "--unit", "T-B"))
    assert {r["unit"] for r in rows} == {"T-B", "T-B-S"}
    path = tmp_path / "b.xlsx"
    result = isobot(database_url, "export", "--what", "compliance", "--format", "xlsx",
                    "--unit", "T-B", "--out", str(path))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(path).worksheets[0]
    assert [sheet.cell(row=r, column=1).value for r in range(3, 6)] == ["T-B", "T-B-S", None]
    # Only the quarterly report of Q1 was owed in this subtree.
    assert sheet["C1"].value == title("quarterly_report", "2026-Q1")
    assert sheet.max_column == 7 and sheet.auto_filter.ref == "A2:G4"


def test_year_chooses_the_obligations_and_a_merged_units_record_stays(database_url, seeded):
    rows = csv_rows(isobot(database_url, "export", "--what", "compliance", "--year", "2025"))
    assert [(r["unit"], r["duty"], r["period"], r["status"], r["evidence"]) for r in rows] == [
        ("T-A", "internal_audit", "2025", "late", seeded.audit_2025)]
    rows = csv_rows(isobot(database_url, "export", "--what", "compliance", "--year", "2024"))
    assert [(r["unit"], r["duty"], r["status"]) for r in rows] == [
        ("T-OLD", "annual_report", "overdue")]
    wrong = isobot(database_url, "export", "--what", "events", "--year", "2025")
    assert wrong.exit_code == 2 and wrong.stdout == ""


def test_the_default_file_is_named_after_today(database_url, seeded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = isobot(database_url, "export", "--what", "compliance", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "isobot-compliance-20260601.xlsx"
    sheet = load_workbook(tmp_path / result.stdout.strip()).worksheets[0]
    assert sheet.max_row == 6 + 1 + len(legend(vi))


def test_standing_is_judged_by_the_day_in_vietnam():
    unit = Unit(id=1, code="U", name="U", kind="commune", active=True)
    due = dt.date(2026, 4, 15)

    def obligation(oid: int, **fields) -> tuple[Obligation, Unit, None]:
        return Obligation(id=oid, unit_id=1, duty_key="no_such_duty", period=f"2026-{oid:02d}",
                          due=due, **fields), unit, None

    rows = [
        obligation(1, status=ObligationStatus.DONE,
                   done_at=dt.datetime(2026, 4, 15, 16, 59, tzinfo=dt.UTC)),
        obligation(2, status=ObligationStatus.DONE,
                   done_at=dt.datetime(2026, 4, 15, 17, 0, tzinfo=dt.UTC)),
        obligation(3, status=ObligationStatus.OPEN),
    ]
    on_due_day = build_compliance([unit], rows, catalog=catalog, year=2026, today=due)
    assert [c.standing for c in on_due_day.rows[0].cells] == [
        Standing.on_time, Standing.late, Standing.not_due]
    assert on_due_day.rows[0].cells[1].done == dt.date(2026, 4, 16)
    next_day = build_compliance([unit], rows, catalog=catalog, year=2026,
                                today=due + dt.timedelta(days=1))
    assert next_day.rows[0].cells[2].standing is Standing.overdue
    # A duty the catalog no longer has goes last, and the other year's table is empty.
    assert build_compliance([unit], rows, catalog=catalog, year=2025, today=due).groups == ()


# -- /xuat in the chat --------------------------------------------------------------------------

OFFICER, SUPERVISOR = 1001, 2001


async def test_a_supervisor_gets_the_table_of_their_subtree(bot, engine):
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    with session_scope(engine) as session:
        subtree = subtree_ids(session, unit_id=unit_by_code(session, code="QNG-MD").id)
        codes = sorted(u.code for u in map(lambda i: session.get(Unit, i), subtree) if u.active)
    text = await bot.say(SUPERVISOR, "/xuat")
    assert "UBND huyện Mộ Đức" in text["text"] and "2026" in text["text"]
    sent = await bot.sandbox.next_message(SUPERVISOR, timeout=10)
    document = sent["document"]
    assert document["file_name"].endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(bot.sandbox.file_content(document["file_id"])))
    sheet = workbook.worksheets[0]
    assert sheet.max_row == len(codes) + 2 + 1 + len(legend(vi))
    assert sorted(sheet.cell(row=r, column=1).value for r in range(3, len(codes) + 3)) == codes
    assert sheet["A1"].value == vi._("ISO 9001 compliance, {year}").format(year=2026)
    assert sheet.freeze_panes == "C3"
    # Planned at start: Đức Tân's quarterly report for Q4 is owed, open and not yet due.
    header = [c.value for c in sheet[1]]
    assert title("quarterly_report", "2026-Q4") in header


async def test_an_officer_is_refused_the_table_and_gets_no_file(bot):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    refusal = await bot.say(OFFICER, "/xuat")
    assert refusal["text"] == vi._("Only the ISO standing office (supervisors) can export the "
                                   "compliance table. Nothing was sent.")
    after = await bot.say(OFFICER, "/help")
    assert "/nop" in after["text"]  # the next thing sent is the help, not a file
    assert not any(m.get("document") for m in bot.sandbox.messages_to(OFFICER))

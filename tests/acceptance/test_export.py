"""What an operator exports: the evidence log and the obligation status, as CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from jobs.catalog import load_catalog
from jobs.planning.standing import legend
from jobs.reports.export import event_table, obligation_table
from jobs.text.i18n import translator
from storage.db import make_engine, session_scope
from storage.models import Obligation, ObligationSource, ObligationStatus, Unit
from tests.conftest import at
from tests.support.records import isobot, log, owe, small_tree

OBLIGATION_KEYS = ["unit", "unit_name", "duty", "duty_title", "period", "due", "status", "late",
                   "done_at", "evidence", "source"]
OBLIGATION_HEADERS = ["Unit", "Unit name", "Duty", "Duty title", "Period", "Due date", "Status",
                      "Late", "Done at", "Evidence", "Source"]
# The people's sheet: no codes, and the standing in words (with a legend under the table).
OBLIGATION_SHEET_HEADERS = ["Unit", "Unit name", "Duty", "Period", "Due date", "Status",
                            "Done at", "Evidence", "Receipt number"]
EVENT_KEYS = ["reference", "at", "unit", "unit_name", "duty", "period", "kind", "document",
              "document_date", "file_name", "file_sha256", "nonconformities", "actor", "note",
              "correction_of", "corrected_by"]
EVENT_HEADERS = ["Reference", "Logged at", "Unit", "Unit name", "Duty", "Period", "Kind",
                 "Document number", "Document date", "File name", "File SHA-256",
                 "Nonconformities", "Actor", "Note", "Correction of", "Corrected by"]


@dataclass(frozen=True)
class Seeded:
    on_time: str  # the references of the events logged
    late: str
    correction: str
    merged: str


@pytest.fixture
def seeded(database_url) -> Seeded:
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        small_tree(session)  # T-OLD is merged into T-A: its records must stay in the exports

        on_time = owe(session, "T-A", "quarterly_report", "2026-Q1", dt.date(2026, 4, 15))
        late = owe(session, "T-A", "internal_audit", "2025", dt.date(2025, 10, 31))
        owe(session, "T-B", "quarterly_report", "2026-Q1", dt.date(2026, 4, 15))
        owe(session, "T-B-S", "quarterly_report", "2026-Q2", dt.date(2026, 7, 15))
        cancelled = owe(session, "T-B", "directive", "CV-12", dt.date(2026, 3, 1),
                        source=ObligationSource.DIRECTIVE, ref="12/CV-UBND")
        cancelled.status = ObligationStatus.CANCELLED
        session.add(cancelled)
        merged_duty = owe(session, "T-OLD", "annual_report", "2024", dt.date(2024, 12, 5))

        late_event = log(session, unit="T-A", obligation=late, moment=at("2025-11-05 14:20"),
                         kind="audit_done", document_number="45/BC-UBND",
                         document_date=dt.date(2025, 11, 4), nonconformities=3)
        merged_event = log(session, unit="T-OLD", obligation=merged_duty,
                           moment=at("2024-12-04 09:00"), kind="submitted",
                           document_number="99/BC-UBND", document_date=dt.date(2024, 12, 3))
        # Late in the evening of the due day: on time in Vietnam, though 16:30 UTC.
        on_time_event = log(session, unit="T-A", obligation=on_time,
                            moment=at("2026-04-15 23:30"), kind="submitted",
                            document_number="123/BC-UBND", document_date=dt.date(2026, 4, 14),
                            file_name="bao-cao-q1.pdf", file_hash="ab" * 32,
                            note="=HYPERLINK(\"http://example.invalid\")")
        correction = log(session, unit="T-A", obligation=None, moment=at("2026-04-16 08:15"),
                         kind="correction", document_number="124/BC-UBND",
                         correction_of_id=on_time_event.id, note="wrong number")
        seeded = Seeded(on_time_event.reference, late_event.reference, correction.reference,
                        merged_event.reference)
    engine.dispose()
    return seeded


def csv_rows(result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_obligations_csv_has_one_row_per_obligation_and_says_which_are_late(database_url,
                                                                            seeded):
    result = isobot(database_url, "export", "--what", "obligations", "--format", "csv")
    assert result.stdout.splitlines()[0] == ",".join(OBLIGATION_KEYS)
    rows = csv_rows(result)
    assert [(r["unit"], r["due"], r["duty"]) for r in rows] == [
        ("T-A", "2025-10-31", "internal_audit"),
        ("T-A", "2026-04-15", "quarterly_report"),
        ("T-B", "2026-03-01", "directive"),
        ("T-B", "2026-04-15", "quarterly_report"),
        ("T-B-S", "2026-07-15", "quarterly_report"),
        ("T-OLD", "2024-12-05", "annual_report"),
    ]
    by_key = {(r["unit"], r["duty"]): r for r in rows}
    catalog = load_catalog()

    on_time = by_key["T-A", "quarterly_report"]
    assert on_time == {
        "unit": "T-A", "unit_name": "UBND xã An", "duty": "quarterly_report",
        "duty_title": catalog.duty("quarterly_report").title.get("vi"), "period": "2026-Q1",
        "due": "2026-04-15", "status": "done", "late": "no",
        "done_at": "2026-04-15T23:30:00+07:00", "evidence": seeded.on_time, "source": "catalog",
    }
    done_late = by_key["T-A", "internal_audit"]
    assert (done_late["status"], done_late["late"], done_late["evidence"]) == (
        "done", "yes", seeded.late)
    overdue = by_key["T-B", "quarterly_report"]
    assert (overdue["status"], overdue["late"], overdue["done_at"], overdue["evidence"]) == (
        "open", "yes", "", "")
    assert (by_key["T-B-S", "quarterly_report"]["status"],
            by_key["T-B-S", "quarterly_report"]["late"]) == ("open", "no")
    cancelled = by_key["T-B", "directive"]
    assert (cancelled["status"], cancelled["late"], cancelled["source"]) == (
        "cancelled", "no", "directive")
    assert by_key["T-OLD", "annual_report"]["evidence"] == seeded.merged


def test_events_csv_lists_the_evidence_in_time_order(database_url, seeded):
    result = isobot(database_url, "export", "--what", "events")
    assert result.stdout.splitlines()[0] == ",".join(EVENT_KEYS)
    rows = csv_rows(result)
    assert [r["reference"] for r in rows] == [seeded.merged, seeded.late, seeded.on_time,
                                              seeded.correction]
    assert all(r["reference"].startswith(("ISO-2024-", "ISO-2025-", "ISO-2026-")) for r in rows)
    submitted = rows[2]
    assert submitted == {
        "reference": seeded.on_time, "at": "2026-04-15T23:30:00+07:00", "unit": "T-A",
        "unit_name": "UBND xã An", "duty": "quarterly_report", "period": "2026-Q1",
        "kind": "submitted", "document": "123/BC-UBND", "document_date": "2026-04-14",
        "file_name": "bao-cao-q1.pdf", "file_sha256": "ab" * 32, "nonconformities": "",
        "actor": "telegram:1001", "note": "=HYPERLINK(\"http://example.invalid\")",
        "correction_of": "", "corrected_by": seeded.correction,  # both kept, marked
    }
    assert rows[1]["nonconformities"] == "3"
    assert (rows[3]["correction_of"], rows[3]["duty"], rows[3]["document"]) == (
        seeded.on_time, "", "124/BC-UBND")
    # The merged unit's evidence stays readable under its old code.
    assert (rows[0]["unit"], rows[0]["document"]) == ("T-OLD", "99/BC-UBND")


def test_csv_goes_to_a_file_when_asked(database_url, seeded, tmp_path):
    path = tmp_path / "events.csv"
    result = isobot(database_url, "export", "--what", "events", "--format", "csv",
                    "--out", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_bytes().decode("utf-8")
    assert "\r" not in text
    assert "UBND xã An" in text and seeded.on_time in text


def test_obligations_xlsx_is_ready_for_people(database_url, seeded, tmp_path):
    path = tmp_path / "obligations.xlsx"
    result = isobot(database_url, "export", "--what", "obligations", "--format", "xlsx",
                    "--out", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(path)
    sheet = load_workbook(path).active
    vi = translator("vi")
    assert [c.value for c in sheet[1]] == [vi._(h) for h in OBLIGATION_SHEET_HEADERS]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:I7"
    assert sheet.max_column == 9
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1

    row = [c.value for c in sheet[3]]  # T-A, quarterly report, done on time
    assert row[:4] == ["T-A", "UBND xã An", load_catalog().duty("quarterly_report").title.vi,
                       "quý 1/2026"]
    assert row[4] == dt.datetime(2026, 4, 15) and sheet["E3"].number_format == "DD/MM/YYYY"
    assert row[5] == "Đúng hạn"
    # Excel has no time zones: the moment is written as Vietnam's wall-clock time.
    assert row[6] == dt.datetime(2026, 4, 15, 23, 30)
    assert sheet["G3"].number_format == "DD/MM/YYYY HH:MM"
    # The document the unit cites, then isobot's receipt number.
    assert row[7:] == ["123/BC-UBND ngày 14/04/2026", seeded.on_time]
    standing = {(r[0], r[3]): r[5] for r in sheet.iter_rows(min_row=2, max_row=7,
                                                            values_only=True)}
    assert standing == {("T-A", "năm 2025"): "Trễ hạn", ("T-A", "quý 1/2026"): "Đúng hạn",
                        ("T-B", "CV-12"): "Đã hủy", ("T-B", "quý 1/2026"): "Quá hạn",
                        ("T-B-S", "quý 2/2026"): "Chưa đến hạn", ("T-OLD", "năm 2024"): "Đúng hạn"}
    # A blank row, then what each status means.
    assert sheet["A8"].value is None
    assert [sheet.cell(row=r, column=1).value for r in range(9, sheet.max_row + 1)] == \
        legend(vi)
    assert all(8 <= sheet.column_dimensions[letter].width <= 62 for letter in "ABCDEFGHI")


def test_events_xlsx_keeps_a_note_that_looks_like_a_formula_as_text(database_url, seeded,
                                                                    tmp_path):
    path = tmp_path / "events.xlsx"
    result = isobot(database_url, "export", "--what", "events", "--format", "xlsx",
                    "--out", str(path))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(path).active
    vi = translator("vi")
    assert [c.value for c in sheet[1]] == [vi._(h) for h in EVENT_HEADERS]
    assert sheet.auto_filter.ref == "A1:P5"
    note = sheet.cell(row=4, column=14)
    assert (note.value, note.data_type) == ("=HYPERLINK(\"http://example.invalid\")", "s")
    assert sheet.cell(row=4, column=8).value == "123/BC-UBND"
    assert sheet.cell(row=4, column=2).value == dt.datetime(2026, 4, 15, 23, 30)
    # For people: the duty's title, the period as written, what happened in words.
    assert [c.value for c in sheet[4][4:7]] == [
        load_catalog().duty("quarterly_report").title.vi, "quý 1/2026", "đã nộp văn bản"]
    assert [c.value for c in sheet[5][4:7]] == [None, None, "đính chính"]


def test_xlsx_without_out_is_named_after_what_and_today(database_url, seeded, tmp_path,
                                                        monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = isobot(database_url, "export", "--what", "events", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "isobot-events-20260601.xlsx"
    assert load_workbook(tmp_path / "isobot-events-20260601.xlsx").active.max_row == 5


def test_unit_limits_the_export_to_its_subtree(database_url, seeded):
    rows = csv_rows(isobot(database_url, "export", "--what", "obligations", "--unit", "T-B"))
    assert {r["unit"] for r in rows} == {"T-B", "T-B-S"}
    rows = csv_rows(isobot(database_url, "export", "--what", "events", "--unit", "T-OLD",
                           "--unit", "T-B-S"))
    assert [r["reference"] for r in rows] == [seeded.merged]
    rows = csv_rows(isobot(database_url, "export", "--what", "obligations", "--unit", "T"))
    assert len(rows) == 6


def test_an_unknown_unit_is_refused(database_url, seeded):
    result = isobot(database_url, "export", "--what", "events", "--unit", "T-A",
                    "--unit", "NOWHERE")
    assert result.exit_code == 2
    assert "NOWHERE" in result.stderr
    assert result.stdout == ""


def test_lateness_is_judged_by_the_day_in_vietnam():
    unit = Unit(id=1, code="U", name="U", kind="commune")
    due = dt.date(2026, 4, 15)

    def done(moment: dt.datetime) -> Obligation:
        return Obligation(id=1, unit_id=1, duty_key="no_such_duty", period="x", due=due,
                          status=ObligationStatus.DONE, done_at=moment)

    rows = [(done(dt.datetime(2026, 4, 15, 16, 59, tzinfo=dt.UTC)), unit, None),
            (done(dt.datetime(2026, 4, 15, 17, 0, tzinfo=dt.UTC)), unit, None)]
    table = obligation_table(rows, tr=translator("en"), catalog=load_catalog(),
                             today=dt.date(2026, 1, 1))
    assert [row[table.keys.index("late")] for row in table.rows] == ["no", "yes"]
    # A duty the catalog no longer has is shown by its key.
    assert table.rows[0][table.keys.index("duty_title")] == "no_such_duty"
    assert table.headers == tuple(OBLIGATION_HEADERS)
    empty = event_table([], tr=translator("en"), catalog=load_catalog())
    assert (empty.keys, empty.rows) == (tuple(EVENT_KEYS), [])

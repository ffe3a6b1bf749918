"""Exports of the evidence log and the obligation status, as CSV for software or XLSX for people.

The table builders are pure: they take the rows the storage queries return. CSV is for scripts:
English column keys, stable codes (``2026-Q4``, ``internal_audit``, ``late=yes``) and ISO
dates, the same from release to release. XLSX is for people: translated headers, duty titles,
periods as Vietnamese write them (:mod:`jobs.text.labels`), how each obligation stands in words with
a legend (:mod:`jobs.planning.standing`), local dates, ready to filter and print.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jobs.calendar.workdays import VIETNAM
from jobs.catalog import Catalog, duty_title
from jobs.planning.standing import STANDING_TEXT, legend, standing_of
from jobs.text.i18n import N_, Translator
from jobs.text.labels import document_text, named_period
from storage.models import Event, Obligation, ObligationStatus, Unit


class What(StrEnum):
    """What an export holds."""

    events = "events"
    obligations = "obligations"
    compliance = "compliance"  # the yearly table per unit: jobs/reports/compliance.py


class FileFormat(StrEnum):
    """How an export is written."""

    csv = "csv"
    xlsx = "xlsx"


@dataclass(frozen=True)
class Table:
    """Rows under stable English column ``keys`` and the ``headers`` a person reads."""

    keys: tuple[str, ...]
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


OBLIGATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("unit", N_("Unit")),
    ("unit_name", N_("Unit name")),
    ("duty", N_("Duty")),
    ("duty_title", N_("Duty title")),
    ("period", N_("Period")),
    ("due", N_("Due date")),
    ("status", N_("Status")),
    ("late", N_("Late")),
    ("done_at", N_("Done at")),
    ("evidence", N_("Evidence")),
    ("source", N_("Source")),
)

# The people's sheet of the obligation status: no codes, the standing in words.
OBLIGATION_SHEET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("unit", N_("Unit")),
    ("unit_name", N_("Unit name")),
    ("duty_title", N_("Duty")),
    ("period", N_("Period")),
    ("due", N_("Due date")),
    ("standing", N_("Status")),
    ("done_at", N_("Done at")),
    ("evidence", N_("Evidence")),
    ("receipt", N_("Receipt number")),
)

EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("reference", N_("Reference")),
    ("at", N_("Logged at")),
    ("unit", N_("Unit")),
    ("unit_name", N_("Unit name")),
    ("duty", N_("Duty")),
    ("period", N_("Period")),
    ("kind", N_("Kind")),
    ("document", N_("Document number")),
    ("document_date", N_("Document date")),
    ("file_name", N_("File name")),
    ("file_sha256", N_("File SHA-256")),
    ("nonconformities", N_("Nonconformities")),
    ("actor", N_("Actor")),
    ("note", N_("Note")),
    ("correction_of", N_("Correction of")),
    ("corrected_by", N_("Corrected by")),
)

_MAX_WIDTH = 60
_MIN_WIDTH = 6
_DATE_FORMAT = "DD/MM/YYYY"
_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _table(columns: tuple[tuple[str, str], ...], rows: list[tuple[Any, ...]],
           tr: Translator) -> Table:
    return Table(keys=tuple(key for key, _ in columns),
                 headers=tuple(tr._(header) for _, header in columns), rows=rows)


def is_late(obligation: Obligation, today: dt.date) -> bool:
    """Whether ``obligation`` was done after its due date, or is still open past it on ``today``."""
    if obligation.status == ObligationStatus.DONE:
        return (obligation.done_at is not None
                and obligation.done_at.astimezone(VIETNAM).date() > obligation.due)
    if obligation.status == ObligationStatus.OPEN:
        return today > obligation.due
    return False


def obligation_table(
    rows: Sequence[tuple[Obligation, Unit, Event | None]], *, tr: Translator, catalog: Catalog,
    today: dt.date,
) -> Table:
    """The obligation status for software: one row per (obligation, unit, done event)."""
    return _table(OBLIGATION_COLUMNS, [
        (unit.code, unit.name, obligation.duty_key,
         duty_title(catalog, obligation.duty_key, tr.lang), obligation.period, obligation.due,
         obligation.status, "yes" if is_late(obligation, today) else "no", obligation.done_at,
         event.reference if event else None, obligation.source)
        for obligation, unit, event in rows
    ], tr)


def obligation_sheet(
    rows: Sequence[tuple[Obligation, Unit, Event | None]], *, tr: Translator, catalog: Catalog,
    today: dt.date,
) -> Table:
    """The obligation status for people: titles, named periods, the standing in words, the
    document cited ("123/BC-UBND ngày 30/11/2026") and the receipt number beside it."""
    table = []
    for obligation, unit, event in rows:
        standing = standing_of(obligation.status, obligation.done_at, obligation.due, today)
        table.append((
            unit.code, unit.name, duty_title(catalog, obligation.duty_key, tr.lang),
            named_period(obligation, tr), obligation.due,
            tr._(STANDING_TEXT[standing]) if standing else tr._("Cancelled"), obligation.done_at,
            document_text(event.document_number, event.document_date, tr) if event else None,
            event.reference if event else None))
    return _table(OBLIGATION_SHEET_COLUMNS, table, tr)


# What each kind of logged event means, for the people's sheet.
EVENT_KINDS: dict[str, str] = {
    "submitted": N_("document submitted"),
    "audit_done": N_("internal audit done"),
    "review_done": N_("management review held"),
    "done": N_("done"),
    "acknowledged": N_("directive received"),
    "correction": N_("correction"),
}


def event_table(
    rows: Sequence[tuple[Event, Unit, Obligation | None, str | None, str | None]], *,
    tr: Translator, catalog: Catalog, for_people: bool = False,
) -> Table:
    """The evidence log: one row per (event, unit, obligation, the reference it corrects, the
    reference that corrects it); a corrected event stays, marked by the one that replaced it.

    ``for_people`` puts the duty's title, the named period and the kind in words where
    software reads the duty key, the period key and the kind's code.
    """
    def about(event: Event, o: Obligation | None) -> tuple[str | None, ...]:
        if not for_people:
            return (o.duty_key if o else None, o.period if o else None, event.kind)
        kind = tr._(EVENT_KINDS[event.kind]) if event.kind in EVENT_KINDS else event.kind
        if o is None:
            return None, None, kind
        return duty_title(catalog, o.duty_key, tr.lang), named_period(o, tr), kind

    return _table(EVENT_COLUMNS, [
        (event.reference, event.at, unit.code, unit.name, *about(event, obligation),
         event.document_number, event.document_date, event.file_name, event.file_hash,
         event.nonconformities, event.actor, event.note, correction_of, corrected_by)
        for event, unit, obligation, correction_of, corrected_by in rows
    ], tr)


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(VIETNAM).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(table: Table, stream: IO[str]) -> None:
    """Write ``table`` as CSV: the English keys, then ISO dates and Vietnam-time moments."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(table.keys)
    writer.writerows([_csv_value(v) for v in row] for row in table.rows)


def _sheet_name(title: str) -> str:
    # Excel refuses these characters and names longer than 31 characters.
    name = " ".join(_SHEET_NAME_FORBIDDEN.sub(" ", title).split())[:31].strip()
    return name or "Sheet1"


def _xlsx_value(value: Any) -> tuple[Any, str | None, int]:
    """The cell value, its number format and how many characters wide it shows."""
    if value is None:
        return None, None, 0
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the moment is written as the wall-clock time in Vietnam.
        return value.astimezone(VIETNAM).replace(tzinfo=None), _DATETIME_FORMAT, 16
    if isinstance(value, dt.date):
        return value, _DATE_FORMAT, 10
    if isinstance(value, str):
        # Control characters a chat message may carry make the file unreadable.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return value, None, max((len(line) for line in value.splitlines()), default=0)
    return value, None, len(str(value))


def write_legend(sheet: Worksheet, first_row: int, tr: Translator) -> None:
    """The standings and what each means, from ``first_row`` down in column A: one meaning of
    "Trễ hạn" and "Quá hạn" on every sheet a person prints."""
    for offset, line in enumerate(legend(tr)):
        cell = sheet.cell(row=first_row + offset, column=1, value=line)
        cell.data_type = "s"
        cell.font = Font(bold=offset == 0, italic=offset > 0)


def write_xlsx(table: Table, path_or_stream: Path | str | IO[bytes], *, title: str,
               tr: Translator | None = None) -> None:
    """Write ``table`` as an Excel workbook of one sheet, ready to filter and to print; with
    ``tr``, the legend of the standings under it (:func:`write_legend`)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_name(title)
    workbook.properties.title = title
    widths = [len(header) for header in table.headers]
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top")
    for row_index, row in enumerate(table.rows, start=2):
        for column_index, raw in enumerate(row, start=1):
            value, number_format, width = _xlsx_value(raw)
            cell = sheet.cell(row=row_index, column=column_index, value=value)
            if isinstance(value, str):
                # Typed text is never a formula: a note "=HYPERLINK(...)" stays a note.
                cell.data_type = "s"
                if width > _MAX_WIDTH or "\n" in value:
                    cell.alignment = Alignment(vertical="top", wrap_text=True)
            if number_format:
                cell.number_format = number_format
            widths[column_index - 1] = max(widths[column_index - 1], width)
    for column_index, width in enumerate(widths, start=1):
        letter = get_column_letter(column_index)
        sheet.column_dimensions[letter].width = min(max(width, _MIN_WIDTH) + 2, _MAX_WIDTH)
    last = get_column_letter(len(table.headers))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    if tr is not None:
        write_legend(sheet, len(table.rows) + 3, tr)
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.save(path_or_stream)

"""The compliance table: one row per unit, one column group per duty and period, for a year.

What supervisors print for an inspection and attach to the yearly report to the People's
Committee, and what counts toward the emulation review: for each unit and each obligation of the
year, its due date, the day it was done, the document it cites as evidence ("123/BC-UBND ngày
30/11/2026") and isobot's receipt number beside it, and how it stands
(:mod:`jobs.planning.standing`).

The builder is pure: it takes the units and the rows :func:`storage.exports.obligations_for_export`
returns. The XLSX is for people (Vietnamese headers, frozen panes, filters, ready to print); the
CSV is for scripts (English keys, ISO dates, one row per unit × duty × period).

An obligation belongs to a year by its period (``2026``, ``2026-Q3``, ``2026-03``); one whose
period is not a calendar period (a directive, a corrective action) by the year of its due date.
Cancelled obligations are not owed and are left out. An open obligation is late only after its
due day: until then it is "not yet due".
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jobs.calendar.workdays import VIETNAM
from jobs.catalog import Catalog, duty_title
from jobs.planning.obligations import Period
from jobs.planning.standing import STANDING_FILL, STANDING_TEXT, Standing, standing_of
from jobs.reports.export import write_legend
from jobs.text.i18n import N_, Translator
from jobs.text.labels import document_text, period_text
from storage.models import Event, Obligation, ObligationStatus, Unit
from storage.units import tree_order

__all__ = ["CSV_KEYS", "STANDING_FILL", "STANDING_TEXT", "SUB_HEADERS", "Cell", "Compliance",
           "Group", "Standing", "UnitRow", "build_compliance", "group_title", "standing",
           "write_compliance_csv", "write_compliance_xlsx"]

SUB_HEADERS: tuple[str, ...] = (N_("Due date"), N_("Completion date"), N_("Evidence"),
                                N_("Receipt number"), N_("Status"))
# ``evidence`` is isobot's receipt number, as it always was; the document it cites follows.
CSV_KEYS: tuple[str, ...] = ("unit", "duty", "period", "due", "done", "evidence", "status",
                             "document_number", "document_date")


@dataclass(frozen=True)
class Group:
    """One column group: a duty and a period (and how people name a period that is not a
    calendar one: the number or name of its first obligation, :mod:`jobs.text.labels`)."""

    duty_key: str
    period: str
    label: str | None = field(default=None, compare=False)
    note: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Cell:
    """What one unit did about one group's obligation."""

    due: dt.date
    done: dt.date | None  # the day it was done, in Vietnam
    evidence: str | None  # the done event's receipt number
    standing: Standing
    document_number: str | None = None  # the document the done event cites
    document_date: dt.date | None = None


@dataclass(frozen=True)
class UnitRow:
    """One unit and its cells, one per group (None: the unit owes nothing for that group)."""

    code: str
    name: str
    cells: tuple[Cell | None, ...]


@dataclass(frozen=True)
class Compliance:
    """The table for ``year`` as of ``today``."""

    year: int
    today: dt.date
    groups: tuple[Group, ...]
    rows: tuple[UnitRow, ...]

    def counts(self) -> dict[str, Counter[Standing]]:
        """How many cells of each standing, per duty, in the groups' order."""
        counts: dict[str, Counter[Standing]] = {}
        for index, group in enumerate(self.groups):
            counter = counts.setdefault(group.duty_key, Counter())
            counter.update(row.cells[index].standing for row in self.rows
                           if row.cells[index] is not None)
        return counts


def standing(obligation: Obligation, today: dt.date) -> Standing:
    """How ``obligation`` stands on ``today`` (it must not be cancelled)."""
    return standing_of(obligation.status, obligation.done_at, obligation.due, today)


def year_of(obligation: Obligation) -> int:
    """The year ``obligation`` counts for: its period's, else its due date's."""
    try:
        return Period.parse(obligation.period).year
    except ValueError:
        return obligation.due.year


def build_compliance(
    units: Sequence[Unit], rows: Sequence[tuple[Obligation, Unit, Event | None]], *,
    catalog: Catalog, year: int, today: dt.date,
) -> Compliance:
    """The table of ``year`` for ``units`` from (obligation, unit, done event) rows.

    Active units each get a row, with or without obligations; an inactive (merged) unit only
    when it owed something that year. Rows follow the unit tree; groups follow the duty catalog,
    then the due date and the period. Obligations of units not in ``units`` are ignored.
    """
    wanted = {unit.id for unit in units}
    cells: dict[tuple[int, Group], Cell] = {}
    first_due: dict[Group, dt.date] = {}
    names: dict[Group, Group] = {}
    for obligation, unit, event in rows:
        if (unit.id not in wanted or obligation.status == ObligationStatus.CANCELLED
                or year_of(obligation) != year):
            continue
        group = Group(obligation.duty_key, obligation.period, obligation.label, obligation.note)
        done = (obligation.done_at.astimezone(VIETNAM).date()
                if obligation.status == ObligationStatus.DONE and obligation.done_at else None)
        cells[unit.id, group] = Cell(
            obligation.due, done, event.reference if event else None,
            standing(obligation, today), event.document_number if event else None,
            event.document_date if event else None)
        if group not in first_due:
            first_due[group] = obligation.due
            names[group] = group  # the first obligation's name stands for the group
        first_due[group] = min(first_due[group], obligation.due)
    rank = {duty.key: index for index, duty in enumerate(catalog.duties)}
    groups = tuple(names[g] for g in sorted(first_due, key=lambda g: (
        rank.get(g.duty_key, len(rank)), g.duty_key, first_due[g], g.period)))
    owing = {unit_id for unit_id, _ in cells}
    listed = [unit for unit in units if unit.active or unit.id in owing]
    return Compliance(year, today, groups, tuple(
        UnitRow(unit.code, unit.name, tuple(cells.get((unit.id, g)) for g in groups))
        for unit, _depth in tree_order(listed)))


def group_title(group: Group, *, catalog: Catalog, tr: Translator) -> str:
    """``Đánh giá nội bộ HTQLCL — năm 2026``, ``Thực hiện văn bản chỉ đạo — 1699/UBND-TH: …``."""
    period = period_text(group.period, tr, label=group.label, note=group.note)
    return f"{duty_title(catalog, group.duty_key, tr.lang)} — {period}"


# -- CSV ----------------------------------------------------------------------------------------


def write_compliance_csv(table: Compliance, stream: IO[str]) -> None:
    """One line per unit × duty × period the unit owes: English keys, ISO dates."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_KEYS)
    for row in table.rows:
        for group, cell in zip(table.groups, row.cells, strict=True):
            if cell is None:
                continue
            writer.writerow([row.code, group.duty_key, group.period, cell.due.isoformat(),
                             cell.done.isoformat() if cell.done else "", cell.evidence or "",
                             cell.standing.value, cell.document_number or "",
                             cell.document_date.isoformat() if cell.document_date else ""])


# -- XLSX ---------------------------------------------------------------------------------------

_DATE_FORMAT = "DD/MM/YYYY"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_UNIT_COLUMNS = 2
_GROUP_WIDTHS = (11, 11, 24, 16, 13)  # due, done, evidence, receipt, status
_A3_FROM_GROUPS = 6  # wider than this, print on A3


def write_compliance_xlsx(table: Compliance, path_or_stream: Path | str | IO[bytes], *,
                          tr: Translator, catalog: Catalog) -> None:
    """The table as a workbook: the grid, ready to filter and print, and a summary per duty."""
    workbook = Workbook()
    title = tr._("ISO 9001 compliance, {year}").format(year=table.year)
    workbook.properties.title = title
    _grid(workbook.active, table, tr=tr, catalog=catalog, title=title)
    _summary(workbook.create_sheet(), table, tr=tr, catalog=catalog)
    workbook.save(path_or_stream)


def _header(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"
    cell.font = Font(bold=True)
    cell.fill = _HEADER_FILL
    cell.alignment = _WRAP_CENTRE
    cell.border = _BORDER


def _text(cell, value: str | None) -> None:
    cell.value = value
    if value is not None:
        cell.data_type = "s"  # a unit name or a reference is never a formula


def _grid(sheet: Worksheet, table: Compliance, *, tr: Translator, catalog: Catalog,
          title: str) -> None:
    sheet.title = tr._("Compliance")[:31]
    last_column = _UNIT_COLUMNS + len(SUB_HEADERS) * len(table.groups)
    _grid_headers(sheet, table, tr=tr, catalog=catalog, title=title)
    for row_index, row in enumerate(table.rows, start=3):
        _grid_row(sheet, row_index, row, last_column=last_column, tr=tr)
    _grid_widths(sheet, table, tr=tr)
    sheet.freeze_panes = sheet.cell(row=3, column=_UNIT_COLUMNS + 1).coordinate
    sheet.auto_filter.ref = f"A2:{get_column_letter(last_column)}{len(table.rows) + 2}"
    sheet.print_title_rows = "1:2"
    sheet.print_title_cols = f"A:{get_column_letter(_UNIT_COLUMNS)}"
    write_legend(sheet, len(table.rows) + 4, tr)
    _print_setup(sheet, wide=len(table.groups) > _A3_FROM_GROUPS)


def _group_column(index: int) -> int:
    """The first column of duty group ``index``."""
    return _UNIT_COLUMNS + 1 + index * len(SUB_HEADERS)


def _grid_headers(sheet: Worksheet, table: Compliance, *, tr: Translator, catalog: Catalog,
                  title: str) -> None:
    """Row 1: the title over the unit columns, then each group's duty and period; row 2: the
    unit columns' and every group's sub-headers."""
    per_group = len(SUB_HEADERS)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=_UNIT_COLUMNS)
    _header(sheet.cell(row=1, column=1), title)
    for column in range(2, _UNIT_COLUMNS + 1):
        sheet.cell(row=1, column=column).border = _BORDER
    for index, group in enumerate(table.groups):
        first = _group_column(index)
        sheet.merge_cells(start_row=1, start_column=first, end_row=1,
                          end_column=first + per_group - 1)
        _header(sheet.cell(row=1, column=first), group_title(group, catalog=catalog, tr=tr))
        for column in range(first + 1, first + per_group):
            sheet.cell(row=1, column=column).border = _BORDER
    for column, header in enumerate((tr._("Unit"), tr._("Unit name")), start=1):
        _header(sheet.cell(row=2, column=column), header)
    for index in range(len(table.groups)):
        for offset, header in enumerate(SUB_HEADERS):
            _header(sheet.cell(row=2, column=_group_column(index) + offset), tr._(header))
    sheet.row_dimensions[1].height = 45
    sheet.row_dimensions[2].height = 30


def _grid_row(sheet: Worksheet, row_index: int, row: UnitRow, *, last_column: int,
              tr: Translator) -> None:
    """One unit: its code and name, then due, done, evidence and standing per group."""
    _text(sheet.cell(row=row_index, column=1), row.code)
    _text(sheet.cell(row=row_index, column=2), row.name)
    for column in range(1, last_column + 1):
        sheet.cell(row=row_index, column=column).border = _BORDER
    for index, cell in enumerate(row.cells):
        if cell is None:
            continue
        first = _group_column(index)
        due = sheet.cell(row=row_index, column=first, value=cell.due)
        due.number_format = _DATE_FORMAT
        if cell.done:
            done = sheet.cell(row=row_index, column=first + 1, value=cell.done)
            done.number_format = _DATE_FORMAT
        _text(sheet.cell(row=row_index, column=first + 2),
              document_text(cell.document_number, cell.document_date, tr))
        _text(sheet.cell(row=row_index, column=first + 3), cell.evidence)
        status = sheet.cell(row=row_index, column=first + 4)
        _text(status, tr._(STANDING_TEXT[cell.standing]))
        if STANDING_FILL.get(cell.standing):
            status.fill = PatternFill("solid", fgColor=STANDING_FILL[cell.standing])


def _grid_widths(sheet: Worksheet, table: Compliance, *, tr: Translator) -> None:
    code_width = max([len(tr._("Unit")), *(len(row.code) for row in table.rows)])
    name_width = max([len(tr._("Unit name")), *(len(row.name) for row in table.rows)])
    sheet.column_dimensions["A"].width = min(code_width + 2, 24)
    sheet.column_dimensions["B"].width = min(max(name_width, 12) + 2, 40)
    for index in range(len(table.groups)):
        for offset, width in enumerate(_GROUP_WIDTHS):
            sheet.column_dimensions[get_column_letter(_group_column(index) + offset)].width = width


def _print_setup(sheet: Worksheet, *, wide: bool) -> None:
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3 if wide else sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as the units need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


def _summary(sheet: Worksheet, table: Compliance, *, tr: Translator, catalog: Catalog) -> None:
    sheet.title = tr._("Summary")[:31]
    order = tuple(Standing)
    headers = [tr._("Duty"), *(tr._(STANDING_TEXT[s]) for s in order), tr._("Total")]
    for column, header in enumerate(headers, start=1):
        _header(sheet.cell(row=1, column=column), header)
    counts = table.counts()
    totals: Counter[Standing] = Counter()
    for row_index, (duty_key, counter) in enumerate(counts.items(), start=2):
        _text(sheet.cell(row=row_index, column=1), duty_title(catalog, duty_key, tr.lang))
        for column, key in enumerate(order, start=2):
            sheet.cell(row=row_index, column=column, value=counter[key])
        sheet.cell(row=row_index, column=len(headers), value=counter.total())
        totals.update(counter)
    total_row = len(counts) + 2
    _text(sheet.cell(row=total_row, column=1), tr._("Total"))
    for column, key in enumerate(order, start=2):
        sheet.cell(row=total_row, column=column, value=totals[key])
    sheet.cell(row=total_row, column=len(headers), value=totals.total())
    for column in range(1, len(headers) + 1):
        cell = sheet.cell(row=total_row, column=column)
        cell.font = Font(bold=True)
        for row_index in range(2, total_row + 1):
            sheet.cell(row=row_index, column=column).border = _BORDER
    for column, key in enumerate(order, start=2):
        colour = STANDING_FILL[key]
        if colour:
            sheet.cell(row=1, column=column).fill = PatternFill("solid", fgColor=colour)
    titles = [len(duty_title(catalog, key, tr.lang)) for key in counts]
    sheet.column_dimensions["A"].width = min(max([len(headers[0]), *titles]) + 2, 60)
    for column in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    sheet.freeze_panes = "B2"
    sheet.print_title_rows = "1:1"
    write_legend(sheet, total_row + 2, tr)
    _print_setup(sheet, wide=False)

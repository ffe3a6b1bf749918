"""Reading and checking a units file (CSV or XLSX) before anything is imported."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from storage.models import UnitKind

COLUMNS = ("code", "name", "kind", "parent")
SAMPLE_UNITS = Path(__file__).resolve().parent.parent / "storage" / "data" / "sample_units.csv"


@dataclass(frozen=True)
class UnitRow:
    """One row of a units file, with the line it came from."""

    line: int
    code: str
    name: str
    kind: str
    parent: str


@dataclass(frozen=True)
class RowProblem:
    """Why a row cannot be imported; ``problem`` is a code the caller puts into words."""

    line: int
    problem: str  # empty_code, empty_name, duplicate_code, unknown_kind, unknown_parent, cycle
    value: str = ""


class UnitsFileError(Exception):
    """The file cannot be read as a units file at all (format, missing columns)."""

    def __init__(self, problem: str, value: str = "") -> None:
        super().__init__(f"{problem}: {value}")
        self.problem = problem
        self.value = value


def read_units_file(path: Path) -> list[UnitRow]:
    """The rows of a CSV (UTF-8, with or without BOM) or XLSX file with a header row."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            table = list(csv.reader(f))
    elif suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path)
    else:
        raise UnitsFileError("unknown_format", path.suffix)
    if not table:
        raise UnitsFileError("missing_columns", ", ".join(COLUMNS))
    header = [str(h).strip().lower() for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UnitsFileError("missing_columns", ", ".join(missing))
    index = {c: header.index(c) for c in COLUMNS}
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue  # blank lines are common at the end of spreadsheets

        def cell(column: str, cells: list = cells) -> str:
            i = index[column]
            return str(cells[i]).strip() if i < len(cells) and cells[i] is not None else ""

        rows.append(UnitRow(line, cell("code"), cell("name"), cell("kind").lower(), cell("parent")))
    return rows


def _read_xlsx(path: Path) -> list[list]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def check_units(rows: Iterable[UnitRow], existing: dict[str, str | None]) -> list[RowProblem]:
    """Every problem in ``rows``; ``existing`` maps codes already stored to their parent's code.

    A parent may be a unit already stored or any row of the file, in any order.
    """
    rows = list(rows)
    problems: list[RowProblem] = []
    kinds = {k.value for k in UnitKind}
    seen: dict[str, int] = {}
    for row in rows:
        if not row.code:
            problems.append(RowProblem(row.line, "empty_code"))
        elif row.code in seen:
            problems.append(RowProblem(row.line, "duplicate_code", row.code))
        else:
            seen[row.code] = row.line
        if not row.name:
            problems.append(RowProblem(row.line, "empty_name", row.code))
        if row.kind not in kinds:
            problems.append(RowProblem(row.line, "unknown_kind", row.kind))
    parents = dict(existing)
    parents.update({r.code: r.parent or None for r in rows if r.code})
    for row in rows:
        if row.parent and row.parent not in parents:
            problems.append(RowProblem(row.line, "unknown_parent", row.parent))
        elif row.code and _in_cycle(row.code, parents):
            problems.append(RowProblem(row.line, "cycle", row.code))
    return sorted(problems, key=lambda p: p.line)


def _in_cycle(code: str, parents: dict[str, str | None]) -> bool:
    seen = {code}
    parent = parents.get(code)
    while parent:
        if parent in seen:
            return True
        seen.add(parent)
        parent = parents.get(parent)
    return False


def in_tree_order(rows: Iterable[UnitRow]) -> list[UnitRow]:
    """Rows ordered so that each parent comes before its children (for a checked file)."""
    pending = {r.code: r for r in rows}
    ordered: list[UnitRow] = []
    placed: set[str] = set()
    while pending:
        ready = [r for r in pending.values() if not r.parent or r.parent not in pending]
        if not ready:
            raise ValueError("the rows' parents form a cycle; run check_units first")
        for row in sorted(ready, key=lambda r: r.line):
            ordered.append(row)
            placed.add(row.code)
            del pending[row.code]
    return ordered

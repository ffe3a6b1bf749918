"""Reading and checking a units file (CSV or XLSX) before anything is imported."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jobs.text.text_input import clean_text
from jobs.units.file_format import (
    UnreadableFile,
    column_of,
    kind_of,
    read_csv_table,
    read_xlsx_table,
)
from storage.models import UnitKind

COLUMNS = ("code", "name", "kind", "parent")
MAX_CODE, MAX_NAME = 64, 255  # the unit table's limits
SAMPLE_UNITS = Path(__file__).resolve().parents[2] / "storage" / "data" / "sample_units.csv"
# The seeds' tree as it was before 1 July 2025; the shipped plan beside it replays the reform.
SAMPLE_UNITS_BEFORE_REFORM = SAMPLE_UNITS.with_name("sample_units_before_reform.csv")
SAMPLE_REFORM_PLAN = SAMPLE_UNITS.with_name("sample_reform_plan.csv")


def sample_units_file(*, before_reform: bool = False) -> Path:
    """The sample units: today's two-tier tree, or the one before the 2025 reform."""
    return SAMPLE_UNITS_BEFORE_REFORM if before_reform else SAMPLE_UNITS


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
    # empty_code, code_too_long, empty_name, name_too_long, duplicate_code, unknown_kind,
    # unknown_parent, cycle
    problem: str
    value: str = ""


class UnitsFileError(Exception):
    """The file cannot be read as a units file at all (format, missing columns)."""

    def __init__(self, problem: str, value: str = "") -> None:
        super().__init__(f"{problem}: {value}")
        self.problem = problem
        self.value = value


def read_units_file(path: Path) -> list[UnitRow]:
    """The rows of a CSV or XLSX units file with a header row (:mod:`jobs.units.file_format`)."""
    table = read_table(path)
    if not table:
        raise UnitsFileError("missing_columns", ", ".join(COLUMNS))
    header = [column_of(str(h)) for h in table[0]]
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
            return clean_text(str(cells[i])) if i < len(cells) and cells[i] is not None else ""

        rows.append(UnitRow(line, cell("code"), cell("name"), kind_of(cell("kind")),
                            cell("parent")))
    return rows


def read_table(path: Path) -> list[list]:
    """The cells of a CSV or XLSX file, by its suffix; :class:`UnitsFileError` if unreadable."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            return read_csv_table(path)
        if suffix in (".xlsx", ".xlsm"):
            return read_xlsx_table(path)
    except UnreadableFile:
        raise UnitsFileError("unreadable", path.name) from None
    raise UnitsFileError("unknown_format", path.suffix)


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
        if len(row.code) > MAX_CODE:
            problems.append(RowProblem(row.line, "code_too_long", row.code[:20] + "…"))
        if not row.name:
            problems.append(RowProblem(row.line, "empty_name", row.code))
        elif len(row.name) > MAX_NAME:
            problems.append(RowProblem(row.line, "name_too_long", row.name[:20] + "…"))
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

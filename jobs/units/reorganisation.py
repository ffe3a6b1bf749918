"""A reorganisation plan: many merges, moves, renames, new and closed units taking effect on one
date (on 1 July 2025 a province applied hundreds at once). Rules only: reading the plan and
checking it whole; :mod:`jobs.units.reorganising` applies a checked plan.

The plan is one change: row order does not matter, and every row that cannot take effect is
named before anything changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jobs.text.text_input import clean_text
from jobs.units.file_format import column_of, fold, kind_of
from jobs.units.units_file import MAX_CODE, MAX_NAME, UnitsFileError, read_table
from storage.models import UnitKind

# Also the order they are applied in: a unit closes under its old parent, before that parent
# merges (a merge takes only the active units below it along).
ACTIONS = ("new", "move", "rename", "close", "merge")
# Action names an operator may write, folded: English or Vietnamese.
ACTION_ALIASES = {
    "merge": ("merge", "sap nhap", "hop nhat"),
    "move": ("move", "chuyen", "dieu chuyen", "chuyen truc thuoc"),
    "rename": ("rename", "doi ten"),
    "new": ("new", "moi", "thanh lap", "thanh lap moi", "tao moi"),
    "close": ("close", "giai the", "cham dut", "ket thuc"),
}
# Plan columns beyond the units file's (code, name, kind); "parent" is read as the target.
PLAN_HEADERS = {
    "action": ("action", "thao tac", "hanh dong", "viec"),
    "target": ("target", "dich", "don vi dich", "ma don vi dich", "don vi tiep nhan",
               "sap nhap vao"),
}
COLUMNS = ("action", "code", "target", "name", "kind")
# Several rows may touch one unit only as a move and a rename; anything else is a conflict.
COMPATIBLE = {frozenset({"move", "rename"})}


@dataclass(frozen=True)
class PlanRow:
    """One change of the plan, with the line it came from."""

    line: int
    action: str
    code: str
    target: str = ""
    name: str = ""
    kind: str = ""


@dataclass(frozen=True)
class PlanProblem:
    """Why a row cannot take effect; ``problem`` is a code the caller puts into words."""

    line: int
    # unknown_action, empty_code, unknown_code, code_exists, missing_target, unknown_target,
    # empty_name, name_too_long, code_too_long, unknown_kind, conflict, target_ends,
    # children_left, cycle
    problem: str
    value: str = ""


# A stored unit as a plan sees it: its code → (its parent's code, whether it is active).
Tree = dict[str, tuple[str | None, bool]]


def plan_column(header: str) -> str | None:
    """The plan column a header cell names (English or Vietnamese), if any."""
    folded = fold(header)
    for column, names in PLAN_HEADERS.items():
        if folded in names:
            return column
    column = column_of(header)
    return "target" if column == "parent" else column


def action_of(value: str) -> str:
    """The plan action a cell names; an unknown one as written (folded)."""
    folded = fold(value)
    return next((a for a, names in ACTION_ALIASES.items() if folded in names), folded)


def read_plan(path: Path) -> list[PlanRow]:
    """The rows of a CSV or XLSX plan with a header row; :class:`UnitsFileError` if unreadable."""
    table = read_table(path)
    header = [plan_column(str(h)) for h in table[0]] if table else []
    missing = [c for c in ("action", "code") if c not in header]
    if missing:
        raise UnitsFileError("missing_columns", ", ".join(missing))
    index = {c: header.index(c) for c in COLUMNS if c in header}
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue

        def cell(column: str, cells: list = cells) -> str:
            i = index.get(column)
            if i is None or i >= len(cells) or cells[i] is None:
                return ""
            return clean_text(str(cells[i]))

        kind = cell("kind")
        rows.append(PlanRow(line, action_of(cell("action")), cell("code"), cell("target"),
                            cell("name"), kind_of(kind) if kind else ""))
    return rows


def check_plan(rows: Iterable[PlanRow], tree: Tree) -> list[PlanProblem]:
    """Every problem of the plan as a whole on ``tree``, ordered by line; none: it may apply."""
    rows = list(rows)
    problems = [p for row in rows for p in _row_problems(row, rows, tree)]
    problems += _conflicts(rows)
    if not problems:  # the tree after the plan only means something for sound rows
        problems += _tree_problems(rows, tree)
    return sorted(problems, key=lambda p: (p.line, p.problem))


def _row_problems(row: PlanRow, rows: list[PlanRow], tree: Tree) -> list[PlanProblem]:
    found = []

    def problem(code: str, value: str = "") -> None:
        found.append(PlanProblem(row.line, code, value))

    if row.action not in ACTIONS:
        problem("unknown_action", row.action)
        return found
    if not row.code:
        problem("empty_code")
    elif row.action == "new":
        if row.code in tree:
            problem("code_exists", row.code)
        if len(row.code) > MAX_CODE:
            problem("code_too_long", row.code[:20] + "…")
        if row.kind not in {k.value for k in UnitKind}:
            problem("unknown_kind", row.kind)
    elif not tree.get(row.code, (None, False))[1]:
        problem("unknown_code", row.code)
    if row.action in ("new", "rename"):
        if not row.name:
            problem("empty_name", row.code)
        elif len(row.name) > MAX_NAME:
            problem("name_too_long", row.name[:20] + "…")
    if row.action in ("merge", "move") and not row.target:
        problem("missing_target", row.code)
    elif row.target and row.action in ("merge", "move", "new"):
        created = {r.code for r in rows if r.action == "new"}
        if not tree.get(row.target, (None, False))[1] and row.target not in created:
            problem("unknown_target", row.target)
    return found


def _conflicts(rows: list[PlanRow]) -> list[PlanProblem]:
    """Rows that change one unit in ways that cannot both hold (merged and moved, …)."""
    by_code: dict[str, list[PlanRow]] = defaultdict(list)
    for row in rows:
        if row.code and row.action in ACTIONS:
            by_code[row.code].append(row)
    problems = []
    for code, touching in by_code.items():
        actions = [r.action for r in touching]
        if len(touching) > 1 and not (len(set(actions)) == len(actions)
                                      and frozenset(actions) in COMPATIBLE):
            problems += [PlanProblem(r.line, "conflict", code) for r in touching]
    ending = {r.code for r in rows if r.action in ("merge", "close")}
    problems += [PlanProblem(r.line, "target_ends", r.target) for r in rows
                 if r.action in ("merge", "move", "new") and r.target in ending]
    return problems


def parents_after(rows: list[PlanRow], tree: Tree) -> dict[str, str | None]:
    """Each active unit's parent once the plan has taken effect (merged and closed units gone;
    a merged unit's children under its successor unless the plan moves them)."""
    parents = {code: parent for code, (parent, active) in tree.items() if active}
    successor = {}
    for row in rows:
        if row.action in ("new", "move"):
            parents[row.code] = row.target or None
        elif row.action == "merge":
            successor[row.code] = row.target
    for row in rows:
        if row.action in ("merge", "close"):
            parents.pop(row.code, None)
    return {code: successor.get(parent, parent) for code, parent in parents.items()}


def _tree_problems(rows: list[PlanRow], tree: Tree) -> list[PlanProblem]:
    """A closed unit with units still under it, and units that would be their own ancestors."""
    parents = parents_after(rows, tree)
    left_under: dict[str, list[str]] = defaultdict(list)
    for code, parent in parents.items():
        left_under[parent].append(code)
    problems = [PlanProblem(r.line, "children_left",
                            f"{r.code}: {', '.join(sorted(left_under[r.code])[:3])}")
                for r in rows if r.action == "close" and left_under.get(r.code)]
    looping = _in_cycles(parents)
    problems += [PlanProblem(r.line, "cycle", r.code) for r in rows
                 if r.action in ("new", "move", "merge")
                 and (r.code in looping or r.target in looping)]
    return problems


def _in_cycles(parents: dict[str, str | None]) -> set[str]:
    """The codes on a cycle of ``parents`` (each unit's ancestors are walked once)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: known to reach the top
    looping: set[str] = set()
    for start in parents:
        path, code = [], start
        while code is not None and code in parents and state.get(code) is None:
            state[code] = 1
            path.append(code)
            code = parents[code]
        if code is not None and state.get(code) == 1:
            looping.update(path[path.index(code):])
        for seen in path:
            state[seen] = 2
    return looping

"""``isobot units reorganize|history``: a reorganisation plan applied on one effective date
(:mod:`jobs.units.reorganisation`), and what became of a unit over time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import NOW, CliContext, with_context
from bot.cli.errors import fail, refuse
from bot.cli.units.table_file import read_table
from jobs.text.i18n import Translator
from jobs.text.labels import kinds_text
from jobs.units.reorganisation import ACTIONS, PlanProblem, PlanRow, check_plan, read_plan
from jobs.units.reorganising import When, apply_plan, count_actions, stored_tree
from storage.models import UnitChange, UnitKind
from storage.unit_history import merges_into, unit_changes
from storage.units import unit_by_code


@with_context(NOW)
def units_reorganize_command(
    plan: Annotated[Path, typer.Argument(help="CSV or XLSX: action,code,target,name,kind.")],
    effective: Annotated[str, typer.Option(help="The day the plan takes effect, YYYY-MM-DD.")],
    dry_run: Annotated[bool, typer.Option(help="Check the plan and show what it would change; "
                                               "change nothing.")] = False,
    *, cli: CliContext,
) -> None:
    """Apply a reorganisation plan (merges, moves, renames, new and closed units) as one change."""
    tr, day = cli.tr, cli.day(effective)
    rows = _read(plan, tr)
    with cli.session() as session:
        problems = check_plan(rows, stored_tree(session))
        if problems:
            raise refuse((problem_text(problem, tr) for problem in problems),
                         tr._("Nothing was changed: correct the rows above and try again."))
        if dry_run:
            _describe(rows, tr)
            typer.echo(tr._("Dry run: nothing was changed."))
            return
        effect = apply_plan(session, rows=rows, when=When(day, cli.now), catalog=cli.catalog,
                            calendar=cli.calendar)
    _counts(effect.counts, tr)
    typer.echo(tr._("The plan took effect on {date}; {count} unit(s) must announce their QMS "
                    "again.").format(date=tr.date(day), count=effect.announcements))


def _read(plan: Path, tr: Translator) -> list[PlanRow]:
    return read_table(plan, read_plan, tr, unreadable=tr._(
        "“{value}” cannot be read as a plan: save it from Excel as .xlsx or CSV (UTF-8) and "
        "try again."))


def _counts(counts: dict[str, int], tr: Translator) -> None:
    names = _action_names(tr)
    typer.echo("; ".join(f"{names[a]}: {counts[a]}" for a in ACTIONS if counts.get(a)))


def _describe(rows: list[PlanRow], tr: Translator) -> None:
    _counts(count_actions(rows), tr)
    what = {
        "new": tr._("new: {code} “{name}” under {target}"),
        "move": tr._("move: {code} under {target}"),
        "rename": tr._("rename: {code} becomes “{name}”"),
        "merge": tr._("merge: {code} into {target}"),
        "close": tr._("close: {code}"),
    }
    order = {a: i for i, a in enumerate(ACTIONS)}
    for row in sorted(rows, key=lambda r: (order[r.action], r.line)):
        typer.echo("  " + what[row.action].format(code=row.code, name=row.name,
                                                  target=row.target or "—"))


def _action_names(tr: Translator) -> dict[str, str]:
    return {"new": tr._("new"), "move": tr._("moved"), "rename": tr._("renamed"),
            "merge": tr._("merged"), "close": tr._("closed")}


def problem_text(problem: PlanProblem, tr: Translator) -> str:
    """A refused row in words, with its line."""
    what = {
        "unknown_action": tr._("unknown action “{value}” (allowed: merge, move, rename, new, "
                               "close)"),
        "empty_code": tr._("the code is empty"),
        "unknown_code": tr._("no active unit has the code “{value}”"),
        "code_exists": tr._("the code “{value}” is already used"),
        "code_too_long": tr._("the code “{value}” is longer than 64 characters"),
        "missing_target": tr._("“{value}”: the target unit is missing"),
        "unknown_target": tr._("the target unit “{value}” does not exist"),
        "empty_name": tr._("“{value}”: the name is empty"),
        "name_too_long": tr._("the name “{value}” is longer than 255 characters"),
        "unknown_kind": tr._("unknown kind “{value}” (allowed: {kinds})"),
        "conflict": tr._("“{value}” is changed by more than one row in ways that cannot both "
                         "hold"),
        "target_ends": tr._("the target “{value}” is itself merged or closed by the plan"),
        "children_left": tr._("closing {value}… would leave units without a parent: move or "
                              "close them in the plan"),
        "cycle": tr._("“{value}” would end up below itself"),
    }[problem.problem]
    return tr._("Line {line}: {what}").format(
        line=problem.line, what=what.format(value=problem.value, kinds=kinds_text(UnitKind, tr)))


@with_context(NOW)
def units_history_command(
    code: Annotated[str, typer.Argument(help="The unit's code, active or not.")],
    *, cli: CliContext,
) -> None:
    """Show a unit's names, parents, merges and closing, with the dates they took effect."""
    tr = cli.tr
    with cli.session() as session:
        unit = unit_by_code(session, code=code)
        if unit is None:
            raise fail(tr._("Unknown unit code: {codes}").format(codes=code))
        state = tr._("active") if unit.active else tr._("inactive")
        typer.echo(f"{unit.code}  {unit.name} ({state})")
        changes = unit_changes(session, unit_id=unit.id) + merges_into(session, code=unit.code)
        if not changes:
            typer.echo("  " + tr._("No changes recorded."))
        for change in sorted(changes, key=lambda c: (c.effective, c.id)):
            typer.echo(f"  {tr.short_date(change.effective)}: {_change_text(change, unit.id, tr)}")


def _change_text(change: UnitChange, unit_id: int, tr: Translator) -> str:
    if change.change == "merged" and change.unit_id != unit_id:
        return tr._("{old} merged into this unit").format(old=change.old_value)
    text = {
        "created": tr._("created as “{new}” under {old}"),
        "renamed": tr._("renamed from “{old}” to “{new}”"),
        "moved": tr._("moved from under {old} to under {new}"),
        "merged": tr._("merged into {new}, which continues"),
        "closed": tr._("closed"),
    }[change.change]
    return text.format(old=change.old_value or "—", new=change.new_value or "—")

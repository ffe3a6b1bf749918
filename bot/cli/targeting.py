"""The units an operator's ``--all``, ``--kind``, ``--unit`` and ``--under`` reach, for
``isobot directive send`` and ``isobot legal add`` (see :mod:`jobs.supervision.scope`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli.context import CliContext
from bot.cli.errors import fail
from bot.cli.options import Command, expand, option
from jobs.supervision.scope import Scope, Targets, resolve
from jobs.text.labels import kinds_text
from storage.models import Unit, UnitKind
from storage.units import subtree_ids

OPTIONS = (
    option("everyone", Annotated[bool, typer.Option("--all", help="Every unit (below --under).")],
           default=False),
    option("kind", Annotated[list[str] | None, typer.Option("--kind",
                                                             help="Units of this kind.")]),
    option("unit", Annotated[list[str] | None, typer.Option("--unit",
                                                             help="This unit (repeatable).")]),
    option("under", Annotated[str | None, typer.Option(help="Only units below this unit's code.")]),
)


@dataclass(frozen=True)
class UnitChoice:
    """What the operator asked for: a scope, and the unit it stays below (its code), if any."""

    scope: Scope
    under: str | None = None


def _choice(*, everyone: bool, kind: list[str] | None, unit: list[str] | None,
            under: str | None) -> UnitChoice:
    return UnitChoice(Scope(everyone=everyone, kinds=tuple(kind or ()), codes=tuple(unit or ())),
                      under)


def with_unit_choice(command: Command) -> Command:
    """Hand the command the units named by ``--all``, ``--kind``, ``--unit`` and ``--under``
    as its ``units`` parameter (a :class:`UnitChoice`), the options where ``units`` stands."""
    return expand(command, "units", OPTIONS, _choice)


def reached(session: Session, cli: CliContext, choice: UnitChoice) -> tuple[Targets, Unit | None]:
    """The active units ``choice`` reaches, and the ``--under`` unit; the command fails when
    the choice is empty, contradicts itself, or names what does not exist."""
    tr, scope = cli.tr, choice.scope
    if scope.is_empty():
        raise fail(tr._("Say which units: --all, --kind KIND or --unit CODE."))
    if scope.everyone and scope.kinds:
        raise fail(tr._("--all and --kind do not go together: --all is every unit, --kind "
                        "only units of that kind."))
    unknown_kinds = set(scope.kinds) - {k.value for k in UnitKind}
    if unknown_kinds:
        raise fail(tr._("Unknown unit kind: {kinds}. The kinds are: {known}.").format(
            kinds=", ".join(sorted(unknown_kinds)), known=kinds_text(UnitKind, tr)))
    root = named_unit(session, cli, choice.under)
    within = subtree_ids(session, unit_id=root.id) if root else None
    targets = resolve(session, scope=scope, within=within,
                      sender_unit_id=root.id if root else None)
    if targets.outside:
        raise fail(tr._("Unknown unit code, or outside --under: {codes}").format(
            codes=", ".join(targets.outside)))
    if not targets.units:
        raise fail(tr._("No active unit matches."))
    return targets, root


def named_unit(session: Session, cli: CliContext, code: str | None) -> Unit | None:
    """The active unit an option names, or None when the option was not given."""
    return None if code is None else cli.active_unit(session, code)

"""``isobot invite … --out FILE.xlsx [--pdf FILE.pdf]``: codes for many units, on a sheet and on
cards to print (:mod:`jobs.people.invitations`, :mod:`jobs.people.invitation_sheets`).

All or nothing: the files are written beside their targets under temporary names and renamed
once both are whole, in the transaction that stores the codes; a file that cannot be written
leaves no code, and a code that cannot be stored leaves no file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import typer
from sqlmodel import Session

from bot.cli.context import CliContext
from bot.cli.errors import ENVIRONMENT, fail
from bot.cli.targeting import UnitChoice, reached
from bot.messengers.joining import join_ways
from jobs.people.invitation_sheets import write_invitation_cards, write_invitation_sheet
from jobs.people.invitations import InvitationRequest, issue_invitations
from storage.models import Unit
from storage.units import all_units, subtree_ids, tree_order

Writer = Callable[[IO[bytes]], None]


@dataclass(frozen=True)
class Outputs:
    """Where the sheet and, optionally, the cards go."""

    sheet: Path
    cards: Path | None = None


def checked_outputs(cli: CliContext, sheet: Path, cards: Path | None) -> Outputs:
    """The output files, once each is new, has its suffix and a folder to go in."""
    tr = cli.tr
    for path, suffix in ((sheet, ".xlsx"), (cards, ".pdf")):
        if path is None:
            continue
        if path.suffix.lower() != suffix:
            raise fail(tr._("{path}: the file name must end in {suffix}.").format(
                path=path, suffix=suffix))
        if path.exists():
            raise fail(tr._("{path} exists already: name a new file.").format(path=path))
        if not path.parent.is_dir():
            raise fail(tr._("{path}: the folder does not exist.").format(path=path))
    if cards is not None and cards.resolve() == sheet.resolve():
        raise fail(tr._("--out and --pdf must name two files."))
    return Outputs(sheet, cards)


def invite_many(cli: CliContext, *, choice: UnitChoice, request: InvitationRequest,
                outputs: Outputs) -> None:
    """Issue the codes ``request`` asks for, for the units of ``choice``, and write them out."""
    tr, ways = cli.tr, join_ways(cli.settings)
    with cli.session() as session:
        units = [unit for unit, _depth in tree_order(_chosen(session, cli, choice))]
        invitations = issue_invitations(
            session, request=InvitationRequest(units, request.role, request.valid_days,
                                               request.again), now=cli.now)
        if not invitations:
            raise fail(tr._("Every unit chosen has an active member in that role: no code was "
                            "made. Use --again for new codes all the same."))
        writers: list[tuple[Path, Writer]] = [
            (outputs.sheet, lambda f: write_invitation_sheet(invitations, ways, f, tr))]
        if outputs.cards is not None:
            writers.append((outputs.cards,
                            lambda f: write_invitation_cards(invitations, ways, f, tr)))
        session.flush()
        write_files(cli, writers)
    typer.echo(tr.ngettext("{n} invitation ({role}) written to {files}.",
                           "{n} invitations ({role}) written to {files}.",
                           len(invitations)).format(
        n=len(invitations), role=request.role.value,
        files=", ".join(str(p) for p, _ in writers)))


def _chosen(session: Session, cli: CliContext, choice: UnitChoice) -> list[Unit]:
    """The active units ``choice`` names; ``--under CODE`` alone is that unit and all below."""
    if not (choice.scope.is_empty() and choice.under is not None):
        return reached(session, cli, choice)[0].units
    ids = subtree_ids(session, unit_id=cli.active_unit(session, choice.under).id)
    return [unit for unit in all_units(session, active_only=True) if unit.id in ids]


def write_files(cli: CliContext, writers: list[tuple[Path, Writer]]) -> None:
    """Write every file under a temporary name, then rename them all; on any error none stays."""
    temporaries: list[Path] = []
    renamed: list[Path] = []
    try:
        for path, write in writers:
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            temporaries.append(Path(name))
            with os.fdopen(handle, "wb") as stream:
                write(stream)
        for (path, _write), temporary in zip(writers, temporaries, strict=True):
            os.replace(temporary, path)
            renamed.append(path)
    except OSError as error:
        for path in renamed:
            path.unlink(missing_ok=True)
        raise fail(cli.tr._("The file cannot be written: {reason}.").format(
            reason=error.strerror or error), ENVIRONMENT) from None
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)

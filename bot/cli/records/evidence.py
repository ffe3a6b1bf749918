"""``isobot dossier`` and ``isobot evidence verify``: the evidence store, for the operator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli.context import LANG, NOW, CliContext, with_context
from bot.cli.errors import ENVIRONMENT, fail
from jobs.evidence.dossier import dossier_filename, write_dossier
from jobs.evidence.store import verify
from jobs.text.i18n import Translator
from storage.blobs import StoreUnavailable
from storage.units import unit_by_code

evidence_app = typer.Typer(help="The evidence store: the files officers sent.",
                           no_args_is_help=True)


@with_context(LANG, NOW)
def dossier_command(
    unit: Annotated[str, typer.Option(help="The unit's code.")],
    year: Annotated[int, typer.Option(min=2000, max=2100, help="The year of the dossier.")],
    out: Annotated[Path | None, typer.Option(
        help="The ZIP to write; ho-so-ISO-CODE-YEAR.zip when not given.")] = None,
    *, cli: CliContext,
) -> None:
    """A unit's inspection dossier: compliance sheet, index (XLSX, CSV) and every evidence file."""
    tr, catalog = cli.tr, cli.catalog
    today = cli.now.date()
    store = cli.settings.evidence_store()
    with cli.session() as session:
        target = unit_by_code(session, code=unit)
        if target is None:
            raise fail(tr._("Unknown unit code: {codes}").format(codes=unit))
        path = out or Path(dossier_filename(target, year))
        if path.exists():
            raise fail(tr._("{path} exists already; choose another --out.").format(path=path))
        try:
            with path.open("xb") as stream:
                filed = write_dossier(stream, session, store=store, unit=target, year=year,
                                      catalog=catalog, tr=tr, today=today)
        except OSError as error:
            raise fail(tr._("Cannot write {path}: {error}").format(
                path=path, error=error.strerror or error), ENVIRONMENT) from None
        except StoreUnavailable as error:
            path.unlink(missing_ok=True)
            raise fail(_unreachable(tr, error), ENVIRONMENT) from None
    files = sum(1 for item in filed if item.path)
    typer.echo(tr.ngettext("{path}: {n} evidence file", "{path}: {n} evidence files",
                           files).format(path=path, n=files))


@evidence_app.command("verify")
@with_context(LANG)
def verify_command(*, cli: CliContext) -> None:
    """Rehash every stored file; report those missing or altered (exit code 1 if any)."""
    tr = cli.tr
    store = cli.settings.evidence_store()
    with Session(cli.engine) as session:
        try:
            checked, problems = verify(session, store=store)
        except StoreUnavailable as error:
            raise fail(_unreachable(tr, error), ENVIRONMENT) from None
    for problem in problems:
        receipts = ", ".join(problem.references) or "—"
        text = tr._("MISSING {location} (receipts {receipts})") if problem.kind == "missing" \
            else tr._("ALTERED {location}: its SHA-256 is no longer {digest} (receipts "
                      "{receipts})")
        # Where verify looked, in this store: the row's location is where the file went when
        # it was stored (another folder, another machine's path).
        typer.echo(text.format(location=store.location(problem.file.blob_key),
                               digest=problem.file.sha256, receipts=receipts))
    typer.echo(tr.ngettext("{n} file checked, {bad} missing or altered.",
                           "{n} files checked, {bad} missing or altered.", checked).format(
        n=checked, bad=len(problems)))
    if problems:
        raise typer.Exit(1)


def _unreachable(tr: Translator, error: Exception) -> str:
    return tr._("The evidence store cannot be reached ({reason}). Check the "
                "ISOBOT_EVIDENCE_S3_* settings.").format(reason=error)

"""How the command line fails: one line in the operator's language, never a traceback.

Exit codes: 2 when the operator's input is wrong (an option, a value, a file), 1 when the
environment is (the database cannot be opened, a port is taken, a server cannot be reached).
``isobot --debug …`` lets the traceback through for whoever has to fix the environment.
"""

from __future__ import annotations

import enum
import errno
import sys
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from typer.core import TyperGroup

from bot.cli.help_texts import localize, operator_translator
from bot.cli.lazy import LazyCommands
from bot.settings import Settings
from jobs.text.i18n import Translator, translator
from storage.db import MissingDatabaseFolder

BAD_INPUT, ENVIRONMENT = 2, 1


def fail(message: str, code: int = BAD_INPUT) -> typer.Exit:
    """Say ``message`` (written in the operator's language) on stderr; returns the exit to raise,
    with ``code``: :data:`BAD_INPUT` unless the environment is at fault."""
    typer.echo(message, err=True)
    return typer.Exit(code)


def refuse(problems: Iterable[str], message: str) -> typer.Exit:
    """Say each of a file's ``problems``, then ``message`` (nothing was changed), on stderr;
    returns the exit to raise."""
    for problem in problems:
        typer.echo(problem, err=True)
    return fail(message)


class IsobotGroup(TyperGroup):
    """The root command: turns whatever escapes a command into one clear line, and loads a
    command's module only when that command is used (:mod:`bot.cli.lazy`)."""

    debug = False
    #: The command's settings, once read: their secrets are kept out of an error's line.
    settings: Settings | None = None
    #: Every command and group: name → "module:attribute", in the order ``--help`` lists them.
    table: ClassVar[Mapping[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lazy = LazyCommands(self.table)
        lazy.update(self.commands)  # any added the usual way
        self.commands = lazy

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names, without loading their modules

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        tr = operator_translator()
        # Before click reads any help text; each command's own help as it loads.
        localize(self, tr, below=False)
        self.commands.translator = tr
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            # Not standalone: typer hands back an exit code and lets errors through to here.
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.Abort:
            sys.exit(ENVIRONMENT)
        except Exception as error:
            if type(error).__name__ == "NoArgsIsHelpError":
                error.show()  # a bare ``isobot``: the help, as ever
                sys.exit(error.exit_code)
            if IsobotGroup.debug:
                raise
            message, code = explain(error, translator(None))
            typer.echo(_redact(message, _secrets(IsobotGroup.settings)), err=True)
        sys.exit(code if isinstance(code, int) else 0)


def explain(error: BaseException, tr: Translator) -> tuple[str, int]:
    """The line an operator reads for ``error``, and the exit code."""
    if isinstance(error, typer.TyperException) and hasattr(error, "exit_code"):
        return usage_text(error, tr), BAD_INPUT
    if isinstance(error, OperationalError):
        reason = str(error.orig).strip().splitlines()[0] if error.orig else ""
        return tr._("The database cannot be used ({reason}). Check DATABASE_URL, that the "
                    "server runs and that the file is writable.").format(reason=reason), ENVIRONMENT
    if isinstance(error, NoSuchModuleError | ArgumentError):
        return tr._("DATABASE_URL is not supported: use sqlite:///FILE or "
                    "postgresql+psycopg://USER:PASSWORD@HOST/DATABASE."), ENVIRONMENT
    if isinstance(error, MissingDatabaseFolder):
        return tr._("The folder {folder} of the SQLite database in DATABASE_URL does not exist: "
                    "correct DATABASE_URL, or create the folder.").format(
                        folder=error.filename), BAD_INPUT
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return tr._("The port is already in use: stop the other program, or set "
                    "WEBHOOK_PORT or ISOBOT_HEALTH_PORT to another port."), ENVIRONMENT
    if isinstance(error, OSError):
        return tr._("System error: {reason}.").format(
            reason=error.strerror or error), ENVIRONMENT
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return tr._("isobot stopped: {detail}. Run “isobot --debug …” for the details.").format(
        detail=detail), ENVIRONMENT


def setting_problem(error: ValidationError, tr: Translator) -> str:
    """Which environment settings are wrong, and how they are written."""
    names = sorted({_env_name(str(e["loc"][0])) for e in error.errors() if e["loc"]})
    hints = {
        "DATABASE_URL": tr._("DATABASE_URL is sqlite:///FILE or "
                             "postgresql+psycopg://USER:PASSWORD@HOST/DATABASE."),
        "ISOBOT_NOW": tr._("ISOBOT_NOW is written like 2026-11-23T08:00."),
        "WEBHOOK_SECRET": tr._("WEBHOOK_SECRET is required with WEBHOOK_BASE_URL and has 8 "
                               "to 256 characters: letters, digits, “_” and “-”."),
    }
    line = tr._("Invalid setting: {names}.").format(names=", ".join(names))
    return " ".join([line, *(hints[n] for n in names if n in hints)])


def _env_name(name: str) -> str:
    # A value read from the environment is reported under its alias, a default under the
    # field's name: the operator knows the variable.
    field = Settings.model_fields.get(name)
    choices = getattr(getattr(field, "validation_alias", None), "choices", None)
    return str(choices[0]) if choices else name


def usage_text(error: Any, tr: Translator) -> str:
    """A wrong option or value, in the operator's words (click's own text is English)."""
    option = getattr(error, "option_name", None)
    if option:
        return tr._("Unknown option {option}. See “isobot --help”.").format(option=option)
    param = getattr(error, "param", None)
    name = _param_name(param)
    if type(error).__name__ == "MissingParameter" and name:
        return tr._("{name} is required.").format(name=name)
    choices = _choices(param)
    if name and choices:
        return tr._("Invalid value for {name}: choose one of {choices}.").format(
            name=name, choices=", ".join(choices))
    if name:
        return tr._("Invalid value for {name}.").format(name=name)
    return tr._("Invalid command: {detail} See “isobot --help”.").format(
        detail=error.format_message())


def _choices(param: Any) -> list[str]:
    # click keeps a Choice's values on ``param.type``; typer ≥ 0.2x keeps the Enum it was
    # declared with on ``param.type_descriptor``.
    choices = getattr(getattr(param, "type", None), "choices", None)
    if choices:
        return [str(c) for c in choices]
    declared = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(declared, type) and issubclass(declared, enum.Enum):
        return [str(member.value) for member in declared]
    return []


def _param_name(param: Any) -> str | None:
    if param is None:
        return None
    opts = getattr(param, "opts", None) or []
    longest = max(opts, key=len) if opts else None
    return longest or (getattr(param, "name", None) or "").upper() or None


def _secrets(settings: Settings | None) -> list[str]:
    # Asked only when an error is shown: the messengers' tokens load the messengers.
    return [s.get_secret_value() for s in settings.secrets()] if settings else []


def _redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "<redacted>")
    return text

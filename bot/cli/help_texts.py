"""``isobot --help`` in the operator's language.

Help texts are written in English where typer reads them — a command's docstring, ``help=`` of
``typer.Typer``, ``typer.Option`` and ``typer.Argument`` — and are message ids as they stand:
:func:`extract` hands every one of them to ``make messages`` (babel.cfg names it for
``bot/cli/main.py``, which assembles the whole command tree), and :func:`localize` replaces each
with its translation when the command line starts (:class:`bot.cli.errors.IsobotGroup`), or
when a command loads (:mod:`bot.cli.lazy`), in the language resolved once by
:func:`operator_translator`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any, ClassVar

import typer
from pydantic import ValidationError

from bot.settings import Settings
from jobs.text.i18n import Translator, translator

#: typer's own words around the texts (its panels), by the attribute of typer.rich_utils; the
#: defaults ("[default: zalo]") stay as they are, values a script may look for.
HEADINGS = {"OPTIONS_PANEL_TITLE": "Options", "COMMANDS_PANEL_TITLE": "Commands",
            "ARGUMENTS_PANEL_TITLE": "Arguments", "REQUIRED_LONG_STRING": "[required]"}
HELP_OPTION = "Show this message and exit."


class HelpContext(typer.Context):
    """A command's context that writes its help under the headings in the operator's language.

    typer's panels read them from typer.rich_utils, which brings rich's Markdown and syntax
    highlighting: set here, as help is made, it is loaded only when help is shown, not by every
    command that runs (``isobot plan`` on a timer)."""

    #: typer.rich_utils attribute → its text in the operator's language (:func:`localize`).
    headings: ClassVar[dict[str, str]] = {}

    def get_help(self) -> str:
        from typer import rich_utils

        for attribute, text in self.headings.items():
            setattr(rich_utils, attribute, text)
        return super().get_help()


def operator_translator() -> Translator:
    """The command line's language: ``ISOBOT_LANG`` (or ``.env``), else Vietnamese; the help
    speaks it even when another setting is wrong (the command then says which)."""
    try:
        return translator(Settings().language)
    except (ValidationError, ValueError):
        return translator(None)


# typer builds its commands with a click of its own (typer._click): they are known here by
# what they have, not by click's classes.
Command = Any


def _commands(command: Command) -> Iterator[Command]:
    yield command
    for child in getattr(command, "commands", {}).values():
        yield from _commands(child)


def _help_option(command: Command) -> Any:
    # click makes it on first use and keeps it: made here, its text can be set once.
    return command.get_help_option(command.context_class(command))


def _holders(command: Command, *, below: bool = True) -> Iterator[Any]:
    """Every object of ``command`` (and, if ``below``, of the commands below it) whose ``help``
    is a text to translate."""
    for each in _commands(command) if below else [command]:
        yield each
        yield from each.params
        if option := _help_option(each):
            yield option


def help_texts(command: Command) -> list[str]:
    """The English help texts of ``command`` and every command below it, each once."""
    texts = [*HEADINGS.values(), HELP_OPTION]
    texts += [h.help for h in _holders(command) if getattr(h, "help", None)]
    return list(dict.fromkeys(texts))


def localize(command: Command, tr: Translator, *, below: bool = True) -> None:
    """Translate, in place, the help of ``command`` and, if ``below``, of the commands below
    it (the root's are translated as they load: :mod:`bot.cli.lazy`)."""
    for each in _commands(command) if below else [command]:
        each.context_class = HelpContext
    for holder in _holders(command, below=below):
        if getattr(holder, "help", None):
            holder.help = tr._(holder.help)
    HelpContext.headings = {attribute: tr._(text) for attribute, text in HEADINGS.items()}


def extract(fileobj: Any, keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel extractor for the module assembling the command line: its own messages, as
    Python's extractor finds them, then every help text of the command tree it builds."""
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)
    app = importlib.import_module(options.get("app_module", "bot.cli.main")).app
    for text in help_texts(typer.main.get_command(app)):
        yield 0, None, text, []

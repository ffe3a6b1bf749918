"""Commands whose module is imported only when they are used.

Each command's module brings its own libraries (PDF, spreadsheets, Word files, …); importing all
of them made every ``isobot`` command, ``isobot plan`` included, start in seconds. The root
command (:class:`bot.cli.errors.IsobotGroup`) holds its commands in :class:`LazyCommands`: a
table of name → ``"module:attribute"`` that imports a module the first time its command is
asked for (to run it, or to list its help), and translates that command's help then.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import typer

from bot.cli.help_texts import localize
from jobs.text.i18n import Translator

# typer builds its commands with a click of its own (typer._click): known here by what they do.
Command = Any


def load(name: str, target: str) -> Command:
    """The command ``name`` from ``target`` (``"module:attribute"``), a command function or a
    ``typer.Typer`` group, built exactly as ``app.command(name)`` or ``app.add_typer`` would."""
    module, attribute = target.split(":")
    declared = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer()
    if isinstance(declared, typer.Typer):
        holder.add_typer(declared, name=name)
    else:
        holder.command(name)(declared)
    return typer.main.get_group(holder).commands[name]


class LazyCommands(MutableMapping[str, Command]):
    """A group's commands by name, in the table's order, each loaded when first looked up."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = dict(table)
        self._loaded: dict[str, Command] = {}
        #: The language the help of a command is translated to as it loads; None: English ids.
        self.translator: Translator | None = None

    def __getitem__(self, name: str) -> Command:
        if name not in self._loaded:
            command = load(name, self._table[name])  # KeyError: no such command
            if self.translator is not None:
                localize(command, self.translator)
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._table.setdefault(name, "")
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._table[name]
        self._loaded.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._table  # without loading it

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

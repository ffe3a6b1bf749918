"""Reading an operator's table (units, a reorganisation plan) for a command, or saying why not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.cli.errors import fail
from jobs.text.i18n import Translator
from jobs.units.units_file import UnitsFileError

T = TypeVar("T")


def read_table(path: Path, read: Callable[[Path], T], tr: Translator, *, unreadable: str) -> T:
    """``read(path)``; a missing or unreadable file ends the command with one line saying why.
    ``unreadable`` names what the file should have been (its ``{value}`` is the file)."""
    if not path.exists():
        raise fail(tr._("File not found: {path}").format(path=path))
    try:
        return read(path)
    except UnitsFileError as error:
        message = {
            "unknown_format": tr._("Unsupported file type “{value}”: use .csv or .xlsx."),
            "missing_columns": tr._("The file lacks the columns: {value}."),
            "unreadable": unreadable,
        }[error.problem]
        raise fail(message.format(value=error.value)) from None

"""Options that travel together, declared once and handed to a command as one value.

typer reads a command's options from its signature. :func:`expand` stands a group of options in
for one parameter of the command: typer shows them where that parameter stands, and the command
receives the one value built from them (a :class:`~bot.cli.context.CliContext`, the units an
operator names, …), so its own ``def`` stays short.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

Command = TypeVar("Command", bound=Callable[..., Any])


def option(name: str, annotation: Any, default: Any = None) -> inspect.Parameter:
    """An option as typer reads it from a signature: ``name: annotation = default``."""
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=annotation)


def expand(command: Command, name: str, options: Sequence[inspect.Parameter],
           build: Callable[..., Any]) -> Command:
    """``command`` with its parameter ``name`` shown to typer as ``options``; when it runs,
    ``build(**their values)`` is what it receives as ``name``."""
    hints = typing.get_type_hints(command, include_extras=True)
    signature = inspect.signature(command)
    if name not in signature.parameters:
        raise TypeError(f"{command.__name__} has no parameter {name!r} to expand")
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name == name:
            parameters += options
        else:
            # Keyword-only: typer passes every value by name, and a parameter without a default
            # may then follow the expanded options.
            parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY,
                                                annotation=hints.get(parameter.name,
                                                                     parameter.annotation)))
    grouped = [o.name for o in options]

    @functools.wraps(command)
    def expanded(**values: Any) -> Any:
        own = {key: values.pop(key) for key in grouped}
        return command(**values, **{name: build(**own)})

    expanded.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    expanded.__annotations__ = {p.name: p.annotation for p in parameters}
    return cast(Command, expanded)

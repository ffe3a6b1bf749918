"""Reading an operator's YAML file: a key given twice is an error, every problem names the
file and the line.

Shared by the duty catalog (:mod:`jobs.catalog.loader`) and the provinces' mapping
(:mod:`jobs.catalog.provinces`): the person who reads these messages is an operator editing
YAML, not a programmer reading a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from jobs.catalog.schema import CatalogError
from jobs.text.i18n import translator

_PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file, with its node tree kept for line numbers."""

    path: Path
    name: str
    data: Any
    node: Node | None


# libyaml's parser when PyYAML has it (its wheels do): the catalog is read by every command and
# at each start of the bot, and the pure-Python parser took ~70 ms of `isobot plan`'s second.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key; the base class reports it
                continue
            if duplicate:
                t = translator()
                raise yaml.constructor.ConstructorError(
                    None, None, t._("key '{key}' is given twice in the same mapping")
                    .format(key=key), key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def display_name(path: Path) -> str:
    # `jobs/catalog/duties.yaml` rather than a long absolute path for the packaged file.
    try:
        return path.resolve().relative_to(_PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def read_yaml(path: Path, *, may_be_empty: bool = False) -> YamlDocument:
    name = display_name(path)
    t = translator()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([t._("{file}: cannot read the catalog: {reason}").format(
            file=name, reason=exc)], path) from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        looped = _inside_itself(node)
        if looped is not None:
            raise CatalogError([t._("{file}: line {line}: an alias stands for the list or mapping "
                                    "it is in (a recursive alias)").format(
                                        file=name, line=looped.start_mark.line + 1)], path)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise CatalogError([yaml_problem(exc, name)], path) from exc
    finally:
        loader.dispose()
    if data is None and not may_be_empty:
        raise CatalogError([t._("{file}: the catalog is empty").format(file=name)], path)
    return YamlDocument(path, name, data, node)


def _inside_itself(root: Node | None) -> Node | None:
    """A node that contains itself through an alias (``&a [*a]``), if any: PyYAML builds it as
    a list or mapping holding itself, which no rule can read to its end."""
    entered: set[int] = set()  # on the way from the root to the node at hand
    done: set[int] = set()  # an alias met twice is walked once
    stack: list[tuple[Node, bool]] = [(root, False)] if root is not None else []
    while stack:
        node, leaving = stack.pop()
        if leaving:
            entered.discard(id(node))
            done.add(id(node))
            continue
        if id(node) in entered:
            return node
        if id(node) in done:
            continue
        entered.add(id(node))
        stack.append((node, True))
        if isinstance(node, MappingNode):
            stack.extend((part, False) for pair in node.value for part in pair)
        elif isinstance(node, SequenceNode):
            stack.extend((item, False) for item in node.value)
    return None


def problem_line(doc: YamlDocument, entry: str | None, field: str | None, problem: str,
                 line: int | None) -> str:
    """``file: entry: field 'f': problem (line N)``, leaving out what is not known."""
    t = translator()
    parts = [doc.name]
    if entry:
        parts.append(entry)
    if field:
        parts.append(t._("field '{field}'").format(field=field))
    text = ": ".join([*parts, problem])
    if line is not None:
        text += " " + t._("(line {line})").format(line=line)
    return text


def line_of(node: Node | None, loc: Sequence[str | int]) -> int | None:
    """The line (1-based) of the deepest part of ``loc`` that the YAML file spells out."""
    line = None
    for part in loc:
        if isinstance(node, MappingNode) and isinstance(part, str):
            hit = next(((k, v) for k, v in node.value
                        if isinstance(k, ScalarNode) and k.value == part), None)
            if hit is None:
                break
            line, node = hit[0].start_mark.line + 1, hit[1]
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def yaml_problem(exc: yaml.YAMLError, name: str) -> str:
    """The operator's sentence for a file ``name`` that is not valid YAML, with the line."""
    t = translator()
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if not isinstance(exc, yaml.MarkedYAMLError):
        return t._("{file}: invalid YAML: {problem}").format(file=name, problem=exc)
    problem = " ".join(p for p in (exc.problem, exc.context and f"({exc.context})") if p)
    if mark is None:
        return t._("{file}: invalid YAML: {problem}").format(file=name, problem=problem)
    return t._("{file}: line {line}, column {column}: invalid YAML: {problem}").format(
        file=name, line=mark.line + 1, column=mark.column + 1, problem=problem)

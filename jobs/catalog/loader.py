"""Reading the duty catalog: the packaged YAML file, a province's file laid over it, and the
messages an operator reads when one cannot be used.

Pure apart from reading the two files. A catalog that cannot be used raises
:class:`~jobs.catalog.schema.CatalogError` whose message names the file, the entry, the field and
the line, because the person who reads it is an operator editing YAML, not a programmer reading a
traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from jobs.catalog.catalog import Catalog
from jobs.catalog.schema import (
    DUE_RULES,
    INHERITED,
    CatalogError,
    Defaults,
    Duty,
    EscalationStep,
    LocalizedList,
    LocalizedText,
    OverduePolicy,
)
from jobs.catalog.yaml_file import YamlDocument as _Document
from jobs.catalog.yaml_file import line_of as _line_of
from jobs.catalog.yaml_file import problem_line as _problem_line
from jobs.catalog.yaml_file import read_yaml
from jobs.text.i18n import N_, translator

PACKAGED_CATALOG = Path(__file__).resolve().parent / "duties.yaml"
ENV_VAR = "ISOBOT_CATALOG"  # read by the deployment's settings, never here

# A province replaces these whole instead of merging key by key: half of an old due rule, or an
# English text that no longer matches its new Vietnamese, is worse than either version.
_REPLACED_WHOLE = frozenset({"due", "title", "legal_basis", "checklist"})


def load_catalog(path: Path | None = None, *, override: Path | None = None,
                 province: Path | None = None) -> Catalog:
    """Read the catalog at ``path`` (default: the packaged one) and merge a province file over it.

    The ``override`` file (``ISOBOT_CATALOG``) may change any field of a duty (matched by key),
    change defaults and add duties; it cannot remove anything. Mappings merge key by key, except
    a duty's ``due``, ``title``, ``legal_basis`` and ``checklist``, which are replaced whole;
    lists are replaced. A ``province`` file (one of ``ISOBOT_PROVINCE_CATALOGS``) is laid over
    the result the same way, but may only change what :data:`PROVINCE_FIELDS` names.
    """
    base = _read(path or PACKAGED_CATALOG)
    # The base alone must be valid, so whatever breaks after the merge is the province's doing.
    data, catalog = base.data, _validate(base.data, base)
    for layer, restricted in ((override, False), (province, True)):
        if layer is None:
            continue
        doc = _read(layer, may_be_empty=True)
        _check_province(doc)
        if restricted:
            _check_within_province(doc, catalog)
        data = _merge_catalogs(data, doc.data or {})
        catalog = _validate(data, doc)
    return catalog


# What a province's own file may change in a duty: what it cites and what it asks to check.
# Everything else stays the same in every province: titles head tables that span provinces;
# the chat reads evidence and aliases before it knows whose unit a reply is about; and the
# planner dates and times every unit of a duty together, a due date at a time
# (jobs/planning/owed.py,
# jobs/planning/planner.py). A province that keeps its own dates runs its own deployment, with them
# in ISOBOT_CATALOG.
PROVINCE_FIELDS = frozenset({"key", "legal_basis", "checklist"})


def _check_within_province(doc: _Document, catalog: Catalog) -> None:
    """Refuse a province file that adds a duty or changes what must be the same everywhere."""
    if not isinstance(doc.data, Mapping):
        return
    t = translator()
    problems = [_problem_line(doc, None, key, t._("a province file may only change duties"),
                              _line_of(doc.node, (key,)))
                for key in doc.data if key not in ("version", "duties")]
    for index, entry in enumerate(doc.data.get("duties") or []):
        key = entry["key"]
        label = _entry_label(key, index)
        if key not in set(catalog.keys()):
            problems.append(_problem_line(
                doc, label, "key", t._("no such duty in the catalog: a province file changes "
                                       "the catalog's duties and cannot add one"),
                _line_of(doc.node, ("duties", index, "key"))))
        problems += [_problem_line(
            doc, label, field, t._("is the same in every province: change it in the "
                                   "deployment's catalog (ISOBOT_CATALOG)"),
            _line_of(doc.node, ("duties", index, field)))
            for field in entry if field not in PROVINCE_FIELDS]
    if problems:
        raise CatalogError(problems, doc.path)


# --- reading -------------------------------------------------------------------------------------


def _read(path: Path, *, may_be_empty: bool = False) -> _Document:
    document = read_yaml(path, may_be_empty=may_be_empty)
    _check_duplicate_keys(document)
    return document


def _check_duplicate_keys(doc: _Document) -> None:
    # Checked on the raw file so the message can point at the second entry and its line.
    duties = doc.data.get("duties") if isinstance(doc.data, Mapping) else None
    if not isinstance(duties, list):
        return
    t = translator()
    first: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(duties):
        key = entry.get("key") if isinstance(entry, Mapping) else None
        if not isinstance(key, str):
            continue
        if key in first:
            problems.append(_problem_line(
                doc, _entry_label(key, index), "key",
                t._("duplicate key: duty #{number} already uses it").format(
                    number=first[key] + 1),
                _line_of(doc.node, ("duties", index, "key"))))
        else:
            first[key] = index
    if problems:
        raise CatalogError(problems, doc.path)


def _check_province(doc: _Document) -> None:
    """Refuse a province file that could not be merged, or that tries to remove a value."""
    t = translator()
    if doc.data is None:
        return
    if not isinstance(doc.data, Mapping):
        raise CatalogError([t._("{file}: the catalog must be a mapping of fields").format(
            file=doc.name)], doc.path)
    problems: list[str] = []
    duties = doc.data.get("duties", [])
    if not isinstance(duties, list):
        problems.append(_problem_line(doc, None, "duties", t._("must be a list"),
                                      _line_of(doc.node, ("duties",))))
        duties = []
    for index, entry in enumerate(duties):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("key"), str):
            problems.append(_problem_line(
                doc, _entry_label(None, index), "key",
                t._("every duty in a province file needs a key, to change the duty of that key "
                    "or to add a new one"), _line_of(doc.node, ("duties", index))))
    for loc in _null_paths(doc.data, ()):
        entry, field = _split_loc(loc, doc.data)
        problems.append(_problem_line(
            doc, entry, field,
            t._("null is not allowed: a province file may change a value but not remove it"),
            _line_of(doc.node, loc)))
    if problems:
        raise CatalogError(problems, doc.path)


def _null_paths(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if value is None:
        yield loc
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _null_paths(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _null_paths(item, (*loc, index))


# --- merging -------------------------------------------------------------------------------------


def _merge(base: Mapping[str, Any], change: Mapping[str, Any],
           whole: frozenset[str] = frozenset()) -> dict[str, Any]:
    merged = dict(base)
    for key, value in change.items():
        old = merged.get(key)
        if key not in whole and isinstance(value, Mapping) and isinstance(old, Mapping):
            merged[key] = _merge(old, value)
        else:
            merged[key] = value
    return merged


def _merge_catalogs(base: Mapping[str, Any], province: Mapping[str, Any]) -> dict[str, Any]:
    """The base catalog with the province file laid over it; neither input is changed."""
    merged = _merge({k: v for k, v in base.items() if k != "duties"},
                    {k: v for k, v in province.items() if k != "duties"})
    duties = list(base["duties"])
    where = {entry["key"]: index for index, entry in enumerate(duties)}
    for entry in province.get("duties", []):
        if entry["key"] in where:
            index = where[entry["key"]]
            duties[index] = _merge(duties[index], entry, _REPLACED_WHOLE)
        else:
            where[entry["key"]] = len(duties)
            duties.append(entry)
    merged["duties"] = duties
    return merged


# --- validation and its messages -----------------------------------------------------------------


_PROBLEMS = {
    "missing": N_("required field is missing"),
    "extra_forbidden": N_("unknown field"),
    "int_type": N_("must be a whole number"),
    "string_type": N_("must be text"),
    "string_too_short": N_("must not be empty"),
    "string_too_long": N_("must be at most {max_length} characters"),
    "string_pattern_mismatch": N_("must be lowercase letters, digits and underscores, "
                                  "starting with a letter"),
    "list_type": N_("must be a list"),
    "tuple_type": N_("must be a list"),
    "model_type": N_("must be a mapping of fields"),
    "model_attributes_type": N_("must be a mapping of fields"),
    "dict_type": N_("must be a mapping of fields"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "literal_error": N_("must be one of {expected}"),
}


def _all_field_names() -> frozenset[str]:
    models: list[type[BaseModel]] = [Catalog, Defaults, Duty, LocalizedText, LocalizedList,
                                     OverduePolicy, EscalationStep, *DUE_RULES.values()]
    return frozenset(name for model in models for name in model.model_fields)


_FIELD_NAMES = _all_field_names()


def _validate(data: Any, doc: _Document) -> Catalog:
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(_describe_errors(exc, data, doc), doc.path) from None


def _describe_errors(exc: ValidationError, data: Any, doc: _Document) -> list[str]:
    errors = exc.errors(include_url=False)
    locs = [_clean_loc(e["loc"]) for e in errors]
    defaults_broken = any(loc[:1] == ("defaults",) for loc in locs)
    problems = []
    for error, loc in zip(errors, locs, strict=True):
        if error["type"] == "union_tag_not_found":
            continue  # no due shape without a valid cadence; the cadence's error says why
        if (defaults_broken and error["type"] == "missing" and len(loc) >= 3
                and loc[0] == "duties" and loc[2] in INHERITED):
            continue  # the duty would have inherited it from the broken defaults
        entry, field = _split_loc(loc, data)
        line_loc = loc[:-1] if error["type"] == "missing" else loc
        problems.append(_problem_line(doc, entry, field, _problem_text(error, loc),
                                      _line_of(doc.node, _file_loc(line_loc, data, doc))))
    return problems or [str(exc)]


def _clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    # The discriminated union puts the cadence tag after `due` (due.yearly.month): drop it.
    out: list[str | int] = []
    for part in loc:
        if out and out[-1] == "due" and part in DUE_RULES:
            continue
        out.append(part)
    return tuple(out)


def _split_loc(loc: tuple[str | int, ...], data: Any) -> tuple[str | None, str | None]:
    """The entry (a duty or the defaults) and the field path within it, as messages name them."""
    if len(loc) >= 2 and loc[0] == "duties" and isinstance(loc[1], int):
        index = loc[1]
        entries = data.get("duties") if isinstance(data, Mapping) else None
        entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
        key = entry.get("key") if isinstance(entry, Mapping) else None
        return _entry_label(key if isinstance(key, str) else None, index), _path(loc[2:])
    if loc and loc[0] == "defaults":
        return translator()._("defaults"), _path(loc[1:])
    return None, _path(loc)


def _entry_label(key: str | None, index: int) -> str:
    t = translator()
    if key is None:
        return t._("duty #{number}").format(number=index + 1)
    return t._("duty '{key}'").format(key=key)


def _path(parts: Sequence[str | int]) -> str | None:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


def _problem_text(error: Any, loc: tuple[str | int, ...]) -> str:
    t = translator()
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])  # our own validators' messages, already translated
    if kind == "extra_forbidden" and loc and isinstance(loc[-1], str):
        guess = difflib.get_close_matches(loc[-1], _FIELD_NAMES, n=1)
        if guess:
            return t._("unknown field; did you mean '{name}'?").format(name=guess[0])
    template = _PROBLEMS.get(kind)
    if template is None:
        return error["msg"]
    try:
        return t._(template).format(**ctx)
    except (KeyError, IndexError):
        return t._(template)


def _file_loc(loc: tuple[str | int, ...], data: Any, doc: _Document) -> tuple[str | int, ...]:
    """Translate a location in the merged catalog into the same place in ``doc``'s own file."""
    if len(loc) < 2 or loc[0] != "duties" or not isinstance(loc[1], int):
        return loc
    try:
        key = data["duties"][loc[1]]["key"]
        mine = doc.data["duties"]
    except (KeyError, IndexError, TypeError):
        return loc
    if data is doc.data or not isinstance(key, str) or not isinstance(mine, list):
        return loc
    for index, entry in enumerate(mine):
        if isinstance(entry, Mapping) and entry.get("key") == key:
            return ("duties", index, *loc[2:])
    return ()  # the duty is not in this file: no line to point at

"""Each province's own catalog, and which units read it (``ISOBOT_PROVINCE_CATALOGS``).

The national catalog (``jobs/catalog/duties.yaml``, and a deployment's ``ISOBOT_CATALOG`` over it)
cites only national documents: Decision 19/2014/QĐ-TTg and TCVN ISO 9001:2015. A province's own
documents live in its own file (``catalogs/an-giang.yaml``, …), laid over the national catalog
(:func:`jobs.catalog.loader.load_catalog`, ``province=``). The mapping file names which units
read which file, by the start of their code::

    AGG: an-giang.yaml        # AGG, and every unit whose code starts with AGG-
    QNG-MD: quang-ngai.yaml   # the longest prefix wins: QNG-MD-DTAN reads this one

A file is named relative to the mapping file. A unit no prefix matches reads the national
catalog. Pure apart from reading the files; a mistake raises :class:`CatalogError` with the
file, the unit code, the problem and the line, every mistake at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from jobs.catalog.catalog import Catalog
from jobs.catalog.loader import load_catalog
from jobs.catalog.schema import CatalogError
from jobs.catalog.yaml_file import YamlDocument, line_of, problem_line, read_yaml
from jobs.text.i18n import translator

ENV_VAR = "ISOBOT_PROVINCE_CATALOGS"  # read by the deployment's settings, never here

# A unit code as `isobot units import` takes it: at most 64 characters, here without spaces.
_PREFIX = re.compile(r"\S{1,64}")

T = TypeVar("T")


def load_catalogs(*, override: Path | None = None, provinces: Path | None = None) -> Catalog:
    """The national catalog (``override`` laid over the packaged one), knowing the catalog of
    each province the ``provinces`` mapping file names (:meth:`Catalog.for_unit`)."""
    national = load_catalog(override=override)
    if provinces is None:
        return national
    doc = read_yaml(provinces)
    entries, problems = _entries(doc)
    loaded: dict[Path, Catalog] = {}
    provincial: dict[str, Catalog] = {}
    for prefix, path in entries:
        key = path.resolve()
        if key not in loaded:
            try:
                loaded[key] = load_catalog(override=override, province=path)
            except CatalogError as error:
                problems += error.problems
                continue
        provincial[prefix] = loaded[key]
    if problems:
        raise CatalogError(problems, provinces)
    return national.with_provinces(provincial)


def _entries(doc: YamlDocument) -> tuple[list[tuple[str, Path]], list[str]]:
    """Each (prefix, province file) of the mapping, and what is wrong with the others."""
    t = translator()
    if not isinstance(doc.data, Mapping):
        return [], [t._("{file}: must map unit codes to catalog files, e.g. “AGG: "
                        "an-giang.yaml”").format(file=doc.name)]
    entries, problems = [], []
    seen: dict[str, str] = {}
    for prefix, target in doc.data.items():
        problem = _problem(prefix, target, seen, doc.path.parent)
        if problem:
            entry = t._("unit code '{code}'").format(code=prefix)
            problems.append(problem_line(doc, entry, None, problem,
                                         line_of(doc.node, (str(prefix),))))
            continue
        seen[str(prefix).upper()] = str(prefix)
        entries.append((str(prefix), doc.path.parent / target))
    return entries, problems


def _problem(prefix: object, target: object, seen: dict[str, str], folder: Path) -> str | None:
    """Why one line of the mapping cannot be used, or None."""
    t = translator()
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        return t._("a unit code (or the start of one) is text of at most 64 characters without "
                   "spaces")
    if prefix.upper() in seen:
        # Codes are matched in any letter case, so "agg" and "AGG" would be the same units.
        return t._("the same units as '{other}' above").format(other=seen[prefix.upper()])
    if not isinstance(target, str) or not target.strip():
        return t._("must name a catalog file, e.g. an-giang.yaml")
    if not (folder / target).is_file():
        return t._("no such file: {path}").format(path=folder / target)
    return None


def by_catalog(catalog: Catalog, items: Iterable[T],
               code: Callable[[T], str]) -> list[tuple[Catalog, list[T]]]:
    """``items`` grouped by the catalog that binds each (``code`` gives its unit's code), in
    the order each catalog is first met: the planner and the dry run work a group at a time."""
    groups: dict[int, tuple[Catalog, list[T]]] = {}
    for item in items:
        unit_catalog = catalog.for_unit(code(item))
        groups.setdefault(id(unit_catalog), (unit_catalog, []))[1].append(item)
    return list(groups.values())

"""The supervisors' page (``/tongquan``) in numbers: a scope's units against the year's duties,
one unit's records, the directives' progress. Pure: units, obligations and ``now`` come in,
JSON-safe dicts go out; :mod:`jobs.supervision.overview_data` loads them.

Each cell of the heat map is one unit's standing on one duty this year, by the digest's rule
(:func:`jobs.supervision.subtree_digest.unit_duty_state`: overdue before done late before on
time before not yet due; the obligations counted are those due this year and those still open
past their due day), so the page and the weekly digest never disagree. The database counts
each cell's obligations (:func:`storage.overview.cell_tallies`), a done one late when done on
a later day in Vietnam than its due day, as :func:`jobs.planning.standing.standing_of` says.
The cells travel as one letter each (:data:`CELL`), a row a string: a province of 3,500 units
stays small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jobs.catalog import Catalog, duty_title
from jobs.planning.standing import STANDING_TEXT, Standing, standing_of
from jobs.supervision.digest import DigestObligation
from jobs.text.i18n import Translator
from jobs.text.labels import named_period

#: A cell's letter for each standing; "." where the unit owes nothing of that duty this year.
CELL = {Standing.on_time: "o", Standing.late: "l", Standing.overdue: "x", Standing.not_due: "n"}
NOTHING = "."
#: Which standing a cell shows when its obligations stand differently: the first present.
PRECEDENCE = (Standing.overdue, Standing.late, Standing.on_time, Standing.not_due)
#: One cell's counts, as :func:`storage.overview.cell_tallies` gives them: unit id, duty key,
#: one overdue, one open and not yet due, how many done, how many of those late.
CellTally = tuple[int, str, bool, bool, int, int]


@dataclass(frozen=True)
class OverviewUnit:
    """A unit in the scope; ``parent_id`` is None for a root of the scope."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None


def cell_standing(overdue: bool, not_due: bool, done: int, late: int) -> Standing | None:
    """The standing of a cell whose obligations are counted so: one overdue, one open and
    not yet due, ``done`` done of which ``late`` late; the first present in
    :data:`PRECEDENCE`; None when nothing is counted."""
    if overdue:
        return Standing.overdue
    if late:
        return Standing.late
    if done:
        return Standing.on_time
    return Standing.not_due if not_due else None


def year_of(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``today``'s year: the heat map's duties are that year's."""
    return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)


@dataclass(frozen=True)
class DirectiveTarget:
    """One unit's obligation under a directive, as its progress counts it."""

    directive_id: int
    status: str
    due: dt.date
    done_at: dt.datetime | None
    delivered: bool
    acknowledged: bool


def standings(tr: Translator) -> list[dict[str, str]]:
    """The four words, each with its letter, in the order a legend reads them."""
    return [{"key": s.value, "cell": CELL[s], "word": tr._(STANDING_TEXT[s])} for s in Standing]


def heat_map(units: Sequence[OverviewUnit], tallies: Iterable[CellTally], *,
             catalog: Catalog, lang: str) -> dict:
    """The units (by code) against the duties they owe this year (catalog order), a row of
    cell letters per unit."""
    cells = {(unit_id, key): CELL[standing]
             for unit_id, key, overdue, not_due, done, late in tallies
             if (standing := cell_standing(overdue, not_due, done, late)) is not None}
    order = {key: i for i, key in enumerate(catalog.keys())}
    keys = sorted({key for _, key in cells}, key=lambda k: (order.get(k, len(order)), k))
    rows = [{"id": u.id, "code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent_id,
             "cells": "".join(cells.get((u.id, key), NOTHING) for key in keys)}
            for u in sorted(units, key=lambda u: u.code)]
    return {"duties": [{"key": k, "title": duty_title(catalog, k, lang)} for k in keys],
            "units": rows}


def directive_progress(targets: Iterable[DirectiveTarget], *, today: dt.date) -> dict[int, dict]:
    """Per directive: how many units it went to, and how many had it delivered, acknowledged
    it, did it, did it late, are overdue on it."""
    tally: dict[int, dict[str, int]] = {}
    for target in targets:
        counts = tally.setdefault(target.directive_id, dict.fromkeys(
            ("units", "delivered", "acknowledged", "done", "late", "overdue"), 0))
        standing = standing_of(target.status, target.done_at, target.due, today)
        done = standing in (Standing.on_time, Standing.late)
        counts["units"] += 1
        counts["delivered"] += target.delivered
        counts["acknowledged"] += done or target.acknowledged
        counts["done"] += done
        counts["late"] += standing == Standing.late
        counts["overdue"] += standing == Standing.overdue
    return tally


def in_progress(counts: dict[str, int]) -> bool:
    """Whether a directive still has a unit that has not done it."""
    return counts["done"] < counts["units"]


def obligation_line(o: DigestObligation, *, today: dt.date, catalog: Catalog,
                    tr: Translator) -> dict:
    """One open obligation of a unit as the drill-down lists it."""
    standing = standing_of(o.status, o.done_at, o.due, today) or Standing.not_due
    return {"duty": duty_title(catalog, o.duty_key, tr.lang), "period": named_period(o, tr),
            "due": tr.short_date(o.due), "standing": standing.value,
            "word": tr._(STANDING_TEXT[standing])}

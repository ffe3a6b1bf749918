"""The supervisors' page (``/tongquan``) in numbers: a scope's units against the year's duties,
one unit's records, the directives' progress. Pure: units, obligations and ``now`` come in,
JSON-safe dicts go out; :mod:`jobs.supervision.overview_data` loads them.

Each cell of the heat map is one unit's standing on one duty this year, by the digest's rule
(:func:`jobs.supervision.subtree_digest.unit_duty_state`: overdue before done late before on
time before not yet due), so the page and the weekly digest never disagree. The cells travel
as one letter each (:data:`CELL`), a row a string: a province of 3,500 units stays small.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jobs.catalog import Catalog
from jobs.planning.standing import STANDING_TEXT, Standing, standing_of
from jobs.supervision.digest import DigestObligation, duty_title, local_day
from jobs.supervision.subtree_digest import counted_in_year, unit_duty_state
from jobs.text.i18n import Translator
from jobs.text.labels import named_period

#: A cell's letter for each standing; "." where the unit owes nothing of that duty this year.
CELL = {Standing.on_time: "o", Standing.late: "l", Standing.overdue: "x", Standing.not_due: "n"}
NOTHING = "."
_STATE = {"on_time": Standing.on_time, "late": Standing.late, "overdue": Standing.overdue,
          "open": Standing.not_due}


@dataclass(frozen=True)
class OverviewUnit:
    """A unit in the scope; ``parent_id`` is None for a root of the scope."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None


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


def heat_map(units: Sequence[OverviewUnit], obligations: Iterable[DigestObligation], *,
             now: dt.datetime, catalog: Catalog, lang: str) -> dict:
    """The units (by code) against the duties they owe this year (catalog order), a row of
    cell letters per unit."""
    today = local_day(now)
    by_cell: dict[tuple[int, str], list[DigestObligation]] = defaultdict(list)
    for o in obligations:
        if counted_in_year(o, today):
            by_cell[(o.unit_id, o.duty_key)].append(o)
    order = {key: i for i, key in enumerate(catalog.keys())}
    keys = sorted({key for _, key in by_cell}, key=lambda k: (order.get(k, len(order)), k))
    rows = []
    for unit in sorted(units, key=lambda u: u.code):
        cells = "".join(_cell(by_cell.get((unit.id, key)), today) for key in keys)
        rows.append({"id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind,
                     "parent": unit.parent_id, "cells": cells})
    return {"duties": [{"key": k, "title": duty_title(catalog, k, lang)} for k in keys],
            "units": rows}


def _cell(obligations: list[DigestObligation] | None, today: dt.date) -> str:
    state = unit_duty_state(obligations or (), today)
    return NOTHING if state is None else CELL[_STATE[state]]


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

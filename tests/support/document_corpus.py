"""The document corpus (tests/corpus/documents): Decree 30 letters, edXML packages and the
seeds' two directives, each with the fields it states, read against the sample units.

Shared by the corpus test and ``bench/document_import.py``, which prints accuracy per field.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from jobs.calendar.workdays import WorkCalendar
from jobs.documents.draft import make_draft
from jobs.documents.reading import read_document
from jobs.documents.recipients import UnitTree
from jobs.units.units_file import sample_units_file
from storage.models import Unit

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "documents"
FIELDS = ("number", "date", "issuer", "subject", "due", "targets", "unmatched")


def sample_tree(*, before_reform: bool = False) -> UnitTree:
    """The sample units (storage/data) as a tree, without a database."""
    with sample_units_file(before_reform=before_reform).open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    ids = {row["code"]: number for number, row in enumerate(rows, 1)}
    return UnitTree([Unit(id=ids[r["code"]], code=r["code"], name=r["name"], kind=r["kind"],
                          parent_id=ids.get(r["parent"]), active=True) for r in rows])


@dataclass(frozen=True)
class Reading:
    """One corpus document: what it should give, and what it gave."""

    name: str
    expected: dict
    found: dict

    def right(self, field: str) -> bool:
        return self.expected[field] == self.found[field]


def read_corpus(calendar: WorkCalendar) -> list[Reading]:
    """Every corpus document read into its draft, beside its expected fields."""
    expected = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    tree = sample_tree(before_reform=True)  # the corpus names the districts of before
    readings = []
    for name, fields in expected.items():
        read = read_document(name, (CORPUS / name).read_bytes())
        found = make_draft(read, tree=tree, calendar=calendar).as_dict(name)
        readings.append(Reading(name, fields, found))
    return readings

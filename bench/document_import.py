"""How well directives are read from the files a document system exports (issue 23).

Reads every document of the test corpus (tests/corpus/documents: Decree 30 letters, plans and
decisions, two edXML packages, the seeds' two directives) against the sample units, and prints,
per field, how many documents gave it right, then each miss. Goal: every field right.

Prints figures; asserts nothing. Run: .venv/bin/python bench/document_import.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jobs.calendar.workdays import WorkCalendar  # noqa: E402
from tests.support.document_corpus import FIELDS, read_corpus  # noqa: E402


def main() -> None:
    started = time.perf_counter()
    readings = read_corpus(WorkCalendar())
    took = time.perf_counter() - started
    print(f"{len(readings)} documents read in {took:.2f} s")
    for field in FIELDS:
        right = sum(r.right(field) for r in readings)
        print(f"  {field:<10} {right:>3}/{len(readings)}  {100 * right / len(readings):5.1f} %")
    for reading in readings:
        for field in FIELDS:
            if not reading.right(field):
                print(f"  miss {reading.name} {field}: expected {reading.expected[field]!r}, "
                      f"read {reading.found[field]!r}")


if __name__ == "__main__":
    main()

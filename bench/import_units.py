"""How long `isobot units import` takes for a whole country: 5,000 and 50,000 units.

For each size, on SQLite and on PostgreSQL (bench/country.py), each run imports the units into
an empty database, then imports the same file again (every unit looked at, none changed), both
as the operator runs them (the whole command, start-up included; the start-up alone is
`isobot db upgrade`). The reference is the same rows written with a raw executemany into a
scratch table, measured in the same run. Prints
medians; asserts nothing. Run: .venv/bin/python bench/import_units.py [--units 5000,50000]
[--runs 3] [--backends sqlite,postgresql]. Goal (issue 13): 50,000 units in ≤ 30 s.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from country import countries, country_rows, fresh_database, measured
from sqlalchemy import Column, Integer, MetaData, String, Table

from storage.db import make_engine

REGISTERED = "2026-11-13T07:00"


def raw_insert(url: str, total: int) -> float:
    """Seconds to executemany the ``total`` units' rows into a scratch table, in one commit."""
    engine = make_engine(url)
    scratch = Table("bench_units", MetaData(), Column("id", Integer, primary_key=True),
                    Column("code", String(64), unique=True), Column("name", String(255)),
                    Column("kind", String(32)), Column("parent", String(64)))
    scratch.create(engine)
    rows = [{"code": c, "name": n, "kind": k, "parent": p} for c, n, k, p in country_rows(total)]
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(scratch.insert(), rows)
    seconds = time.perf_counter() - started
    scratch.drop(engine)
    engine.dispose()
    return seconds


def one_run(backend: str, server: str | None, units_file: Path, total: int) -> dict[str, float]:
    with fresh_database(backend, server) as url:
        command = ["isobot", "units", "import", str(units_file), "--now", REGISTERED]
        first, again = measured(command, url)[0], measured(command, url)[0]
        startup = measured(["isobot", "db", "upgrade"], url)[0]
        raw = raw_insert(url, total)
    return {"first": first, "again": again, "startup": startup, "raw": raw}


def main() -> None:
    for total, backend, server, units_file, runs in countries(__doc__):
        measured_runs = [one_run(backend, server, units_file, total) for _ in range(runs)]

        def median(key: str, runs: list = measured_runs) -> float:
            return statistics.median(r[key] for r in runs)

        work = median("first") - median("startup")
        print(f"\n{total:,} units on {backend} (median of {runs} runs; load average "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"  import into an empty database  {median('first'):6.2f} s  (goal ≤ 30 s)")
        print(f"  the same file again            {median('again'):6.2f} s")
        print(f"  start-up (isobot db upgrade)   {median('startup'):6.2f} s")
        print(f"  raw executemany, same rows     {median('raw'):6.2f} s  → import less "
              f"start-up = {work / median('raw'):.1f} × the raw insert")


if __name__ == "__main__":
    main()

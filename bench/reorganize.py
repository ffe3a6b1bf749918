"""A reorganisation plan of 10,000 rows on a country of 50,000 units (issue 25).

**Measures** `isobot units reorganize PLAN --effective 2025-07-01` as the operator runs it
(start-up included) on the synthetic country of bench/country.py with an officer per unit:
half the communes merged into their neighbour (their schools carried along), half the
departments merged, the continuing communes renamed, schools moved to another commune and some
closed, cut to 10,000 rows; its wall time and peak RSS (the command run in a child process that
reports its own VmHWM). **Reference**, in the same run: the same rows as a raw bulk update of
the unit table (executemany, one transaction). **Goal:** ≤ 60 s and ≤ 300 MB.

Prints figures; asserts nothing. Run: .venv/bin/python bench/reorganize.py [--units 50000]
[--rows 10000] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from country import (
    country_rows,
    fresh_database,
    measured,
    peak_mb,
    postgres_server,
    register_people,
)
from sqlalchemy import bindparam, update
from sqlmodel import Session

from storage.db import make_engine
from storage.models import Unit
from storage.units import upsert_units

EFFECTIVE, NOW = "2025-07-01", "2025-07-01T08:00"


def plan_rows(units: list[tuple[str, str, str, str]], size: int) -> list[tuple[str, ...]]:
    """``size`` rows of a plan on ``units`` that passes the plan's check."""
    communes = [c for c, _, kind, _ in units if kind == "commune"]
    departments = [c for c, _, kind, _ in units if kind == "department"]
    pairs = [(communes[i], communes[i + 1]) for i in range(0, len(communes) - 1, 2)
             if communes[i][:3] == communes[i + 1][:3]]
    continuing = [into for _, into in pairs]
    merges = [("merge", old, into, "", "") for old, into in pairs]
    merges += [("merge", departments[i], departments[i + 1], "", "")
               for i in range(0, len(departments) - 1, 2)
               if departments[i][:3] == departments[i + 1][:3]]
    renames = [("rename", code, "", f"UBND xã mới {code}", "") for code in continuing]
    kept = set(continuing)
    schools = [(c, parent) for c, _, kind, parent in units if kind == "school" and parent in kept]
    closes = [("close", code, "", "", "") for code, _ in schools[::10]]
    # Each province's last continuing commune takes the other communes' schools.
    last_commune = {into[:3]: into for into in continuing}
    moves = [("move", code, last_commune[code[:3]], "", "") for i, (code, parent) in
             enumerate(schools) if i % 10 and last_commune[code[:3]] != parent]
    rows = merges + renames + closes + moves
    return rows[:size]


def write_plan(path: Path, rows: list[tuple[str, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["action", "code", "target", "name", "kind"])
        writer.writerows(rows)


def raw_update(url: str, rows: list[tuple[str, ...]]) -> float:
    """Seconds for the plan's rows as a raw bulk update (no checks, history or duties)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        ids = dict(connection.execute(Unit.__table__.select().with_only_columns(
            Unit.code, Unit.id)).all())
        changes = [{"unit": ids[code], "to": ids.get(target), "name": name or code,
                    "live": action not in ("merge", "close")}
                   for action, code, target, name, _ in rows]
        table = Unit.__table__
        started = time.perf_counter()
        connection.execute(update(table).where(table.c.id == bindparam("unit")).values(
            name=bindparam("name"), active=bindparam("live"), merged_into_id=bindparam("to")),
            changes)
        seconds = time.perf_counter() - started
        connection.rollback()
    engine.dispose()
    return seconds


def child(plan: str) -> None:
    """Run the command in this process and print its peak memory as JSON."""
    from bot.cli.main import app
    try:
        app(["units", "reorganize", plan, "--effective", EFFECTIVE, "--now", NOW])
    except SystemExit as done:
        if done.code:
            raise
    print(json.dumps({"peak_mb": peak_mb()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    units = country_rows(args.units)
    rows = plan_rows(units, args.rows)
    server = postgres_server() if args.backend == "postgresql" else None
    with fresh_database(args.backend, server) as url, tempfile.TemporaryDirectory() as folder:
        engine = make_engine(url)
        with Session(engine) as session:
            upsert_units(session, rows=[(c, n, k, p or None) for c, n, k, p in units],
                         now=dt.datetime.fromisoformat(NOW + "+07:00"))
            session.commit()
        engine.dispose()
        register_people(url, dt.datetime.fromisoformat(NOW + "+07:00"))
        plan = Path(folder) / "plan.csv"
        write_plan(plan, rows)
        raw = raw_update(url, rows)
        seconds, printed = measured([__file__, "--child", str(plan)], url)
    peak = json.loads(printed.strip().splitlines()[-1])["peak_mb"]
    counts = {a: sum(1 for r in rows if r[0] == a) for a in ("merge", "rename", "move", "close")}
    print(f"{len(rows):,}-row plan ({counts}) on {args.units:,} units, {args.backend} "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  units reorganize        {seconds:7.2f} s  peak {peak:6.0f} MB  (goal ≤ 60 s, 300 MB)")
    print(f"  raw bulk update         {raw:7.2f} s")


if __name__ == "__main__":
    sys.exit(main())

"""How long the weekly digest takes to compose: the sample units, then a synthetic province.

Each run plans a year of obligations, marks about three in four of the past ones done (some
late), registers an officer and a head in every unit and a supervisor on every province and
district, then composes every digest as of Monday 7 December 2026, 07:45 (read-only: nothing is
queued). Prints figures; asserts nothing. Run: .venv/bin/python bench/digest.py
"""

from __future__ import annotations

import datetime as dt
import resource
import time

from country import fresh_database
from seeding import UnitRow, person, year_of_work
from sqlmodel import select

from jobs.calendar.workdays import VIETNAM
from jobs.catalog import load_catalog
from jobs.supervision.digest_job import build_weekly_digest
from jobs.units.units_file import SAMPLE_UNITS, in_tree_order, read_units_file
from storage.db import make_engine, session_scope
from storage.models import Unit

NOW = dt.datetime(2026, 12, 7, 7, 45, tzinfo=VIETNAM)


def seed(url: str, rows: list[UnitRow]) -> int:
    """The units, a year of obligations, an officer and a head in every unit and a supervisor
    on every province and district; returns how many obligations."""
    with year_of_work(url, rows, now=NOW) as (session, count):
        user = 1000
        for unit in session.exec(select(Unit)).all():
            roles = ["officer", "head"] + (["supervisor"] if unit.kind in ("province", "district")
                                           else [])
            for role in roles:
                user += 1
                session.add(person(unit.id, role, str(user), name=f"P{user}"))
    return count


def run(rows: list[UnitRow], label: str) -> None:
    with fresh_database("sqlite") as url:
        obligations = seed(url, rows)
        engine = make_engine(url)
        catalog = load_catalog()
        with session_scope(engine) as session:
            start = time.perf_counter()
            planned = build_weekly_digest(session, now=NOW, catalog=catalog)
            seconds = time.perf_counter() - start
        engine.dispose()
    supervisors = [p for p in planned if p.member.role == "supervisor"]
    size = sum(len(a.content) for p in supervisors for a in p.message.attachments)
    print(f"{label}: {len(rows)} units, {obligations} obligations -> {len(planned)} digests "
          f"({len(supervisors)} for supervisors, with {size / 1024:.0f} KiB of PNG and XLSX) "
          f"in {seconds:.2f} s ({seconds / max(len(planned), 1) * 1000:.1f} ms per digest)")


def main() -> None:
    sample = [(r.code, r.name, r.kind, r.parent or None)
              for r in in_tree_order(read_units_file(SAMPLE_UNITS))]
    run(sample, "sample units")
    # A merged province: one supervisor over 500 communes, wards and schools.
    province = [("P", "UBND tỉnh", "province", None)] + [
        (f"P-{i:03d}", f"Đơn vị {i}", "commune", "P") for i in range(500)]
    run(province, "synthetic province")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()

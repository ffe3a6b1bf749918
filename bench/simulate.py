"""How fast the reminder engine plans a year: the sample units, then a synthetic province.

Prints figures; asserts nothing. Run: .venv/bin/python bench/simulate.py
"""

from __future__ import annotations

import datetime as dt
import resource
import time

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import load_catalog
from jobs.planning.simulate import UnitInfo, simulate
from jobs.text.i18n import translator
from jobs.units.units_file import SAMPLE_UNITS, read_units_file


def run(units: list[UnitInfo], label: str) -> None:
    catalog, calendar, tr = load_catalog(), WorkCalendar(), translator("vi")
    start = time.perf_counter()
    rows = simulate(units, catalog, calendar, dt.date(2026, 1, 1), dt.date(2026, 12, 31), tr)
    seconds = time.perf_counter() - start
    print(f"{label}: {len(units)} units, {len(rows)} messages in {seconds:.2f} s "
          f"({len(rows) / seconds:,.0f} messages/s, {seconds / len(units) * 1000:.1f} ms/unit)")


def main() -> None:
    sample = [UnitInfo(r.code, r.name, r.kind) for r in read_units_file(SAMPLE_UNITS)]
    run(sample, "sample units, year 2026")
    # A merged province after 2025: about 100 communes/wards, 20 departments, 150 schools,
    # each office counted: 1,000 units is a generous upper bound.
    province = [UnitInfo(f"U{i:04d}", f"Đơn vị {i}", "commune") for i in range(1000)]
    run(province, "synthetic province, year 2026")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()

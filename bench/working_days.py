"""What one working-day question costs: ``WorkCalendar.is_working_day`` and the arithmetic on it.

The planner asks the calendar millions of times a year of reminders (every stage of every
obligation of every unit), so this prints calls per second beside two references measured in
the same run: the bare Monday-Friday rule (``date.weekday() < 5``, the floor no calendar can
beat) and the ``holidays`` package's own ``is_working_day``. Prints figures; asserts nothing.
Run: .venv/bin/python bench/working_days.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

import holidays

from jobs.calendar.workdays import WorkCalendar

REPEATS = 7
# Four years of days, as the planner meets them: a year of duties plus lead times around it.
DAYS = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(4 * 365)]


def calls_per_second(check: Callable[[dt.date], bool]) -> float:
    """The median over ``REPEATS`` runs of asking ``check`` about every day in ``DAYS`` 50 times."""
    rates = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(50):
            for day in DAYS:
                check(day)
        rates.append(50 * len(DAYS) / (time.perf_counter() - start))
    return statistics.median(rates)


def arithmetic_per_second(calendar: WorkCalendar) -> float:
    """Median deadlines-plus-escalations a second: ``deadline`` then ``add_working_days(·, 7)``."""
    rates = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for day in DAYS:
            calendar.add_working_days(calendar.deadline(day), 7)
        rates.append(len(DAYS) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    calendar = WorkCalendar()
    calendar.is_working_day(DAYS[0])  # the first question of a year loads that year
    package = holidays.country_holidays("VN", years=range(2025, 2029))
    floor = calls_per_second(lambda day: day.weekday() < 5)
    ours = calls_per_second(calendar.is_working_day)
    theirs = calls_per_second(package.is_working_day)
    print(f"holidays {holidays.__version__}; {len(DAYS)} days × 50, median of {REPEATS} runs")
    print(f"Monday-Friday rule alone (floor):   {floor:>12,.0f} calls/s")
    print(f"holidays package is_working_day:    {theirs:>12,.0f} calls/s")
    print(f"WorkCalendar.is_working_day:        {ours:>12,.0f} calls/s "
          f"({ours / floor:.2f} × the floor, {ours / theirs:.1f} × the package)")
    rate = arithmetic_per_second(calendar)
    print(f"deadline + 7 working days:          {rate:>12,.0f} per s")
    start = time.perf_counter()
    WorkCalendar().is_working_day(dt.date(2031, 6, 1))
    print(f"first question about a year (load): {(time.perf_counter() - start) * 1000:>12.1f} ms")


if __name__ == "__main__":
    main()

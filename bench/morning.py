"""One morning message per person (issue "Zalo first"): how many messages people get on the
heaviest mornings of a simulated year, one per duty (before) and gathered (after), and when
the last officer of a 1,500-unit province is reached at Zalo's 5 messages a second.

The year is the engine's own dry run (jobs/planning/simulate.py) for a synthetic province:
every reminder and escalation with its moment and recipient role. A unit's officer and head
are a person each; every escalation to a supervisor goes to the province's standing office (one
person). Gathering follows delivery's rule (jobs/delivery/morning.py): a person's messages due
at one moment go as one, at most MOST_DUTIES duties each. The reference is Zalo's rate, which
isobot keeps at 5 messages a second (undocumented by Zalo; bot/messengers/zalo/settings.py).

Prints figures; asserts nothing. Run: .venv/bin/python bench/morning.py [--units 1500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import statistics
import time
from collections import Counter, defaultdict

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import load_catalog
from jobs.delivery.morning import MOST_DUTIES
from jobs.planning.simulate import UnitInfo, simulate
from jobs.text.i18n import translator

ZALO_PER_SECOND = 5
HEAVIEST = 5  # mornings


def person(unit: str, role: str) -> str:
    return "standing-office" if role == "supervisor" else f"{unit}:{role}"


def mornings(units: int, year: int) -> dict[dt.datetime, Counter[str]]:
    """Per moment, how many messages each person gets (one per duty)."""
    province = [UnitInfo(f"U{i:04d}", f"Đơn vị {i}", "commune") for i in range(units)]
    rows = simulate(province, load_catalog(), WorkCalendar(), dt.date(year, 1, 1),
                    dt.date(year, 12, 31), translator("vi"))
    by_moment: dict[dt.datetime, Counter[str]] = defaultdict(Counter)
    for row in rows:
        by_moment[row.send_at][person(row.unit, row.recipient_role)] += 1
    return by_moment


def gathered(count: int) -> int:
    return math.ceil(count / MOST_DUTIES)


def last_officer(people: Counter[str], per_message: callable) -> float:
    """Seconds after the moment when the last officer's message leaves at Zalo's rate, people
    taken in delivery's order (by chat)."""
    sent, last = 0, 0.0
    for who in sorted(people):
        sent += per_message(people[who])
        if who.endswith(":officer"):
            last = sent / ZALO_PER_SECOND
    return last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1500)
    parser.add_argument("--year", type=int, default=2026)
    args = parser.parse_args()
    started = time.perf_counter()
    by_moment = mornings(args.units, args.year)
    total = sum(sum(people.values()) for people in by_moment.values())
    print(f"{args.units} units, year {args.year}: {total:,} messages one per duty, simulated "
          f"in {time.perf_counter() - started:.1f} s")
    heaviest = sorted(by_moment, key=lambda m: -sum(by_moment[m].values()))[:HEAVIEST]
    ratios = []
    for moment in sorted(heaviest):
        people = by_moment[moment]
        before = sum(people.values())
        after = sum(gathered(n) for n in people.values())
        ratios.append(before / after)
        print(f"  {moment:%a %d/%m %H:%M}: {len(people):,} people; messages {before:,} → "
              f"{after:,} (per person {before / len(people):.2f} → {after / len(people):.2f}, "
              f"{before / after:.2f}× fewer); the most to one officer "
              f"{max(n for w, n in people.items() if w.endswith(':officer'))} → "
              f"{max(gathered(n) for w, n in people.items() if w.endswith(':officer'))}")
        for label, rule in (("before", lambda n: n), ("after", gathered)):
            seconds = last_officer(people, rule)
            reached = moment + dt.timedelta(seconds=seconds)
            print(f"    last officer reached at {ZALO_PER_SECOND}/s ({label}): "
                  f"{reached:%H:%M:%S} ({seconds / 60:.1f} min after {moment:%H:%M})")
    print(f"median over the {HEAVIEST} heaviest mornings: {statistics.median(ratios):.2f}× fewer "
          f"messages per person who gets any")
    worst = heaviest_per_officer(by_moment)
    before, after = statistics.median(worst.values()), statistics.median(
        gathered(n) for n in worst.values())
    print(f"each officer's heaviest morning of the year: median {before:g} messages → "
          f"{after:g} ({before / after:.1f}× fewer; goal ≥ 2×), at most {max(worst.values())} → "
          f"{max(gathered(n) for n in worst.values())}")


def heaviest_per_officer(by_moment: dict[dt.datetime, Counter[str]]) -> dict[str, int]:
    """Each officer's most messages on one morning of the year, one per duty."""
    worst: dict[str, int] = {}
    for people in by_moment.values():
        for who, count in people.items():
            if who.endswith(":officer"):
                worst[who] = max(worst.get(who, 0), count)
    return worst


if __name__ == "__main__":
    main()

"""How long a province's invitations take: ``isobot invite --under ROOT --out … --pdf …`` for
3,500 units (a province, its departments and communes, their schools), as an operator runs it.

Measures the command in a child process: wall time and its peak RSS (``wait4``), the codes
stored, the sheet and the cards (one A4 page per 8 units, two QR codes a card) written.
**Reference**, in the same run and the same way: a child that writes the same number of rows of
8 columns raw with openpyxl (no database, no cards). **Goal** (issue 22): ≤ 30 s, ≤ 300 MB.
Prints figures; asserts nothing. Run: .venv/bin/python bench/invitations.py [--units N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jobs.calendar.workdays import VIETNAM
from storage.db import make_engine, session_scope, upgrade
from storage.units import upsert_units

NOW = "2026-12-01T09:00"
REFERENCE = """
import sys
from openpyxl import Workbook
book = Workbook()
sheet = book.active
for n in range(int(sys.argv[1])):
    sheet.append([f"AG-{n:05d}", f"Trường Tiểu học số {n} xã Mỹ Hòa Hưng", "AG", "cán bộ đầu mối",
                  "ABCDEFGH2345", f"https://t.me/isobot?start=ABCDEFGH{n:04d}",
                  "Gửi mã cho isobot trên Zalo", "14/12/2026 09:00"])
book.save(sys.argv[2])
"""


def province(units: int) -> list[tuple[str, str, str, str | None]]:
    """A province of ``units`` units: 30 departments, communes, and two schools per commune."""
    rows = [("AG", "UBND tỉnh An Giang", "province", None)]
    rows += [(f"AG-S{d:02d}", f"Sở số {d} tỉnh An Giang", "department", "AG") for d in range(30)]
    commune = 0
    while len(rows) < units:
        code = f"AG-X{commune:04d}"
        rows.append((code, f"UBND xã Mỹ Hòa Hưng {commune}", "commune", "AG"))
        for school in range(2):
            if len(rows) < units:
                rows.append((f"{code}-T{school}", f"Trường Tiểu học số {school} xã {commune}",
                             "school", code))
        commune += 1
    return rows


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run ``command``; its wall time and CPU time in seconds, and its peak RSS in MB."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command[:3]} failed")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3500)
    units = parser.parse_args().units
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        with session_scope(engine) as session:
            upsert_units(session, rows=province(units),
                         now=dt.datetime(2026, 11, 30, 8, tzinfo=VIETNAM))
        engine.dispose()
        env = {**os.environ, "DATABASE_URL": url, "ISOBOT_NOW": NOW,
               "TELEGRAM_BOT_USERNAME": "isobot_bench_bot"}
        sheet, cards = Path(folder) / "invitations.xlsx", Path(folder) / "cards.pdf"
        seconds, cpu, peak = timed([sys.executable, "-m", "bot.cli", "invite", "--under", "AG",
                               "--role", "officer", "--out", str(sheet), "--pdf", str(cards)], env)
        raw_seconds, raw_cpu, raw_peak = timed([sys.executable, "-c", REFERENCE, str(units),
                                       str(Path(folder) / "raw.xlsx")], env)
        print(f"invitations for {units} units: {seconds:.1f} s ({cpu:.1f} s CPU), peak "
              f"{peak:.0f} MB; sheet "
              f"{sheet.stat().st_size / 1024:.0f} KiB, cards {cards.stat().st_size / 1024:.0f} "
              f"KiB ({-(-units // 8)} pages)")
        print(f"reference, {units} rows raw with openpyxl: {raw_seconds:.1f} s ({raw_cpu:.1f} s "
              f"CPU), peak {raw_peak:.0f} MB (the command: {cpu / raw_cpu:.1f} x the CPU time)")
        print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

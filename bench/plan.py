"""How long a planning tick takes for a whole country, and how much memory it needs.

For 5,000 and 50,000 units (bench/country.py), on SQLite and on PostgreSQL, each run:
 1. imports the units (registered Friday 13 November 2026, 07:00) and registers the people;
 2. the first tick (Friday 08:00): the obligations due within a month, first reminders;
 3. the heavy tick, Monday 16 November 08:00, as the bot runs it (committing in chunks): the
    new quarter's report obligations and ~2 reminders per unit (the management review's and
    the annual report's), i.e. ~100,000 at 50,000 units; then, in the same process and with
    what the planner remembers, the steady tick at 08:05 (nothing new), and the same tick of a
    new Planner, with only the memory stored in the database (wall and CPU seconds);
 4. the tick of a restarted bot at 08:10 (`isobot plan`: nothing new, a fresh process), its
    own seconds and the whole process's wall and CPU seconds;
 5. the reference: the same number of rows as the heavy tick wrote, of the same size, written
    with a raw executemany (batches of 2,000, a commit each) into a scratch table.
Prints medians; asserts nothing. Run: .venv/bin/python bench/plan.py [--units 5000,50000]
[--runs 3] [--backends sqlite,postgresql]. Goals (issue 13): heavy tick ≤ 30 s and ≤ 300 MB
at 50,000 units, steady tick ≤ 1 s.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from country import compile_sources, countries, fresh_database, measured, peak_mb, register_people
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, func, select
from sqlmodel import Session

from jobs.calendar.workdays import VIETNAM, WorkCalendar
from jobs.catalog import load_catalog
from jobs.planning.planner import Planner
from storage.db import make_engine, session_scope
from storage.models import Outbox

REGISTERED = "2026-11-13T07:00"
FIRST, HEAVY, STEADY, RESTART = ("2026-11-13T08:00", "2026-11-16T08:00", "2026-11-16T08:05",
                                 "2026-11-16T08:10")


def child(url: str) -> None:
    """The bot's planner, as in `isobot run`: the heavy tick, then the steady one."""
    engine = make_engine(url)
    planner = Planner(load_catalog(), WorkCalendar())
    planner.calendar.is_working_day(dt.date(2026, 11, 16))  # the holidays loaded, as in the bot
    report = {"before_mb": peak_mb()}
    for name, moment in (("heavy", HEAVY), ("steady", STEADY), ("fresh", STEADY)):
        if name == "fresh":  # a new planner, with only the memory stored: as after a restart
            planner = Planner(planner.catalog, planner.calendar)
        started, cpu = time.perf_counter(), time.process_time()
        with session_scope(engine) as session:
            result = planner.tick(session, now=dt.datetime.fromisoformat(moment)
                                  .replace(tzinfo=VIETNAM), commit=True)
        report[name] = {"seconds": time.perf_counter() - started,
                        "cpu": time.process_time() - cpu,
                        "obligations": result.obligations_created,
                        "messages": result.messages_queued}
    report["peak_mb"] = peak_mb()  # the heavy tick's: the others add nothing
    print(json.dumps(report))


def raw_insert(url: str, rows: int, payload_chars: int) -> float:
    """Seconds to executemany ``rows`` outbox-shaped rows into a scratch table."""
    engine = make_engine(url)
    scratch = Table("bench_scratch", MetaData(), Column("id", Integer, primary_key=True),
                    Column("unique_key", String(255), unique=True), Column("member_id", Integer),
                    Column("platform", String(16)), Column("chat_id", String(64)),
                    Column("kind", String(32)), Column("obligation_id", Integer),
                    Column("payload", Text), Column("state", String(16)),
                    Column("attempts", Integer), Column("next_attempt_at", DateTime(True)),
                    Column("created_at", DateTime(True)))
    scratch.create(engine)
    now = dt.datetime.fromisoformat(HEAVY).replace(tzinfo=VIETNAM)
    payload = "x" * payload_chars
    started = time.perf_counter()
    with engine.connect() as connection:
        for start in range(0, rows, 2000):
            connection.execute(scratch.insert(), [
                {"unique_key": f"{i}:2026-12-15:before-14d:{i}", "member_id": i,
                 "platform": "telegram", "chat_id": str(i), "kind": "reminder",
                 "obligation_id": i, "payload": payload, "state": "pending", "attempts": 0,
                 "next_attempt_at": now, "created_at": now}
                for i in range(start, min(start + 2000, rows))])
            connection.commit()
    seconds = time.perf_counter() - started
    scratch.drop(engine)
    engine.dispose()
    return seconds


def average_payload(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        chars = session.execute(select(func.avg(func.length(
            Outbox.__table__.c.payload.cast(String))))).scalar()
    engine.dispose()
    return int(chars or 0)


def one_run(backend: str, server: str | None, units_file: Path) -> dict[str, float]:
    with fresh_database(backend, server) as url:
        seconds, _ = measured(["isobot", "units", "import", str(units_file), "--now",
                               REGISTERED], url)
        register_people(url, dt.datetime.fromisoformat(REGISTERED).replace(tzinfo=VIETNAM))
        first = json.loads(measured(["isobot", "plan", "--now", FIRST, "--json"], url)[1])
        ticks = json.loads(measured(["bench/plan.py", "--child", url], url)[1])
        restart = restarted(url)
        heavy = ticks["heavy"]
        raw = raw_insert(url, heavy["obligations"] + heavy["messages"], average_payload(url))
    return {"import": seconds, "first": first["seconds"],
            "first_rows": (first["obligations_created"], first["messages_queued"]),
            "heavy": heavy["seconds"], "heavy_rows": (heavy["obligations"], heavy["messages"]),
            "peak_mb": ticks["peak_mb"], "before_mb": ticks["before_mb"],
            "steady": ticks["steady"]["seconds"], "steady_cpu": ticks["steady"]["cpu"],
            "fresh": ticks["fresh"]["seconds"], "fresh_cpu": ticks["fresh"]["cpu"],
            "fresh_rows": (ticks["fresh"]["obligations"], ticks["fresh"]["messages"]),
            "steady_rows": (ticks["steady"]["obligations"], ticks["steady"]["messages"]),
            "restart": restart["tick"], "restart_tick_cpu": restart["tick_cpu"],
            "restart_wall": restart["wall"],
            "restart_cpu": restart["cpu"], "raw": raw}


def restarted(url: str) -> dict[str, float]:
    """The tick of a restarted bot (`isobot plan`): the tick's own seconds, and the whole
    process's wall and CPU seconds (start-up and imports included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, printed = measured(["isobot", "plan", "--now", RESTART, "--json"], url)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    tick = json.loads(printed)
    return {"tick": tick["seconds"], "tick_cpu": tick["cpu_seconds"], "wall": wall, "cpu": cpu}


def report(backend: str, total: int, runs: list[dict]) -> None:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    created, queued = runs[0]["heavy_rows"]
    first_created, first_queued = runs[0]["first_rows"]
    print(f"\n{total:,} units on {backend} (median of {len(runs)} runs; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  units import (whole command)   {median('import'):7.2f} s")
    print(f"  first tick                     {median('first'):7.2f} s   "
          f"{first_created:,} obligations, {first_queued:,} messages")
    print(f"  heavy tick                     {median('heavy'):7.2f} s   "
          f"{created:,} obligations, {queued:,} messages (goal ≤ 30 s)")
    print(f"    peak RSS of its process      {median('peak_mb'):7.0f} MB  "
          f"(goal ≤ 300 MB; {median('before_mb'):.0f} MB before the tick)")
    print(f"    raw executemany, same rows   {median('raw'):7.2f} s   → heavy tick = "
          f"{median('heavy') / median('raw'):.1f} × the raw insert")
    print(f"  steady tick (nothing new)      {median('steady'):7.3f} s   "
          f"{runs[0]['steady_rows'][1]} messages (goal ≤ 1 s), {median('steady_cpu'):.3f} s CPU")
    print(f"    a new Planner, same process  {median('fresh'):7.3f} s   "
          f"{runs[0]['fresh_rows'][1]} messages, {median('fresh_cpu'):.3f} s CPU "
          "(the memory stored in the database only)")
    print(f"  tick after a restart           {median('restart'):7.3f} s   "
          f"{median('restart_tick_cpu'):.3f} s CPU (nothing new; `isobot plan`, a fresh process)")
    print(f"    the whole process            {median('restart_wall'):7.2f} s wall, "
          f"{median('restart_cpu'):.2f} s CPU (start-up and imports included)")


def main() -> None:
    if "--child" in sys.argv:
        return child(sys.argv[sys.argv.index("--child") + 1])
    compile_sources()  # a fresh process as a deployment runs it
    for total, backend, server, units_file, runs in countries(__doc__):
        report(backend, total, [one_run(backend, server, units_file) for _ in range(runs)])
        sys.stdout.flush()


if __name__ == "__main__":
    main()

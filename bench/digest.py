"""How long the weekly digest takes to compose: the sample units, then a synthetic province.

Each run plans a year of obligations, marks about three in four of the past ones done (some
late), registers an officer and a head in every unit and a supervisor on every province and
district, then composes every digest as of Monday 7 December 2026, 07:45 (read-only: nothing is
queued). Prints figures; asserts nothing. Run: .venv/bin/python bench/digest.py
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import tempfile
import time
from pathlib import Path

from sqlmodel import select

from jobs.calendar.workdays import VIETNAM, WorkCalendar
from jobs.catalog import load_catalog
from jobs.planning.owed import create_owed_obligations
from jobs.supervision.digest_job import build_weekly_digest
from jobs.units.units_file import SAMPLE_UNITS, in_tree_order, read_units_file
from storage.db import make_engine, session_scope, upgrade
from storage.models import Member, Obligation, Unit
from storage.units import unit_records, upsert_units

NOW = dt.datetime(2026, 12, 7, 7, 45, tzinfo=VIETNAM)
JOINED = dt.datetime(2026, 1, 2, 8, 0, tzinfo=VIETNAM)


def seed(url: str, rows: list[tuple[str, str, str, str | None]]) -> None:
    engine = make_engine(url)
    upgrade(engine)
    catalog, calendar, rnd = load_catalog(), WorkCalendar(), random.Random(7)
    with session_scope(engine) as session:
        upsert_units(session, rows=rows, now=JOINED)
        create_owed_obligations(session, units=unit_records(session), now=NOW, catalog=catalog,
                                calendar=calendar)
        for o in session.exec(select(Obligation)).all():
            if o.due < NOW.date() and rnd.random() < 0.75:
                done = dt.datetime.combine(o.due + dt.timedelta(days=rnd.choice([-5, -1, 0, 2, 9])),
                                           dt.time(10), tzinfo=VIETNAM)
                o.status, o.done_at = "done", min(done, NOW - dt.timedelta(hours=1))
                session.add(o)
        user = 1000
        for unit in session.exec(select(Unit)).all():
            roles = ["officer", "head"] + (["supervisor"] if unit.kind in ("province", "district")
                                           else [])
            for role in roles:
                user += 1
                session.add(Member(unit_id=unit.id, role=role, platform="telegram",
                                   platform_user_id=str(user), chat_id=str(user),
                                   display_name=f"P{user}", language="vi", joined_at=JOINED))
    engine.dispose()


def run(rows: list[tuple[str, str, str, str | None]], label: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        seed(url, rows)
        engine = make_engine(url)
        catalog = load_catalog()
        with session_scope(engine) as session:
            obligations = len(session.exec(select(Obligation.id)).all())
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

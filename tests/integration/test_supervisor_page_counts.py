"""The supervisors' page counts each cell in the database; what it shows must be what the
weekly digest's rule (unit_duty_state over the obligations it counts) says, on SQLite and
PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from sqlmodel import select

from jobs.calendar.workdays import VIETNAM
from jobs.supervision.digest import DigestObligation, DigestUnit
from jobs.supervision.overview import CELL, cell_standing, year_of
from jobs.supervision.subtree_digest import subtree_state, unit_duty_state
from storage.db import session_scope, upgrade
from storage.models import Obligation, Unit
from storage.overview import cell_tallies
from storage.units import upsert_units
from tests.conftest import at

NOW = at("2026-12-02 10:00")
TODAY = NOW.date()
STATE_CELL = {"overdue": "x", "late": "l", "on_time": "o", "open": "n"}
assert set(STATE_CELL.values()) == set(CELL.values())


def random_obligations(rnd: random.Random, unit_ids: list[int]) -> list[Obligation]:
    made = []
    for unit_id in unit_ids:
        for duty in ("giao_ban", "quarterly_report", "internal_audit"):
            for n in range(rnd.randint(0, 5)):
                due = dt.date(2025, 10, 1) + dt.timedelta(days=rnd.randint(0, 500))
                status = rnd.choice(["open", "done", "done", "cancelled"])
                done_at = None
                if status == "done":  # around the due day, on both sides of midnight in Vietnam
                    done_at = dt.datetime.combine(due, dt.time(rnd.choice([0, 9, 23])),
                                                  tzinfo=VIETNAM) + dt.timedelta(
                        days=rnd.choice([-2, 0, 0, 1]), minutes=rnd.choice([0, 59]))
                made.append(Obligation(unit_id=unit_id, duty_key=duty, period=f"p{n}", due=due,
                                       status=status, done_at=done_at, created_at=NOW))
    return made


def test_each_cell_counted_in_the_database_says_what_the_digests_rule_says(engine, catalog):
    upgrade(engine)
    rnd = random.Random(24)
    with session_scope(engine) as session:
        upsert_units(session, rows=[(f"U{i}", f"Đơn vị {i}", "commune", None) for i in range(30)],
                     now=NOW)
        ids = list(session.exec(select(Unit.id)))
        session.add_all(random_obligations(rnd, ids))
        session.add(Obligation(unit_id=ids[0], duty_key="management_review", period="2026",
                               due=dt.date(2026, 12, 20), status="open", created_at=NOW))
    with session_scope(engine) as session:
        tallies = cell_tallies(session, unit_ids=ids, year=year_of(TODAY), today=TODAY,
                               utc_offset=dt.timedelta(hours=7))
        shown = {(unit_id, key): CELL[standing]
                 for unit_id, key, *counts in tallies if (standing := cell_standing(*counts))}
        rows = [DigestObligation(o.unit_id, o.duty_key, o.period, o.due, o.status, o.done_at)
                for o in session.exec(select(Obligation))]
    units = [DigestUnit(i, f"U{i}", "") for i in ids]
    counted = defaultdict(list)  # what the digest counts, by unit and duty
    for o in subtree_state(units, rows, now=NOW, catalog=catalog, lang="vi").counted:
        counted[(o.unit_id, o.duty_key)].append(o)
    expected = {cell: STATE_CELL[unit_duty_state(items, TODAY)]
                for cell, items in counted.items()}
    assert shown == expected
    assert set(shown.values()) == set(CELL.values())  # every standing occurs

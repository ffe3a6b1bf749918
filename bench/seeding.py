"""A year of work for a benchmark: units, their obligations, most of the past ones done.

The supervisors' page and the weekly digest read the same kind of database: a tree of units,
a year of obligations planned from the catalog, about three in four past ones done (some late).
Each benchmark then adds the people it needs in the same session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Iterator

from sqlmodel import Session, select

from jobs.calendar.workdays import VIETNAM, WorkCalendar
from jobs.catalog import load_catalog
from jobs.planning.owed import create_owed_obligations
from storage.db import make_engine, session_scope
from storage.models import Member, Obligation
from storage.units import unit_records, upsert_units

#: When the benchmarks' people joined, and their units were created.
JOINED = dt.datetime(2026, 1, 2, 8, 0, tzinfo=VIETNAM)
#: How many days before or after the due date a done obligation was done.
LATENESS = (-5, -1, 0, 2, 9)

UnitRow = tuple[str, str, str, str | None]


@contextlib.contextmanager
def year_of_work(url: str, rows: list[UnitRow], *, now: dt.datetime
                 ) -> Iterator[tuple[Session, int]]:
    """A session on the migrated database at ``url`` holding the units ``rows`` (code, name,
    kind, parent code; parents first) and their obligations as of ``now``, and how many
    obligations; committed when the block ends."""
    engine = make_engine(url)
    catalog, calendar, rnd = load_catalog(), WorkCalendar(), random.Random(7)
    try:
        with session_scope(engine) as session:
            upsert_units(session, rows=rows, now=JOINED)
            create_owed_obligations(session, units=unit_records(session), now=now,
                                    catalog=catalog, calendar=calendar)
            obligations = session.exec(select(Obligation)).all()
            for o in obligations:
                if o.due < now.date() and rnd.random() < 0.75:
                    done = dt.datetime.combine(o.due + dt.timedelta(days=rnd.choice(LATENESS)),
                                               dt.time(10), tzinfo=VIETNAM)
                    o.status, o.done_at = "done", min(done, now - dt.timedelta(hours=1))
                    session.add(o)
            yield session, len(obligations)
    finally:
        engine.dispose()


def person(unit_id: int, role: str, user: str, *, platform: str = "telegram",
           name: str = "") -> Member:
    """A member of the benchmark: its chat is its user id, Vietnamese, joined with its unit."""
    return Member(unit_id=unit_id, role=role, platform=platform, platform_user_id=user,
                  chat_id=user, display_name=name, language="vi", joined_at=JOINED)

"""Completing or re-dating an obligation cancels the reminders planned for it."""

import datetime as dt

from sqlmodel import select

from jobs.planning.planner import plan
from storage.db import session_scope
from storage.models import Member, Obligation, Outbox, Role
from storage.obligations import complete_obligation
from storage.units import unit_by_code
from tests.conftest import at
from tests.support.records import redate
from tests.support.telegram import load_sample_units


def planned(engine, catalog, calendar, now):
    with session_scope(engine) as session:
        plan(session, now=now, catalog=catalog, calendar=calendar)


def seed(engine):
    load_sample_units(engine, at("2026-11-30 07:00"))
    with session_scope(engine) as session:
        unit = unit_by_code(session, code="QNG-MD-DTAN")
        session.add(Member(unit_id=unit.id, role=Role.OFFICER, platform="telegram",
                           platform_user_id="1", chat_id="1", joined_at=at("2026-11-30 07:00")))
        return unit.id


def quarterly(session, unit_id):
    return session.exec(select(Obligation).where(
        Obligation.unit_id == unit_id, Obligation.duty_key == "quarterly_report")).one()


def pending_for(session, obligation_id):
    return session.exec(select(Outbox).where(Outbox.obligation_id == obligation_id,
                                             Outbox.state == "pending")).all()


def test_completing_cancels_pending_reminders(engine, catalog, calendar):
    unit_id = seed(engine)
    planned(engine, catalog, calendar, at("2026-12-01 08:00"))
    with session_scope(engine) as session:
        obligation = quarterly(session, unit_id)
        assert len(pending_for(session, obligation.id)) == 1
        complete_obligation(session, obligation=obligation, event_id=1,
                            now=at("2026-12-01 09:00"))
    with session_scope(engine) as session:
        obligation = quarterly(session, unit_id)
        assert pending_for(session, obligation.id) == []
    planned(engine, catalog, calendar, at("2026-12-08 08:00"))  # 7 days before: nothing now
    with session_scope(engine) as session:
        assert pending_for(session, quarterly(session, unit_id).id) == []


def test_redating_cancels_and_replans_for_the_new_date(engine, catalog, calendar):
    unit_id = seed(engine)
    planned(engine, catalog, calendar, at("2026-12-01 08:00"))
    with session_scope(engine) as session:
        redate(session, obligation=quarterly(session, unit_id), due=dt.date(2026, 12, 22))
    with session_scope(engine) as session:
        obligation = quarterly(session, unit_id)
        assert pending_for(session, obligation.id) == []
        assert {r.state for r in session.exec(select(Outbox).where(
            Outbox.obligation_id == obligation.id))} == {"cancelled"}
    planned(engine, catalog, calendar, at("2026-12-08 08:00"))  # 14 days before the new date
    with session_scope(engine) as session:
        rows = pending_for(session, quarterly(session, unit_id).id)
        assert [r.unique_key.split(":")[1:3] for r in rows] == [["2026-12-22", "before-14d"]]

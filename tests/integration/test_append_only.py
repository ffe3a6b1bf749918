"""Logged events are evidence: the database itself refuses to replace, delete or empty them,
whichever statement is tried, and the bot may run as a role that cannot lift that refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from storage.db import session_scope
from storage.events import append_event
from storage.models import Event, Outbox
from storage.units import upsert_units
from tests.conftest import at


def logged_event(engine) -> Event:
    with session_scope(engine) as session:
        upsert_units(session, rows=[("U1", "UBND xã Một", "commune", None)],
                     now=at("2026-01-01 08:00"))
        unit_id = session.exec(text("SELECT id FROM unit")).scalar()
        return append_event(session, event=Event(unit_id=unit_id, actor="telegram:1001",
                                                 kind="done", at=at("2026-11-30 09:00"),
                                                 note="the original"))


# A forger's copy of the event: the same id, or another id with the same receipt number.
FORGERIES = {
    "sqlite": [
        "REPLACE INTO event (id, reference, unit_id, actor, at, kind, note) "
        "SELECT id, reference, unit_id, actor, at, kind, 'forged' FROM event WHERE id = :id",
        "INSERT OR REPLACE INTO event (id, reference, unit_id, actor, at, kind, note) "
        "SELECT id + 100, reference, unit_id, actor, at, kind, 'forged' FROM event "
        "WHERE id = :id",
    ],
    "postgresql": [
        "INSERT INTO event (id, reference, unit_id, actor, at, kind, note) "
        "SELECT id, reference, unit_id, actor, at, kind, 'forged' FROM event WHERE id = :id "
        "ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note",
    ],
}


def test_a_logged_event_cannot_be_replaced(engine):
    event = logged_event(engine)
    for statement in FORGERIES[engine.dialect.name]:
        with pytest.raises(DBAPIError, match="append-only"), session_scope(engine) as session:
            session.exec(text(statement).bindparams(id=event.id))
    with session_scope(engine) as session:
        assert [(e.id, e.note) for e in session.exec(select(Event))] == [(event.id,
                                                                         "the original")]
        # Ordinary inserts still work, and take their receipt number.
        later = append_event(session, event=Event(unit_id=event.unit_id, actor="cli:test",
                                                  kind="done", at=at("2026-12-01 09:00")))
    assert later.reference == f"ISO-2026-{later.id:06d}" and later.id > event.id


@pytest.mark.postgres
def test_the_events_cannot_be_emptied_at_once(engine):
    event = logged_event(engine)
    for statement in ("TRUNCATE event", "TRUNCATE unit CASCADE"):
        with pytest.raises(DBAPIError, match="append-only"), session_scope(engine) as session:
            session.exec(text(statement))
    with session_scope(engine) as session:
        assert session.get(Event, event.id).note == "the original"



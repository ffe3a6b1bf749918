"""Hand-made records for the export tests: a small unit tree, obligations, logged evidence."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session
from typer.testing import Result

from jobs.calendar.workdays import VIETNAM
from storage.events import append_event
from storage.models import Event, Member, Obligation, Role
from storage.obligations import (
    Origin,
    cancel_pending_messages,
    complete_obligation,
    ensure_obligation,
)
from storage.units import unit_by_code, upsert_units
from tests.support import cli

# The CLI's clock during the exports: the "today" that decides what is overdue.
TODAY = dt.datetime(2026, 6, 1, 10, 0, tzinfo=VIETNAM)
REGISTERED = dt.datetime(2025, 1, 2, 8, 0, tzinfo=VIETNAM)


def isobot(database_url: str, *args: str, moment: dt.datetime = TODAY) -> Result:
    """Run the CLI against ``database_url`` as at ``moment``."""
    return cli.isobot(database_url, *args, now=moment)


def small_tree(session: Session) -> None:
    """A province, two communes, a school under one of them, and a commune merged into T-A."""
    upsert_units(session, rows=[
        ("T", "UBND tỉnh Thử", "province", None),
        ("T-A", "UBND xã An", "commune", "T"),
        ("T-B", "UBND xã Bình", "commune", "T"),
        ("T-B-S", "Trường Tiểu học Bình", "school", "T-B"),
        ("T-OLD", "UBND xã Cũ", "commune", "T"),
    ], now=REGISTERED)
    old = unit_by_code(session, code="T-OLD")
    old.active, old.merged_into_id = False, unit_by_code(session, code="T-A").id
    session.add(old)


def owe(session: Session, unit: str, duty: str, period: str, due: dt.date,
        **fields: object) -> Obligation:
    """The obligation of ``unit`` for ``duty`` and ``period``, due ``due``."""
    obligation, _ = ensure_obligation(session, unit_id=unit_by_code(session, code=unit).id,
                                      duty_key=duty, period=period, due=due, now=REGISTERED,
                                      origin=Origin(**fields))
    return obligation


def redate(session: Session, *, obligation: Obligation, due: dt.date) -> None:
    """Give ``obligation`` a new due date, as someone editing the database would, and cancel
    the reminders planned for the old one."""
    obligation.due = due
    session.add(obligation)
    cancel_pending_messages(session, obligation_id=obligation.id)


def log(session: Session, *, unit: str, obligation: Obligation | None, moment: dt.datetime,
        kind: str = "submitted", **fields: object) -> Event:
    """Log evidence from officer telegram:1001; an obligation given is closed by it."""
    event = append_event(session, event=Event(
        unit_id=unit_by_code(session, code=unit).id,
        obligation_id=obligation.id if obligation else None, actor="telegram:1001", at=moment,
        kind=kind, **fields))
    if obligation is not None:
        complete_obligation(session, obligation=obligation, event_id=event.id, now=moment)
    return event


def member(session: Session, unit: str, role: Role, user: int, name: str,
           lang: str = "vi") -> Member:
    """A Telegram account ``user`` acting for ``unit`` in ``role`` since 5 January 2026."""
    row = Member(unit_id=unit_by_code(session, code=unit).id, role=role, platform="telegram",
                 platform_user_id=str(user), chat_id=str(user), display_name=name, language=lang,
                 joined_at=dt.datetime(2026, 1, 5, 8, 0, tzinfo=VIETNAM))
    session.add(row)
    session.flush()
    return row

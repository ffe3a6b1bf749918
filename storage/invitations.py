"""Queries on invitations across many units: open codes, who sits in a role, a subtree's state.

Each reads the whole table once and the caller keeps the units it asked for: a province's
thousands of unit ids never go into one ``IN (…)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.models import Event, Invite, Member


def open_invites(session: Session, *, unit_ids: Iterable[int], role: str,
                 now: dt.datetime) -> list[Invite]:
    """The invites of ``unit_ids`` in ``role`` not used and not expired at ``now``, newest
    first."""
    wanted = set(unit_ids)
    found = session.exec(select(Invite).where(
        Invite.role == role, col(Invite.used_at).is_(None), Invite.expires_at > now)
        .order_by(col(Invite.created_at).desc(), col(Invite.id).desc()))
    return [invite for invite in found if invite.unit_id in wanted]


def revoke_invites(session: Session, *, unit_ids: Iterable[int], role: str,
                   now: dt.datetime) -> int:
    """Let the open invites of ``unit_ids`` in ``role`` expire at ``now``; returns how many."""
    ids = [i.id for i in open_invites(session, unit_ids=unit_ids, role=role, now=now)]
    for start in range(0, len(ids), 500):
        session.connection().execute(update(Invite).where(
            col(Invite.id).in_(ids[start:start + 500])).values(expires_at=now))
    session.expire_all()
    return len(ids)


def members_in_role(session: Session, *, unit_ids: Iterable[int], role: str) -> set[int]:
    """Which of ``unit_ids`` have an active member in ``role``."""
    wanted = set(unit_ids)
    return {unit_id for unit_id in session.exec(
        select(Member.unit_id).where(Member.role == role, Member.active).distinct())
        if unit_id in wanted}


def members_per_unit(session: Session) -> dict[tuple[int, str], int]:
    """How many active members each unit has in each role: (unit id, role) -> count."""
    return {(unit_id, role): count for unit_id, role, count in session.exec(
        select(Member.unit_id, Member.role, func.count()).where(Member.active)
        .group_by(Member.unit_id, Member.role))}


def open_invites_per_unit(session: Session, *,
                          now: dt.datetime) -> dict[int, tuple[int, dt.datetime]]:
    """Each unit's open invites (any role): how many, and until when the last one is valid."""
    return {unit_id: (count, until) for unit_id, count, until in session.exec(
        select(Invite.unit_id, func.count(), func.max(Invite.expires_at))
        .where(col(Invite.used_at).is_(None), Invite.expires_at > now)
        .group_by(Invite.unit_id))}


def last_activity_per_unit(session: Session) -> dict[int, dt.datetime]:
    """Each unit's last sign of life: the latest report logged or member joined."""
    latest: dict[int, dt.datetime] = {}
    for query in (select(Event.unit_id, func.max(Event.at)).group_by(Event.unit_id),
                  select(Member.unit_id, func.max(Member.joined_at)).group_by(Member.unit_id)):
        for unit_id, moment in session.exec(query):
            if moment is not None and (unit_id not in latest or moment > latest[unit_id]):
                latest[unit_id] = moment
    return latest


def invites_made_between(session: Session, *, role: str, since: dt.datetime,
                         until: dt.datetime) -> list[Invite]:
    """The invites in ``role`` made in (``since``, ``until``], oldest first."""
    return list(session.exec(select(Invite).where(
        Invite.role == role, Invite.created_at > since, Invite.created_at <= until)
        .order_by(Invite.created_at, Invite.id)))

"""Queries on members (messenger accounts acting for units) and their invite codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel import Session, col, select

from storage.models import Invite, Member, Unit


def add_invite(session: Session, *, code: str, unit_id: int, role: str, now: dt.datetime,
               expires_at: dt.datetime) -> Invite:
    """Store a new invite code."""
    invite = Invite(code=code, unit_id=unit_id, role=role, created_at=now, expires_at=expires_at)
    session.add(invite)
    session.flush()
    return invite


def invite_by_code(session: Session, *, code: str, lock: bool = False) -> Invite | None:
    """The invite with ``code``; ``lock`` holds the row so two redemptions cannot both win."""
    query = select(Invite).where(Invite.code == code)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def accounts(session: Session, *, platform: str, user_id: str) -> list[tuple[Member, Unit]]:
    """Every active membership of one messenger account, with its unit."""
    return list(session.exec(
        select(Member, Unit).join(Unit, Unit.id == Member.unit_id)
        .where(Member.platform == platform, Member.platform_user_id == user_id, Member.active)
        .order_by(Unit.code, Member.role)
    ))


def find_member(session: Session, *, unit_id: int, role: str, platform: str,
                user_id: str) -> Member | None:
    """The membership of an account in a unit and role, active or not."""
    return session.exec(
        select(Member).where(Member.unit_id == unit_id, Member.role == role,
                             Member.platform == platform, Member.platform_user_id == user_id)
    ).first()


def members_of(session: Session, *, unit_ids: Iterable[int], roles: Iterable[str]) -> list[Member]:
    """Active members of ``unit_ids`` with one of ``roles``."""
    return list(session.exec(
        select(Member).where(col(Member.unit_id).in_(list(unit_ids)),
                             col(Member.role).in_(list(roles)), Member.active)
        .order_by(Member.id)
    ))


def set_language(session: Session, *, platform: str, user_id: str, language: str) -> int:
    """Set the language of every membership of an account; returns how many changed."""
    members = session.exec(
        select(Member).where(Member.platform == platform, Member.platform_user_id == user_id))
    count = 0
    for member in members:
        member.language = language
        session.add(member)
        count += 1
    return count

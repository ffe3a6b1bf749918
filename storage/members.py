"""Queries on members (messenger accounts acting for units) and their invite codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypeVar

from sqlmodel import Session, col, or_, select

from storage.models import Invite, LinkCode, Member, Unit, WrongCode

CodeRow = TypeVar("CodeRow", Invite, LinkCode)


def add_invite(session: Session, *, code: str, unit_id: int, role: str, now: dt.datetime,
               expires_at: dt.datetime) -> Invite:
    """Store a new invite code."""
    invite = Invite(code=code, unit_id=unit_id, role=role, created_at=now, expires_at=expires_at)
    session.add(invite)
    session.flush()
    return invite


def invite_by_code(session: Session, *, code: str, lock: bool = False) -> Invite | None:
    """The invite with ``code``; ``lock`` holds the row so two redemptions cannot both win."""
    return _single_use_code(session, Invite, code=code, lock=lock)


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


class Recipient(Protocol):
    """An active member as the planner needs it; the field names are :class:`Member`'s."""

    id: int
    unit_id: int
    role: str
    platform: str
    chat_id: str
    language: str
    person_id: int | None
    receives_reminders: bool


def active_recipients(session: Session) -> list[Recipient]:
    """Every active member in id order: rows (named tuples), never objects."""
    return session.connection().execute(
        select(Member.id, Member.unit_id, Member.role, Member.platform, Member.chat_id,
               Member.language, Member.person_id, Member.receives_reminders)
        .where(Member.active).order_by(Member.id)
    ).all()


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


def add_link_code(session: Session, *, code: str, member_id: int, now: dt.datetime,
                  expires_at: dt.datetime) -> LinkCode:
    """Store a new link code for the account of ``member_id``."""
    link = LinkCode(code=code, member_id=member_id, created_at=now, expires_at=expires_at)
    session.add(link)
    session.flush()
    return link


def link_code_by_code(session: Session, *, code: str, lock: bool = False) -> LinkCode | None:
    """The link code ``code``; ``lock`` holds the row so two redemptions cannot both win."""
    return _single_use_code(session, LinkCode, code=code, lock=lock)


def _single_use_code(session: Session, table: type[CodeRow], *, code: str,
                     lock: bool) -> CodeRow | None:
    query = select(table).where(table.code == code)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def account_rows(session: Session, *, platform: str, user_id: str) -> list[Member]:
    """Every membership of one messenger account, active or not."""
    return list(session.exec(
        select(Member).where(Member.platform == platform, Member.platform_user_id == user_id)
        .order_by(Member.id)))


def person_rows(session: Session, *, person_ids: Iterable[int]) -> list[Member]:
    """Every membership, on any messenger, of the people ``person_ids``."""
    ids = list(person_ids)
    return list(session.exec(
        select(Member).where(or_(col(Member.person_id).in_(ids), col(Member.id).in_(ids)))
        .order_by(Member.id)))


def members_by_id(session: Session, *, ids: Iterable[int]) -> dict[int, Member]:
    """The members with ``ids``, by id (one query for a whole batch)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(wanted)))}


def add_wrong_code(session: Session, *, platform: str, user_id: str, at: dt.datetime) -> None:
    """Record that an account sent a code that matched nothing."""
    session.add(WrongCode(platform=platform, user_id=user_id, at=at))
    session.flush()


def wrong_codes_since(session: Session, *, platform: str, user_id: str,
                      since: dt.datetime) -> list[dt.datetime]:
    """When an account sent codes that matched nothing, from ``since`` on, oldest first."""
    return list(session.exec(
        select(WrongCode.at).where(WrongCode.platform == platform, WrongCode.user_id == user_id,
                                   WrongCode.at >= since).order_by(WrongCode.at)))

"""One person, two messengers: linking a Telegram and a Zalo account, and where reminders go.

A registered person asks for a link code on one messenger (``/lienket``) and sends it to the bot
from the other. The second account then gets the same memberships (unit and role) as the first,
and every row of both accounts shares ``Member.person_id`` (the id of the person's first row).
The person chooses which account receives reminders (``/kenh``): ``Member.receives_reminders``.
:func:`preferred` applies that choice wherever the planner picks recipients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session

from jobs.people.registration import joined_membership, new_code, unusable
from storage.members import (
    account_rows,
    add_link_code,
    link_code_by_code,
    person_rows,
)
from storage.models import LinkCode, Member, Unit

LINK_VALID = dt.timedelta(minutes=30)


def person_of(member: Member) -> int:
    """The person behind a membership: their first row's id."""
    return member.person_id or member.id


def create_link_code(session: Session, *, member: Member, now: dt.datetime) -> LinkCode:
    """A single-use code, valid for :data:`LINK_VALID`, for adding the account of ``member``."""
    return add_link_code(session, code=new_code(), member_id=member.id, now=now,
                         expires_at=now + LINK_VALID)


@dataclass(frozen=True)
class Linked:
    """The outcome of redeeming a link code: ``problem`` is None on success."""

    members: list[tuple[Member, Unit]] = field(default_factory=list)
    other_platform: str | None = None
    problem: str | None = None  # unknown, used, expired, same_messenger, inactive


def redeem_link(session: Session, *, code: str, platform: str, user_id: str, chat_id: str,
                display_name: str, now: dt.datetime) -> Linked:
    """Give this account the memberships of the account that asked for ``code``."""
    link = link_code_by_code(session, code=code.strip().upper(), lock=True)
    if problem := unusable(link, now):
        return Linked(problem=problem)
    source = session.get(Member, link.member_id)
    if source.platform == platform:
        return Linked(problem="same_messenger")
    sources = account_rows(session, platform=source.platform, user_id=source.platform_user_id)
    units = {m.unit_id: session.get(Unit, m.unit_id) for m in sources}
    active = [m for m in sources if m.active and units[m.unit_id].active]
    if not active:
        return Linked(problem="inactive")
    targets = account_rows(session, platform=platform, user_id=user_id)
    people = {person_of(m) for m in [*sources, *targets]}
    person = min(people)
    for row in person_rows(session, person_ids=people):
        row.person_id = person
        session.add(row)
    linked = []
    for mine in active:
        member = joined_membership(session, Member(
            unit_id=mine.unit_id, role=mine.role, platform=platform, platform_user_id=user_id,
            chat_id=chat_id, display_name=display_name, language=mine.language, joined_at=now))
        member.person_id = person
        linked.append((member, units[mine.unit_id]))
    link.used_at = now
    session.add(link)
    session.flush()
    return Linked(members=linked, other_platform=source.platform)


def linked_rows(session: Session, members: Iterable[Member]) -> list[Member]:
    """Every membership of the people behind ``members``, and of all their accounts."""
    people = {person_of(m) for m in members}
    rows = {m.id: m for m in person_rows(session, person_ids=people)}
    for account in {(m.platform, m.platform_user_id) for m in rows.values()}:
        rows.update({m.id: m for m in account_rows(session, platform=account[0],
                                                   user_id=account[1])})
    return sorted(rows.values(), key=lambda m: m.id)


def choose_channel(session: Session, *, members: Iterable[Member],
                   platforms: Iterable[str] | None) -> None:
    """Send the person's reminders to ``platforms`` only (None: to every account)."""
    wanted = set(platforms) if platforms is not None else None
    for row in linked_rows(session, members):
        row.receives_reminders = wanted is None or row.platform in wanted
        session.add(row)


def preferred(members: Iterable[Member]) -> list[Member]:
    """Of the members a message is meant for, the accounts their person chose.

    A person whose chosen accounts are all gone (e.g. blocked the bot) still gets the message
    on the others, rather than nowhere.
    """
    members = list(members)
    chosen = {person_of(m) for m in members if m.receives_reminders}
    return [m for m in members if m.receives_reminders or person_of(m) not in chosen]

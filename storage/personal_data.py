"""Queries behind a person's data rights: what is held about their accounts, and erasing what is
not evidence (the rules are in :mod:`jobs.people.personal_data`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, or_, update
from sqlmodel import Session, col, func, select

from storage.models import ChatState, Event, LinkCode, Member, Outbox, OutboxState, WrongCode

Account = tuple[str, str]  # (platform, user id)


def events_logged(session: Session, *, member_ids: Iterable[int]) -> int:
    """How many events the memberships ``member_ids`` logged."""
    return session.exec(select(func.count()).select_from(Event)
                        .where(col(Event.member_id).in_(list(member_ids)))).one()


def messages_pending(session: Session, *, member_ids: Iterable[int]) -> int:
    """How many messages to ``member_ids`` wait in the outbox."""
    return session.exec(select(func.count()).select_from(Outbox).where(
        col(Outbox.member_id).in_(list(member_ids)), Outbox.state == OutboxState.PENDING)).one()


def cancel_pending(session: Session, *, member_ids: Iterable[int]) -> int:
    """Cancel every message to ``member_ids`` not sent yet; returns how many."""
    return session.execute(update(Outbox).where(
        col(Outbox.member_id).in_(list(member_ids)), Outbox.state == OutboxState.PENDING)
        .values(state=OutboxState.CANCELLED)).rowcount


def delete_link_codes(session: Session, *, member_ids: Iterable[int]) -> int:
    """Delete the link codes the memberships ``member_ids`` asked for; returns how many."""
    return session.execute(delete(LinkCode).where(
        col(LinkCode.member_id).in_(list(member_ids)))).rowcount


def delete_chat_states(session: Session, *, accounts: Iterable[Account]) -> int:
    """Delete the conversation state of ``accounts`` in every chat; returns how many."""
    pairs = [and_(ChatState.platform == p, ChatState.user_id == u) for p, u in accounts]
    if not pairs:
        return 0
    return session.execute(delete(ChatState).where(or_(*pairs))).rowcount


def delete_wrong_codes(session: Session, *, accounts: Iterable[Account]) -> int:
    """Delete the record of wrong codes ``accounts`` sent; returns how many."""
    pairs = [and_(WrongCode.platform == p, WrongCode.user_id == u) for p, u in accounts]
    if not pairs:
        return 0
    return session.execute(delete(WrongCode).where(or_(*pairs))).rowcount


def replace_names(session: Session, *, members: Iterable[Member]) -> None:
    """Give ``members`` a neutral label instead of a name: their number, as ``isobot members
    list`` shows it."""
    for member in members:
        member.display_name = f"#{member.id}"
        session.add(member)

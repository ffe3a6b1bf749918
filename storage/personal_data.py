"""Queries behind a person's data rights: what is held about their accounts, and erasing what is
not evidence (the rules are in :mod:`jobs.people.personal_data`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import Text, and_, cast, delete, or_, update
from sqlmodel import Session, col, func, select

from storage.models import (
    Absence,
    ChatState,
    Directive,
    Event,
    Inbox,
    InboxState,
    LegalDocument,
    LinkCode,
    Member,
    Obligation,
    Outbox,
    OutboxState,
    WrongCode,
)

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


def replace_identities(session: Session, *, members: Iterable[Member]) -> None:
    """Give ``members`` a neutral label instead of a name, an account and a chat: their number,
    as ``isobot members list`` shows it."""
    for member in members:
        member.display_name = member.platform_user_id = member.chat_id = f"#{member.id}"
        session.add(member)


def erase_messages_to(session: Session, *, member_ids: Iterable[int],
                      chats: Iterable[Account]) -> int:
    """Empty every message to ``member_ids`` or into ``chats`` (its address and its text),
    sent or not; one not sent yet is cancelled. Returns how many."""
    to_them = or_(col(Outbox.member_id).in_(list(member_ids)),
                  *(and_(col(Outbox.member_id).is_(None), Outbox.platform == p,
                         Outbox.chat_id == c) for p, c in chats))
    session.execute(update(Outbox).where(to_them, Outbox.state == OutboxState.PENDING)
                    .values(state=OutboxState.CANCELLED))
    return session.execute(update(Outbox).where(to_them).values(chat_id="", payload={})
                           ).rowcount


def erase_recipient(session: Session, *, row: Outbox) -> None:
    """Empty a message that went (or was given up): its address and its text."""
    row.chat_id, row.payload = "", {}
    session.add(row)


def texts_naming(session: Session, *, names: Iterable[str],
                 since: dt.datetime) -> list[Outbox | ChatState]:
    """Messages queued since ``since`` and conversation states whose JSON holds one of
    ``names`` (as written, or escaped as JSON writes letters outside ASCII)."""
    forms = {form for name in names for form in (name, json.dumps(name)[1:-1])}
    found: list[Outbox | ChatState] = []
    for table, column, after in ((Outbox, Outbox.payload, col(Outbox.created_at) >= since),
                                 (ChatState, ChatState.state, col(ChatState.updated_at) >= since)):
        text = cast(column, Text)
        found += session.exec(select(table).where(
            after, or_(*(text.contains(form, autoescape=True) for form in forms)))).all()
    return found


def training_duties(session: Session, *, periods: Iterable[str]) -> list[Obligation]:
    """The obligations of ``periods`` (a new officer's training: ``T-<member id>``)."""
    return list(session.exec(select(Obligation).where(col(Obligation.period).in_(list(periods)))))


def replace_actor(session: Session, *, actor: str, by: str) -> None:
    """Write ``by`` where an absence, a directive or a legal document names ``actor``
    ("telegram:1001") as who recorded it. Events keep theirs: they are evidence."""
    for table, column in ((Absence, Absence.created_by), (Directive, Directive.issued_by),
                          (LegalDocument, LegalDocument.registered_by)):
        session.execute(update(table).where(column == actor).values({column.key: by}))


def delete_failed_updates(session: Session, *, chats: Iterable[Account]) -> int:
    """Delete the updates from ``chats`` that failed: set aside for a retry, or given up and
    kept for the operator (either would keep the person's words, and name, after they left).
    Returns how many."""
    pairs = [and_(Inbox.platform == p, Inbox.chat_key == c) for p, c in chats]
    if not pairs:
        return 0
    failed = col(Inbox.state).in_([InboxState.ASIDE, InboxState.PARKED])
    return session.execute(delete(Inbox).where(failed, or_(*pairs))).rowcount

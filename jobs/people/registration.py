"""Invite codes: made by an operator, redeemed once by a messenger account before they expire."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlmodel import Session

from jobs.text.i18n import Translator
from storage.members import (
    add_invite,
    add_wrong_code,
    find_member,
    invite_by_code,
    wrong_codes_since,
)
from storage.models import Invite, LinkCode, Member, Role, Unit

# No 0/O or 1/I/L: codes are read aloud and typed on phones. 12 symbols of 31 ≈ 59 bits.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12

# Codes are single-use and expire, but could still be guessed: after this many wrong ones in
# the window, an account may try no code at all (not even a right one) for the window.
WRONG_CODES_ALLOWED = 5
WRONG_CODE_WINDOW = dt.timedelta(hours=1)


def new_code() -> str:
    """A random invite code, safe for a ``t.me`` deep link (``A-Za-z0-9_-``)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def looks_like_code(text: str) -> bool:
    """Whether ``text`` has the shape of an invite code (so bare codes on Zalo are recognised)."""
    candidate = text.strip().upper()
    return len(candidate) == CODE_LENGTH and all(c in _ALPHABET for c in candidate)


def create_invite(session: Session, *, unit: Unit, role: Role, now: dt.datetime,
                  valid_days: int) -> Invite:
    """A new single-use invite to ``unit`` in ``role``, valid for ``valid_days``."""
    if valid_days < 1:
        raise ValueError("an invite must be valid for at least one day")
    return add_invite(session, code=new_code(), unit_id=unit.id, role=role, now=now,
                      expires_at=now + dt.timedelta(days=valid_days))


@dataclass(frozen=True)
class Redeemed:
    """The outcome of redeeming an invite: ``problem`` is None on success."""

    member: Member | None = None
    unit: Unit | None = None
    problem: str | None = None  # unknown, used, expired, inactive_unit


def unusable(code: Invite | LinkCode | None, now: dt.datetime) -> str | None:
    """Why a single-use code cannot be redeemed (unknown, used, expired), or None if it can."""
    if code is None:
        return "unknown"
    if code.used_at is not None:
        return "used"
    if now >= code.expires_at:
        return "expired"
    return None


def joined_membership(session: Session, wanted: Member) -> Member:
    """The account's membership in ``wanted``'s unit and role: the one it had (a code redeemed
    again, or a member who left and came back), active again, else ``wanted`` itself; either way
    with ``wanted``'s chat and name. One row per account, unit and role (``uq_member_account``).
    """
    member = find_member(session, unit_id=wanted.unit_id, role=wanted.role,
                         platform=wanted.platform, user_id=wanted.platform_user_id) or wanted
    member.active, member.chat_id, member.display_name = True, wanted.chat_id, wanted.display_name
    session.add(member)
    return member


def redeem_invite(session: Session, *, code: str, platform: str, user_id: str, chat_id: str,
                  display_name: str, now: dt.datetime) -> Redeemed:
    """Bind a messenger account to the invite's unit and role; the code is then spent."""
    invite = invite_by_code(session, code=code.strip().upper(), lock=True)
    if problem := unusable(invite, now):
        return Redeemed(problem=problem)
    unit = session.get(Unit, invite.unit_id)
    if unit is None or not unit.active:
        return Redeemed(problem="inactive_unit")
    member = joined_membership(session, Member(
        unit_id=unit.id, role=invite.role, platform=platform, platform_user_id=user_id,
        chat_id=chat_id, display_name=display_name, joined_at=now))
    session.flush()
    invite.used_at, invite.used_by_member_id = now, member.id
    session.add(invite)
    return Redeemed(member=member, unit=unit)


def blocked_until(session: Session, *, platform: str, user_id: str,
                  now: dt.datetime) -> dt.datetime | None:
    """Until when an account may not redeem codes after too many wrong ones; None: it may."""
    wrong = wrong_codes_since(session, platform=platform, user_id=user_id,
                              since=now - WRONG_CODE_WINDOW)
    if len(wrong) < WRONG_CODES_ALLOWED:
        return None
    return wrong[-WRONG_CODES_ALLOWED] + WRONG_CODE_WINDOW


def record_wrong_code(session: Session, *, platform: str, user_id: str,
                      now: dt.datetime) -> dt.datetime | None:
    """Count a wrong code; returns until when the account is now blocked, if it is."""
    add_wrong_code(session, platform=platform, user_id=user_id, at=now)
    return blocked_until(session, platform=platform, user_id=user_id, now=now)


def role_text(role: str, tr: Translator) -> str:
    """A role as a person reads it."""
    return {
        Role.OFFICER: tr._("ISO officer"),
        Role.HEAD: tr._("head of unit"),
        Role.SUPERVISOR: tr._("ISO standing office (supervisor)"),
        Role.OPERATOR: tr._("operator"),
    }.get(role, role)

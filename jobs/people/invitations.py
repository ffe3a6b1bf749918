"""Invitations for many units at once: who still needs a code, the codes, and what a sheet shows.

A province comes aboard in a day: the operator (``isobot invite --under …``) or a supervisor
(``/moi``) asks for the units of a subtree, and each unit that has nobody active in the role gets
a single-use code (:mod:`jobs.people.registration`). A code still open is handed out again
rather than doubled, unless the codes are made ``again``: then every unit gets a new one and the
open ones are revoked (they expire at once, so a lost sheet opens nothing).

Who has *joined* is one rule for the whole bot: a unit has joined when it has an active ISO
officer (:func:`storage.absences.staffed_units`), the same rule that says a unit "has no ISO
officer" when its last one leaves (:mod:`jobs.people.handover`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from jobs.people.registration import create_invite
from storage.invitations import members_in_role, open_invites, revoke_invites
from storage.models import Invite, Role, Unit
from storage.units import parent_codes

DEFAULT_VALID_DAYS = 14


@dataclass(frozen=True)
class JoinWay:
    """How a code is used on one messenger: ``link`` makes a link that carries the code (None
    when the messenger has none: the person types the code to the bot)."""

    brand: str
    link: Callable[[str], str | None]

    def qr_text(self, code: str) -> str:
        """What the card's QR code for this messenger holds: the link, else the code itself."""
        return self.link(code) or code


@dataclass(frozen=True)
class Invitation:
    """One unit's code, as a sheet row and a card show it."""

    unit_code: str
    unit_name: str
    parent_code: str
    role: str
    code: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class InvitationRequest:
    """What to invite: ``units`` in ``role``, codes valid ``valid_days``; ``again``: new codes
    for every unit, the open ones revoked."""

    units: Sequence[Unit]
    role: Role
    valid_days: int = DEFAULT_VALID_DAYS
    again: bool = False


def issue_invitations(session: Session, *, request: InvitationRequest,
                      now: dt.datetime) -> list[Invitation]:
    """The invitations ``request`` asks for, in the order of its units: an open code is handed
    out again, a unit with an active member in the role gets none (unless ``again``)."""
    ids = [u.id for u in request.units]
    role = request.role
    opened: dict[int, Invite] = {}
    if request.again:
        revoke_invites(session, unit_ids=ids, role=role, now=now)
    else:
        for invite in open_invites(session, unit_ids=ids, role=role, now=now):
            opened.setdefault(invite.unit_id, invite)  # the newest first
    seated = set() if request.again else members_in_role(session, unit_ids=ids, role=role)
    parents = parent_codes(session)
    invitations = []
    for unit in request.units:
        if unit.id in seated:
            continue
        invite = opened.get(unit.id) or create_invite(
            session, unit=unit, role=role, now=now, valid_days=request.valid_days)
        invitations.append(Invitation(unit.code, unit.name, parents.get(unit.code) or "",
                                      role.value, invite.code, invite.expires_at))
    return invitations

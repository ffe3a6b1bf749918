"""Who has joined: each unit's members and open invitations, and the reminder to a head whose
unit has not joined two weeks after its invitation.

A unit has joined when it has an active ISO officer: one rule with the digest's "units without
an ISO officer" and the notice that a unit "has no ISO officer" any more
(:func:`storage.absences.staffed_units`, :mod:`jobs.people.handover`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from jobs.delivery.messages import Message
from jobs.people.handover import HEAD_UNTIL_AN_OFFICER
from jobs.planning.planner import recipients
from jobs.reports.export import Table
from jobs.text.i18n import N_, Translator, translator
from storage.absences import staffed_units
from storage.invitations import (
    invites_made_between,
    last_activity_per_unit,
    members_per_unit,
    open_invites_per_unit,
)
from storage.models import Invite, Role, Unit
from storage.outbox import enqueue

#: A unit still without an officer this long after its invitation reminds its head.
NUDGE_AFTER = dt.timedelta(days=14)
#: How late the reminder may still go (the bot was down): older invitations are left alone.
NUDGE_WINDOW = dt.timedelta(days=7)

#: ``isobot units status --format csv``: stable English keys; the XLSX translates them.
STATUS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", N_("Unit")),
    ("name", N_("Unit name")),
    ("kind", N_("Kind")),
    ("officers", N_("ISO officers")),
    ("heads", N_("Heads")),
    ("supervisors", N_("Supervisors")),
    ("open_invites", N_("Open invitations")),
    ("last_activity", N_("Last activity")),
)


@dataclass(frozen=True)
class UnitStatus:
    """One unit as ``isobot units status`` shows it."""

    code: str
    name: str
    kind: str
    officers: int
    heads: int
    supervisors: int
    open_invites: int
    open_until: dt.datetime | None  # until when its last open invitation is valid
    last_activity: dt.datetime | None  # the latest report logged or member joined

    @property
    def joined(self) -> bool:
        """Whether the unit has an ISO officer."""
        return self.officers > 0


def units_status(session: Session, *, units: Sequence[Unit], now: dt.datetime) -> list[UnitStatus]:
    """The state of ``units`` at ``now``, in their order."""
    members = members_per_unit(session)
    invites = open_invites_per_unit(session, now=now)
    active = last_activity_per_unit(session)
    return [UnitStatus(u.code, u.name, u.kind, members.get((u.id, Role.OFFICER), 0),
                       members.get((u.id, Role.HEAD), 0), members.get((u.id, Role.SUPERVISOR), 0),
                       *invites.get(u.id, (0, None)), active.get(u.id))
            for u in units]


def status_table(rows: Sequence[UnitStatus], tr: Translator | None = None) -> Table:
    """The rows under the stable keys, with headers in ``tr``'s language (the keys without)."""
    keys = tuple(k for k, _ in STATUS_COLUMNS)
    headers = tuple(tr._(h) for _, h in STATUS_COLUMNS) if tr else keys
    return Table(keys=keys, headers=headers, rows=[
        (r.code, r.name, r.kind, r.officers, r.heads, r.supervisors, r.open_invites,
         r.last_activity) for r in rows])


def status_totals(rows: Sequence[UnitStatus], tr: Translator) -> str:
    """The totals line: units, how many joined, open invitations."""
    return tr._("{units} units: {joined} with an ISO officer, {waiting} without; {invites} open "
                "invitations.").format(
        units=len(rows), joined=sum(r.joined for r in rows),
        waiting=sum(not r.joined for r in rows), invites=sum(r.open_invites for r in rows))


def remind_heads_of_unjoined(session: Session, *, now: dt.datetime) -> int:
    """Queue, once per invitation, a reminder to the heads of each unit still without an ISO
    officer :data:`NUDGE_AFTER` after its officer's invitation; returns how many were new."""
    made = invites_made_between(session, role=Role.OFFICER, since=now - NUDGE_AFTER - NUDGE_WINDOW,
                                until=now - NUDGE_AFTER)
    staffed = staffed_units(session)
    latest: dict[int, Invite] = {i.unit_id: i for i in made if i.unit_id not in staffed}
    queued = 0
    for invite in latest.values():
        unit = session.get(Unit, invite.unit_id)
        if unit is None or not unit.active:
            continue
        for head in recipients(session, unit=unit, role=Role.HEAD):
            tr = translator(head.language)
            text = "\n".join([
                tr._("⚠️ {unit} has no ISO officer on isobot yet, {days} days after its "
                     "invitation.").format(unit=unit.name, days=NUDGE_AFTER.days),
                tr._(HEAD_UNTIL_AN_OFFICER)])
            queued += enqueue(session, key=f"invite-nudge:{invite.id}:{head.id}", member=head,
                              kind="notice", payload=Message(text).to_payload(), now=now)
    return queued

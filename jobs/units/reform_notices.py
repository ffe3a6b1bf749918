"""Who is told what when a reorganisation plan takes effect: each officer of a merged unit, which
unit they now act for; each supervisor above a changed unit, one summary of the plan. Queued in
the outbox like every notice, once per plan and person (the key carries the effective date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlmodel import Session, select

from jobs.delivery.messages import Message
from jobs.planning.planner import recipients
from jobs.text.i18n import translator
from storage.models import Member, Role, Unit
from storage.outbox import enqueue


def members_of(session: Session, *, codes: Iterable[str]) -> dict[int, int]:
    """The active members of the units with ``codes``: member id → unit id (before a merge)."""
    return dict(session.exec(select(Member.id, Member.unit_id).join(Unit).where(
        Unit.code.in_(list(codes)), Member.active)).all())


def tell_moved_members(session: Session, *, before: Mapping[int, int], effective: dt.date,
                       now: dt.datetime) -> int:
    """Tell each member whose unit changed since ``before`` (member id → former unit id) which
    unit they act for now; returns how many were told."""
    told = 0
    for member in session.exec(select(Member).where(Member.id.in_(list(before)))):
        if member.unit_id == before[member.id] or not member.active:
            continue
        old, new = session.get(Unit, before[member.id]), session.get(Unit, member.unit_id)
        tr = translator(member.language)
        text = tr._("🏛 From {date}, {old} is merged into {new}. You now act for {new} in "
                    "isobot: its duties and reminders are yours.").format(
            date=tr.short_date(effective), old=old.name, new=new.name)
        told += enqueue(session, key=f"reform:{effective.isoformat()}:{member.id}",
                        member=member, kind="notice", payload=Message(text).to_payload(),
                        now=now)
    return told


def tell_supervisors_of_plan(session: Session, *, codes: Iterable[str],
                             counts: Mapping[str, int], announcements: int,
                             effective: dt.date, now: dt.datetime) -> int:
    """One summary of the plan to each supervisor above any of the units with ``codes``."""
    units = session.exec(select(Unit).where(Unit.code.in_(list(codes)))).all()
    supervisors = {s.id: s for unit in units
                   for s in recipients(session, unit=unit, role=Role.SUPERVISOR)}
    for supervisor in supervisors.values():
        tr = translator(supervisor.language)
        text = tr._("🏛 The reorganisation of {date} took effect: {merged} unit(s) merged, "
                    "{moved} moved, {renamed} renamed, {new} new, {closed} closed; {count} "
                    "unit(s) must announce their QMS again.").format(
            date=tr.short_date(effective), merged=counts.get("merge", 0),
            moved=counts.get("move", 0), renamed=counts.get("rename", 0),
            new=counts.get("new", 0), closed=counts.get("close", 0), count=announcements)
        enqueue(session, key=f"reform:{effective.isoformat()}:summary:{supervisor.id}",
                member=supervisor, kind="notice", payload=Message(text).to_payload(), now=now)
    return len(supervisors)

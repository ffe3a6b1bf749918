"""Correcting logged evidence: a new event that points at the one it corrects; nothing is
overwritten (DOMAIN.md, "What a reply logs").

The officer who logged an event may correct it, and so may a supervisor of its unit. The
correction copies the latest version, changes what was wrong (the document's number and date,
the file, the number of nonconformities, the note), gets its own receipt and becomes the
obligation's evidence; the obligation keeps the day it was done, so a typo fixed later does
not make a duty late. The supervisors are told, and the officer too when a supervisor corrected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Message
from jobs.evidence.submissions import (
    MAX_NONCONFORMITIES,
    FileEvidence,
    Submission,
    corrective_actions,
    describe,
    missing_evidence,
)
from jobs.people.linking import person_of
from jobs.planning.planner import recipients
from jobs.text.i18n import translator
from jobs.text.labels import named_period
from storage.events import append_event, latest_version
from storage.models import Event, Member, Obligation, ObligationStatus, Role, Unit
from storage.obligations import cancel_pending_messages
from storage.outbox import enqueue
from storage.units import subtree_ids


@dataclass(frozen=True)
class Change:
    """What a correction changes; None leaves a field as it was."""

    document_number: str | None = None
    document_date: dt.date | None = None
    file: FileEvidence | None = None
    nonconformities: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Corrected:
    """The outcome: the new event and the one it corrects, or the ``problem`` that stopped it."""

    event: Event | None = None
    corrects: Event | None = None
    problem: str | None = None  # not_allowed, nothing_changed, bad_nonconformities, missing


def may_correct(session: Session, member: Member, event: Event) -> bool:
    """Whether ``member`` may correct ``event``: its own logger (any of that person's accounts,
    still acting for the unit), or a supervisor whose subtree holds the unit."""
    if not member.active:
        return False
    if member.role == Role.SUPERVISOR:
        return event.unit_id in subtree_ids(session, unit_id=member.unit_id)
    logger = session.get(Member, event.member_id) if event.member_id else None
    return (logger is not None and member.unit_id == event.unit_id
            and member.role in (Role.OFFICER, Role.HEAD)
            and (person_of(member) == person_of(logger)
                 or (member.platform, member.platform_user_id)
                 == (logger.platform, logger.platform_user_id)))


def correct_event(session: Session, *, member: Member, event: Event, change: Change,
                  now: dt.datetime, catalog: Catalog, calendar: WorkCalendar) -> Corrected:
    """Record ``change`` to the latest version of ``event`` as a new event pointing at it."""
    old = latest_version(session, event=event)
    if not may_correct(session, member, old):
        return Corrected(problem="not_allowed")
    n = change.nonconformities
    if n is not None and not 0 <= n <= MAX_NONCONFORMITIES:
        return Corrected(problem="bad_nonconformities")
    new = _revised(old, change, member=member, now=now)
    if _same(old, new):
        return Corrected(corrects=old, problem="nothing_changed")
    obligation = session.get(Obligation, old.obligation_id) if old.obligation_id else None
    if obligation is not None and missing_evidence(catalog.duty(obligation.duty_key),
                                                   _as_submission(new)):
        return Corrected(corrects=old, problem="missing")
    new = append_event(session, event=new)
    if obligation is not None:
        _follow(session, obligation=obligation, old=old, new=new, now=now, catalog=catalog,
                calendar=calendar)
    _tell(session, old=old, new=new, member=member, obligation=obligation, now=now,
          catalog=catalog)
    return Corrected(event=new, corrects=old)


def preview(old: Event, change: Change) -> Event:
    """``old`` with ``change`` applied, not stored: what the correction will say."""
    fields = {k: getattr(old, k) for k in ("obligation_id", "unit_id", "kind", "document_number",
                                           "document_date", "file_name", "file_hash",
                                           "file_ref", "evidence_file_id", "note",
                                           "nonconformities")}
    if change.document_number is not None:
        fields.update(document_number=change.document_number, document_date=change.document_date)
    if change.file is not None:
        fields.update(file_name=change.file.name, file_hash=change.file.sha256,
                      file_ref=change.file.ref, evidence_file_id=change.file.file_id)
    if change.nonconformities is not None:
        fields["nonconformities"] = change.nonconformities
    if change.note is not None:
        fields["note"] = change.note
    return Event(**fields, reference=old.reference, actor=old.actor)


def _revised(old: Event, change: Change, *, member: Member, now: dt.datetime) -> Event:
    new = preview(old, change)
    new.member_id, new.at, new.correction_of_id = member.id, now, old.id
    new.actor = f"{member.platform}:{member.platform_user_id}"
    return new


def _same(old: Event, new: Event) -> bool:
    return all(getattr(old, k) == getattr(new, k) for k in (
        "document_number", "document_date", "file_hash", "nonconformities", "note"))


def _as_submission(event: Event) -> Submission:
    file = (FileEvidence(event.file_name, event.file_hash, event.file_ref,
                         event.evidence_file_id) if event.file_hash else None)
    return Submission(obligation_id=event.obligation_id or 0,
                      document_number=event.document_number, document_date=event.document_date,
                      file=file, note=event.note, nonconformities=event.nonconformities)


def _follow(session: Session, *, obligation: Obligation, old: Event, new: Event,
            now: dt.datetime, catalog: Catalog, calendar: WorkCalendar) -> None:
    """The obligation's evidence is the new version; an audit's corrective actions follow its
    new count (open extra ones are cancelled, those already done stay)."""
    if obligation.done_event_id == old.id:
        obligation.done_event_id = new.id
        session.add(obligation)
    if obligation.duty_key != "internal_audit" or new.nonconformities == old.nonconformities:
        return
    count = new.nonconformities or 0
    corrective_actions(session, obligation=obligation, event=new, count=count, now=now,
                       catalog=catalog, calendar=calendar)
    prefix = f"{obligation.period}-NC"
    for action in session.exec(select(Obligation).where(
            Obligation.unit_id == obligation.unit_id, Obligation.duty_key == "corrective_action",
            Obligation.status == ObligationStatus.OPEN)):
        number = action.period.removeprefix(prefix)
        if action.period.startswith(prefix) and number.isdigit() and int(number) > count:
            action.status = ObligationStatus.CANCELLED
            session.add(action)
            cancel_pending_messages(session, obligation_id=action.id)


def _tell(session: Session, *, old: Event, new: Event, member: Member,
          obligation: Obligation | None, now: dt.datetime, catalog: Catalog) -> None:
    """The supervisors, and the logger when someone else corrected, read what changed."""
    unit = session.get(Unit, new.unit_id)
    people = recipients(session, unit=unit, role=Role.SUPERVISOR)
    logger = session.get(Member, old.member_id) if old.member_id else None
    if logger is not None and logger.active and person_of(logger) != person_of(member):
        people.append(logger)
    for person in people:
        if person_of(person) == person_of(member):
            continue
        tr = translator(person.language)
        duty = catalog.get(obligation.duty_key) if obligation is not None else None
        title = duty.title.get(tr.lang) if duty is not None else new.kind
        period = named_period(obligation, tr) if obligation is not None else ""
        lines = [tr._("✏️ {unit} corrected its record of “{title}” ({period}).").format(
                     unit=unit.name, title=title, period=period),
                 tr._("New receipt {new}, replacing {old}.").format(new=new.reference,
                                                                    old=old.reference),
                 tr._("Before:"), *describe(old, tr), tr._("Now:"), *describe(new, tr),
                 tr._("Corrected by: {name}").format(
                     name=member.display_name or member.platform_user_id)]
        enqueue(session, key=f"correction:{new.id}:{person.id}", member=person, kind="notice",
                payload=Message("\n".join(lines)).to_payload(), now=now)

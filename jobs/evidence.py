"""Logging evidence: a reply that says a duty is done becomes an event, and what follows from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session

from jobs.calendar import WorkCalendar
from jobs.catalog import Catalog
from jobs.i18n import translator
from jobs.labels import document_text, named_period
from jobs.messages import Choice, Message
from jobs.obligations import event_due_date
from jobs.planner import recipients
from storage.events import append_event
from storage.models import (
    Event,
    Member,
    Obligation,
    ObligationSource,
    ObligationStatus,
    Role,
    Unit,
)
from storage.obligations import complete_obligation, ensure_obligation
from storage.outbox import enqueue

# Who may say a unit's duty is done: its own officers and head, never another unit.
_MAY_LOG = {Role.OFFICER, Role.HEAD}
MAX_NONCONFORMITIES = 200


@dataclass(frozen=True)
class FileEvidence:
    """A file or photo attached as evidence: its name, SHA-256 (None while its download is
    pending), the messenger's file id, and its row on the way into the evidence store."""

    name: str
    sha256: str | None
    ref: str | None = None
    file_id: int | None = None


@dataclass(frozen=True)
class Submission:
    """What an officer reported for an obligation."""

    obligation_id: int
    document_number: str | None = None
    document_date: dt.date | None = None
    file: FileEvidence | None = None
    note: str | None = None
    nonconformities: int | None = None


@dataclass(frozen=True)
class Logged:
    """The outcome: the event and what it caused, or the ``problem`` that stopped it."""

    event: Event | None = None
    obligation: Obligation | None = None
    unit: Unit | None = None
    corrective_actions: list[Obligation] = field(default_factory=list)
    problem: str | None = None  # not_found, not_allowed, already_done, bad_nonconformities


def may_log(member: Member, obligation: Obligation) -> bool:
    """Whether ``member`` may log evidence for ``obligation``."""
    return member.active and member.unit_id == obligation.unit_id and member.role in _MAY_LOG


def event_kind(evidence: str) -> str:
    """The event kind recorded for a duty whose catalog evidence is ``evidence``."""
    return {"document": "submitted", "audit": "audit_done", "review": "review_done"}.get(
        evidence, "done")


def log_submission(session: Session, *, member: Member, submission: Submission,
                   now: dt.datetime, catalog: Catalog, calendar: WorkCalendar) -> Logged:
    """Record ``submission`` as evidence, close the obligation and tell the supervisors.

    An internal audit with N nonconformities creates N corrective-action obligations.
    """
    obligation = session.get(Obligation, submission.obligation_id, with_for_update=True)
    if obligation is None:
        return Logged(problem="not_found")
    if not may_log(member, obligation):
        return Logged(problem="not_allowed")
    if obligation.status != ObligationStatus.OPEN:
        return Logged(problem="already_done", obligation=obligation)
    n = submission.nonconformities
    if n is not None and not 0 <= n <= MAX_NONCONFORMITIES:
        return Logged(problem="bad_nonconformities")
    unit = session.get(Unit, obligation.unit_id)
    duty = catalog.for_unit(unit.code).duty(obligation.duty_key)
    event = append_event(session, event=Event(
        obligation_id=obligation.id, unit_id=unit.id, member_id=member.id,
        actor=f"{member.platform}:{member.platform_user_id}", at=now,
        kind=event_kind(duty.evidence), document_number=submission.document_number,
        document_date=submission.document_date,
        file_name=submission.file.name if submission.file else None,
        file_hash=submission.file.sha256 if submission.file else None,
        file_ref=submission.file.ref if submission.file else None,
        evidence_file_id=submission.file.file_id if submission.file else None,
        note=submission.note, nonconformities=n,
    ))
    complete_obligation(session, obligation=obligation, event_id=event.id, now=now)
    actions = _corrective_actions(session, obligation=obligation, event=event, count=n or 0,
                                  now=now, catalog=catalog, calendar=calendar)
    _tell_supervisors(session, unit=unit, obligation=obligation, event=event, now=now,
                      catalog=catalog)
    return Logged(event=event, obligation=obligation, unit=unit, corrective_actions=actions)


def _corrective_actions(session: Session, *, obligation: Obligation, event: Event, count: int,
                        now: dt.datetime, catalog: Catalog,
                        calendar: WorkCalendar) -> list[Obligation]:
    if obligation.duty_key != "internal_audit" or count == 0:
        return []
    unit = session.get(Unit, obligation.unit_id)
    duty = catalog.for_unit(unit.code).duty("corrective_action")
    found_on = event.document_date or now.astimezone(calendar.tz).date()
    due = event_due_date(duty, found_on, calendar)
    return [
        ensure_obligation(session, unit_id=obligation.unit_id, duty_key=duty.key,
                          period=f"{obligation.period}-NC{i}", due=due, now=now,
                          source=ObligationSource.AUDIT, source_ref=event.reference)[0]
        for i in range(1, count + 1)
    ]


def _tell_supervisors(session: Session, *, unit: Unit, obligation: Obligation, event: Event,
                      now: dt.datetime, catalog: Catalog) -> None:
    duty = catalog.for_unit(unit.code).duty(obligation.duty_key)
    for supervisor in recipients(session, unit=unit, role=Role.SUPERVISOR):
        tr = translator(supervisor.language)
        lines = [
            tr._("✅ {unit} has completed “{title}” for {period}.").format(
                unit=unit.name, title=duty.title.get(tr.lang),
                period=named_period(obligation, tr)),
            tr._("Deadline: {date}").format(date=tr.date(obligation.due)),
        ]
        if event.document_number:
            lines.append(tr._("Document: {document}").format(document=document_text(
                event.document_number, event.document_date, tr)))
        if event.nonconformities is not None:
            lines.append(tr._("Nonconformities found: {n}").format(n=event.nonconformities))
        lines.append(tr._("Receipt: {reference}").format(reference=event.reference))
        # The file itself is one tap away (bot/evidence_chat.py: /xem).
        view = (Choice(f"xem:{event.reference}", tr._("View the file")),) \
            if event.evidence_file_id else ()
        enqueue(session, key=f"notice:{event.id}:{supervisor.id}", member=supervisor,
                kind="notice", payload=Message("\n".join(lines), view).to_payload(), now=now)

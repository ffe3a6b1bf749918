"""Logging evidence: a reply that says a duty is done becomes an event, and what follows from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog, Duty
from jobs.delivery.messages import Choice, Message
from jobs.planning.obligations import Period, event_due_date
from jobs.planning.planner import recipients
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import Translator, translator
from jobs.text.labels import document_text, named_period
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
from storage.obligations import Origin, complete_obligation, ensure_obligation
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
    problem: str | None = None  # not_found, not_allowed, already_done, bad_nonconformities,
    # missing_evidence


# How far before the day a duty arose a document may be dated without a question, for a duty
# that has no calendar period (a directive, a training): anything older is most likely a typo.
_EVENT_DUTY_SLACK = dt.timedelta(days=366)


def missing_evidence(duty: Duty, submission: Submission) -> tuple[str | tuple[str, ...], ...]:
    """The catalog's requirements of ``duty`` (``requires``) that ``submission`` does not meet."""
    return tuple(need for need in duty.requires
                 if not any(_carries(item, submission)
                            for item in (need if isinstance(need, tuple) else (need,))))


def _carries(requirement: str, submission: Submission) -> bool:
    if requirement in ("document", "minutes"):
        return bool(submission.document_number) and submission.document_date is not None
    return {"file": submission.file is not None, "count": submission.nonconformities is not None,
            "note": bool(submission.note and submission.note.strip())}.get(requirement, False)


def accepts(duty: Duty, requirement: str) -> bool:
    """Whether ``duty`` takes ``requirement`` as evidence at all (required or one of several)."""
    return any(requirement in (need if isinstance(need, tuple) else (need,))
               for need in duty.requires)


def earliest_plausible(obligation: Obligation) -> dt.date:
    """The earliest date a document reporting on ``obligation`` is expected to carry.

    A calendar period starts on its first day ("2026-Q4": 1 October 2026); a duty created by an
    event, a year before it arose. An earlier date is asked about, not refused: a quality
    objectives decision may be signed in December for the next year.
    """
    try:
        period = Period.parse(obligation.period)
    except ValueError:
        arose = obligation.created_at.date() if obligation.created_at else obligation.due
        return arose - _EVENT_DUTY_SLACK
    month = (period.quarter - 1) * 3 + 1 if period.quarter else period.month or 1
    return dt.date(period.year, month, 1)


def may_log(member: Member, obligation: Obligation) -> bool:
    """Whether ``member`` may log evidence for ``obligation``."""
    return member.active and member.unit_id == obligation.unit_id and member.role in _MAY_LOG


def event_kind(evidence: str) -> str:
    """The event kind recorded for a duty whose catalog evidence is ``evidence``."""
    return {"document": "submitted", "audit": "audit_done", "review": "review_done"}.get(
        evidence, "done")


def describe(event: Event, tr: Translator) -> list[str]:
    """The evidence an event carries, one line each, as receipts and notices show it."""
    lines = []
    if event.document_number:
        lines.append(tr._("Document: {number} dated {date}").format(
            number=event.document_number,
            date=tr.short_date(event.document_date) if event.document_date else "—"))
    if event.nonconformities is not None:
        lines.append(tr._("Nonconformities found: {n}").format(n=event.nonconformities))
    if event.file_name:
        lines.append(tr._("File: {name}").format(name=event.file_name))
    if event.note:
        lines.append(tr._("Note: {note}").format(note=event.note))
    return lines


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
    duty = catalog.duty(obligation.duty_key)
    if missing_evidence(duty, submission):
        return Logged(problem="missing_evidence", obligation=obligation)
    unit = session.get(Unit, obligation.unit_id)
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
    actions = corrective_actions(session, obligation=obligation, event=event, count=n or 0,
                                 now=now, catalog=catalog, calendar=calendar)
    _tell_supervisors(session, unit=unit, obligation=obligation, event=event, now=now,
                      catalog=catalog)
    return Logged(event=event, obligation=obligation, unit=unit, corrective_actions=actions)


def corrective_actions(session: Session, *, obligation: Obligation, event: Event, count: int,
                       now: dt.datetime, catalog: Catalog,
                       calendar: WorkCalendar) -> list[Obligation]:
    """One corrective-action obligation per nonconformity an internal audit found (those that
    exist already are kept as they are)."""
    if obligation.duty_key != "internal_audit" or count == 0:
        return []
    duty = catalog.duty("corrective_action")
    found_on = event.document_date or now.astimezone(calendar.tz).date()
    due = event_due_date(duty, found_on, calendar)
    return [
        ensure_obligation(session, unit_id=obligation.unit_id, duty_key=duty.key,
                          period=f"{obligation.period}-NC{i}", due=due, now=now,
                          origin=Origin(ObligationSource.AUDIT, ref=event.reference))[0]
        for i in range(1, count + 1)
    ]


def _tell_supervisors(session: Session, *, unit: Unit, obligation: Obligation, event: Event,
                      now: dt.datetime, catalog: Catalog) -> None:
    duty = catalog.duty(obligation.duty_key)
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
        # The file itself is one tap away (bot/features/evidence_chat.py: /xem).
        view = (Choice(choice_id("xem", event.reference), tr._("View the file")),) \
            if event.evidence_file_id else ()
        enqueue(session, key=f"notice:{event.id}:{supervisor.id}", member=supervisor,
                kind="notice", payload=Message("\n".join(lines), view).to_payload(), now=now)

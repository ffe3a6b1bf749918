"""Queries for the supervisors' page (``/tongquan``): the obligations of a scope's year, one
unit's records, and the directives issued within a scope. Rows, never objects, where a whole
province is read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Row
from sqlmodel import Session, col, or_, select

from storage.models import (
    Directive,
    Event,
    EvidenceFile,
    Member,
    Obligation,
    ObligationStatus,
    Outbox,
    OutboxState,
    Role,
)

#: How many ids one ``IN`` list carries: well under every database's limit on parameters.
_CHUNK = 900


def scope_obligations(session: Session, *, unit_ids: Iterable[int], due_from: dt.date,
                      exclude_duty: str | None = None) -> list[Row]:
    """The obligations of ``unit_ids`` a year's heat map counts: due on or after ``due_from``,
    or still open; cancelled ones never (fields of
    :class:`jobs.supervision.digest.DigestObligation`)."""
    ids, rows = sorted(unit_ids), []
    for start in range(0, len(ids), _CHUNK):
        query = (select(Obligation.unit_id, Obligation.duty_key, Obligation.period,
                        Obligation.due, Obligation.status, Obligation.done_at, Obligation.id,
                        Obligation.label, Obligation.note)
                 .where(col(Obligation.unit_id).in_(ids[start:start + _CHUNK]),
                        Obligation.status != ObligationStatus.CANCELLED,
                        or_(Obligation.status == ObligationStatus.OPEN,
                            Obligation.due >= due_from)))
        if exclude_duty is not None:
            query = query.where(Obligation.duty_key != exclude_duty)
        rows.extend(session.connection().execute(query).all())
    return rows


def open_obligations_of(session: Session, *, unit_id: int) -> list[Obligation]:
    """A unit's open obligations, soonest due first."""
    return list(session.exec(
        select(Obligation).where(Obligation.unit_id == unit_id,
                                 Obligation.status == ObligationStatus.OPEN)
        .order_by(Obligation.due, Obligation.id)))


def logged_events(session: Session, *, unit_id: int, since: dt.datetime,
                  limit: int = 50) -> list[tuple[Event, Obligation | None, EvidenceFile | None]]:
    """A unit's logged events since ``since``, newest first, with their obligation and file."""
    return list(session.exec(
        select(Event, Obligation, EvidenceFile)
        .join(Obligation, Obligation.id == Event.obligation_id, isouter=True)
        .join(EvidenceFile, EvidenceFile.id == Event.evidence_file_id, isouter=True)
        .where(Event.unit_id == unit_id, col(Event.at) >= since)
        .order_by(col(Event.at).desc(), col(Event.id).desc()).limit(limit)))


def unit_people(session: Session, *, unit_id: int) -> list[Member]:
    """A unit's active officers and heads."""
    return list(session.exec(
        select(Member).where(Member.unit_id == unit_id, Member.active,
                             col(Member.role).in_([Role.OFFICER, Role.HEAD]))
        .order_by(Member.role, Member.id)))


def directives_within(session: Session, *, issuer_unit_ids: Iterable[int],
                      limit: int = 20) -> list[Directive]:
    """The newest directives issued by units in ``issuer_unit_ids``."""
    ids = list(issuer_unit_ids)
    return list(session.exec(
        select(Directive).where(col(Directive.issuer_unit_id).in_(ids))
        .order_by(col(Directive.id).desc()).limit(limit)))


def directive_targets(session: Session, *, duty_key: str, periods: Iterable[str]) -> list[Row]:
    """Each obligation of ``periods`` of ``duty_key`` (a directive's, one period a directive):
    its period, status, due day, when done, whether the directive was delivered and whether
    anything was logged on it — in one query, however many units a directive went to."""
    delivered = (select(Outbox.id).where(Outbox.obligation_id == Obligation.id,
                                         Outbox.kind == "directive",
                                         Outbox.state == OutboxState.SENT).exists())
    logged = select(Event.id).where(Event.obligation_id == Obligation.id).exists()
    return session.connection().execute(
        select(Obligation.period, Obligation.status, Obligation.due, Obligation.done_at,
               delivered.label("delivered"), logged.label("acknowledged"))
        .where(Obligation.duty_key == duty_key, col(Obligation.period).in_(list(periods)))
    ).all()

"""Queries for the supervisors' page (``/tongquan``): the obligations of a scope's year, one
unit's records, and the directives issued within a scope. Rows, never objects, where a whole
province is read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Date, Integer, Row, and_, case, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
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


class _LocalDay(FunctionElement):
    """The calendar day of a UTC timestamp column at a fixed offset from UTC, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(_LocalDay, "sqlite")
def _local_day_sqlite(element: _LocalDay, compiler: Any, **kw: Any) -> str:
    moment, minutes = list(element.clauses)
    return (f"date({compiler.process(moment, **kw)}, "
            f"({compiler.process(minutes, **kw)}) || ' minutes')")


@compiles(_LocalDay, "postgresql")
def _local_day_postgresql(element: _LocalDay, compiler: Any, **kw: Any) -> str:
    moment, minutes = list(element.clauses)
    return (f"CAST(({compiler.process(moment, **kw)} AT TIME ZONE 'UTC') + "
            f"make_interval(mins => {compiler.process(minutes, **kw)}) AS DATE)")


def cell_tallies(session: Session, *, unit_ids: Iterable[int], year: tuple[dt.date, dt.date],
                 today: dt.date, utc_offset: dt.timedelta,
                 exclude_duty: str | None = None) -> list[Row]:
    """Per unit and duty, of the obligations due within ``year`` (first and last day) or
    still open past their due day: whether one is overdue, whether one is open and not yet
    due, how many were done, and how many of those late — done on a day after their due day,
    days being those ``utc_offset`` from UTC. Counted in the database: a province owes some
    100,000 obligations a year, and its supervisor's page should not carry them through
    Python one by one."""
    first, last = year
    is_open = Obligation.status == ObligationStatus.OPEN
    is_done = Obligation.status == ObligationStatus.DONE
    minutes = literal(int(utc_offset.total_seconds() // 60), Integer())
    late = and_(is_done, _LocalDay(Obligation.done_at, minutes) > Obligation.due)
    rows: list[Row] = []
    for chunk in _chunks(unit_ids):
        query = (select(Obligation.unit_id, Obligation.duty_key,
                        func.max(case((and_(is_open, Obligation.due < today), 1), else_=0))
                        .label("overdue"),
                        func.max(case((and_(is_open, Obligation.due >= today), 1), else_=0))
                        .label("not_due"),
                        func.sum(case((is_done, 1), else_=0)).label("done"),
                        func.sum(case((late, 1), else_=0)).label("late"))
                 .where(col(Obligation.unit_id).in_(chunk),
                        or_(Obligation.due.between(first, last),
                            and_(is_open, Obligation.due < today)))
                 .group_by(Obligation.unit_id, Obligation.duty_key))
        if exclude_duty is not None:
            query = query.where(Obligation.duty_key != exclude_duty)
        rows.extend(session.connection().execute(query).all())
    return rows


def _chunks(unit_ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(unit_ids)
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


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

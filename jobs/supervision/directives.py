"""Directives: a supervisor's request with a deadline, sent to units, followed up like any duty."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice, Message
from jobs.people.absence import officer_recipients
from jobs.planning.obligations import event_due_date
from jobs.supervision.scope import Scope, Targets
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import Translator, translator
from jobs.text.labels import DIRECTIVE_PREFIX, short_title
from jobs.text.reminder_texts import About, reminder
from storage.events import append_event
from storage.models import (
    Directive,
    Event,
    Member,
    Obligation,
    ObligationSource,
    ObligationStatus,
    Outbox,
    OutboxState,
    Unit,
)
from storage.obligations import Origin, ensure_obligation
from storage.outbox import enqueue

DUTY = "directive"
#: Directive.text, and the note of each target's obligation that carries it.
MAX_TEXT = 4000


def period_of(directive_id: int) -> str:
    """The period key of a directive's obligations: ``CD-12`` (people read its number)."""
    return f"{DIRECTIVE_PREFIX}{directive_id}"


def directive_number(label: str) -> int | None:
    """The id in a directive's key as an operator writes it: ``CD-12``, ``cd 12`` or ``12``."""
    digits = label.strip().upper().removeprefix("CD").strip(" -")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 10 else None


def directive_name(directive: Directive, tr: Translator, tz: dt.tzinfo) -> str:
    """What tells a directive apart after the word "directive": ``số 1699/UBND-TH`` (its
    official number), else ``ngày 01/12/2026`` (the day it was sent)."""
    if directive.number:
        return tr._("No. {number}").format(number=directive.number)
    return tr._("of {date}").format(
        date=tr.short_date(directive.created_at.astimezone(tz).date()))


def people_to_tell(session: Session, *, unit: Unit, day: dt.date) -> list[Member]:
    """Who receives a directive for ``unit`` on ``day``: those who get its officer reminders
    (:mod:`jobs.people.absence`: its officers, a substitute, its head when it has no officer)."""
    return officer_recipients(session, unit_id=unit.id, day=day)


@dataclass(frozen=True)
class Sent:
    """A directive as sent: how many units and people it reached."""

    directive: Directive
    units: int
    people: int


@dataclass(frozen=True)
class DirectiveOrder:
    """What a directive says and whom it is for.

    ``number`` is its official number ("1699/UBND-TH"), by which people then know it. Without
    a ``due`` date, the deadline is the catalog's default.
    """

    text: str
    scope: Scope
    targets: Targets
    due: dt.date | None = None
    number: str | None = None


@dataclass(frozen=True)
class Issuer:
    """On whose behalf a directive goes out (``unit``), and who sent it: ``by`` as the records
    name them (``cli:operator``, ``messenger:user id``), and the member when one did."""

    unit: Unit
    by: str
    member: Member | None = None


def send_directive(session: Session, *, order: DirectiveOrder, issuer: Issuer,
                   now: dt.datetime, catalog: Catalog, calendar: WorkCalendar) -> Sent:
    """Record the directive, give each target unit an obligation, and queue the broadcast."""
    today = now.astimezone(calendar.tz).date()
    number, text = order.number, order.text
    due = (calendar.deadline(order.due) if order.due
           else event_due_date(catalog.duty(DUTY), today, calendar))
    directive = Directive(number=number, text=text, issuer_unit_id=issuer.unit.id,
                          issued_by=issuer.by,
                          issued_by_member_id=issuer.member.id if issuer.member else None,
                          scope=order.scope.as_dict(), due=due, created_at=now)
    session.add(directive)
    session.flush()
    people = 0
    origin = Origin(ObligationSource.DIRECTIVE, ref=str(directive.id), note=text, label=number)
    for unit in order.targets.units:
        obligation, _ = ensure_obligation(session, unit_id=unit.id, duty_key=DUTY,
                                          period=period_of(directive.id), due=due, now=now,
                                          origin=origin)
        duty = catalog.for_unit(unit.code).duty(DUTY)  # its legal basis cites the unit's province
        for person in people_to_tell(session, unit=unit, day=today):
            tr = translator(person.language)
            about = About(obligation.id, unit.name, duty, obligation.period, due, text, number)
            message = reminder(about, today, tr)
            choices = (Choice(choice_id("ack", obligation.id), tr._("Received")), *message.choices)
            body = f"{_heading(number, issuer.unit, tr)}\n{message.text}"
            people += enqueue(session, key=f"directive:{directive.id}:{person.id}",
                              member=person, kind="directive", obligation_id=obligation.id,
                              payload=Message(body, choices).to_payload(), now=now)
    return Sent(directive, len(order.targets.units), people)


def _heading(number: str | None, issuer: Unit, tr: Translator) -> str:
    if number:
        return tr._("📢 DIRECTIVE No. {number} from {issuer}").format(number=number,
                                                                      issuer=issuer.name)
    return tr._("📢 DIRECTIVE from {issuer}").format(issuer=issuer.name)


def acknowledge(session: Session, *, member: Member, obligation: Obligation,
                now: dt.datetime) -> Event | None:
    """Record that ``member`` received a directive; None when already acknowledged or done."""
    seen = session.exec(select(Event).where(Event.obligation_id == obligation.id,
                                            col(Event.kind) == "acknowledged")).first()
    if seen is not None or obligation.status != ObligationStatus.OPEN:
        return None
    return append_event(session, event=Event(
        obligation_id=obligation.id, unit_id=obligation.unit_id, member_id=member.id,
        actor=f"{member.platform}:{member.platform_user_id}", at=now, kind="acknowledged"))


@dataclass(frozen=True)
class UnitProgress:
    """Where one unit stands on a directive."""

    unit: Unit
    delivered: bool
    acknowledged: bool
    done: bool
    late: bool  # done, after the deadline ("trễ hạn")
    overdue: bool  # not done, and the deadline has passed ("quá hạn")


def progress(session: Session, *, directive: Directive, today: dt.date,
             tz: dt.tzinfo) -> list[UnitProgress]:
    """Each target unit's state: delivered, acknowledged, done, late."""
    rows = session.exec(
        select(Obligation, Unit).join(Unit, Unit.id == Obligation.unit_id)
        .where(Obligation.duty_key == DUTY, Obligation.period == period_of(directive.id))
        .order_by(Unit.code)).all()
    result = []
    for obligation, unit in rows:
        delivered = session.exec(select(Outbox.id).where(
            Outbox.obligation_id == obligation.id, Outbox.kind == "directive",
            Outbox.state == OutboxState.SENT)).first() is not None
        kinds = set(session.exec(select(Event.kind).where(
            Event.obligation_id == obligation.id)).all())
        done = obligation.status == ObligationStatus.DONE
        finished = obligation.done_at.astimezone(tz).date() if obligation.done_at else None
        late = done and finished is not None and finished > obligation.due
        overdue = not done and today > obligation.due
        result.append(UnitProgress(unit, delivered, done or bool(kinds), done, late, overdue))
    return result


def report(session: Session, *, tr: Translator, today: dt.date, tz: dt.tzinfo,
           issuer_units: set[int] | None = None, directive_id: int | None = None,
           limit: int = 10) -> list[str]:
    """Lines a supervisor reads: per directive, delivered / acknowledged / done / late."""
    query = select(Directive).order_by(col(Directive.id).desc()).limit(limit)
    if directive_id is not None:
        query = query.where(Directive.id == directive_id)
    if issuer_units is not None:
        query = query.where(col(Directive.issuer_unit_id).in_(list(issuer_units)))
    lines = []
    for directive in session.exec(query):
        units = progress(session, directive=directive, today=today, tz=tz)
        overdue = [p.unit.name for p in units if p.overdue]
        late = [p.unit.name for p in units if p.late]
        lines.append(tr._("Directive {name} (due {date}): {text}").format(
            name=directive_name(directive, tr, tz), date=tr.short_date(directive.due),
            text=short_title(" ".join(directive.text.split()), 80)))
        lines.append("   " + tr._("{units} units · delivered {delivered} · acknowledged "
                                  "{acknowledged} · done {done}, of which late {late} · "
                                  "overdue {overdue}").format(
            units=len(units), delivered=sum(p.delivered for p in units),
            acknowledged=sum(p.acknowledged for p in units), done=sum(p.done for p in units),
            late=len(late), overdue=len(overdue)))
        if overdue:
            lines.append("   " + tr._("Overdue (not done): {units}").format(
                units=", ".join(overdue)))
        if late:
            lines.append("   " + tr._("Done late: {units}").format(units=", ".join(late)))
    return lines or [tr._("No directives yet.")]

"""Directives: a supervisor's request with a deadline, sent to units, followed up like any duty."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from jobs.absence import officer_recipients
from jobs.calendar import WorkCalendar
from jobs.catalog import Catalog
from jobs.i18n import Translator, translator
from jobs.messages import Choice, Message
from jobs.obligations import event_due_date
from jobs.reminder_texts import About, reminder
from jobs.scope import Scope, Targets
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
from storage.obligations import ensure_obligation
from storage.outbox import enqueue

DUTY = "directive"


def period_of(directive_id: int) -> str:
    """The period label of a directive's obligations: ``CD-12``."""
    return f"CD-{directive_id}"


def directive_number(label: str) -> int | None:
    """The id in a directive's label as people write it: ``CD-12``, ``cd 12`` or ``12``."""
    digits = label.strip().upper().removeprefix("CD").strip(" -")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 10 else None


def people_to_tell(session: Session, *, unit: Unit, day: dt.date) -> list[Member]:
    """Who receives a directive for ``unit`` on ``day``: those who get its officer reminders
    (:mod:`jobs.absence`: its officers, a substitute, its head when it has no officer)."""
    return officer_recipients(session, unit_id=unit.id, day=day)


@dataclass(frozen=True)
class Sent:
    """A directive as sent: how many units and people it reached."""

    directive: Directive
    units: int
    people: int


def send_directive(
    session: Session, *, text: str, targets: Targets, issuer_unit: Unit, issued_by: str,
    member: Member | None, due: dt.date | None, scope: Scope, now: dt.datetime,
    catalog: Catalog, calendar: WorkCalendar,
) -> Sent:
    """Record the directive, give each target unit an obligation, and queue the broadcast."""
    duty = catalog.duty(DUTY)
    today = now.astimezone(calendar.tz).date()
    due = calendar.deadline(due) if due else event_due_date(duty, today, calendar)
    directive = Directive(text=text, issuer_unit_id=issuer_unit.id, issued_by=issued_by,
                          issued_by_member_id=member.id if member else None,
                          scope=scope.as_dict(), due=due, created_at=now)
    session.add(directive)
    session.flush()
    people = 0
    for unit in targets.units:
        obligation, _ = ensure_obligation(
            session, unit_id=unit.id, duty_key=DUTY, period=period_of(directive.id), due=due,
            now=now, source=ObligationSource.DIRECTIVE, source_ref=str(directive.id), note=text)
        for person in people_to_tell(session, unit=unit, day=today):
            tr = translator(person.language)
            about = About(obligation.id, unit.name, duty, obligation.period, due, text)
            message = reminder(about, today, tr)
            heading = tr._("📢 DIRECTIVE {number} from {issuer}").format(
                number=period_of(directive.id), issuer=issuer_unit.name)
            choices = (Choice(f"ack:{obligation.id}", tr._("Received")), *message.choices)
            people += enqueue(session, key=f"directive:{directive.id}:{person.id}",
                              member=person, kind="directive", obligation_id=obligation.id,
                              payload=Message(f"{heading}\n{message.text}", choices).to_payload(),
                              now=now)
    return Sent(directive, len(targets.units), people)


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
    late: bool


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
        late = (finished > obligation.due) if done else today > obligation.due
        result.append(UnitProgress(unit, delivered, done or bool(kinds), done, late))
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
        late = [p.unit.name for p in units if p.late]
        lines.append(tr._("{number} (due {date}): {text}").format(
            number=period_of(directive.id), date=tr.short_date(directive.due),
            text=_shorten(directive.text)))
        lines.append("   " + tr._("{units} units · delivered {delivered} · acknowledged "
                                  "{acknowledged} · done {done} · late {late}").format(
            units=len(units), delivered=sum(p.delivered for p in units),
            acknowledged=sum(p.acknowledged for p in units), done=sum(p.done for p in units),
            late=len(late)))
        if late:
            lines.append("   " + tr._("Late: {units}").format(units=", ".join(late)))
    return lines or [tr._("No directives yet.")]


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""The person's duties as the chat shows them, shared by the features that list and log them."""

from __future__ import annotations

import datetime as dt

from bot.chat.turn import Turn
from bot.parsing import Intent
from jobs.catalog import Catalog, Duty
from jobs.delivery.messages import Choice
from jobs.delivery.offers import Offer
from jobs.evidence.submissions import may_log
from jobs.text.choice_ids import choice_id, record_id
from jobs.text.i18n import Translator
from jobs.text.labels import named_period
from jobs.text.reminder_texts import days_left_text
from storage.models import Event, Obligation, Role, Unit
from storage.obligations import open_obligations


def loggable_units(turn: Turn) -> dict[int, Unit]:
    """The units whose duties this person reports: as their officer or head."""
    return {u.id: u for m, u in turn.members if m.role in (Role.OFFICER, Role.HEAD)}


def my_open(turn: Turn, catalog: Catalog) -> list[tuple[Obligation, Unit]]:
    """Open obligations of the person's units, soonest first (duties the catalog still has)."""
    known = set(catalog.keys())
    return [(o, u) for o, u in open_obligations(turn.session, unit_ids=loggable_units(turn))
            if o.duty_key in known]


def my_obligation(turn: Turn, value: str) -> Obligation | None:
    """The obligation a choice names (``value`` of "done:12"), if this person may report on it;
    else says why not and returns None."""
    row_id = record_id(value)
    obligation = turn.session.get(Obligation, row_id) if row_id is not None else None
    if obligation is None or not any(may_log(m, obligation) for m, _ in turn.members):
        turn.say(turn.tr._("This duty does not belong to your unit, so you cannot report on it. "
                           "Nothing was recorded."))
        return None
    return obligation


def matching(turn: Turn, catalog: Catalog, intent: Intent) -> list[tuple[Obligation, Unit]]:
    """The person's open obligations that fit the duty and period a free-text reply names."""
    return [(o, u) for o, u in my_open(turn, catalog)
            if (intent.duty is None or o.duty_key == intent.duty)
            and period_matches(o.period, intent.period_hint)]


def period_matches(period: str, hint: str | None) -> bool:
    """Whether a stored period ("2026-Q3") is the one a reply named ("Q3", "2026", "Q3-2026")."""
    if not hint:
        return True
    return all(part in period.split("-") for part in hint.split("-"))


def duty_line(obligation: Obligation, unit: Unit, turn: Turn, catalog: Catalog) -> str:
    """``Báo cáo quý (quý 4/2026): 15/12/2026, còn 3 ngày``, with the unit when it has several."""
    tr = turn.tr
    title = catalog.duty(obligation.duty_key).title.get(tr.lang)
    named = f" — {unit.name}" if len(loggable_units(turn)) > 1 else ""
    return (f"{title} ({named_period(obligation, tr)}){named}: "
            f"{tr.short_date(obligation.due)}, {days_left_text(obligation.due, turn.today, tr)}")


def say_already_done(turn: Turn, obligation: Obligation, tz: dt.tzinfo) -> None:
    """Tell the person the duty is closed, with the receipt when it was reported, and offer to
    correct that record."""
    event = turn.session.get(Event, obligation.done_event_id) if obligation.done_event_id \
        else None
    if event is None:
        turn.say(turn.tr._("This duty is no longer open. Nothing was recorded."))
        return
    fix = turn.tr._("Correct this record")
    turn.say(turn.tr._("This duty was already reported done on {date} (receipt {reference}). "
                       "Nothing was changed. To correct that record, choose “{fix}” or type "
                       "/sua {reference}.").format(
        date=turn.tr.short_date(event.at.astimezone(tz).date()), reference=event.reference,
        fix=fix), (Choice(choice_id("fix", event.id), fix),))


def document_example(number: str, today: dt.date, tr: Translator) -> str:
    """An example document line dated ``today``, so it is valid on the day it is shown."""
    return tr._("{number} ngày {date}").format(number=number, date=tr.short_date(today))


def evidence_prompt(duty: Duty, tr: Translator, today: dt.date) -> str:
    """What to send as evidence of ``duty``, with an example valid today."""
    if duty.evidence == "review" or "minutes" in duty.requires:
        return tr._("Please send the number and date of the meeting minutes in one line, e.g. "
                    "{example}.").format(example=document_example("05/BB-UBND", today, tr))
    if duty.evidence == "audit":
        return tr._("Please send the number and date of the internal audit report in one line, "
                    "e.g. {example}.").format(example=document_example("12/BC-ĐGNB", today, tr))
    return tr._("Please send the document number and date in one line, e.g. {example}.").format(
        example=document_example("123/BC-UBND", today, tr))


def duty_heading(obligation: Obligation, catalog: Catalog, tr: Translator) -> str:
    """``“Báo cáo quý …” (quý 4/2026)``: the duty a step is about, named at every step."""
    duty = catalog.get(obligation.duty_key)
    title = duty.title.get(tr.lang) if duty is not None else obligation.duty_key
    return tr._("“{title}” ({period})").format(title=title,
                                               period=named_period(obligation, tr))


def offer_heading(turn: Turn, catalog: Catalog, offer: Offer) -> str:
    """The line above choices offered again: which duty they are about, when they name one."""
    about = offer.about()
    obligation = turn.session.get(Obligation, about) if about is not None else None
    if obligation is None or obligation.unit_id not in loggable_units(turn):
        return turn.tr._("The choices still open:")
    return turn.tr._("The choices still open for {duty}:").format(
        duty=duty_heading(obligation, catalog, turn.tr))

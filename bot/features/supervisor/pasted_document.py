"""A directive's text pasted into ``/chidao`` as the document system printed it (Decree
30/2020/NĐ-CP layout): its number, date, subject, deadline and recipients fill the draft
(:mod:`jobs.documents`), and the supervisor confirms, or changes the deadline or the units,
before anything is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import parsing
from bot.chat.turn import Turn
from jobs.calendar.workdays import WorkCalendar
from jobs.delivery.messages import Choice
from jobs.documents.draft import Draft, make_draft
from jobs.documents.fields import DocumentFields, read_fields
from jobs.documents.recipients import UnitTree
from jobs.supervision.scope import Scope, Targets
from jobs.text.choice_ids import choice_id
from storage.models import Unit
from storage.units import all_units, subtree_ids

if TYPE_CHECKING:
    from bot.features.supervisor.directive import DirectiveDraft

#: How many units the draft names before "and N more".
NAMED_UNITS = 3


def read_pasted(turn: Turn, draft: DirectiveDraft, text: str, calendar: WorkCalendar,
                limit: int) -> bool:
    """Fill ``draft`` from ``text`` when it is a numbered letter with a
    subject; False, ``draft`` untouched, when it is a plain instruction."""
    return read_into(turn, draft, read_fields(text), calendar, limit)


def read_into(turn: Turn, draft: DirectiveDraft, fields: DocumentFields, calendar: WorkCalendar,
              limit: int) -> bool:
    """Fill ``draft`` from a document's ``fields``, for the desk the supervisor acts for, when
    it has a number and a subject; False, ``draft`` untouched, when not."""
    number = parsing.parse_document_number(fields.number) if fields.number else None
    if number is None or not fields.subject:
        return False
    desk = turn.session.get(Unit, draft.issuer)
    made = make_draft(fields, tree=UnitTree(all_units(turn.session, active_only=True)),
                      calendar=calendar, issuer=desk)
    fill_from_document(turn, draft, made, limit)
    return True


def fill_from_document(turn: Turn, draft: DirectiveDraft, made: Draft, limit: int) -> None:
    """Fill ``draft`` from a document read for the desk ``draft.issuer``: only the units
    that desk reaches are kept, the others are listed as not matched; a deadline already
    past is left for the supervisor to give."""
    fields = made.fields
    within = subtree_ids(turn.session, unit_id=draft.issuer)
    draft.number = parsing.parse_document_number(fields.number or "")
    draft.text, draft.dated = (fields.subject or "")[:limit], fields.date
    draft.unmatched = (*made.unmatched, *(u.name for u in made.targets if u.id not in within))
    draft.due = made.due if made.due and made.due >= turn.today else None
    codes = tuple(u.code for u in made.targets if u.id in within)
    draft.scope = Scope(codes=codes) if codes else None
    draft.from_document = True


def document_lines(turn: Turn, draft: DirectiveDraft, reached: Targets, people: int,
                   deadline: str) -> list[str]:
    """The draft read from a pasted document, for the supervisor to check."""
    tr = turn.tr
    names = ", ".join(u.name for u in reached.units[:NAMED_UNITS])
    if len(reached.units) > NAMED_UNITS:
        names += tr._(" and {count} more").format(count=len(reached.units) - NAMED_UNITS)
    headings = {"inbox": tr._("A directive arrived from the document system (file {name}). "
                              "It reads:"),
                "file": tr._("I read this directive from the file {name} you sent:")}
    heading = headings.get(draft.origin, tr._("I read this directive from the text you sent:"))
    lines = [heading.format(name=draft.source),
             tr._("Number: {number}").format(number=draft.number),
             tr._("Dated: {date}").format(date=tr.date(draft.dated) if draft.dated else "?"),
             f"“{draft.text}”",
             tr._("Deadline: {date}").format(date=deadline),
             tr._("It will reach {units} units and {people} people.").format(
                 units=len(reached.units), people=people)]
    if names:
        lines.append(names)
    if draft.unmatched:
        lines.append(tr._("Not matched to any unit: {lines}").format(
            lines="; ".join(draft.unmatched)))
    lines.append(tr._("Send it? Nothing is sent until you confirm."))
    return lines


def document_choices(turn: Turn) -> tuple[Choice, ...]:
    """Send, change the deadline, change the units, or cancel."""
    tr = turn.tr
    return (Choice(choice_id("cd-confirm", "yes"), tr._("Send")),
            Choice(choice_id("cd-confirm", "due"), tr._("Change the deadline")),
            Choice(choice_id("cd-confirm", "units"), tr._("Change the units")),
            Choice(choice_id("cd-confirm", "no"), tr._("Cancel")))


__all__ = ["document_choices", "document_lines", "fill_from_document", "read_into",
           "read_pasted"]

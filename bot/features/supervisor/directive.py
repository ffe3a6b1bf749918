"""``/chidao``: a supervisor composes a directive and sends it to units, with a deadline.

The steps: on whose behalf (when the supervisor has several desks), the text, its official
number, the units (all, a kind, listed codes), the deadline, a confirmation naming how many
units and people it reaches. Sending is :func:`jobs.supervision.directives.send_directive`,
called in one place, :meth:`DirectiveFlow.send`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot import parsing
from bot.chat.flow import END, STAY, Answer, Flow, Next, On, Steps, choose_again
from bot.chat.turn import IncomingFile, Turn
from bot.features.supervisor.addressing import (
    Addressed,
    Addressing,
    issuer_of,
    targets,
    too_long,
)
from bot.features.supervisor.pasted_document import (
    document_choices,
    document_lines,
    fill_from_document,
    read_into,
    read_pasted,
)
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.documents.draft import Draft
from jobs.documents.edxml import PackageRefused
from jobs.documents.reading import Unreadable, read_document
from jobs.supervision.directives import (
    MAX_TEXT,
    DirectiveOrder,
    Issuer,
    directive_name,
    people_to_tell,
    send_directive,
)
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_

KIND = "directive"


class Step(StrEnum):
    """What the supervisor is asked next. Stored in the chat state: the values never change."""

    ISSUER = "issuer"  # on behalf of which unit (a supervisor of several)
    TEXT = "text"  # what units must do
    NUMBER = "number"  # its official number, or none
    SCOPE = "scope"  # all units, a kind, or listed codes
    KIND = "kind"  # which kind of unit
    CODES = "codes"  # the units' codes
    DUE = "due"  # the deadline, or the catalog's default
    CONFIRM = "confirm"  # send or cancel


@dataclass
class DirectiveDraft(Addressed):
    """The directive being composed."""

    text: str = ""
    number: str | None = None
    due: dt.date | None = None
    # Read from a pasted document: its date, and the recipients matched to no unit.
    from_document: bool = False
    dated: dt.date | None = None
    unmatched: tuple[str, ...] = ()
    source: str = ""  # the file it was read from, when it came as one
    origin: str = ""  # "inbox": from the document system's folder; "file": sent in the chat


class DirectiveFlow:
    """The steps of ``/chidao``."""

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        self.catalog = catalog
        self.calendar = calendar
        address = Addressing(Step, first=Step.TEXT, after_scope=Step.DUE,
                             question=N_("Which units must carry it out?"))
        self.address = address
        self.steps = Steps(KIND, DirectiveDraft, {
            Step.ISSUER: On(address.take_issuer, address.ask_issuer),
            Step.TEXT: On(self._take_text, self._ask_text),
            Step.NUMBER: On(self._take_number, self._ask_number),
            Step.SCOPE: On(address.take_scope, address.ask_scope),
            Step.KIND: On(address.take_kind, address.ask_kind),
            Step.CODES: On(address.take_codes, address.ask_codes),
            Step.DUE: On(self._take_due, self._ask_due),
            Step.CONFIRM: On(self._take_confirm, self._ask_confirm),
        }, before=address.before)

    def begin(self, turn: Turn, args: str) -> None:
        """/chidao [text]: the text may come with the command."""
        draft = DirectiveDraft()
        first = self.address.start(turn, draft)
        if first is Step.TEXT and args.strip():
            self.steps.answer(turn, self.steps.open(turn, draft, Step.TEXT), Answer(args))
        else:
            self.steps.start(turn, draft, first)

    def propose(self, turn: Turn, made: Draft, source: str, origin: str = "inbox") -> None:
        """Put a directive read from a document (file ``source``, come by ``origin``) to a
        supervisor of its issuer, at the confirmation: sending it is the same as ``/chidao``'s."""
        draft = DirectiveDraft(issuer=made.issuer.id, source=source, origin=origin)
        fill_from_document(turn, draft, made, MAX_TEXT)
        self.steps.start(turn, draft, Step.CONFIRM if draft.scope else Step.SCOPE)

    def take_file(self, turn: Turn, flow: Flow[Step, DirectiveDraft],
                  incoming: IncomingFile) -> bool:
        """The directive's PDF, DOCX or edXML file, sent at the text step: its draft; False
        when it reads as no numbered directive (its caption or name is then the text)."""
        draft = flow.draft
        try:
            fields = read_document(incoming.name, incoming.content or b"")
        except (Unreadable, PackageRefused):
            return False
        if not read_into(turn, draft, fields, self.calendar, MAX_TEXT):
            return False
        draft.source, draft.origin = incoming.name, "file"
        self.steps.move(turn, flow, Step.CONFIRM if draft.scope else Step.SCOPE)
        return True

    def _ask_text(self, turn: Turn, draft: DirectiveDraft) -> None:
        turn.say(turn.tr._("Please send the text of the directive (what units must do). "
                           "Type /huy to cancel."))

    def _take_text(self, turn: Turn, draft: DirectiveDraft, answer: Answer) -> Next:
        text = answer.text.strip()
        if not text:
            turn.say(turn.tr._("The directive's text is empty. Please send it again."))
            return STAY
        if read_pasted(turn, draft, text, self.calendar, MAX_TEXT):
            return Step.CONFIRM if draft.scope else Step.SCOPE
        if too_long(turn, text, MAX_TEXT):
            return STAY
        draft.text = text
        return Step.NUMBER

    def _ask_number(self, turn: Turn, draft: DirectiveDraft) -> None:
        turn.say(turn.tr._("What is its official number? Send it, e.g. 1699/UBND-TH, or choose "
                           "“No number”. Officers will know the directive by it."),
                 _no_number(turn))

    def _take_number(self, turn: Turn, draft: DirectiveDraft, answer: Answer) -> Next:
        if not answer.chose("cd-number", "none"):
            number = parsing.parse_document_number(answer.text)
            if number is None:
                turn.say(turn.tr._("That is not an official number. Please send it like "
                                   "1699/UBND-TH, or choose “No number”."), _no_number(turn))
                return STAY
            draft.number = number
        return Step.SCOPE

    def _ask_due(self, turn: Turn, draft: DirectiveDraft) -> None:
        turn.say(turn.tr._("What is the deadline? Send a date such as {example}, or choose "
                           "“No deadline” ({days} days by default).").format(
            example=_due_example(turn), days=self._default_days()),
            (Choice(choice_id("cd-due", "none"), turn.tr._("No deadline")),))

    def _take_due(self, turn: Turn, draft: DirectiveDraft, answer: Answer) -> Next:
        if not answer.chose("cd-due", "none"):
            day = parsing.parse_date(answer.text, today=turn.today)
            if day is None or day < turn.today:
                turn.say(turn.tr._("Please send a date from today on, such as {example}.")
                         .format(example=_due_example(turn)))
                return STAY
            draft.due = self.calendar.deadline(day)
        return Step.CONFIRM

    def _ask_confirm(self, turn: Turn, draft: DirectiveDraft) -> None:
        tr = turn.tr
        units = targets(turn, draft).units
        people = sum(len(people_to_tell(turn.session, unit=u, day=turn.today)) for u in units)
        deadline = tr.date(draft.due) if draft.due else tr._("{days} days from today").format(
            days=self._default_days())
        if draft.from_document:
            reached = targets(turn, draft)
            turn.say("\n".join(document_lines(turn, draft, reached, people, deadline)),
                     document_choices(turn))
            return
        turn.say("\n".join([
            tr._("Please confirm the directive:"),
            tr._("Number: {number}").format(number=draft.number or tr._("none")),
            f"“{draft.text}”",
            tr._("Deadline: {date}").format(date=deadline),
            tr._("It will reach {units} units and {people} people.").format(
                units=len(units), people=people),
        ]), (Choice(choice_id("cd-confirm", "yes"), tr._("Send")),
             Choice(choice_id("cd-confirm", "no"), tr._("Cancel"))))

    def _take_confirm(self, turn: Turn, draft: DirectiveDraft, answer: Answer) -> Next:
        if answer.chose("cd-confirm", "due"):
            return Step.DUE
        if answer.chose("cd-confirm", "units"):
            return Step.SCOPE
        if not answer.chose("cd-confirm", "yes"):
            return choose_again(turn)
        self.send(turn, draft)
        return END

    def send(self, turn: Turn, draft: DirectiveDraft) -> None:
        """Send the directive composed and say how far it goes."""
        tr = turn.tr
        issuer, member = issuer_of(turn, draft)
        sent = send_directive(
            turn.session, order=DirectiveOrder(
                text=draft.text, scope=draft.scope, targets=targets(turn, draft), due=draft.due,
                number=draft.number),
            issuer=Issuer(issuer, by=f"{member.platform}:{member.platform_user_id}",
                          member=member),
            now=turn.now, catalog=self.catalog, calendar=self.calendar)
        turn.say(tr._("Directive {number} is being sent to {units} units ({people} people), "
                      "due {date}. Type /chidao_tinhhinh to follow it.").format(
            number=directive_name(sent.directive, tr, self.calendar.tz), units=sent.units,
            people=sent.people, date=tr.date(sent.directive.due)))

    def _default_days(self) -> int:
        return self.catalog.duty("directive").due.days_after or 0


def _no_number(turn: Turn) -> tuple[Choice, ...]:
    return (Choice(choice_id("cd-number", "none"), turn.tr._("No number")),)


def _due_example(turn: Turn) -> str:
    """A deadline two weeks ahead: an example that is valid on the day it is shown."""
    return turn.tr.short_date(turn.today + dt.timedelta(days=14))

"""Correcting a record: ``/sua [ISO-2026-000002]``, or free text such as "sửa biên nhận
ISO-2026-000002", "nhap nham so van ban", "tôi nhập nhầm số văn bản, sửa lại giúp".

The steps: which record (when the receipt was not named and there are several), what was wrong
(the document's number and date, the file, the number of nonconformities, the note), the new
value, a confirmation showing before and after. The rules live in :mod:`jobs.evidence.corrections`:
nothing is overwritten, the correction is a new event with its own receipt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot import parsing
from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.flow import END, PASS, STAY, Answer, Flow, Next, On, Steps, choose_again
from bot.chat.turn import IncomingFile, Turn
from bot.features.my_duties import document_example, duty_heading
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.evidence.corrections import Change, correct_event, may_correct, preview
from jobs.evidence.store import receive_file
from jobs.evidence.submissions import MAX_NONCONFORMITIES, FileEvidence, accepts, describe
from jobs.text.choice_ids import choice_id, record_id
from jobs.text.i18n import N_, Translator
from storage.events import event_by_reference, latest_version, recent_uncorrected
from storage.models import Event, Obligation, Role
from storage.units import subtree_ids

KIND = "correction"
_LISTED = 6  # the newest records offered when no receipt was named


class Step(StrEnum):
    """What is asked next. Stored in the chat state: the values never change."""

    PICK = "pick"  # which record (a list to pick from)
    WHAT = "what"  # what was wrong
    VALUE = "value"  # the right value
    CONFIRM = "confirm"  # before and after: confirm or cancel


class Field(StrEnum):
    """What can be corrected; which of them a record offers depends on its duty."""

    DOCUMENT = "document"
    FILE = "file"
    COUNT = "count"
    NOTE = "note"


_FIELDS = {Field.DOCUMENT: N_("Document number and date"), Field.FILE: N_("File or photo"),
           Field.COUNT: N_("Number of nonconformities"), Field.NOTE: N_("Note")}


@dataclass
class Fixing:
    """The correction being put together. Before a record is picked it keeps what the person
    already said (``fix``: what was wrong; ``number`` and ``date``: the right document line)."""

    event_id: int | None = None
    fix: Field | None = None
    number: str | None = None
    date: dt.date | None = None
    field: Field | None = None
    change: Change | None = None


@feature(30)
class Corrections(Feature):
    """``/sua`` and the steps from a wrong record to its correction's receipt."""

    choices = ("fix", "fixwhat", "fixok")

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.words = parsing.DutyWords.of(catalog.duties)
        self.commands = (
            Command("sua", N_("correct a record you sent (document number, date, file)"),
                    {Audience.OFFICER, Audience.HEAD, Audience.SUPERVISOR}, self.correct,
                    aliases=("sửa",)),
        )
        self.steps = Steps(KIND, Fixing, {
            Step.PICK: On(self._listed, self._ask_pick),
            Step.WHAT: On(self._take_what, self._ask_what),
            Step.VALUE: On(self._take_value, self._ask_value, reads_text=True),
            Step.CONFIRM: On(self._take_confirm, self._ask_confirm),
        }, before=self._before)
        self.flows = (self.steps,)

    # -- ways in --------------------------------------------------------------------------

    def correct(self, turn: Turn, args: str) -> None:
        """/sua [receipt] [what was wrong, or the right document line]."""
        intent = parsing.parse_intent(args, today=turn.today, duties=self.words)
        self._start(turn, intent or parsing.Intent(action=parsing.Action.CORRECT))

    def on_intent(self, turn: Turn, intent: parsing.Intent) -> bool:
        """"nhập nhầm số văn bản", "sửa biên nhận ISO-2026-000002"."""
        if intent.action is not parsing.Action.CORRECT:
            return False
        self._start(turn, intent)
        return True

    def _start(self, turn: Turn, intent: parsing.Intent) -> None:
        tr = turn.tr
        if intent.receipt:
            event = event_by_reference(turn.session, reference=intent.receipt)
            if event is None or self._member_for(turn, event) is None:
                turn.say(tr._("You have no record {reference} to correct: a record can be "
                              "corrected by the person who sent it, or by the ISO standing "
                              "office of its unit. Nothing was changed.").format(
                    reference=intent.receipt))
                return
            self._begin(turn, latest_version(turn.session, event=event), _hints(intent))
            return
        events = self._correctable(turn)
        if not events:
            turn.say(tr._("You have no records to correct yet."))
        elif len(events) == 1:
            self._begin(turn, events[0], _hints(intent))
        else:
            self.steps.start(turn, _hints(intent), Step.PICK)

    def _correctable(self, turn: Turn) -> list[Event]:
        units: set[int] = set()
        for member, unit in turn.members:
            units |= (subtree_ids(turn.session, unit_id=unit.id)
                      if member.role == Role.SUPERVISOR else {unit.id})
        events = recent_uncorrected(turn.session, unit_ids=units, limit=50) if units else []
        return [e for e in events if self._member_for(turn, e) is not None][:_LISTED]

    def _member_for(self, turn: Turn, event: Event):
        return next((m for m, _ in turn.members if may_correct(turn.session, m, event)), None)

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """A record picked (from the list, or "Correct this record"), a field, the confirmation."""
        if action != "fix":
            super().on_choice(turn, action, value)
            return
        row_id = record_id(value)
        event = turn.session.get(Event, row_id) if row_id is not None else None
        if event is None or self._member_for(turn, event) is None:
            self.say_stale_choice(turn)
            return
        flow = self.steps.under_way(turn)
        hints = flow.draft if flow is not None else _carried_hints(turn.carried)
        self._begin(turn, latest_version(turn.session, event=event), hints)

    def _begin(self, turn: Turn, event: Event, hints: Fixing) -> None:
        """Correct ``event`` (its latest version), with what the person already said."""
        draft = Fixing(event_id=event.id)
        fields = self._fields(turn, event)
        if hints.number and Field.DOCUMENT in fields:
            draft.field = Field.DOCUMENT
            draft.change = Change(document_number=hints.number, document_date=hints.date)
            self.steps.start(turn, draft, Step.CONFIRM)
        elif hints.fix in fields or len(fields) == 1:
            draft.field = hints.fix if hints.fix in fields else fields[0]
            self.steps.start(turn, draft, Step.VALUE)
        else:
            self.steps.start(turn, draft, Step.WHAT)

    def _fields(self, turn: Turn, event: Event) -> list[Field]:
        obligation = self._obligation(turn, event)
        duty = self.catalog.get(obligation.duty_key) if obligation is not None else None
        fields = [Field.DOCUMENT, Field.FILE]
        if event.nonconformities is not None or (duty is not None and accepts(duty, "count")):
            fields.append(Field.COUNT)
        if event.note or (duty is not None and accepts(duty, "note")):
            fields.append(Field.NOTE)
        return fields

    # -- the steps ------------------------------------------------------------------------

    def repeat(self, turn: Turn, flow: Flow[Step, Fixing]) -> bool:
        if self._event(turn, flow.draft) is None:
            return False
        self.steps.ask_again(turn, flow)
        return True

    def _before(self, turn: Turn, flow: Flow[Step, Fixing], answer: Answer) -> Next | None:
        """A list was offered, or the record is gone: a typed reply is an ordinary one; a
        cancel at any step."""
        if flow.step is Step.PICK or self._event(turn, flow.draft) is None:
            return PASS
        if answer.chose("fixok", "no") or parsing.fold(answer.text) in ("huy", "huy bo",
                                                                         "cancel"):
            turn.say(turn.tr._("Cancelled. Nothing was changed."))
            return END
        return None

    def _listed(self, turn: Turn, draft: Fixing, answer: Answer) -> Next:
        return PASS  # the list is answered by its choices; a typed reply is an ordinary one

    def _ask_pick(self, turn: Turn, draft: Fixing) -> None:
        turn.say(turn.tr._("Which record do you want to correct?"),
                 tuple(Choice(choice_id("fix", e.id), self._label(turn, e))
                       for e in self._correctable(turn)))

    def _take_what(self, turn: Turn, draft: Fixing, answer: Answer) -> Next:
        fields = self._fields(turn, self._event(turn, draft))
        field = next((f for f in fields if answer.chose("fixwhat", f.value)), None)
        if field is None and answer.text and parsing.parse_document_reference(
                answer.text, today=turn.today).number:
            draft.field = Field.DOCUMENT  # the right line typed at once, the question skipped
            return self._take_value(turn, draft, answer)
        if field is None:
            return choose_again(turn)
        draft.field = field
        return Step.VALUE

    def _ask_what(self, turn: Turn, draft: Fixing) -> None:
        event = self._event(turn, draft)
        turn.say("\n".join([self._heading(turn, event), *describe(event, turn.tr),
                            turn.tr._("What was wrong?")]),
                 tuple(Choice(choice_id("fixwhat", f.value), turn.tr._(_FIELDS[f]))
                       for f in self._fields(turn, event)))

    def _ask_value(self, turn: Turn, draft: Fixing) -> None:
        tr, event = turn.tr, self._event(turn, draft)
        ask = {
            Field.DOCUMENT: tr._("Please send the right document number and date in one line, "
                                 "e.g. {example}.").format(example=_example(turn)),
            Field.FILE: tr._("Please send the right file or photo."),
            Field.COUNT: tr._("Please send the right number of nonconformities (0 to 200)."),
            Field.NOTE: tr._("Please send the right note."),
        }[draft.field]
        turn.say("\n".join([self._heading(turn, event), *describe(event, tr), ask,
                            tr._("Type /huy to cancel.")]))

    def _take_value(self, turn: Turn, draft: Fixing, answer: Answer) -> Next:
        tr, text = turn.tr, answer.text
        if draft.field is Field.DOCUMENT:
            document = parsing.parse_document_reference(text, today=turn.today)
            if not document.ok:
                turn.say(tr._("I could not read the document number and date.") + " " + tr._(
                    "Please send them in one line, e.g. {example}.").format(
                    example=_example(turn)))
                return STAY
            draft.change = Change(document_number=document.number, document_date=document.date)
        elif draft.field is Field.COUNT:
            if not text.strip().isdigit() or int(text) > MAX_NONCONFORMITIES:
                turn.say(tr._("Please reply with a whole number from 0 to 200."))
                return STAY
            draft.change = Change(nonconformities=int(text))
        elif draft.field is Field.NOTE and text.strip():
            draft.change = Change(note=text.strip()[:4000])
        else:
            turn.say(tr._("Please send the right file or photo."))
            return STAY
        return Step.CONFIRM

    def on_file(self, turn: Turn, flow: Flow[Step, Fixing] | None,
                incoming: IncomingFile) -> None:
        """The right file, at the value step of a file correction."""
        event = self._event(turn, flow.draft) if flow is not None else None
        if event is None or flow.step is not Step.VALUE or flow.draft.field is not Field.FILE:
            turn.say(turn.tr._("To replace a file, type /sua and choose the record first."))
            return
        if incoming.content is None or (incoming.size or 0) > turn.messenger.max_file_bytes:
            turn.say(turn.tr._("The file is too large. The limit is {limit} MB.").format(
                limit=turn.file_limit_mb()))
            return
        # Kept in the evidence store like any report's file, so /xem and the dossier find it.
        received = receive_file(turn.session, name=incoming.name, ref=incoming.ref,
                                platform=turn.inbound.platform, content=incoming.content,
                                now=turn.now)
        flow.draft.change = Change(file=FileEvidence(received.name, received.sha256,
                                                     incoming.ref, received.file_id))
        self.steps.move(turn, flow, Step.CONFIRM)

    def _ask_confirm(self, turn: Turn, draft: Fixing) -> None:
        tr, event = turn.tr, self._event(turn, draft)
        after = preview(event, draft.change or Change())
        turn.say("\n".join([self._heading(turn, event), tr._("Before:"), *describe(event, tr),
                            tr._("After:"), *describe(after, tr),
                            tr._("The record {reference} is kept; the correction gets a new "
                                 "receipt.").format(reference=event.reference)]),
                 (Choice(choice_id("fixok", "yes"), tr._("Confirm")),
                  Choice(choice_id("fixok", "no"), tr._("Cancel"))))

    def _take_confirm(self, turn: Turn, draft: Fixing, answer: Answer) -> Next:
        if not answer.chose("fixok", "yes"):
            return choose_again(turn)
        self._record(turn, draft, self._event(turn, draft))
        return END

    def _record(self, turn: Turn, draft: Fixing, event: Event) -> None:
        tr = turn.tr
        member = self._member_for(turn, event)
        done = correct_event(turn.session, member=member, event=event,
                             change=draft.change or Change(), now=turn.now,
                             catalog=self.catalog, calendar=self.calendar) \
            if member is not None else None
        if done is None or done.problem:
            turn.say(_problem_text(done.problem if done else "not_allowed", tr))
            return
        turn.say("\n".join([
            tr._("✅ Correction recorded. Receipt number: {reference}").format(
                reference=done.event.reference),
            tr._("It replaces {reference}, which stays on file.").format(
                reference=done.corrects.reference),
            self._heading(turn, done.event), *describe(done.event, tr),
            tr._("Recorded at: {moment}").format(moment=tr.datetime(turn.now)),
            tr._("The ISO standing office has been informed.")]))

    # -- words ----------------------------------------------------------------------------

    def _event(self, turn: Turn, draft: Fixing) -> Event | None:
        return turn.session.get(Event, draft.event_id) if draft.event_id is not None else None

    def _obligation(self, turn: Turn, event: Event) -> Obligation | None:
        return turn.session.get(Obligation, event.obligation_id) if event.obligation_id else None

    def _heading(self, turn: Turn, event: Event) -> str:
        obligation = self._obligation(turn, event)
        if obligation is None:
            return turn.tr._("Record {reference}").format(reference=event.reference)
        return turn.tr._("Record {reference}: {duty}").format(
            reference=event.reference, duty=duty_heading(obligation, self.catalog, turn.tr))

    def _label(self, turn: Turn, event: Event) -> str:
        heading = self._heading(turn, event)
        return f"{heading}, {event.document_number}" if event.document_number else heading


def _hints(intent: parsing.Intent) -> Fixing:
    """What a typed request says already: what was wrong, the right document line."""
    document = intent.document
    ok = document is not None and document.ok
    return Fixing(fix=Field(intent.fix) if intent.fix in Field.__members__.values() else None,
                  number=document.number if ok else None, date=document.date if ok else None)


def _carried_hints(carried: dict[str, Any]) -> Fixing:
    """The document line typed last turn for a duty reported already (:meth:`Turn.carry`)."""
    number, date = carried.get("number"), carried.get("date")
    return Fixing(number=number if isinstance(number, str) else None,
                  date=dt.date.fromisoformat(date) if isinstance(date, str) else None)


def _example(turn: Turn) -> str:
    return document_example("45/BC-UBND", turn.today, turn.tr)


def _problem_text(problem: str, tr: Translator) -> str:
    return {
        "nothing_changed": tr._("That is what the record already says. Nothing was changed."),
        "missing": tr._("The record would lack evidence its duty requires. Nothing was "
                        "changed."),
    }.get(problem, tr._("You cannot correct this record. Nothing was changed."))

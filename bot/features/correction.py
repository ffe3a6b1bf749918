"""Correcting a record: ``/sua [ISO-2026-000002]``, or free text such as "sửa biên nhận
ISO-2026-000002", "nhap nham so van ban", "tôi nhập nhầm số văn bản, sửa lại giúp".

The steps: which record (when the receipt was not named and there are several), what was wrong
(the document's number and date, the file, the number of nonconformities, the note), the new
value, a confirmation showing before and after. The rules live in :mod:`jobs.evidence.corrections`:
nothing is overwritten, the correction is a new event with its own receipt.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import parsing
from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import IncomingFile, Turn
from bot.features.my_duties import document_example, duty_heading
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.evidence.corrections import Change, correct_event, may_correct, preview
from jobs.evidence.store import receive_file
from jobs.evidence.submissions import MAX_NONCONFORMITIES, FileEvidence, accepts, describe
from jobs.text.i18n import N_, Translator
from storage.events import event_by_reference, latest_version, recent_uncorrected
from storage.models import Event, Obligation, Role
from storage.units import subtree_ids

KIND = "correction"
_LISTED = 6  # the newest records offered when no receipt was named
# What can be corrected; which of them a record offers depends on its duty.
_FIELDS = {"document": N_("Document number and date"), "file": N_("File or photo"),
           "count": N_("Number of nonconformities"), "note": N_("Note")}


@feature(30)
class Corrections(Feature):
    """``/sua`` and the steps from a wrong record to its correction's receipt."""

    choices = ("fix", "fixwhat", "fixok")
    flow_kind = KIND

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.words = parsing.DutyWords.of(catalog.duties)
        self.commands = (
            Command("sua", N_("correct a record you sent (document number, date, file)"),
                    {Audience.OFFICER, Audience.HEAD, Audience.SUPERVISOR}, self.correct,
                    aliases=("sửa",)),
        )

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
            flow = {"kind": KIND, "step": "pick", **_hints(intent)}
            turn.state["flow"] = flow
            turn.say(tr._("Which record do you want to correct?"),
                     tuple(Choice(f"fix:{e.id}", self._label(turn, e)) for e in events))

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
        if action == "fix":
            event = turn.session.get(Event, int(value)) if value.isdigit() else None
            if event is None or self._member_for(turn, event) is None:
                self.say_stale_choice(turn)
                return
            flow = turn.state.get("flow") or {}
            hints = flow if flow.get("kind") == KIND else turn.carried
            self._begin(turn, latest_version(turn.session, event=event), hints)
            return
        flow = turn.state.get("flow")
        if not flow or flow.get("kind") != KIND:
            self.say_stale_choice(turn)
            return
        self.on_flow(turn, flow, "", f"{action}:{value}")

    # -- the steps ------------------------------------------------------------------------

    def _begin(self, turn: Turn, event: Event, hints: dict[str, Any]) -> None:
        """Correct ``event`` (its latest version), with what the person already said: ``hints``
        "fix" (what was wrong), "number" and "date" (the right document line)."""
        fix = hints.get("fix")
        document = {k: hints[k] for k in ("number", "date") if hints.get(k)}
        flow: dict[str, Any] = {"kind": KIND, "event_id": event.id, "step": "what"}
        turn.state["flow"] = flow
        fields = self._fields(turn, event)
        if document and "document" in fields:
            flow.update(field="document", change=document)
            self._ask_confirm(turn, flow, event)
        elif fix in fields or len(fields) == 1:
            self._ask_value(turn, flow, event, fix if fix in fields else fields[0])
        else:
            turn.say("\n".join([self._heading(turn, event), *describe(event, turn.tr),
                                turn.tr._("What was wrong?")]),
                     tuple(Choice(f"fixwhat:{f}", turn.tr._(_FIELDS[f])) for f in fields))

    def _fields(self, turn: Turn, event: Event) -> list[str]:
        obligation = self._obligation(turn, event)
        duty = self.catalog.get(obligation.duty_key) if obligation is not None else None
        fields = ["document", "file"]
        if event.nonconformities is not None or (duty is not None and accepts(duty, "count")):
            fields.append("count")
        if event.note or (duty is not None and accepts(duty, "note")):
            fields.append("note")
        return fields

    def takes_text(self, flow: dict[str, Any]) -> bool:
        return flow.get("step") == "value"

    def repeat(self, turn: Turn, flow: dict[str, Any]) -> bool:
        event = turn.session.get(Event, flow.get("event_id") or -1)
        if event is None:
            return False
        if flow.get("step") == "value":
            self._ask_value(turn, flow, event, flow["field"])
        elif flow.get("step") == "confirm":
            self._ask_confirm(turn, flow, event)
        else:
            self._begin(turn, event, {})
        return True

    def on_flow(self, turn: Turn, flow: dict[str, Any], text: str,
                action: str | None = None) -> bool:
        """The answer to the step under way."""
        step, tr = flow.get("step"), turn.tr
        event = turn.session.get(Event, flow.get("event_id") or -1)
        if step == "pick" or event is None:
            return False  # a list was offered: a typed reply is read as an ordinary one
        if action == "fixok:no" or parsing.fold(text) in ("huy", "huy bo", "cancel"):
            turn.end_flow()
            turn.say(tr._("Cancelled. Nothing was changed."))
        elif step == "what" and action and action.startswith("fixwhat:"):
            self._ask_value(turn, flow, event, action.partition(":")[2])
        elif step == "value":
            self._take_value(turn, flow, event, text)
        elif step == "confirm" and action == "fixok:yes":
            self._record(turn, flow, event)
        else:
            turn.say(tr._("Please choose one of the options, or type /huy to cancel."))
        return True

    def _ask_value(self, turn: Turn, flow: dict[str, Any], event: Event, field: str) -> None:
        tr = turn.tr
        flow.update(step="value", field=field)
        ask = {
            "document": tr._("Please send the right document number and date in one line, "
                             "e.g. {example}.").format(example=_example(turn)),
            "file": tr._("Please send the right file or photo."),
            "count": tr._("Please send the right number of nonconformities (0 to 200)."),
            "note": tr._("Please send the right note."),
        }[field]
        turn.say("\n".join([self._heading(turn, event), *describe(event, tr), ask,
                            tr._("Type /huy to cancel.")]))

    def _take_value(self, turn: Turn, flow: dict[str, Any], event: Event, text: str) -> None:
        tr, field = turn.tr, flow["field"]
        if field == "document":
            document = parsing.parse_document_reference(text, today=turn.today)
            if not document.ok:
                turn.say(tr._("I could not read the document number and date.") + " " + tr._(
                    "Please send them in one line, e.g. {example}.").format(
                    example=_example(turn)))
                return
            flow["change"] = {"number": document.number, "date": document.date.isoformat()}
        elif field == "count":
            if not text.strip().isdigit() or int(text) > MAX_NONCONFORMITIES:
                turn.say(tr._("Please reply with a whole number from 0 to 200."))
                return
            flow["change"] = {"count": int(text)}
        elif field == "note" and text.strip():
            flow["change"] = {"note": text.strip()[:4000]}
        else:
            turn.say(tr._("Please send the right file or photo."))
            return
        self._ask_confirm(turn, flow, event)

    def on_file(self, turn: Turn, flow: dict[str, Any] | None, incoming: IncomingFile) -> None:
        """The right file, at the value step of a file correction."""
        event = turn.session.get(Event, (flow or {}).get("event_id") or -1)
        if event is None or flow.get("step") != "value" or flow.get("field") != "file":
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
        flow["change"] = {"file": [incoming.name, received.sha256, incoming.ref,
                                   received.file_id]}
        self._ask_confirm(turn, flow, event)

    def _ask_confirm(self, turn: Turn, flow: dict[str, Any], event: Event) -> None:
        tr = turn.tr
        flow["step"] = "confirm"
        after = preview(event, _change(flow))
        turn.say("\n".join([self._heading(turn, event), tr._("Before:"), *describe(event, tr),
                            tr._("After:"), *describe(after, tr),
                            tr._("The record {reference} is kept; the correction gets a new "
                                 "receipt.").format(reference=event.reference)]),
                 (Choice("fixok:yes", tr._("Confirm")), Choice("fixok:no", tr._("Cancel"))))

    def _record(self, turn: Turn, flow: dict[str, Any], event: Event) -> None:
        tr = turn.tr
        member = self._member_for(turn, event)
        turn.end_flow()
        done = correct_event(turn.session, member=member, event=event, change=_change(flow),
                             now=turn.now, catalog=self.catalog, calendar=self.calendar) \
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


def _hints(intent: parsing.Intent) -> dict[str, Any]:
    """What a typed request says already: what was wrong, the right document line."""
    hints: dict[str, Any] = {"fix": intent.fix}
    document = intent.document
    if document is not None and document.ok:
        hints.update(number=document.number, date=document.date.isoformat())
    return hints


def _change(flow: dict[str, Any]) -> Change:
    raw = flow.get("change") or {}
    file, date = raw.get("file"), raw.get("date")
    return Change(document_number=raw.get("number"),
                  document_date=dt.date.fromisoformat(date) if date else None,
                  file=FileEvidence(*file) if file else None, nonconformities=raw.get("count"),
                  note=raw.get("note"))


def _example(turn: Turn) -> str:
    return document_example("45/BC-UBND", turn.today, turn.tr)


def _problem_text(problem: str, tr: Translator) -> str:
    return {
        "nothing_changed": tr._("That is what the record already says. Nothing was changed."),
        "missing": tr._("The record would lack evidence its duty requires. Nothing was "
                        "changed."),
    }.get(problem, tr._("You cannot correct this record. Nothing was changed."))

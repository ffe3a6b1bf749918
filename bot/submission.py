"""Reporting a duty as done: ``/nop``, a reminder's "Done" button, or a free-text reply such as
"đã nộp báo cáo quý 3 số 123/BC-UBND ngày 5/10/2026".

A flow of typed steps, named as python-telegram-bot's ConversationHandler examples name their
states (examples/conversationbot.py: ``GENDER, PHOTO, LOCATION, BIO``, one handler per state,
each returning the next state). Each :class:`Step` is what the officer is asked next; one small
handler takes the answer and returns the step to ask next, or None once it has replied itself.
The report under way (:class:`Draft`) waits in the chat state between messages, and nothing is
recorded until the officer confirms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot import parsing
from bot.commands import Audience, Command
from bot.feature import Feature
from bot.my_duties import (
    duty_line,
    evidence_prompt,
    matching,
    my_obligation,
    my_open,
    say_already_done,
    unit_duty,
)
from bot.turn import Edit, IncomingFile, Turn
from jobs.calendar import WorkCalendar
from jobs.catalog import Catalog, Duty
from jobs.evidence import (
    MAX_NONCONFORMITIES,
    FileEvidence,
    Submission,
    log_submission,
    may_log,
)
from jobs.evidence_store import receive_file
from jobs.i18n import N_, Translator
from jobs.labels import named_period
from jobs.messages import Choice, Message
from storage.models import Obligation, ObligationStatus, Unit
from storage.outbox import sent_to_chat

KIND = "submission"


class Step(StrEnum):
    """What the officer is asked next. Stored in the chat state: the values never change."""

    DUTY = "pick"  # which of the open duties (a list to pick from)
    DOCUMENT = "document"  # the document's number and date
    NONCONFORMITIES = "nonconformities"  # how many the internal audit found
    FILE = "file"  # a file or photo of it, or skip
    CONFIRM = "confirm"  # the summary: confirm or cancel


# The choices a step offers; the same words pick them whether pressed or typed.
_OFFERS: dict[Step, tuple[str, ...]] = {Step.FILE: ("skip",), Step.CONFIRM: ("confirm", "cancel")}
_LABELS = {"skip": N_("Skip"), "confirm": N_("Confirm"), "cancel": N_("Cancel")}


@dataclass
class Draft:
    """The report being put together, kept in the chat state between messages."""

    obligation_id: int | None
    step: Step
    number: str | None = None
    date: dt.date | None = None
    nonconformities: int | None = None
    file: FileEvidence | None = None

    @classmethod
    def from_flow(cls, flow: dict[str, Any]) -> Draft:
        """The draft saved by :meth:`to_flow`; an unknown step starts over at the duty."""
        file = flow.get("file")
        step = flow.get("step")
        return cls(
            obligation_id=flow.get("obligation_id"),
            step=Step(step) if step in Step.__members__.values() else Step.DUTY,
            number=flow.get("number"),
            date=dt.date.fromisoformat(flow["date"]) if flow.get("date") else None,
            nonconformities=flow.get("nonconformities"),
            file=FileEvidence(file["name"], file.get("sha256"), file.get("ref"),
                              file.get("file_id")) if file else None)

    def to_flow(self) -> dict[str, Any]:
        """The draft as JSON-safe chat state."""
        flow: dict[str, Any] = {"kind": KIND, "step": self.step.value,
                                "obligation_id": self.obligation_id}
        if self.number is not None:
            flow.update(number=self.number, date=self.date.isoformat() if self.date else None)
        if self.nonconformities is not None:
            flow["nonconformities"] = self.nonconformities
        if self.file is not None:
            flow["file"] = {"name": self.file.name, "ref": self.file.ref,
                            "sha256": self.file.sha256, "file_id": self.file.file_id}
        return flow

    def submission(self) -> Submission:
        """What is recorded once the officer confirms."""
        return Submission(obligation_id=self.obligation_id, document_number=self.number,
                          document_date=self.date, file=self.file,
                          nonconformities=self.nonconformities)


Answer = Callable[[Turn, Draft, Obligation, str, str | None], Step | None]


class SubmissionFlow(Feature):
    """``/nop`` and the steps from an open duty to a receipt."""

    choices = ("done", "pick", "skip", "confirm", "cancel")
    flow_kind = KIND

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        self.catalog = catalog
        self.calendar = calendar
        self.words = parsing.DutyWords.of(catalog.duties)
        self.commands = (
            Command("nop", N_("report a duty as done (document number, date, file)"),
                    {Audience.EVERYONE}, self.report, aliases=("nộp",)),
        )
        self._answers: dict[Step, Answer] = {
            Step.DOCUMENT: self._document, Step.NONCONFORMITIES: self._nonconformities,
            Step.FILE: self._file, Step.CONFIRM: self._confirm}
        self._questions: dict[Step, Callable[[Turn, Draft, Obligation], None]] = {
            Step.DOCUMENT: self._ask_document, Step.NONCONFORMITIES: self._ask_nonconformities,
            Step.FILE: self._ask_file, Step.CONFIRM: self._ask_confirm}

    # -- ways in --------------------------------------------------------------------------

    def report(self, turn: Turn, args: str) -> None:
        """/nop, optionally followed by what was done ("/nop quý 4 số 45/BC-UBND ngày 1/12")."""
        intent = parsing.parse_intent(args, today=turn.today, duties=self.words) \
            if args.strip() else None
        self._start_from(turn, intent)

    def on_intent(self, turn: Turn, intent: parsing.Intent) -> bool:
        """A reply that says something was done."""
        if intent.action is not parsing.Action.SUBMITTED:
            return False
        self._start_from(turn, intent)
        return True

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """A reminder's "Done", a duty picked from the list, or a step's button."""
        if action in ("done", "pick"):
            obligation = my_obligation(turn, value)
            if obligation is not None and obligation.status != ObligationStatus.OPEN:
                say_already_done(turn, obligation, self.calendar.tz)
            elif obligation is not None:
                self.start(turn, obligation)
            return
        flow = turn.state.get("flow")
        if not flow or flow.get("kind", KIND) != KIND:
            self.say_stale_choice(turn)
            return
        self.on_flow(turn, flow, "", action)

    def _start_from(self, turn: Turn, intent: parsing.Intent | None) -> None:
        candidates = matching(turn, self.catalog, intent) if intent else []
        if len(candidates) != 1:
            self.start(turn, None)
            return
        document = intent.document if intent.document and intent.document.ok else None
        self.start(turn, candidates[0][0], document, intent.nonconformities)

    def start(self, turn: Turn, obligation: Obligation | None,
              document: parsing.DocumentReference | None = None,
              nonconformities: int | None = None) -> None:
        """Report ``obligation``, with what is already known; None: ask which duty first."""
        if obligation is None:
            self._ask_duty(turn)
            return
        draft = Draft(obligation.id, Step.DOCUMENT)
        if self._duty(obligation).evidence == "none":
            if document is not None:  # given unasked: keep it as evidence
                draft.number, draft.date = document.number, document.date
            step = Step.FILE
        elif document is not None:
            step = self._take_document(draft, obligation, document, nonconformities)
        else:
            step = Step.DOCUMENT
        self._go(turn, draft, obligation, step)

    # -- the steps ------------------------------------------------------------------------

    def on_flow(self, turn: Turn, flow: dict[str, Any], text: str,
                action: str | None = None) -> bool:
        """The officer's answer to the step under way."""
        draft = Draft.from_flow(flow)
        obligation = turn.session.get(Obligation, draft.obligation_id or -1)
        if draft.step is Step.DUTY or obligation is None:
            turn.end_flow()  # the list of duties was offered: this is a new reply
            return False
        if obligation.status != ObligationStatus.OPEN:
            turn.end_flow()
            say_already_done(turn, obligation, self.calendar.tz)
            return True
        action = action or self._typed_choice(turn, draft.step, text)
        if action == "cancel":
            turn.end_flow()
            turn.say(turn.tr._("Cancelled. Nothing was recorded."))
            return True
        self._go(turn, draft, obligation,
                 self._answers[draft.step](turn, draft, obligation, text, action))
        return True

    def _document(self, turn: Turn, draft: Draft, obligation: Obligation, text: str,
                  action: str | None) -> Step | None:
        document = parsing.parse_document_reference(text, today=turn.today)
        if not document.ok:
            turn.say(_document_problem(document, turn.tr) + "\n"
                     + evidence_prompt(self._duty(obligation), turn.tr))
            return None
        return self._take_document(draft, obligation, document, None)

    def _take_document(self, draft: Draft, obligation: Obligation,
                       document: parsing.DocumentReference, nonconformities: int | None) -> Step:
        draft.number, draft.date = document.number, document.date
        if nonconformities is not None:
            draft.nonconformities = nonconformities
        if self._duty(obligation).evidence == "audit" and draft.nonconformities is None:
            return Step.NONCONFORMITIES
        return Step.FILE

    def _nonconformities(self, turn: Turn, draft: Draft, obligation: Obligation, text: str,
                         action: str | None) -> Step | None:
        number = text.strip()
        if not number.isdigit() or int(number) > MAX_NONCONFORMITIES:
            turn.say(turn.tr._("Please reply with a whole number from 0 to 200."))
            return None
        draft.nonconformities = int(number)
        return Step.FILE

    def _file(self, turn: Turn, draft: Draft, obligation: Obligation, text: str,
              action: str | None) -> Step | None:
        if action == "skip":
            return Step.CONFIRM
        turn.say(turn.tr._("Please send a file or a photo, or choose “Skip”."),
                 _offer(Step.FILE, turn.tr))
        return None

    def _confirm(self, turn: Turn, draft: Draft, obligation: Obligation, text: str,
                 action: str | None) -> Step | None:
        if action != "confirm":
            return Step.CONFIRM  # anything else: show the summary again
        self._log(turn, draft, obligation)
        return None

    def on_file(self, turn: Turn, flow: dict[str, Any] | None, incoming: IncomingFile) -> None:
        """A file or photo as evidence, at the file step or when confirming."""
        tr = turn.tr
        too_large = incoming.content is None and not incoming.fetch_failed
        if too_large or (incoming.size or 0) > turn.messenger.max_file_bytes:
            size = (incoming.size or 0) / (1024 * 1024)
            turn.say(tr._("The file is too large ({size} MB). The limit is {limit} MB: please "
                          "send a smaller file or a photo of the first page.").format(
                size=tr.number(round(size, 1)), limit=turn.file_limit_mb()))
            return
        draft = Draft.from_flow(flow) if flow else None
        obligation = turn.session.get(Obligation, draft.obligation_id or -1) if draft else None
        if obligation is None or draft.step not in (Step.FILE, Step.CONFIRM):
            turn.say(tr._("To attach a file, first type /nop and choose the duty."))
            return
        received = receive_file(turn.session, name=incoming.name, ref=incoming.ref,
                                platform=turn.inbound.platform, content=incoming.content,
                                now=turn.now)
        draft.file = FileEvidence(incoming.name, received.sha256, incoming.ref, received.file_id)
        self._go(turn, draft, obligation, Step.CONFIRM)

    # -- questions ------------------------------------------------------------------------

    def _go(self, turn: Turn, draft: Draft, obligation: Obligation, step: Step | None) -> None:
        """Move to ``step`` and ask it; None: the handler has replied and nothing moves."""
        if step is None:
            return
        draft.step = step
        turn.state["flow"] = draft.to_flow()
        self._questions[step](turn, draft, obligation)

    def _ask_duty(self, turn: Turn) -> None:
        rows = my_open(turn, self.catalog)
        if not rows:
            turn.say(turn.tr._("Your units have no open duties to report. 👍"))
            return
        turn.state["flow"] = Draft(None, Step.DUTY).to_flow()
        choices = tuple(Choice(f"pick:{o.id}", duty_line(o, u, turn, self.catalog))
                        for o, u in rows[:10])
        turn.say(turn.tr._("Which duty are you reporting as done?"), choices)

    def _ask_document(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        tr = turn.tr
        unit = turn.session.get(Unit, obligation.unit_id)
        heading = tr._("Reporting “{title}” ({period}).").format(
            title=unit_duty(self.catalog, unit, obligation).title.get(tr.lang),
            period=named_period(obligation, tr))
        turn.say("\n".join([heading, evidence_prompt(self._duty(obligation), tr),
                            tr._("Type /huy to cancel.")]))

    def _ask_nonconformities(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        turn.say(turn.tr._("How many nonconformities did the internal audit find? Reply with a "
                           "number (0 if none)."))

    def _ask_file(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        turn.say(turn.tr._("You may now send the file or a photo of the document (up to {limit} "
                           "MB), or skip this step.").format(limit=turn.file_limit_mb()),
                 _offer(Step.FILE, turn.tr))

    def _ask_confirm(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        tr = turn.tr
        turn.say("\n".join([tr._("Please confirm:"), *self._summary(turn, draft, obligation)]),
                 _offer(Step.CONFIRM, tr))

    def _typed_choice(self, turn: Turn, step: Step, text: str) -> str | None:
        """The step's choice that typed ``text`` picks, with the words of any other choice."""
        offered = _offer(step, turn.tr)
        return parsing.match_choice(
            text, [(c.id, c.label, parsing.choice_aliases(c.id)) for c in offered]) \
            if offered and text else None

    # -- recording ------------------------------------------------------------------------

    def _summary(self, turn: Turn, draft: Draft, obligation: Obligation) -> list[str]:
        tr = turn.tr
        unit = turn.session.get(Unit, obligation.unit_id)
        lines = [tr._("Duty: {title} ({period})").format(
                     title=unit_duty(self.catalog, unit, obligation).title.get(tr.lang),
                     period=named_period(obligation, tr)),
                 tr._("Unit: {unit}").format(unit=unit.name)]
        if draft.number:
            lines.append(tr._("Document: {number} dated {date}").format(
                number=draft.number, date=tr.short_date(draft.date)))
        if draft.nonconformities is not None:
            lines.append(tr._("Nonconformities found: {n}").format(n=draft.nonconformities))
        if draft.file:
            lines.append(tr._("File: {name}").format(name=draft.file.name))
            if draft.file.sha256 is None:
                lines.append(tr._("⏳ The file could not be downloaded yet: isobot will try again "
                                  "and keep it with this report."))
        return lines

    def _log(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        tr = turn.tr
        member = next(m for m, _ in turn.members if may_log(m, obligation))
        logged = log_submission(turn.session, member=member, now=turn.now, catalog=self.catalog,
                                calendar=self.calendar, submission=draft.submission())
        turn.end_flow()
        if logged.problem:
            turn.say(tr._("Nothing was recorded: this duty cannot be reported by you now."))
            return
        reference = logged.event.reference
        lines = [tr._("✅ Recorded. Receipt number: {reference}").format(reference=reference),
                 *self._summary(turn, draft, obligation),
                 tr._("Recorded at: {moment}").format(moment=tr.datetime(turn.now))]
        if draft.file and draft.file.sha256:
            lines.append(tr._("File fingerprint (SHA-256): {digest}").format(
                digest=draft.file.sha256))
        if logged.corrective_actions:
            actions = logged.corrective_actions
            lines.append(tr.ngettext("{n} corrective action was created, due {date}.",
                                     "{n} corrective actions were created, due {date}.",
                                     len(actions)).format(n=len(actions),
                                                          date=tr.date(actions[0].due)))
        lines.append(tr._("The ISO standing office has been informed."))
        turn.say("\n".join(lines))
        self._mark_reminders_done(turn, obligation, reference)

    def _mark_reminders_done(self, turn: Turn, obligation: Obligation, reference: str) -> None:
        """Edit the reminders this chat got for ``obligation`` so they show it is done."""
        done = turn.tr._("✅ Done — receipt {reference}").format(reference=reference)
        for row in sent_to_chat(turn.session, obligation_id=obligation.id,
                                platform=turn.inbound.platform, chat_id=turn.inbound.chat_id):
            original = Message.from_payload(row.payload).text
            turn.replies.edits.append(Edit(row.sent_message_id, Message(f"{original}\n\n{done}")))

    def _duty(self, obligation: Obligation) -> Duty:
        # For the evidence it asks for, which no province's catalog changes (PROVINCE_FIELDS).
        return self.catalog.duty(obligation.duty_key)


def _offer(step: Step, tr: Translator) -> tuple[Choice, ...]:
    return tuple(Choice(action, tr._(_LABELS[action])) for action in _OFFERS.get(step, ()))


def _document_problem(document: parsing.DocumentReference, tr: Translator) -> str:
    return {
        "missing_number": tr._("I could not read a document number."),
        "missing_date": tr._("I could not read the document's date."),
        "bad_date": tr._("The document's date is not a real date."),
        "future_date": tr._("The document's date is in the future."),
    }.get(document.error, tr._("I could not read the document number and date."))
